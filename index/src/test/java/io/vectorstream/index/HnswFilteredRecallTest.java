package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recall of the filtered graph path: 20,000 uniform 32-d vectors, a random member set at 10 % and 1 %,
 * recall@10 against brute force over the members. On an index this small the searcher would rightly give up
 * on the graph for an exact scan (it costs more visits than there are members), so the searcher used here
 * has that fallback switched off: what is measured is the traversal itself.
 */
class HnswFilteredRecallTest {
    static final long SEED = 2_024L;
    static final int N = 20_000;
    static final int DIM = 32;
    static final int QUERIES = 200;
    static final int EF = 40;

    static float[][] data;
    static float[][] queries;
    static long[] ids;
    static HnswIndex index;

    @BeforeAll
    static void build() {
        data = TestData.uniform(SEED, N, DIM);
        queries = TestData.uniform(SEED + 1, QUERIES, DIM);
        ids = TestData.sequentialIds(N, 0);
        // Threshold 0: the member count alone never picks the exact path.
        index = TestData.build(HnswConfig.builder(DIM).seed(SEED).exactSearchThreshold(0).build(), data, ids);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.10, 0.01})
    void graphPathRecallAtTenIsAtLeast95Percent(double selectivity) {
        SplittableRandom r = new SplittableRandom(SEED + Double.hashCode(selectivity));
        boolean[] member = new boolean[N];
        OrdinalBitSet bits = new OrdinalBitSet(N);
        for (int i = 0; i < N; i++) {
            if (r.nextDouble() < selectivity) {
                member[i] = true;
                bits.set(index.ordinalOf(ids[i]));
            }
        }
        assertThat(bits.cardinality()).as("members exceed efSearch, so the graph is eligible").isGreaterThan(EF);
        HnswSearcher searcher = index.newSearcher();
        searcher.setExactFallback(false);
        double recall = 0;
        long visited = 0;
        for (float[] q : queries) {
            SearchResults res = searcher.search(q, 10, EF, bits);
            assertThat(res.path()).isEqualTo(SearchResults.Path.GRAPH);
            assertThat(res.size()).isEqualTo(10);
            for (long id : res.ids()) {
                assertThat(member[(int) (id / 7)]).as("id %d is a member, seed=%d", id, SEED).isTrue();
            }
            recall += TestData.overlap(TestData.bruteForce(VectorMetric.L2, data, ids, member, q, 10, null), res.ids());
            visited += res.visitedCount();
        }
        recall /= QUERIES;
        System.out.printf("filtered graph recall@10: selectivity=%.2f members=%d ef=%d recall=%.4f "
                + "meanVisited=%d seed=%d%n", selectivity, bits.cardinality(), EF, recall, visited / QUERIES, SEED);
        assertThat(recall).as("recall@10 at selectivity %s, ef %d, seed=%d", selectivity, EF, SEED)
                .isGreaterThanOrEqualTo(0.95);
    }
}
