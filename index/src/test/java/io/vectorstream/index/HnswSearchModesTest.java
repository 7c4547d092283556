package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

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

    /**
     * The work counters of the last search: a graph search expands at most the nodes it scored, an int8 one
     * re-ranks the configured 20 of its candidates exactly (at most efSearch), a float one none, and an exact
     * scan expands none, also right after a graph search on the same searcher.
     */
    @Test
    void workCountersSayWhereTheLastSearchWent() {
        int n = 3_000;
        float[][][] sets = TestData.mixture(SEED, n, 20, 32);
        long[] ids = TestData.sequentialIds(n, 0);
        for (Quantization quantization : Quantization.values()) {
            HnswIndex index = TestData.build(HnswConfig.builder(32).quantization(quantization)
                    .quantizationTrainingSize(500).exactSearchThreshold(0).rerankCandidates(20).seed(SEED).build(),
                    sets[0], ids);
            HnswSearcher searcher = index.newSearcher();
            for (float[] q : sets[1]) {
                SearchResults graph = searcher.search(q, 10, 40);
                assertThat(graph.path()).isEqualTo(SearchResults.Path.GRAPH);
                assertThat(searcher.lastExpandedCount()).as("%s", quantization).isPositive()
                        .isLessThanOrEqualTo(graph.visitedCount());
                assertThat(searcher.lastRerankedCount()).as("%s", quantization)
                        .isEqualTo(quantization == Quantization.INT8 ? 20 : 0);
                searcher.search(q, 10, 12);
                assertThat(searcher.lastRerankedCount()).as("%s, efSearch below 2 k", quantization)
                        .isEqualTo(quantization == Quantization.INT8 ? 12 : 0);
                // An id filter accepting 5 of 3,000 is scanned exactly: nothing expanded, nothing re-ranked.
                SearchResults exact = searcher.search(q, 5, 40, id -> id < 5);
                assertThat(exact.path()).isEqualTo(SearchResults.Path.EXACT);
                assertThat(searcher.lastExpandedCount()).isZero();
                assertThat(searcher.lastRerankedCount()).isZero();
            }
        }
    }

    /**
     * Where the int8 codes are exact (integer components in [-127, 127] train a scale of 1), the automatic
     * re-rank stops at 2 k: no candidate further down can beat the k-th. Where the codes cannot tell a tight
     * cluster's members apart (a wide background sets the range), it re-ranks further and finds more of the
     * true top k than a fixed 2 k.
     */
    @Test
    void automaticRerankGoesOnOnlyWhileInt8CouldHideACloserCandidate() {
        SplittableRandom random = new SplittableRandom(SEED);
        int dim = 32;
        int n = 4_000;
        float[][] lattice = new float[n][dim];
        for (float[] v : lattice) {
            for (int j = 0; j < dim; j++) {
                v[j] = random.nextInt(255) - 127;
            }
        }
        long[] ids = TestData.sequentialIds(n, 0);
        HnswIndex exactCodes = TestData.build(HnswConfig.builder(dim).quantization(Quantization.INT8)
                .quantizationTrainingSize(1_000).exactSearchThreshold(0).seed(SEED).build(), lattice, ids);
        HnswSearcher searcher = exactCodes.newSearcher();
        for (int q = 0; q < 20; q++) {
            searcher.search(lattice[random.nextInt(n)], 10, 100);
            assertThat(searcher.lastRerankedCount()).as("exact codes, seed=%d", SEED).isEqualTo(20);
        }

        // Half the vectors in a tight cluster around one direction, half spread wide (they set the int8 range);
        // queries in the cluster.
        float[] centre = new float[dim];
        for (int j = 0; j < dim; j++) {
            centre[j] = (float) TestData.gaussian(random);
        }
        float[][] data = new float[n][dim];
        for (int i = 0; i < n; i++) {
            double spread = i % 2 == 0 ? 0.15 : 1.0;
            for (int j = 0; j < dim; j++) {
                data[i][j] = (float) ((i % 2 == 0 ? centre[j] : 0) + spread * TestData.gaussian(random));
            }
        }
        float[][] queries = new float[50][dim];
        for (float[] v : queries) {
            for (int j = 0; j < dim; j++) {
                v[j] = (float) (centre[j] + 0.15 * TestData.gaussian(random));
            }
        }
        double[] recall = new double[2];
        long rerankedAutomatic = 0;
        for (int variant = 0; variant < 2; variant++) {
            HnswIndex index = TestData.build(HnswConfig.builder(dim).metric(VectorMetric.COSINE)
                    .quantization(Quantization.INT8).quantizationTrainingSize(1_000).exactSearchThreshold(0)
                    .rerankCandidates(variant == 0 ? 0 : 20).seed(SEED).build(), data, ids);
            HnswSearcher s = index.newSearcher();
            for (float[] q : queries) {
                SearchResults r = s.search(q, 10, 200);
                recall[variant] += TestData.overlap(
                        TestData.bruteForce(VectorMetric.COSINE, data, ids, null, q, 10, null), r.ids()) / queries.length;
                if (variant == 0) {
                    rerankedAutomatic += s.lastRerankedCount();
                    assertThat(s.lastRerankedCount()).isBetween(20, 200);
                } else {
                    assertThat(s.lastRerankedCount()).isEqualTo(20);
                }
            }
        }
        System.out.printf("automatic re-rank: recall %.4f (%.1f re-ranked per query), fixed 20: %.4f; seed=%d%n",
                recall[0], rerankedAutomatic / (double) queries.length, recall[1], SEED);
        assertThat(rerankedAutomatic).as("seed=%d", SEED).isGreaterThan(20L * queries.length);
        assertThat(recall[0]).as("seed=%d", SEED).isGreaterThan(recall[1]).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void batchSearchOnSeveralThreadsEqualsSequentialSearch() throws InterruptedException {
        float[][][] sets = TestData.mixture(SEED, 4_000, 300, 32);
        long[] ids = TestData.sequentialIds(4_000, 0);
        HnswIndex index = TestData.build(HnswConfig.builder(32).build(), sets[0], ids);
        IdFilter filter = id -> id % 3 != 0;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // Two runs on one caller-owned pool: the pool outlives the call and is reused.
            for (int run = 0; run < 2; run++) {
                SearchResults[] batch = index.searchBatch(sets[1], 10, 50, filter, pool, 3);
                assertThat(batch).hasSize(300);
                for (int i = 0; i < 300; i++) {
                    assertThat(batch[i].ids()).containsExactly(index.search(sets[1][i], 10, 50, filter).ids());
                }
            }
            // A same-thread executor works too: the caller does all the work.
            SearchResults[] direct = index.searchBatch(sets[1], 10, 50, null, Runnable::run, 4);
            for (int i = 0; i < 300; i++) {
                assertThat(direct[i].ids()).containsExactly(index.search(sets[1][i], 10, 50).ids());
            }
            // A bad query fails the batch with the search's own message, after every worker stopped.
            float[][] withBad = sets[1].clone();
            withBad[150] = new float[5];
            assertThatThrownBy(() -> index.searchBatch(withBad, 10, 50, null, pool, 3))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("query dimension must be 32; query.length=5");
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        // A refusing executor is reported, not hidden.
        assertThatThrownBy(() -> index.searchBatch(sets[1], 10, 50, null, r -> {
            throw new RejectedExecutionException("full");
        }, 2)).isInstanceOf(RejectedExecutionException.class).hasMessage("full");
    }

    /**
     * An executor that runs nothing while the batch is in progress (saturated by callers that themselves wait)
     * cannot hold the batch: the caller does every query, and the helpers the executor runs later do nothing.
     */
    @Test
    void aBatchDoesNotWaitForHelpersTheExecutorNeverStarted() {
        float[][][] sets = TestData.mixture(SEED, 2_000, 50, 16);
        HnswIndex index = TestData.build(HnswConfig.builder(16).build(), sets[0], TestData.sequentialIds(2_000, 0));
        java.util.List<Runnable> queued = new java.util.ArrayList<>();
        SearchResults[] batch = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofMinutes(1), () -> index.searchBatch(sets[1], 10, 50, null, queued::add, 4));
        assertThat(queued).hasSize(3);
        for (int i = 0; i < 50; i++) {
            assertThat(batch[i].ids()).containsExactly(index.search(sets[1][i], 10, 50).ids());
        }
        queued.forEach(Runnable::run); // late helpers: nothing left to do, and they touch no result
        for (int i = 0; i < 50; i++) {
            assertThat(batch[i].ids()).containsExactly(index.search(sets[1][i], 10, 50).ids());
        }
    }
}
