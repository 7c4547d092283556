package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** recall@10 >= 0.95 at efSearch 100 on 20,000 clustered 128-d vectors (M 16, efConstruction 100). */
class HnswRecallTest {
    static final long SEED = 20_000L;
    static final int N = 20_000;
    static final int DIM = 128;
    static final int QUERIES = 200;

    @ParameterizedTest
    @EnumSource(VectorMetric.class)
    void recallAtTenIsAtLeast95Percent(VectorMetric metric) {
        float[][][] sets = TestData.mixture(SEED, N, QUERIES, DIM);
        float[][] data = sets[0];
        long[] ids = TestData.sequentialIds(N, 1_000_000L);
        HnswConfig config = HnswConfig.builder(DIM).metric(metric).maxConn(16).beamWidth(100).seed(SEED).build();
        HnswIndex index = TestData.build(config, data, ids);
        assertThat(index.size()).isEqualTo(N);

        double recall = 0;
        for (float[] query : sets[1]) {
            long[] expected = TestData.bruteForce(metric, data, ids, null, query, 10, null);
            SearchResults r = index.search(query, 10, 100);
            assertThat(r.exact()).isFalse();
            assertThat(r.size()).isEqualTo(10);
            assertThat(r.distances()).isSorted();
            recall += TestData.overlap(expected, r.ids());
        }
        recall /= QUERIES;
        assertThat(recall).as("recall@10 for %s, seed=%d", metric, SEED).isGreaterThanOrEqualTo(0.95);
    }
}
