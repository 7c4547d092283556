package io.vectorstream.operators;

import static io.vectorstream.operators.OperatorTestSupport.answers;
import static io.vectorstream.operators.OperatorTestSupport.events;
import static io.vectorstream.operators.OperatorTestSupport.harness;
import static io.vectorstream.operators.OperatorTestSupport.queries;
import static io.vectorstream.operators.OperatorTestSupport.results;
import static io.vectorstream.operators.VectorIndexFunctionTest.ownedEvents;
import static io.vectorstream.operators.VectorIndexFunctionTest.ownedQueries;
import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.operators.OperatorTestSupport.Backend;
import io.vectorstream.operators.internal.KeyIndexStore;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * After a restore, {@link VectorIndexOperator#open()} rebuilds the restored keys' indexes before the first record,
 * up to the cache budget, and answers stay those from before the snapshot; heap and RocksDB backends.
 */
class VectorIndexEagerRestoreTest {
    static final int DIM = 16;
    static final int KEYS = 5;
    static final Set<String> ALL_KEYS = keys(KEYS);

    /** The snapshot of an operator that took {@link #EVENTS}, and its answers to {@link #QUERIES}. */
    record Snapshot(OperatorSubtaskState state, TreeSet<String> answers) {}

    static final List<VectorEvent> EVENTS = events(51, KEYS, 120, DIM, 0);
    static final List<VectorQuery> QUERIES = queries(52, KEYS, 6, DIM, "e");

    // exactThreshold 0: answers come from the graphs, so a wrongly rebuilt graph would change them.
    static VectorSearchConfig config(UnaryOperator<VectorSearchConfig.Builder> tweak) {
        return tweak.apply(VectorSearchConfig.builder().maxConn(8).efConstruction(40).efSearch(20).exactThreshold(0))
                .build();
    }

    static Set<String> keys(int n) {
        return IntStream.range(0, n).mapToObj(k -> "key-" + k).collect(Collectors.toSet());
    }

    static KeyIndexStore store(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h) {
        return ((VectorIndexOperator) h.getOperator()).function().store();
    }

    static Snapshot ingestAndSnapshot(Backend backend) throws Exception {
        try (var h = harness(config(b -> b), backend, 1, 0)) {
            h.open();
            for (VectorEvent e : EVENTS) {
                h.processElement1(e, e.eventTime());
            }
            for (VectorQuery q : QUERIES) {
                h.processElement2(q, q.eventTime());
            }
            TreeSet<String> answers = answers(results(h));
            assertThat(answers).hasSize(QUERIES.size());
            return new Snapshot(h.snapshot(1L, 1L), answers);
        }
    }

    static TreeSet<String> ask(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h,
                               List<VectorQuery> queries) throws Exception {
        h.getOutput().clear();
        for (VectorQuery q : queries) {
            h.processElement2(q, q.eventTime());
        }
        return answers(results(h));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void openAfterRestoreLoadsEveryKeyAndTheFirstAnswersAreThoseFromBefore(Backend backend) throws Exception {
        Snapshot s = ingestAndSnapshot(backend);
        try (var h = harness(config(b -> b), backend, 1, 0)) {
            h.initializeState(s.state());
            h.open();
            KeyIndexStore store = store(h);
            assertThat(store.cachedKeys()).as("keys loaded by open(), before any record").isEqualTo(ALL_KEYS);
            assertThat(store.cacheLoads()).isEqualTo(KEYS);
            // Each vector costs at least its floats on the heap, and far less than a kilobyte more.
            assertThat(store.heapBytesPerVector()).isBetween(4L * DIM, 4L * DIM + 1024);

            assertThat(ask(h, QUERIES)).isEqualTo(s.answers());
            assertThat(store.cacheLoads()).as("no key was rebuilt again for its first query").isEqualTo(KEYS);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void eagerLoadingStopsAtTheCacheBudgetAndTheOtherKeysLoadOnTheirFirstRecord(Backend backend) throws Exception {
        Snapshot s = ingestAndSnapshot(backend);
        long allKeysBytes;
        try (var h = harness(config(b -> b), backend, 1, 0)) {
            h.initializeState(s.state());
            h.open();
            allKeysBytes = store(h).cacheBytes();
        }
        // Room for two and a half keys of about equal size (every key took the same sequence of operations).
        long budget = allKeysBytes / KEYS * 5 / 2;
        try (var h = harness(config(b -> b.cacheMaxBytes(budget)), backend, 1, 0)) {
            h.initializeState(s.state());
            h.open();
            KeyIndexStore store = store(h);
            assertThat(store.cachedKeys()).as("keys loaded by open() under a budget of %d of %d bytes", budget,
                    allKeysBytes).hasSize(2);
            assertThat(store.cacheBytes()).isLessThanOrEqualTo(budget);
            assertThat(store.cacheLoads()).isEqualTo(2);

            assertThat(ask(h, QUERIES)).as("answers with three keys loaded lazily").isEqualTo(s.answers());
            assertThat(store.cacheLoads()).as("the other keys were rebuilt on their first query").isGreaterThan(2);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void withEagerRestoreOffNothingLoadsBeforeTheFirstRecord(Backend backend) throws Exception {
        Snapshot s = ingestAndSnapshot(backend);
        try (var h = harness(config(b -> b.eagerRestore(false)), backend, 1, 0)) {
            h.initializeState(s.state());
            h.open();
            KeyIndexStore store = store(h);
            assertThat(store.cachedKeys()).isEmpty();
            assertThat(store.cacheLoads()).isZero();

            VectorQuery first = QUERIES.get(0);
            ask(h, List.of(first));
            assertThat(store.cachedKeys()).containsExactly(first.key());
            assertThat(ask(h, QUERIES)).isEqualTo(s.answers());
            assertThat(store.cacheLoads()).isEqualTo(KEYS);
        }
    }

    @Test
    void theOptionIsOnByDefaultAndReadFromTheFlinkConfiguration() {
        assertThat(VectorSearchConfig.builder().build().eagerRestore()).isTrue();
        assertThat(VectorSearchConfig.fromConfiguration(new Configuration()).eagerRestore()).isTrue();
        Configuration off = new Configuration();
        off.setString("vectorstream.restore.eager", "false");
        assertThat(VectorSearchConfig.fromConfiguration(off).eagerRestore()).isFalse();
    }

    @Test
    void anInterruptedOpenStopsLoadingAndTheKeysLoadOnTheirFirstRecord() throws Exception {
        Snapshot s = ingestAndSnapshot(Backend.HEAP);
        try (var h = harness(config(b -> b), Backend.HEAP, 1, 0)) {
            h.initializeState(s.state());
            // Flink cancels a task by interrupting its thread; a restore of many keys must not hold it up.
            Thread.currentThread().interrupt();
            try {
                h.open();
            } finally {
                assertThat(Thread.interrupted()).as("the interrupt is left for Flink to see").isTrue();
            }
            KeyIndexStore store = store(h);
            assertThat(store.cachedKeys()).isEmpty();
            assertThat(ask(h, QUERIES)).isEqualTo(s.answers());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void restoreAtAnotherParallelismLoadsExactlyTheKeysEachSubtaskOwns(Backend backend) throws Exception {
        int keys = 12;
        List<VectorEvent> events = events(61, keys, 40, DIM, 0);
        List<VectorQuery> queries = queries(62, keys, 3, DIM, "r");
        VectorSearchConfig config = config(b -> b);
        TreeSet<String> reference;
        try (var h = harness(config, backend, 1, 0)) {
            h.open();
            for (VectorEvent e : events) {
                h.processElement1(e, e.eventTime());
            }
            reference = ask(h, queries);
        }
        OperatorSubtaskState[] parts = new OperatorSubtaskState[2];
        for (int idx = 0; idx < 2; idx++) {
            try (var h = harness(config, backend, 2, idx)) {
                h.open();
                for (VectorEvent e : ownedEvents(events, 2, idx)) {
                    h.processElement1(e, e.eventTime());
                }
                parts[idx] = h.snapshot(3L, 3L);
            }
        }
        OperatorSubtaskState merged = AbstractStreamOperatorTestHarness.repackageState(parts);
        for (int newPar : new int[] {1, 3}) {
            TreeSet<String> answers = new TreeSet<>();
            Set<String> loaded = new TreeSet<>();
            for (int idx = 0; idx < newPar; idx++) {
                OperatorSubtaskState part = AbstractStreamOperatorTestHarness.repartitionOperatorState(
                        merged, OperatorTestSupport.MAX_PARALLELISM, 2, newPar, idx);
                try (var h = harness(config, backend, newPar, idx)) {
                    h.initializeState(part);
                    h.open();
                    Set<String> owned = owned(keys, newPar, idx);
                    assertThat(owned).as("subtask %d of %d owns keys", idx, newPar).isNotEmpty();
                    assertThat(store(h).cachedKeys()).as("keys loaded by subtask %d of %d", idx, newPar)
                            .isEqualTo(owned);
                    loaded.addAll(store(h).cachedKeys());
                    answers.addAll(ask(h, ownedQueries(queries, newPar, idx)));
                }
            }
            assertThat(loaded).isEqualTo(keys(keys));
            assertThat(answers).as("answers after rescale 2 -> %d", newPar).isEqualTo(reference);
        }
    }

    static Set<String> owned(int keys, int parallelism, int subtask) {
        return keys(keys).stream()
                .filter(k -> KeyGroupRangeAssignment.assignKeyToParallelOperator(k,
                        OperatorTestSupport.MAX_PARALLELISM, parallelism) == subtask)
                .collect(Collectors.toSet());
    }
}
