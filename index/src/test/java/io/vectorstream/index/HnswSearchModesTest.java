package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Exact search for small sets, int8 traversal with re-ranking, and batch search. */
class HnswSearchModesTest {
    static final long SEED = 99L;

    @Test
    void smallIndexIsSearchedExactly() {
        float[][][] sets = TestData.mixture(SEED, 200, 20, 24);
        long[] ids = TestData.sequentialIds(200, 0);
        HnswIndex index = TestData.build(HnswConfig.builder(24).metric(VectorMetric.INNER_PRODUCT).build(), sets[0], ids);
        for (float[] q : sets[1]) {
            SearchResults r = index.search(q, 5, 5);
            assertThat(r.exact()).isTrue();
            assertThat(r.ids()).containsExactly(TestData.bruteForce(VectorMetric.INNER_PRODUCT, sets[0], ids, null, q, 5, null));
        }
    }

    @Test
    void int8TraversalWithExactRerankKeepsRecall() {
        int n = 20_000;
        float[][][] sets = TestData.mixture(SEED, n, 200, 128);
        long[] ids = TestData.sequentialIds(n, 0);
        for (VectorMetric metric : VectorMetric.values()) {
            HnswConfig config = HnswConfig.builder(128).metric(metric).quantization(Quantization.INT8).seed(SEED).build();
            HnswIndex index = TestData.build(config, sets[0], ids);
            assertThat(index.metadata().quantized()).as("trained after %d vectors", config.quantizationTrainingSize()).isTrue();
            double recall = 0;
            for (float[] q : sets[1]) {
                SearchResults r = index.search(q, 10, 100);
                float[] exact = new float[r.size()];
                for (int i = 0; i < r.size(); i++) {
                    exact[i] = VectorMath.distance(metric, q, sets[0][(int) (r.id(i) / 7)]);
                }
                // Returned distances are the exact float ones, not the int8 estimates.
                for (int i = 0; i < r.size(); i++) {
                    assertThat(r.distance(i)).isCloseTo(exact[i], org.assertj.core.api.Assertions.within(1e-3f));
                }
                recall += TestData.overlap(TestData.bruteForce(metric, sets[0], ids, null, q, 10, null), r.ids());
            }
            assertThat(recall / 200).as("int8 recall %s seed=%d", metric, SEED).isGreaterThanOrEqualTo(0.95);
        }
    }

    @Test
    void batchSearchOnSeveralThreadsEqualsSequentialSearch() {
        float[][][] sets = TestData.mixture(SEED, 4_000, 300, 32);
        long[] ids = TestData.sequentialIds(4_000, 0);
        HnswIndex index = TestData.build(HnswConfig.builder(32).build(), sets[0], ids);
        IdFilter filter = id -> id % 3 != 0;
        SearchResults[] batch = index.searchBatch(sets[1], 10, 50, filter, 3);
        assertThat(batch).hasSize(300);
        for (int i = 0; i < 300; i++) {
            assertThat(batch[i].ids()).containsExactly(index.search(sets[1][i], 10, 50, filter).ids());
        }
    }
}
