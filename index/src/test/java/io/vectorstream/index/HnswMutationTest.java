package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

    /**
     * The upper-layer beam after removals, with int8 traversal and both kinds of filter: every answer is live and
     * accepted, recall is the greedy descent's or better, and the beam did run (the graph kept layers above 0, and
     * the two searches scored different numbers of nodes).
     */
    @Test
    void anUpperBeamSearchAfterRemovalsWithFiltersAndCodes() {
        int n = 4_000;
        float[][] data = TestData.clustered(SEED, n, 16, 40, 1.0);
        long[] ids = TestData.sequentialIds(n, 5L);
        HnswConfig greedyConfig = HnswConfig.builder(16).seed(SEED).exactSearchThreshold(0)
                .quantization(Quantization.INT8).quantizationTrainingSize(500).build();
        HnswIndex greedy = TestData.build(greedyConfig, data, ids);
        HnswIndex beam = TestData.build(greedyConfig.toBuilder().upperBeamWidth(3).build(), data, ids);
        SplittableRandom r = new SplittableRandom(SEED);
        boolean[] present = new boolean[n];
        java.util.Arrays.fill(present, true);
        for (int i = 0; i < n; i++) {
            if (r.nextInt(10) < 3) {
                assertThat(greedy.remove(ids[i])).isTrue();
                assertThat(beam.remove(ids[i])).isTrue();
                present[i] = false;
            }
        }
        assertThat(beam.metadata().maxLevel()).as("layers above 0 left, seed=%d", SEED).isPositive();
        OrdinalBitSet evenOrds = new OrdinalBitSet(beam.ordinalBound());
        for (int i = 0; i < n; i++) {
            if (present[i] && i % 2 == 0) {
                evenOrds.set(beam.ordinalOf(ids[i]));
            }
        }
        IdFilter notEveryThird = id -> ((id - 5L) / 7L) % 3 != 0;
        HnswSearcher g = greedy.newSearcher();
        HnswSearcher b = beam.newSearcher();
        double[] recall = new double[4];
        int differentWork = 0;
        for (int q = 0; q < 100; q++) {
            float[] query = data[r.nextInt(n)];
            SearchResults gr = g.search(query, 10, 40);
            SearchResults br = b.search(query, 10, 40);
            differentWork += gr.visitedCount() != br.visitedCount() ? 1 : 0;
            recall[0] += TestData.overlap(TestData.bruteForce(VectorMetric.L2, data, ids, present, query, 10, null),
                    gr.ids());
            recall[1] += TestData.overlap(TestData.bruteForce(VectorMetric.L2, data, ids, present, query, 10, null),
                    br.ids());
            SearchResults bf = b.search(query, 10, 40, notEveryThird);
            for (long id : bf.ids()) {
                int i = (int) ((id - 5L) / 7L);
                assertThat(present[i] && i % 3 != 0).as("id %d, seed=%d", id, SEED).isTrue();
            }
            recall[2] += TestData.overlap(TestData.bruteForce(VectorMetric.L2, data, ids, present, query, 10,
                    notEveryThird::accept), bf.ids());
            SearchResults bo = b.search(query, 10, 40, evenOrds);
            for (long id : bo.ids()) {
                int i = (int) ((id - 5L) / 7L);
                assertThat(present[i] && i % 2 == 0).as("id %d, seed=%d", id, SEED).isTrue();
            }
            recall[3] += TestData.overlap(TestData.bruteForce(VectorMetric.L2, data, ids, present, query, 10,
                    id -> ((id - 5L) / 7L) % 2 == 0), bo.ids());
        }
        assertThat(differentWork).as("queries whose beam search scored a different number of nodes, seed=%d", SEED)
                .isPositive();
        assertThat(recall[1] / 100).as("beam recall against greedy %.4f, seed=%d", recall[0] / 100, SEED)
                .isGreaterThanOrEqualTo(Math.min(0.95, recall[0] / 100));
        assertThat(recall[2] / 100).as("beam recall with an id filter, seed=%d", SEED).isGreaterThanOrEqualTo(0.9);
        assertThat(recall[3] / 100).as("beam recall with an ordinal set, seed=%d", SEED).isGreaterThanOrEqualTo(0.9);
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

    @ParameterizedTest
    @EnumSource(Quantization.class)
    void edgesIntoRemovedSlotsChangeNothingASearchFinds(Quantization quantization) {
        // A removal repairs the removed node's own neighbours; a node that linked to it one way keeps an edge into
        // the slot until the pending slots are swept. An unbounded layer-0 search scores such a neighbour without
        // reading its level, so the removed node must still be neither kept nor expanded: a search before the sweep
        // finds exactly what it finds after it, having scored more nodes. A filtered search with its exact
        // fallback skips them, so its path and its count of scored nodes do not change either.
        int n = 4_000;
        float[][] data = TestData.clustered(SEED, n, 16, 20, 1.0);
        long[] ids = TestData.sequentialIds(n, 0);
        HnswConfig config = HnswConfig.builder(16).exactSearchThreshold(0).quantization(quantization)
                .quantizationTrainingSize(500).seed(SEED).build();
        HnswIndex index = TestData.build(config, data, ids);
        SplittableRandom r = new SplittableRandom(SEED);
        for (int removed = 0; removed < n * 4 / 10; ) {
            if (index.remove(ids[r.nextInt(n)])) {
                removed++;
            }
        }
        HnswGraph graph = index.graph();
        java.util.Set<Integer> pending = new java.util.HashSet<>();
        for (int ord : graph.pendingOrdinals()) {
            pending.add(ord);
        }
        int edgesIntoRemoved = 0;
        for (int ord = 0; ord < graph.highWater(); ord++) {
            if (graph.isLive(ord)) {
                for (int i = 0; i < graph.neighborCount(ord, 0); i++) {
                    edgesIntoRemoved += pending.contains(graph.neighbor(ord, 0, i)) ? 1 : 0;
                }
            }
        }
        assertThat(edgesIntoRemoved).as("layer-0 edges into removed slots before the sweep, %s, seed=%d", quantization, SEED).isPositive();

        int queries = 200;
        int[] queryRows = r.ints(queries, 0, n).toArray();
        IdFilter oddIds = id -> (id & 1) == 1;
        SearchResults[] before = new SearchResults[queries];
        SearchResults[] beforeFiltered = new SearchResults[queries];
        for (int q = 0; q < queries; q++) {
            before[q] = index.search(data[queryRows[q]], 10, 10 + q % 4 * 20);
            beforeFiltered[q] = index.search(data[queryRows[q]], 10, 10 + q % 4 * 20, oddIds);
        }
        graph.sweepPending();
        long scoredBefore = 0;
        long scoredAfter = 0;
        for (int q = 0; q < queries; q++) {
            SearchResults after = index.search(data[queryRows[q]], 10, 10 + q % 4 * 20);
            String as = "query " + q + ", " + quantization + ", seed=" + SEED;
            assertThat(before[q].path()).as(as).isEqualTo(SearchResults.Path.GRAPH);
            assertThat(after.ids()).as(as).containsExactly(before[q].ids());
            assertThat(after.distances()).as(as).containsExactly(before[q].distances());
            assertThat(before[q].visitedCount()).as(as).isGreaterThanOrEqualTo(after.visitedCount());
            scoredBefore += before[q].visitedCount();
            scoredAfter += after.visitedCount();

            SearchResults afterFiltered = index.search(data[queryRows[q]], 10, 10 + q % 4 * 20, oddIds);
            assertThat(afterFiltered.path()).as("filtered " + as).isEqualTo(beforeFiltered[q].path());
            assertThat(afterFiltered.ids()).as("filtered " + as).containsExactly(beforeFiltered[q].ids());
            assertThat(afterFiltered.distances()).as("filtered " + as).containsExactly(beforeFiltered[q].distances());
            assertThat(afterFiltered.visitedCount()).as("filtered " + as).isEqualTo(beforeFiltered[q].visitedCount());
        }
        assertThat(scoredBefore).as("removed slots scored before the sweep, %s, seed=%d", quantization, SEED)
                .isGreaterThan(scoredAfter);
    }
}
