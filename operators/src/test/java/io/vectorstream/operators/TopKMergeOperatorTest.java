package io.vectorstream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.index.VectorMath;
import io.vectorstream.operators.OperatorTestSupport.Backend;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** GLOBAL mode: shard indexes plus the top-k merge equal a brute force over all vectors. */
class TopKMergeOperatorTest {
    static final int SHARDS = 4;
    static final int MAX_PARALLELISM = 128;

    static OneInputStreamOperatorTestHarness<QueryResult, QueryResult> mergeHarness(long timeout) throws Exception {
        return mergeHarness(timeout, 1, 0);
    }

    static OneInputStreamOperatorTestHarness<QueryResult, QueryResult> mergeHarness(
            long timeout, int parallelism, int subtask) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new TopKMergeOperator(timeout), MAX_PARALLELISM, parallelism,
                subtask);
    }

    static int openMerges(OneInputStreamOperatorTestHarness<QueryResult, QueryResult> h) {
        return ((TopKMergeOperator) h.getOperator()).openMerges();
    }

    @Test
    void mergedShardAnswersEqualGlobalBruteForce() throws Exception {
        // A high exact threshold makes each shard exact, so the merge alone decides correctness.
        VectorSearchConfig config = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(SHARDS)
                .dimension(6).exactThreshold(100_000).build();
        SplittableRandom r = new SplittableRandom(51);
        List<float[]> vectors = new ArrayList<>();
        List<QueryResult> partials = new ArrayList<>();
        List<VectorQuery> queries = new ArrayList<>();
        try (var h = OperatorTestSupport.harness(config, Backend.ROCKSDB, 1, 0)) {
            h.open();
            for (int i = 0; i < 400; i++) {
                float[] v = OperatorTestSupport.vector(r, 6);
                vectors.add(v);
                h.processElement1(VectorEvent.upsert("any", i, v, 1L), 1L);
            }
            for (int q = 0; q < 20; q++) {
                VectorQuery query = new VectorQuery("q" + q, null, OperatorTestSupport.vector(r, 6), 7, 0, null, 2L);
                queries.add(query);
                for (int s = 0; s < SHARDS; s++) {
                    h.processElement2(query.toShard(s), 2L);
                }
            }
            partials.addAll(OperatorTestSupport.results(h));
        }
        assertThat(partials).hasSize(20 * SHARDS).allSatisfy(p -> assertThat(p.shard()).isBetween(0, SHARDS - 1));
        // Deliver the partials in reverse: the merge must not depend on arrival order.
        java.util.Collections.reverse(partials);
        try (var m = mergeHarness(60_000)) {
            m.open();
            for (QueryResult p : partials) {
                m.processElement(p, 2L);
            }
            List<QueryResult> merged = new ArrayList<>(m.extractOutputValues());
            assertThat(merged).hasSize(20);
            assertThat(openMerges(m)).as("merge closed after the last shard").isZero();
            for (QueryResult res : merged) {
                VectorQuery q = queries.get(Integer.parseInt(res.queryId().substring(1)));
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < vectors.size(); i++) {
                    order.add(i);
                }
                order.sort(Comparator.comparingDouble(i -> VectorMath.squareDistance(q.vector(), vectors.get(i))));
                long[] expected = order.subList(0, 7).stream().mapToLong(Integer::longValue).toArray();
                assertThat(res.ids()).containsExactly(expected);
                assertThat(res.complete()).isTrue();
                assertThat(res.shard()).isEqualTo(-1);
                assertThat(res.indexSize()).isEqualTo(400);
            }
        }
    }

    @Test
    void missingShardTimesOutWithAnIncompleteAnswerAndNoLeftoverState() throws Exception {
        try (var m = mergeHarness(1_000)) {
            m.open();
            m.setProcessingTime(0);
            for (int s = 0; s < 3; s++) {
                m.processElement(new QueryResult("q", null, 2, new long[] {s}, new float[] {s}, 1, 5, s, 1, 4), 1L);
            }
            assertThat(m.extractOutputValues()).isEmpty();
            assertThat(openMerges(m)).isEqualTo(1);
            m.setProcessingTime(1_001);
            List<QueryResult> out = new ArrayList<>(m.extractOutputValues());
            assertThat(out).hasSize(1);
            assertThat(out.get(0).complete()).isFalse();
            assertThat(out.get(0).shardsAnswered()).isEqualTo(3);
            assertThat(out.get(0).ids()).containsExactly(0L, 1L);
            var dead = m.getSideOutput(VectorIndexFunction.DEAD_LETTERS);
            assertThat(dead).extracting(StreamRecord::getValue).extracting(DeadLetter::reason)
                    .containsExactly("all shards must answer within 1000 ms; answered=3 of 4");
            assertThat(openMerges(m)).isZero();
        }
    }

    /** Shard {@code s}'s partial answer to query {@code q}: ids q*100+s*10+{0,1,2}, distances rising with s. */
    static QueryResult partial(int q, int s) {
        long base = q * 100L + s * 10L;
        return new QueryResult("q" + q, null, 3, new long[] {base, base + 1, base + 2},
                new float[] {s, s + 0.5f, s + 0.75f}, 3, 1, s, 1, SHARDS);
    }

    /** Every shard's partial merged in one go: the answer a merge must produce whatever happened meanwhile. */
    static QueryResult expected(int q) {
        QueryResult acc = TopKMergeOperator.asMerged(partial(q, 0));
        for (int s = 1; s < SHARDS; s++) {
            acc = TopKMergeOperator.merge(acc, partial(q, s));
        }
        return acc;
    }

    @Test
    void openMergesSurviveACheckpointAndTheRestoredOperatorCompletesThem() throws Exception {
        var snapshot = openHalfOfTheMergesAndSnapshot(20);
        try (var m = mergeHarness(60_000)) {
            m.initializeState(snapshot);
            m.open();
            assertThat(openMerges(m)).isEqualTo(20);
            for (int q = 0; q < 20; q++) {
                for (int s = 2; s < SHARDS; s++) {
                    m.processElement(partial(q, s), 3L);
                }
            }
            List<QueryResult> out = new ArrayList<>(m.extractOutputValues());
            assertThat(out).hasSize(20);
            for (QueryResult r : out) {
                assertThat(r.sameAnswer(expected(Integer.parseInt(r.queryId().substring(1))))).as(r.toString()).isTrue();
            }
            assertThat(openMerges(m)).isZero();
            assertThat(m.getSideOutput(VectorIndexFunction.DEAD_LETTERS)).isNullOrEmpty();
        }
    }

    @Test
    void restoreAtAnotherParallelismGivesEachOpenMergeToTheSubtaskItsQueryIdIsRoutedTo() throws Exception {
        int queries = 60;
        var snapshot = openHalfOfTheMergesAndSnapshot(queries);
        for (int parallelism : new int[] {2, 3}) {
            List<QueryResult> all = new ArrayList<>();
            int restored = 0;
            for (int subtask = 0; subtask < parallelism; subtask++) {
                var state = org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness.repartitionOperatorState(
                        snapshot, MAX_PARALLELISM, 1, parallelism, subtask);
                try (var m = mergeHarness(60_000, parallelism, subtask)) {
                    m.initializeState(state);
                    m.open();
                    restored += openMerges(m);
                    for (int q = 0; q < queries; q++) {
                        if (QueryIdPartitioner.owner("q" + q, parallelism) == subtask) {
                            for (int s = 2; s < SHARDS; s++) {
                                m.processElement(partial(q, s), 3L);
                            }
                        }
                    }
                    assertThat(openMerges(m)).as("subtask %d of %d kept merges it cannot complete", subtask, parallelism)
                            .isZero();
                    all.addAll(m.extractOutputValues());
                }
            }
            assertThat(restored).as("each open merge restored exactly once at parallelism %d", parallelism)
                    .isEqualTo(queries);
            assertThat(all).hasSize(queries).allSatisfy(r -> assertThat(r.complete()).isTrue());
            assertThat(all.stream().map(QueryResult::queryId).distinct().count()).isEqualTo(queries);
            for (QueryResult r : all) {
                assertThat(r.sameAnswer(expected(Integer.parseInt(r.queryId().substring(1))))).as(r.toString()).isTrue();
            }
        }
    }

    @Test
    void aRestoredMergeWhoseShardNeverAnswersTimesOut() throws Exception {
        var snapshot = openHalfOfTheMergesAndSnapshot(1);
        try (var m = mergeHarness(1_000)) {
            m.setProcessingTime(5_000);
            m.initializeState(snapshot);
            m.open();
            m.setProcessingTime(5_999);
            assertThat(m.extractOutputValues()).isEmpty();
            m.setProcessingTime(6_000);
            List<QueryResult> out = new ArrayList<>(m.extractOutputValues());
            assertThat(out).hasSize(1);
            assertThat(out.get(0).shardsAnswered()).isEqualTo(2);
            assertThat(out.get(0).complete()).isFalse();
            assertThat(openMerges(m)).isZero();
        }
    }

    /** Shards 0 and 1 answer queries q0..q(n-1); the snapshot holds n open merges. */
    private static org.apache.flink.runtime.checkpoint.OperatorSubtaskState openHalfOfTheMergesAndSnapshot(int n)
            throws Exception {
        try (var m = mergeHarness(60_000)) {
            m.open();
            for (int q = 0; q < n; q++) {
                m.processElement(partial(q, 1), 2L);
                m.processElement(partial(q, 0), 2L);
            }
            assertThat(m.extractOutputValues()).isEmpty();
            assertThat(openMerges(m)).isEqualTo(n);
            return m.snapshot(1L, 1L);
        }
    }

    @Test
    void mergeIsTheTopKOfTheUnionWhateverTheOrder() {
        QueryResult a = new QueryResult("q", null, 3, new long[] {1, 5}, new float[] {0.1f, 0.5f}, 2, 1, 0, 1, 3);
        QueryResult b = new QueryResult("q", null, 3, new long[] {2, 3, 4}, new float[] {0.2f, 0.3f, 0.5f}, 3, 1, 1, 1, 3);
        QueryResult c = new QueryResult("q", null, 3, new long[] {}, new float[] {}, 0, 1, 2, 1, 3);
        QueryResult abc = TopKMergeOperator.merge(TopKMergeOperator.merge(a, b), c);
        QueryResult cba = TopKMergeOperator.merge(TopKMergeOperator.merge(c, b), a);
        assertThat(abc.ids()).containsExactly(1L, 2L, 3L);
        assertThat(abc.sameAnswer(cba)).isTrue();
        assertThat(abc.indexSize()).isEqualTo(5);
        assertThat(abc.shardsAnswered()).isEqualTo(3);
    }

    @Test
    void theMergeNeverReturnsOneIdTwice() {
        QueryResult a = new QueryResult("q", null, 3, new long[] {7, 9}, new float[] {0.1f, 0.5f}, 2, 0, 0, 1, 2);
        QueryResult b = new QueryResult("q", null, 3, new long[] {7, 3, 9}, new float[] {0.2f, 0.3f, 0.6f}, 3, 0, 1, 1, 2);
        for (QueryResult m : new QueryResult[] {TopKMergeOperator.merge(a, b), TopKMergeOperator.merge(b, a)}) {
            assertThat(m.ids()).containsExactly(7L, 3L, 9L);
            assertThat(m.distances()).containsExactly(0.1f, 0.3f, 0.5f);
        }
        // A first partial (one shard, or a merge that times out with one part) is deduplicated too.
        QueryResult twice = new QueryResult("q", null, 3, new long[] {7, 7, 9}, new float[] {0.1f, 0.2f, 0.5f}, 3, 0, 0, 1,
                1);
        QueryResult alone = TopKMergeOperator.asMerged(twice);
        assertThat(alone.ids()).containsExactly(7L, 9L);
        assertThat(alone.shardsAnswered()).isEqualTo(1);
        assertThat(alone.shard()).isEqualTo(-1);
    }
}
