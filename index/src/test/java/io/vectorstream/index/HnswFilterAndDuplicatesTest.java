package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HnswFilterAndDuplicatesTest {
    static final long SEED = 777L;
    static final int N = 20_000;
    static final int DIM = 128;

    @Test
    void filteredSearchAtTenPercentSelectivity() {
        float[][][] sets = TestData.mixture(SEED, N, 200, DIM);
        long[] ids = TestData.sequentialIds(N, 0);
        HnswIndex index = TestData.build(HnswConfig.builder(DIM).seed(SEED).build(), sets[0], ids);
        // id/7 is the position; keep positions whose hash lands in one of ten buckets.
        IdFilter filter = id -> Long.hashCode(id * 0x9E3779B97F4A7C15L) % 10 == 3;
        AtomicLong calls = new AtomicLong();
        IdFilter counting = id -> {
            calls.incrementAndGet();
            return filter.accept(id);
        };
        double recall = 0;
        for (float[] q : sets[1]) {
            SearchResults r = index.search(q, 10, 100, counting);
            assertThat(r.size()).isEqualTo(10);
            for (long id : r.ids()) {
                assertThat(filter.accept(id)).as("result %d passes the filter", id).isTrue();
            }
            recall += TestData.overlap(
                    TestData.bruteForce(VectorMetric.L2, sets[0], ids, null, q, 10, filter::accept), r.ids());
        }
        assertThat(calls.get()).as("the predicate was consulted").isPositive();
        assertThat(recall / 200).as("filtered recall, seed=%d", SEED).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void looseFilterIsAnsweredByTheGraphDuringTraversal() {
        float[][][] sets = TestData.mixture(SEED, 5_000, 50, 32);
        long[] ids = TestData.sequentialIds(5_000, 0);
        HnswIndex index = TestData.build(HnswConfig.builder(32).seed(SEED).build(), sets[0], ids);
        IdFilter even = id -> (id / 7) % 2 == 0;
        double recall = 0;
        for (float[] q : sets[1]) {
            SearchResults r = index.search(q, 10, 64, even);
            assertThat(r.exact()).as("half the set passes: the graph answers").isFalse();
            for (long id : r.ids()) {
                assertThat(even.accept(id)).isTrue();
            }
            recall += TestData.overlap(TestData.bruteForce(VectorMetric.L2, sets[0], ids, null, q, 10, even::accept), r.ids());
        }
        assertThat(recall / 50).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void twentyPercentExactDuplicatesKeepRecall() {
        float[][][] sets = TestData.mixture(SEED, N, 200, DIM);
        float[][] data = sets[0];
        SplittableRandom r = new SplittableRandom(SEED);
        for (int i = 0; i < N / 5; i++) {
            // Some vectors get several copies, so duplicate groups are larger than M.
            int src = r.nextInt(N / 50);
            data[N - 1 - i] = data[src].clone();
        }
        long[] ids = TestData.sequentialIds(N, 0);
        for (VectorMetric metric : new VectorMetric[] {VectorMetric.L2, VectorMetric.COSINE}) {
            HnswIndex index = TestData.build(HnswConfig.builder(DIM).metric(metric).seed(SEED).build(), data, ids);
            double recall = 0;
            for (int q = 0; q < 200; q++) {
                // Half the queries sit exactly on a duplicated vector.
                float[] query = q % 2 == 0 ? data[r.nextInt(N / 50)] : sets[1][q];
                recall += TestData.distanceRecall(metric, data, ids, null, query, 10, index.search(query, 10, 100));
            }
            assertThat(recall / 200).as("recall with duplicates, %s, seed=%d", metric, SEED)
                    .isGreaterThanOrEqualTo(0.95);
        }
    }
}
