package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Deletes and upserts keep recall, never return removed ids, and reuse slots. */
class HnswMutationTest {
    static final long SEED = 303L;
    static final int N = 20_000;
    static final int DIM = 128;

    @Test
    void removingThirtyPercentAndUpsertingTenPercentKeepsRecall() {
        float[][][] sets = TestData.mixture(SEED, N, 200, DIM);
        float[][] data = sets[0];
        long[] ids = TestData.sequentialIds(N, 5L);
        HnswIndex index = TestData.build(HnswConfig.builder(DIM).seed(SEED).build(), data, ids);
        SplittableRandom r = new SplittableRandom(SEED);
        boolean[] present = new boolean[N];
        java.util.Arrays.fill(present, true);
        int removed = 0;
        while (removed < N * 3 / 10) {
            int i = r.nextInt(N);
            if (present[i]) {
                assertThat(index.remove(ids[i])).isTrue();
                present[i] = false;
                removed++;
            }
        }
        float[][] fresh = TestData.clustered(SEED + 9, N / 10, DIM, 200, 1.5);
        int upserted = 0;
        while (upserted < N / 10) {
            int i = r.nextInt(N);
            if (present[i]) {
                data[i] = fresh[upserted];
                assertThat(index.add(ids[i], data[i])).as("upsert of an existing id").isFalse();
                upserted++;
            }
        }
        assertThat(index.size()).isEqualTo(N - removed);
        assertThat(index.ordinalBound()).as("freed slots are reused").isEqualTo(N);

        double recall = 0;
        for (float[] q : sets[1]) {
            SearchResults res = index.search(q, 10, 100);
            for (long id : res.ids()) {
                int i = (int) ((id - 5L) / 7L);
                assertThat(present[i]).as("removed id %d returned, seed=%d", id, SEED).isTrue();
            }
            recall += TestData.overlap(TestData.bruteForce(VectorMetric.L2, data, ids, present, q, 10, null), res.ids());
        }
        assertThat(recall / 200).as("recall on live set, seed=%d", SEED).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void removeOfUnknownIdReturnsFalseAndUpsertReplacesTheVector() {
        HnswIndex index = new HnswIndex(HnswConfig.builder(2).build());
        assertThat(index.remove(42L)).isFalse();
        assertThat(index.add(1L, new float[] {0, 0})).isTrue();
        assertThat(index.add(2L, new float[] {10, 10})).isTrue();
        assertThat(index.add(1L, new float[] {20, 20})).isFalse();
        assertThat(index.size()).isEqualTo(2);
        SearchResults r = index.search(new float[] {19, 19}, 1, 1);
        assertThat(r.ids()).containsExactly(1L);
        assertThat(r.distances()).containsExactly(2f);
        assertThat(index.remove(1L)).isTrue();
        assertThat(index.remove(1L)).isFalse();
        assertThat(index.search(new float[] {19, 19}, 2, 2).ids()).containsExactly(2L);
        assertThat(index.remove(2L)).isTrue();
        assertThat(index.size()).isZero();
        assertThat(index.search(new float[] {1, 1}, 1, 1).size()).isZero();
        // An index emptied and refilled works again, in the freed slots.
        assertThat(index.add(3L, new float[] {1, 1})).isTrue();
        assertThat(index.search(new float[] {1, 1}, 1, 1).ids()).containsExactly(3L);
        assertThat(index.ordinalBound()).isEqualTo(2);
    }

    @Test
    void graphSearchNeverReturnsRemovedIdsEvenWhenMostAreGone() {
        float[][] data = TestData.clustered(SEED, 3_000, 16, 20, 1.0);
        long[] ids = TestData.sequentialIds(3_000, 0);
        HnswIndex index = TestData.build(HnswConfig.builder(16).exactSearchThreshold(0).seed(SEED).build(), data, ids);
        for (int i = 0; i < 3_000; i++) {
            if (i % 10 != 0) {
                index.remove(ids[i]);
            }
        }
        for (int q = 0; q < 50; q++) {
            SearchResults r = index.search(data[q * 7], 10, 50);
            assertThat(r.exact()).isFalse();
            assertThat(r.size()).isEqualTo(10);
            for (long id : r.ids()) {
                assertThat(id % 70).as("only every tenth id survives").isZero();
            }
        }
    }
}
