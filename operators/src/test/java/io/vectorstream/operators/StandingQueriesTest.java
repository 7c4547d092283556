package io.vectorstream.operators;

import static io.vectorstream.operators.OperatorTestSupport.harness;
import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.index.VectorMath;
import io.vectorstream.index.VectorMetric;
import io.vectorstream.operators.OperatorTestSupport.Backend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Standing queries and kNN on insert against a brute-force oracle: after every step of a random stream (upserts,
 * re-upserts, deletes, TTL expiries, registrations, unregistrations), every standing query's last update equals the
 * brute-force top k of its key (filter and radius applied), no update repeats the previous one, and each upsert's
 * neighbours equal the brute-force top k of its key before it. The index answers exactly here (exactThreshold above
 * the key sizes), so "equal" means bit for bit. Then the same stream is cut by a snapshot and restored, at the same
 * parallelism and at another: the updates after the cut equal those of the uninterrupted run.
 */
class StandingQueriesTest {
    private static final int DIM = 6;
    private static final int KEYS = 3;
    private static final long TTL = 60;

    private static VectorSearchConfig config(VectorMetric metric) {
        return config(metric, VectorSearchOptions.STANDING_INDEX_THRESHOLD.defaultValue());
    }

    /** @param indexThreshold 0: every key's standing queries are matched through their own graph */
    private static VectorSearchConfig config(VectorMetric metric, int indexThreshold) {
        return VectorSearchConfig.builder().metric(metric).exactThreshold(1_000_000).ttl(Duration.ofMillis(TTL))
                .insertNeighbors(3, null).standingIndexThreshold(indexThreshold).build();
    }

    /** One step of the stream: an event, a query, or a watermark (both inputs). */
    private record Step(VectorEvent event, VectorQuery query, long watermark) {}

    private record Rec(float[] vector, Map<String, String> attributes, long eventTime) {}

    /** The brute-force model of the operator's keys and standing queries. */
    private static final class Oracle {
        final VectorMetric metric;
        final Map<String, Map<Long, Rec>> keys = new HashMap<>();
        final Map<String, VectorQuery> standing = new TreeMap<>();

        Oracle(VectorMetric metric) {
            this.metric = metric;
        }

        float distance(float[] q, float[] v) {
            return metric == VectorMetric.L2 ? VectorMath.squareDistance(q, v) : -VectorMath.dot(q, v);
        }

        /** Top k of {@code key} by (distance, id): matching {@code filter}, below {@code radius}, without {@code skip}. */
        QueryResult topK(String key, float[] q, int k, AttributeFilter filter, float radius, Long skip) {
            List<long[]> order = new ArrayList<>();
            List<Float> dists = new ArrayList<>();
            for (Map.Entry<Long, Rec> e : keys.getOrDefault(key, Map.of()).entrySet()) {
                if ((skip != null && e.getKey().equals(skip))
                        || (filter != null && !filter.matches(e.getValue().attributes()))) {
                    continue;
                }
                float d = distance(q, e.getValue().vector());
                if (d < radius) {
                    order.add(new long[] {e.getKey()});
                    dists.add(d);
                }
            }
            Integer[] idx = new Integer[order.size()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            java.util.Arrays.sort(idx, (a, b) -> dists.get(a).equals(dists.get(b))
                    ? Long.compare(order.get(a)[0], order.get(b)[0]) : Float.compare(dists.get(a), dists.get(b)));
            int n = Math.min(k, idx.length);
            long[] ids = new long[n];
            float[] ds = new float[n];
            for (int i = 0; i < n; i++) {
                ids[i] = order.get(idx[i])[0];
                ds[i] = dists.get(idx[i]);
            }
            return new QueryResult("", key, k, ids, ds, 0, 0, -1, 1, 1);
        }

        void apply(Step s) {
            if (s.event() != null) {
                VectorEvent e = s.event();
                Map<Long, Rec> m = keys.computeIfAbsent(e.key(), x -> new HashMap<>());
                if (RecordValidator.isUpsert(e)) {
                    m.put(e.id(), new Rec(e.vector(), e.attributes(), e.eventTime()));
                } else {
                    m.remove(e.id());
                }
            } else if (s.query() != null) {
                if (s.query().standing() == VectorQuery.Standing.REGISTER) {
                    standing.put(s.query().queryId(), s.query());
                } else {
                    standing.remove(s.query().queryId());
                }
            } else {
                for (Map<Long, Rec> m : keys.values()) {
                    m.values().removeIf(r -> r.eventTime() + TTL <= s.watermark());
                }
            }
        }
    }

    private static List<Step> stream(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Step> steps = new ArrayList<>();
        long time = 1_000;
        int queries = 0;
        for (int i = 0; i < n; i++) {
            time++;
            String key = "key-" + r.nextInt(KEYS);
            int roll = r.nextInt(100);
            if (roll < 60) {
                // Few ids per key, so re-upserts (moves) and deletes of members are frequent.
                long id = r.nextInt(25);
                VectorEvent e = VectorEvent.upsert(key, id, OperatorTestSupport.vector(r, DIM),
                        Map.of("color", r.nextBoolean() ? "red" : "blue"), time);
                steps.add(new Step(r.nextInt(5) == 0 ? e.withNeighbors(2, 1.5f) : e, null, 0));
            } else if (roll < 75) {
                steps.add(new Step(VectorEvent.delete(key, r.nextInt(25), time), null, 0));
            } else if (roll < 87) {
                // A standing query lives under its key: ids are unique across keys, as a compacted topic needs.
                String qid = key + "/sq-" + r.nextInt(3);
                AttributeFilter f = r.nextInt(3) == 0 ? AttributeFilter.eq("color", "red") : null;
                Float radius = r.nextInt(3) == 0 ? 2.5f : null;
                VectorQuery q = new VectorQuery(qid, key, OperatorTestSupport.vector(r, DIM), 1 + r.nextInt(4), 0, f,
                        time).withStanding(VectorQuery.Standing.REGISTER, radius, null);
                steps.add(new Step(null, q, 0));
                queries++;
            } else if (roll < 92 && queries > 0) {
                String qid = key + "/sq-" + r.nextInt(3);
                steps.add(new Step(null, new VectorQuery(qid, key, new float[0], 1, 0, null, time)
                        .withStanding(VectorQuery.Standing.UNREGISTER, null, null), 0));
            } else {
                steps.add(new Step(null, null, time - 20));
            }
        }
        return steps;
    }

    /** Feeds one step; returns the updates it emitted, in order. */
    private static List<QueryResult> feed(Harness h, Step s, int[] seen) throws Exception {
        if (s.event() != null) {
            h.processElement1(new StreamRecord<>(s.event(), s.event().eventTime()));
        } else if (s.query() != null) {
            h.processElement2(new StreamRecord<>(s.query(), s.query().eventTime()));
        } else {
            h.processBothWatermarks(new Watermark(s.watermark()));
        }
        List<QueryResult> all = new ArrayList<>();
        var q = h.getSideOutput(VectorIndexFunction.UPDATES);
        if (q != null) {
            for (StreamRecord<QueryResult> r : q) {
                all.add(r.getValue());
            }
        }
        List<QueryResult> fresh = new ArrayList<>(all.subList(seen[0], all.size()));
        seen[0] = all.size();
        return fresh;
    }

    private interface Harness {
        void processElement1(StreamRecord<VectorEvent> r) throws Exception;
        void processElement2(StreamRecord<VectorQuery> r) throws Exception;
        void processBothWatermarks(Watermark w) throws Exception;
        java.util.concurrent.ConcurrentLinkedQueue<StreamRecord<QueryResult>> getSideOutput(
                org.apache.flink.util.OutputTag<QueryResult> tag);
    }

    private static Harness wrap(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h) {
        return new Harness() {
            public void processElement1(StreamRecord<VectorEvent> r) throws Exception { h.processElement1(r); }
            public void processElement2(StreamRecord<VectorQuery> r) throws Exception { h.processElement2(r); }
            public void processBothWatermarks(Watermark w) throws Exception { h.processBothWatermarks(w); }
            public java.util.concurrent.ConcurrentLinkedQueue<StreamRecord<QueryResult>> getSideOutput(
                    org.apache.flink.util.OutputTag<QueryResult> tag) { return h.getSideOutput(tag); }
        };
    }

    @ParameterizedTest(name = "{0}, {1}, seed {2}, index threshold {3}")
    @CsvSource({"HEAP, L2, 81, 2147483647", "ROCKSDB, L2, 82, 2147483647", "HEAP, INNER_PRODUCT, 83, 2147483647",
            "ROCKSDB, INNER_PRODUCT, 84, 2147483647", "HEAP, L2, 85, 0", "ROCKSDB, INNER_PRODUCT, 86, 0"})
    void everyStandingAnswerAndInsertNeighboursEqualBruteForceAfterEveryStep(Backend backend, VectorMetric metric,
                                                                             long seed, int indexThreshold)
            throws Exception {
        System.out.println("StandingQueriesTest seed=" + seed);
        List<Step> steps = stream(seed, 700);
        Oracle oracle = new Oracle(metric);
        Map<String, QueryResult> last = new HashMap<>();
        int updates = 0;
        int neighbourResults = 0;
        try (var h = harness(config(metric, indexThreshold), backend, 1, 0)) {
            h.open();
            int[] seen = {0};
            for (int i = 0; i < steps.size(); i++) {
                Step s = steps.get(i);
                QueryResult expectedNeighbours = null;
                if (s.event() != null && RecordValidator.isUpsert(s.event())) {
                    VectorEvent e = s.event();
                    int k = e.neighborsK() != null ? e.neighborsK() : 3;
                    float radius = e.neighborsRadius() != null ? e.neighborsRadius() : Float.POSITIVE_INFINITY;
                    expectedNeighbours = oracle.topK(e.key(), e.vector(), k, null, radius, e.id());
                }
                List<QueryResult> fresh = feed(wrap(h), s, seen);
                oracle.apply(s);
                for (QueryResult r : fresh) {
                    if (r.kind() == QueryResult.Kind.INSERT_NEIGHBORS) {
                        neighbourResults++;
                        assertThat(expectedNeighbours).as("step %d emitted neighbours of a non-upsert", i).isNotNull();
                        assertThat(r.queryId()).isEqualTo(String.valueOf(s.event().id()));
                        assertThat(r.ids()).as("step %d: neighbours of upsert %s", i, s.event()).containsExactly(
                                expectedNeighbours.ids());
                        assertThat(r.distances()).containsExactly(expectedNeighbours.distances());
                    } else if (r.kind() == QueryResult.Kind.STANDING_UPDATE) {
                        updates++;
                        QueryResult prev = last.put(r.queryId(), r);
                        assertThat(prev != null && prev.kind() == QueryResult.Kind.STANDING_UPDATE
                                && java.util.Arrays.equals(prev.ids(), r.ids())
                                && java.util.Arrays.equals(prev.distances(), r.distances())
                                && s.query() == null)
                                .as("step %d: update of %s repeats the previous answer", i, r.queryId()).isFalse();
                    } else {
                        assertThat(r.kind()).isEqualTo(QueryResult.Kind.STANDING_REMOVED);
                        last.put(r.queryId(), r);
                    }
                }
                if (expectedNeighbours != null) {
                    assertThat(fresh).as("step %d: one neighbours result per upsert", i)
                            .filteredOn(r -> r.kind() == QueryResult.Kind.INSERT_NEIGHBORS).hasSize(1);
                }
                for (VectorQuery q : oracle.standing.values()) {
                    QueryResult want = oracle.topK(q.key(), q.vector(), q.k(), q.filter(),
                            q.radius() == null ? Float.POSITIVE_INFINITY : q.radius(), null);
                    QueryResult got = last.get(q.queryId());
                    assertThat(got).as("step %d: %s has an answer", i, q.queryId()).isNotNull();
                    assertThat(got.kind()).isEqualTo(QueryResult.Kind.STANDING_UPDATE);
                    assertThat(got.key()).isEqualTo(q.key());
                    assertThat(got.ids()).as("step %d: answer of %s (%s)", i, q.queryId(), s).containsExactly(want.ids());
                    assertThat(got.distances()).as("step %d: distances of %s", i, q.queryId())
                            .containsExactly(want.distances());
                }
            }
            assertThat(OperatorTestSupport.deadLetters(h)).isEmpty();
        }
        // The stream must have exercised what it tests.
        assertThat(updates).isGreaterThan(150);
        assertThat(neighbourResults).isGreaterThan(300);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void afterARestoreAtTheSameAndAtAnotherParallelismTheUpdatesAreThoseOfARunWithoutOne(Backend backend)
            throws Exception {
        long seed = 91;
        System.out.println("StandingQueriesTest restore seed=" + seed);
        VectorSearchConfig config = config(VectorMetric.L2);
        List<Step> steps = stream(seed, 600);
        int cut = 350;
        // Per key, the updates the uninterrupted run emits after the cut (watermark steps go to every key).
        Map<String, List<String>> reference = new TreeMap<>();
        try (var h = harness(config, backend, 1, 0)) {
            h.open();
            int[] seen = {0};
            for (int i = 0; i < steps.size(); i++) {
                List<QueryResult> fresh = feed(wrap(h), steps.get(i), seen);
                if (i >= cut) {
                    fresh.forEach(r -> reference.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.answerString()));
                }
            }
        }
        OperatorSubtaskState snapshot;
        try (var h = harness(config, backend, 1, 0)) {
            h.open();
            int[] seen = {0};
            for (int i = 0; i < cut; i++) {
                feed(wrap(h), steps.get(i), seen);
            }
            snapshot = h.snapshot(1L, 1L);
        }
        for (int parallelism : new int[] {1, 2}) {
            Map<String, List<String>> restored = new TreeMap<>();
            for (int idx = 0; idx < parallelism; idx++) {
                OperatorSubtaskState s = AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot,
                        OperatorTestSupport.MAX_PARALLELISM, 1, parallelism, idx);
                try (var h = harness(config, backend, parallelism, idx)) {
                    h.initializeState(s);
                    h.open();
                    int[] seen = {0};
                    for (int i = cut; i < steps.size(); i++) {
                        Step st = steps.get(i);
                        String key = st.event() != null ? st.event().key() : st.query() != null ? st.query().key() : null;
                        if (key != null && KeyGroupRangeAssignment.assignKeyToParallelOperator(key,
                                OperatorTestSupport.MAX_PARALLELISM, parallelism) != idx) {
                            continue;
                        }
                        feed(wrap(h), st, seen).forEach(r -> restored.computeIfAbsent(r.key(),
                                k -> new ArrayList<>()).add(r.answerString()));
                    }
                }
            }
            assertThat(restored).as("updates after a restore at parallelism %d", parallelism).isEqualTo(reference);
        }
        assertThat(reference.values().stream().mapToInt(List::size).sum()).isGreaterThan(100);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aStandingQueryEndsAtItsExpiryAndOnUnregister(Backend backend) throws Exception {
        try (var h = harness(config(VectorMetric.L2), backend, 1, 0)) {
            h.open();
            h.processElement1(new StreamRecord<>(VectorEvent.upsert("k", 1, new float[] {0, 0, 0, 0, 0, 0}, 10), 10));
            h.processElement2(new StreamRecord<>(new VectorQuery("a", "k", new float[] {1, 0, 0, 0, 0, 0}, 2, 0, null,
                    11).withStanding(VectorQuery.Standing.REGISTER, null, 500L), 11));
            h.processElement2(new StreamRecord<>(new VectorQuery("b", "k", new float[] {1, 0, 0, 0, 0, 0}, 2, 0, null,
                    12).withStanding(VectorQuery.Standing.REGISTER, null, null), 12));
            h.processElement2(new StreamRecord<>(new VectorQuery("b", "k", new float[0], 1, 0, null, 13)
                    .withStanding(VectorQuery.Standing.UNREGISTER, null, null), 13));
            h.processBothWatermarks(new Watermark(499));
            // After its unregistration "b" no longer follows the stream; "a" does until 500.
            h.processElement1(new StreamRecord<>(VectorEvent.upsert("k", 2, new float[] {1, 0, 0, 0, 0, 0}, 20), 20));
            h.processBothWatermarks(new Watermark(500));
            h.processElement1(new StreamRecord<>(VectorEvent.upsert("k", 3, new float[] {1, 0, 0, 0, 0, 0}, 30), 30));
            List<String> got = new ArrayList<>();
            for (StreamRecord<QueryResult> r : h.getSideOutput(VectorIndexFunction.UPDATES)) {
                if (r.getValue().kind() != QueryResult.Kind.INSERT_NEIGHBORS) {
                    got.add(r.getValue().queryId() + " " + r.getValue().kind() + " "
                            + java.util.Arrays.toString(r.getValue().ids()));
                }
            }
            // The TTL (60 ms) expires vectors 1 and 2 at the watermarks; neither changes an ended query.
            assertThat(got).containsExactly(
                    "a STANDING_UPDATE [1]",
                    "b STANDING_UPDATE [1]",
                    "b STANDING_REMOVED []",
                    "a STANDING_UPDATE []", // vector 1 (time 10) expired at 70
                    "a STANDING_UPDATE [2]",
                    "a STANDING_UPDATE []", // vector 2 (time 20) expired at 80
                    "a STANDING_REMOVED []");
        }
    }

    @ParameterizedTest(name = "{0}, index threshold {1}, {2}-d")
    @CsvSource({"HEAP, 0, 6", "ROCKSDB, 0, 6", "HEAP, 1000000, 6", "HEAP, 0, 40", "ROCKSDB, 0, 40"})
    void manyStandingQueriesOnOneKeyFollowTheStreamThroughTheMatcher(Backend backend, int indexThreshold, int dim)
            throws Exception {
        long seed = 97;
        System.out.println("StandingQueriesTest many seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        Oracle oracle = new Oracle(VectorMetric.L2);
        Map<String, QueryResult> last = new HashMap<>();
        List<Step> steps = new ArrayList<>();
        long time = 10;
        // 400 standing queries (past 32 dimensions the matcher projects them), then a stream of upserts, moves and
        // deletes over 120 ids.
        for (int q = 0; q < 400; q++) {
            AttributeFilter f = q % 5 == 0 ? AttributeFilter.eq("color", "red") : null;
            Float radius = q % 3 == 0 ? 1.2f * dim / DIM : null;
            steps.add(new Step(null, new VectorQuery("q" + q, "k", OperatorTestSupport.vector(r, dim), 1 + q % 5, 0,
                    f, time).withStanding(VectorQuery.Standing.REGISTER, radius, null), 0));
        }
        for (int i = 0; i < 500; i++) {
            time++;
            long id = r.nextInt(120);
            if (r.nextInt(8) == 0) {
                steps.add(new Step(VectorEvent.delete("k", id, time), null, 0));
            } else {
                steps.add(new Step(VectorEvent.upsert("k", id, OperatorTestSupport.vector(r, dim),
                        Map.of("color", r.nextBoolean() ? "red" : "blue"), time).withNeighbors(0, null), null, 0));
            }
        }
        int compared = 0;
        try (var h = harness(config(VectorMetric.L2, indexThreshold), backend, 1, 0)) {
            h.open();
            int[] seen = {0};
            for (int i = 0; i < steps.size(); i++) {
                Step s = steps.get(i);
                for (QueryResult res : feed(wrap(h), s, seen)) {
                    last.put(res.queryId(), res);
                }
                oracle.apply(s);
                if (i >= 400 && i % 10 == 0 || i == steps.size() - 1) {
                    for (VectorQuery q : oracle.standing.values()) {
                        QueryResult want = oracle.topK(q.key(), q.vector(), q.k(), q.filter(),
                                q.radius() == null ? Float.POSITIVE_INFINITY : q.radius(), null);
                        assertThat(last.get(q.queryId()).ids()).as("step %d: answer of %s", i, q.queryId())
                                .containsExactly(want.ids());
                        compared++;
                    }
                }
            }
        }
        assertThat(compared).isGreaterThan(15_000);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void inEventTimeModeTheUpdatesAreTheSameWhateverTheArrivalOrder(Backend backend) throws Exception {
        long seed = 101;
        System.out.println("StandingQueriesTest event-time seed=" + seed);
        VectorSearchConfig config = VectorSearchConfig.builder().consistency(ConsistencyMode.EVENT_TIME)
                .exactThreshold(1_000_000).ttl(Duration.ofMillis(TTL)).insertNeighbors(2, null).build();
        // Records only: the watermarks come in batches below, each after every record it covers.
        List<Step> records = stream(seed, 500).stream().filter(s -> s.watermark() == 0).toList();
        // Per query id (and per upsert, for its neighbours), the sequence of its results: what a consumer keyed by
        // query id sees. Results of different keys at one timestamp have no order between them (Flink fires one
        // timestamp's timers of different keys in no fixed order), and the sink's partitions would not keep one.
        Map<String, List<String>> reference = null;
        for (long shuffle = 0; shuffle < 3; shuffle++) {
            List<Step> order = new ArrayList<>(records);
            if (shuffle > 0) {
                // Shuffle within windows of 50 records; a window's watermark follows it.
                SplittableRandom r = new SplittableRandom(shuffle);
                for (int w = 0; w < order.size(); w += 50) {
                    List<Step> window = order.subList(w, Math.min(order.size(), w + 50));
                    for (int i = window.size() - 1; i > 0; i--) {
                        java.util.Collections.swap(window, i, r.nextInt(i + 1));
                    }
                }
            }
            Map<String, List<String>> updates = new TreeMap<>();
            java.util.function.Consumer<QueryResult> add = x -> updates.computeIfAbsent(x.key() + "|" + x.queryId(),
                    k -> new ArrayList<>()).add(x.answerString());
            try (var h = harness(config, backend, 1, 0)) {
                h.open();
                int[] seen = {0};
                for (int w = 0; w < order.size(); w += 50) {
                    long maxTime = 0;
                    for (Step st : order.subList(w, Math.min(order.size(), w + 50))) {
                        maxTime = Math.max(maxTime, st.event() != null ? st.event().eventTime()
                                : st.query().eventTime());
                        feed(wrap(h), st, seen).forEach(add);
                    }
                    feed(wrap(h), new Step(null, null, maxTime), seen).forEach(add);
                }
                feed(wrap(h), new Step(null, null, Long.MAX_VALUE - 1), seen).forEach(add);
                assertThat(OperatorTestSupport.deadLetters(h)).as("shuffle %d: no record is late", shuffle).isEmpty();
            }
            if (reference == null) {
                reference = updates;
                assertThat(reference.values().stream().mapToInt(List::size).sum()).isGreaterThan(200);
            } else {
                assertThat(updates).as("results per query id with arrival order %d", shuffle).isEqualTo(reference);
            }
        }
    }
}
