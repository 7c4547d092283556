package io.vectorstream.operators;

import static io.vectorstream.operators.OperatorTestSupport.answers;
import static io.vectorstream.operators.OperatorTestSupport.events;
import static io.vectorstream.operators.OperatorTestSupport.harness;
import static io.vectorstream.operators.OperatorTestSupport.queries;
import static io.vectorstream.operators.OperatorTestSupport.results;
import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.index.HnswIndex;
import io.vectorstream.operators.OperatorTestSupport.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Snapshot, restore and rescale keep answers identical, on the heap and the RocksDB backend. */
class VectorIndexFunctionTest {
    static final int DIM = 16;
    static final int KEYS = 5;
    // exactThreshold 0: every key is searched through its graph, so the graph itself must survive restore.
    static final VectorSearchConfig CONFIG = VectorSearchConfig.builder().maxConn(8).efConstruction(40).efSearch(20)
            .exactThreshold(0).build();

    private static void feed(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h,
                             List<VectorEvent> events, List<VectorQuery> queries) throws Exception {
        for (VectorEvent e : events) {
            h.processElement1(e, e.eventTime());
        }
        for (VectorQuery q : queries) {
            h.processElement2(q, q.eventTime());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void processSnapshotRestoreGivesIdenticalAnswers(Backend backend) throws Exception {
        List<VectorEvent> first = events(1, KEYS, 150, DIM, 0);
        List<VectorEvent> second = events(2, KEYS, 60, DIM, 500_000);
        List<VectorQuery> q1 = queries(3, KEYS, 10, DIM, "a");
        List<VectorQuery> q2 = queries(4, KEYS, 10, DIM, "b");

        OperatorSubtaskState snapshot;
        TreeSet<String> before;
        TreeSet<String> afterWithoutFailure;
        try (var h = harness(CONFIG, backend, 1, 0)) {
            h.open();
            feed(h, first, q1);
            before = answers(results(h));
            snapshot = h.snapshot(1L, 1L);
            h.getOutput().clear();
            feed(h, second, q2);
            afterWithoutFailure = answers(results(h));
        }
        assertThat(before).hasSize(KEYS * 10);
        try (var h = harness(CONFIG, backend, 1, 0)) {
            h.initializeState(snapshot);
            h.open();
            // The same queries against the restored (rebuilt-from-state) index...
            feed(h, List.of(), q1);
            assertThat(answers(results(h))).isEqualTo(before);
            h.getOutput().clear();
            // ...and the same future: identical graph evolution after the restore.
            feed(h, second, q2);
            assertThat(answers(results(h))).isEqualTo(afterWithoutFailure);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void rescaleFromTwoToOneAndToThreeGivesIdenticalAnswers(Backend backend) throws Exception {
        List<VectorEvent> events = events(11, KEYS, 120, DIM, 0);
        List<VectorQuery> queries = queries(12, KEYS, 8, DIM, "q");

        TreeSet<String> reference;
        try (var h = harness(CONFIG, backend, 1, 0)) {
            h.open();
            feed(h, events, queries);
            reference = answers(results(h));
        }

        OperatorSubtaskState[] parts = new OperatorSubtaskState[2];
        for (int idx = 0; idx < 2; idx++) {
            try (var h = harness(CONFIG, backend, 2, idx)) {
                h.open();
                feed(h, ownedEvents(events, 2, idx), List.of());
                parts[idx] = h.snapshot(7L, 7L);
            }
        }
        OperatorSubtaskState merged = AbstractStreamOperatorTestHarness.repackageState(parts);
        for (int newPar : new int[] {1, 3}) {
            TreeSet<String> answers = new TreeSet<>();
            for (int idx = 0; idx < newPar; idx++) {
                OperatorSubtaskState s = AbstractStreamOperatorTestHarness.repartitionOperatorState(
                        merged, OperatorTestSupport.MAX_PARALLELISM, 2, newPar, idx);
                try (var h = harness(CONFIG, backend, newPar, idx)) {
                    h.initializeState(s);
                    h.open();
                    feed(h, List.of(), ownedQueries(queries, newPar, idx));
                    answers.addAll(answers(results(h)));
                }
            }
            assertThat(answers).as("answers after rescale 2 -> %d", newPar).isEqualTo(reference);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void answersMatchTheIndexOracleAndFiltersHold(Backend backend) throws Exception {
        List<VectorEvent> events = events(21, 2, 200, DIM, 0);
        List<VectorQuery> queries = queries(22, 2, 12, DIM, "o");
        // The oracle: the same operations on a plain index, per key.
        java.util.Map<String, HnswIndex> oracle = new java.util.HashMap<>();
        java.util.Map<String, java.util.Map<Long, String>> colors = new java.util.HashMap<>();
        for (VectorEvent e : events) {
            HnswIndex idx = oracle.computeIfAbsent(e.key(), k -> new HnswIndex(CONFIG.hnswConfig(DIM)));
            if (RecordValidator.isUpsert(e)) {
                idx.add(e.id(), e.vector());
                colors.computeIfAbsent(e.key(), k -> new java.util.HashMap<>()).put(e.id(), e.attributes().get("color"));
            } else {
                idx.remove(e.id());
            }
        }
        try (var h = harness(CONFIG, backend, 1, 0)) {
            h.open();
            feed(h, events, queries);
            List<QueryResult> out = results(h);
            assertThat(out).hasSize(queries.size());
            for (int i = 0; i < queries.size(); i++) {
                VectorQuery q = queries.get(i);
                QueryResult r = out.get(i);
                assertThat(r.queryId()).isEqualTo(q.queryId());
                HnswIndex idx = oracle.get(q.key());
                var colorOf = colors.get(q.key());
                var expected = idx.search(q.vector(), q.k(), CONFIG.efSearch(), q.filter() == null ? null
                        : id -> colorOf.get(id) != null && q.filter().matches(java.util.Map.of("color", colorOf.get(id))));
                assertThat(r.ids()).containsExactly(expected.ids());
                assertThat(r.indexSize()).isEqualTo(idx.size());
                if (q.filter() != null) {
                    for (long id : r.ids()) {
                        assertThat(colorOf.get(id)).isEqualTo("red");
                    }
                }
            }
        }
    }

    static List<VectorEvent> ownedEvents(List<VectorEvent> all, int par, int idx) {
        List<VectorEvent> out = new ArrayList<>();
        for (VectorEvent e : all) {
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(e.key(), OperatorTestSupport.MAX_PARALLELISM, par) == idx) {
                out.add(e);
            }
        }
        return out;
    }

    static List<VectorQuery> ownedQueries(List<VectorQuery> all, int par, int idx) {
        List<VectorQuery> out = new ArrayList<>();
        for (VectorQuery q : all) {
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(q.key(), OperatorTestSupport.MAX_PARALLELISM, par) == idx) {
                out.add(q);
            }
        }
        return out;
    }

}
