package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Search with an {@link OrdinalBitSet}: only live members come back, the path is chosen from the popcount, the
 * exact path scans members only and equals brute force, and the graph path agrees with the id-filter path.
 */
class HnswOrdinalFilterTest {
    static final long SEED = 4_242L;
    static final int N = 4_000;
    static final int DIM = 16;
    static final long BASE = 11L;

    static float[][] data;
    static long[] ids;
    static boolean[] present;
    static HnswIndex index;
    static float[][] queries;

    /** 4,000 vectors, then 20 % removed and 10 % upserted with new vectors, so slots are freed and reused. */
    @BeforeAll
    static void build() {
        data = TestData.uniform(SEED, N, DIM);
        queries = TestData.uniform(SEED + 1, 50, DIM);
        ids = TestData.sequentialIds(N, BASE);
        index = TestData.build(HnswConfig.builder(DIM).seed(SEED).build(), data, ids);
        present = new boolean[N];
        java.util.Arrays.fill(present, true);
        SplittableRandom r = new SplittableRandom(SEED);
        for (int removed = 0; removed < N / 5; ) {
            int i = r.nextInt(N);
            if (present[i]) {
                index.remove(ids[i]);
                present[i] = false;
                removed++;
            }
        }
        float[][] fresh = TestData.uniform(SEED + 2, N / 10, DIM);
        for (int upserted = 0; upserted < N / 10; ) {
            int i = r.nextInt(N);
            if (present[i]) {
                data[i] = fresh[upserted];
                index.add(ids[i], data[i]);
                upserted++;
            }
        }
    }

    private static int position(long id) {
        return (int) ((id - BASE) / 7L);
    }

    /** Each present position joins with probability {@code selectivity}; its ordinal's bit is set. */
    private static OrdinalBitSet members(long seed, double selectivity, boolean[] member) {
        SplittableRandom r = new SplittableRandom(seed);
        OrdinalBitSet bits = new OrdinalBitSet(index.ordinalBound());
        for (int i = 0; i < N; i++) {
            if (present[i] && r.nextDouble() < selectivity) {
                member[i] = true;
                bits.set(index.ordinalOf(ids[i]));
            }
        }
        return bits;
    }

    /** Bits a careless caller might leave: every free slot below the bound, and ordinals beyond it. */
    private static void addStaleBits(OrdinalBitSet bits) {
        for (int ord = 0; ord < index.ordinalBound(); ord++) {
            if (!index.isLive(ord)) {
                bits.set(ord);
            }
        }
        bits.set(index.ordinalBound());
        bits.set(index.ordinalBound() + 100);
    }

    @Test
    void neverReturnsANonMemberOrARemovedId() {
        assertThat(index.ordinalBound()).as("removed slots were reused").isLessThan(N + N / 10);
        for (double selectivity : new double[] {0.005, 0.02, 0.1, 0.5, 0.9}) {
            boolean[] member = new boolean[N];
            OrdinalBitSet bits = members(SEED + 7, selectivity, member);
            addStaleBits(bits);
            for (int ef : new int[] {10, 64}) {
                for (float[] q : queries) {
                    SearchResults r = index.search(q, 10, ef, bits);
                    assertThat(r.size()).isEqualTo(10);
                    for (long id : r.ids()) {
                        int i = position(id);
                        assertThat(present[i]).as("removed id %d, selectivity=%s, seed=%d", id, selectivity, SEED)
                                .isTrue();
                        assertThat(member[i]).as("non-member id %d, selectivity=%s, seed=%d", id, selectivity, SEED)
                                .isTrue();
                    }
                    assertThat(r.distances()).isSorted();
                }
            }
        }
    }

    @Test
    void pathFollowsThePopcountAndTheExactPathScansMembersOnly() {
        // 2 % of 3,600 live = ~72 members: at most the threshold (256), so exact up front.
        boolean[] member = new boolean[N];
        OrdinalBitSet bits = members(SEED + 3, 0.02, member);
        int matches = bits.cardinality();
        for (float[] q : queries) {
            SearchResults r = index.search(q, 10, 32, bits);
            assertThat(r.path()).isEqualTo(SearchResults.Path.EXACT);
            assertThat(r.exact()).isTrue();
            assertThat(r.visitedCount()).as("scored members only, seed=%d", SEED).isEqualTo(matches);
            assertThat(r.ids()).as("seed=%d", SEED)
                    .containsExactly(TestData.bruteForce(VectorMetric.L2, data, ids, member, q, 10, null));
        }

        // Half of the live set: the graph answers, testing one bit per visited node.
        boolean[] half = new boolean[N];
        OrdinalBitSet loose = members(SEED + 4, 0.5, half);
        for (float[] q : queries) {
            assertThat(index.search(q, 10, 64, loose).path()).isEqualTo(SearchResults.Path.GRAPH);
        }

        // No member at all, or members that are all removed slots: nothing to search.
        assertThat(index.search(queries[0], 10, 32, new OrdinalBitSet(0)).path()).isEqualTo(SearchResults.Path.NONE);
        OrdinalBitSet onlyStale = new OrdinalBitSet(0);
        addStaleBits(onlyStale);
        assertThat(index.search(queries[0], 10, 32, onlyStale).size()).isZero();
    }

    @Test
    void aRestrictiveFilterIsScannedWithoutAGraphAttempt() {
        HnswIndex eager = TestData.build(HnswConfig.builder(DIM).seed(SEED).exactSearchThreshold(0).build(), data, ids);
        boolean[] member = new boolean[N];
        SplittableRandom r = new SplittableRandom(SEED + 5);
        OrdinalBitSet bits = new OrdinalBitSet(N);
        for (int i = 0; i < N; i++) {
            if (r.nextDouble() < 0.03) {
                member[i] = true;
                bits.set(eager.ordinalOf(ids[i]));
            }
        }
        int matches = bits.cardinality();
        // 3 % of 4,000 at ef 20: a traversal would score about 20 / 0.03 = 670 nodes, more than the ~120 members.
        for (float[] q : queries) {
            SearchResults res = eager.search(q, 10, 20, bits);
            assertThat(res.path()).isEqualTo(SearchResults.Path.EXACT);
            assertThat(res.visitedCount()).as("only the members are scored").isEqualTo(matches);
            assertThat(res.ids()).as("seed=%d", SEED)
                    .containsExactly(TestData.bruteForce(VectorMetric.L2, data, ids, member, q, 10, null));
        }
    }

    /**
     * A filter loose enough for the graph (10 %) whose members all lie far from the query: the traversal scores
     * more nodes than the filter accepts, gives up, and scans the members; the answer is still exact.
     */
    @Test
    void aTraversalThatScoresMoreThanTheMembersFallsBackToAnExactScan() {
        HnswIndex eager = TestData.build(HnswConfig.builder(DIM).seed(SEED).exactSearchThreshold(0).build(), data, ids);
        int members = N / 10;
        int fellBack = 0;
        for (float[] q : queries) {
            // The members: the 10 % of vectors farthest from this query.
            Integer[] byDistance = new Integer[N];
            for (int i = 0; i < N; i++) {
                byDistance[i] = i;
            }
            java.util.Arrays.sort(byDistance, java.util.Comparator.comparingDouble(
                    i -> -VectorMath.squareDistance(q, data[i])));
            boolean[] member = new boolean[N];
            OrdinalBitSet bits = new OrdinalBitSet(N);
            for (int j = 0; j < members; j++) {
                member[byDistance[j]] = true;
                bits.set(eager.ordinalOf(ids[byDistance[j]]));
            }
            SearchResults res = eager.search(q, 10, 20, bits);
            if (res.path() == SearchResults.Path.EXACT_AFTER_GRAPH) {
                fellBack++;
                // The abandoned traversal's nodes count too: more than the members, then the members again.
                assertThat(res.visitedCount()).isGreaterThan(2 * members);
            }
            assertThat(res.ids()).as("seed=%d", SEED)
                    .containsExactly(TestData.bruteForce(VectorMetric.L2, data, ids, member, q, 10, null));
        }
        assertThat(fellBack).as("members far from the query cost the graph more than %d visits, seed=%d", members,
                SEED).isGreaterThan(queries.length / 2);
    }

    @Test
    void bitsetAndIdFilterGiveTheSameAnswers() {
        for (double selectivity : new double[] {0.02, 0.3, 0.8}) {
            boolean[] member = new boolean[N];
            OrdinalBitSet bits = members(SEED + 9, selectivity, member);
            IdFilter byId = id -> member[position(id)];
            for (float[] q : queries) {
                SearchResults a = index.search(q, 10, 48, bits);
                SearchResults b = index.search(q, 10, 48, byId);
                assertThat(a.path()).isEqualTo(b.path());
                assertThat(a.ids()).as("selectivity=%s, seed=%d", selectivity, SEED).containsExactly(b.ids());
                assertThat(a.distances()).containsExactly(b.distances());
            }
        }
    }

    @Test
    void nullBitsetIsAnUnfilteredSearch() {
        for (float[] q : queries) {
            assertThat(index.search(q, 10, 40, (OrdinalBitSet) null).ids())
                    .containsExactly(index.search(q, 10, 40).ids());
        }
    }
}
