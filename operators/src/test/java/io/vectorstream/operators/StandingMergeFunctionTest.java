package io.vectorstream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@link StandingMergeFunction}: the merged changelog of a standing query over its key's shards, alone. A fixed
 * scenario spells out the rules; random part streams check that in EVENT_TIME mode the changelog is the same for
 * every interleaving of the shards' parts, and the same after a snapshot restored at parallelism 1 and 2.
 */
class StandingMergeFunctionTest {
    private static final int SHARDS = 2;

    private static KeyedOneInputStreamOperatorTestHarness<String, QueryResult, QueryResult> harness(boolean eventTime,
            int parallelism, int subtask) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new StandingMergeFunction(SHARDS, eventTime)), QueryResult::queryId,
                Types.STRING, OperatorTestSupport.MAX_PARALLELISM, parallelism, subtask);
    }

    private static QueryResult part(String q, int shard, long time, long[] ids, float[] ds) {
        return new QueryResult(q, "k", 2, ids, ds, ids.length, 0, shard, 1, SHARDS, time,
                QueryResult.Kind.STANDING_UPDATE);
    }

    private static QueryResult removed(String q, int shard, long time) {
        return new QueryResult(q, "k", 0, new long[0], new float[0], 0, 0, shard, 1, SHARDS, time,
                QueryResult.Kind.STANDING_REMOVED);
    }

    private static List<String> outputs(KeyedOneInputStreamOperatorTestHarness<String, QueryResult, QueryResult> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                QueryResult q = (QueryResult) r.getValue();
                out.add(q.queryId() + " " + q.kind() + " " + java.util.Arrays.toString(q.ids())
                        + java.util.Arrays.toString(q.distances()) + " t=" + q.queryEventTime());
            }
        }
        return out;
    }

    @Test
    void emitsTheMergedAnswerOnceEveryShardAnsweredThenOnChangeAndOneRemoval() throws Exception {
        try (var h = harness(false, 1, 0)) {
            h.open();
            h.processElement(new StreamRecord<>(part("a", 0, 1, new long[] {1, 2}, new float[] {0.1f, 0.4f})));
            assertThat(outputs(h)).as("waits for every shard").isEmpty();
            h.processElement(new StreamRecord<>(part("a", 1, 1, new long[] {7}, new float[] {0.2f})));
            // A change in one shard that does not change the merged top 2 emits nothing.
            h.processElement(new StreamRecord<>(part("a", 0, 2, new long[] {1, 3}, new float[] {0.1f, 0.3f})));
            h.processElement(new StreamRecord<>(part("a", 1, 3, new long[] {8, 7}, new float[] {0.05f, 0.2f})));
            h.processElement(new StreamRecord<>(removed("a", 0, 4)));
            h.processElement(new StreamRecord<>(removed("a", 1, 4)));
            // Results of one shard pass through.
            QueryResult neighbours = new QueryResult("5", "k", 1, new long[] {4}, new float[] {0.5f}, 3, 0, -1, 1, 1,
                    5, QueryResult.Kind.INSERT_NEIGHBORS);
            h.processElement(new StreamRecord<>(neighbours));
            assertThat(outputs(h)).containsExactly(
                    "a STANDING_UPDATE [1, 7][0.1, 0.2] t=1",
                    "a STANDING_UPDATE [8, 1][0.05, 0.1] t=3",
                    "a STANDING_REMOVED [][] t=4",
                    "5 INSERT_NEIGHBORS [4][0.5] t=5");
        }
    }

    /** Per shard, its parts in order: random updates, and registrations and removals reaching every shard at once. */
    private static List<List<QueryResult>> partStreams(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<List<QueryResult>> shards = new ArrayList<>();
        for (int s = 0; s < SHARDS; s++) {
            shards.add(new ArrayList<>());
        }
        for (long t = 1; t <= 400; t++) {
            String q = "q" + r.nextInt(6);
            int roll = r.nextInt(10);
            if (roll < 6) {
                int s = r.nextInt(SHARDS);
                shards.get(s).add(randomPart(r, q, s, t));
            } else if (roll < 8) {
                for (int s = 0; s < SHARDS; s++) {
                    shards.get(s).add(randomPart(r, q, s, t));
                }
            } else if (roll < 9) {
                for (int s = 0; s < SHARDS; s++) {
                    shards.get(s).add(removed(q, s, t));
                }
            } else {
                // Unregister and register again at one time: every shard sends both, in that order.
                for (int s = 0; s < SHARDS; s++) {
                    shards.get(s).add(removed(q, s, t));
                    shards.get(s).add(randomPart(r, q, s, t));
                }
            }
        }
        return shards;
    }

    private static QueryResult randomPart(SplittableRandom r, String q, int shard, long t) {
        int n = r.nextInt(3);
        long[] ids = new long[n];
        float[] ds = new float[n];
        for (int i = 0; i < n; i++) {
            ids[i] = shard * 100 + r.nextInt(5); // ids of one shard only, as routing guarantees
            ds[i] = (i == 0 ? 0 : ds[i - 1]) + r.nextInt(4) / 4f;
        }
        // Each part is its shard's top k: sorted by (distance, id), each id once.
        java.util.TreeMap<Long, Float> byId = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            byId.putIfAbsent(ids[i], ds[i]);
        }
        List<long[]> sorted = new ArrayList<>();
        byId.forEach((id, d) -> sorted.add(new long[] {id, Float.floatToIntBits(d)}));
        sorted.sort((a, b) -> Float.compare(Float.intBitsToFloat((int) a[1]), Float.intBitsToFloat((int) b[1])) != 0
                ? Float.compare(Float.intBitsToFloat((int) a[1]), Float.intBitsToFloat((int) b[1]))
                : Long.compare(a[0], b[0]));
        return part(q, shard, t, sorted.stream().mapToLong(x -> x[0]).toArray(),
                toFloats(sorted.stream().map(x -> Float.intBitsToFloat((int) x[1])).toList()));
    }

    private static float[] toFloats(List<Float> fs) {
        float[] out = new float[fs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = fs.get(i);
        }
        return out;
    }

    /**
     * One arrival order: each shard's parts in order, the shards interleaved at random; a watermark after every 20
     * time units, once every part up to it arrived (as the index operator guarantees).
     */
    private static List<Object> arrival(List<List<QueryResult>> shards, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Object> out = new ArrayList<>();
        int[] next = new int[SHARDS];
        for (long wm = 20; wm <= 420; wm += 20) {
            while (true) {
                List<Integer> ready = new ArrayList<>();
                for (int s = 0; s < SHARDS; s++) {
                    if (next[s] < shards.get(s).size() && shards.get(s).get(next[s]).queryEventTime() <= wm) {
                        ready.add(s);
                    }
                }
                if (ready.isEmpty()) {
                    break;
                }
                int s = ready.get(r.nextInt(ready.size()));
                out.add(shards.get(s).get(next[s]++));
            }
            out.add(new Watermark(wm));
        }
        return out;
    }

    @Test
    void eventTimeChangelogIsTheSameForEveryInterleavingAndAfterARestore() throws Exception {
        long seed = 41;
        System.out.println("StandingMergeFunctionTest seed=" + seed);
        List<List<QueryResult>> shards = partStreams(seed);
        List<String> reference = null;
        for (long order = 0; order < 3; order++) {
            try (var h = harness(true, 1, 0)) {
                h.open();
                for (Object o : arrival(shards, seed * 10 + order)) {
                    feed(h, o);
                }
                List<String> got = outputs(h);
                if (reference == null) {
                    reference = got;
                } else {
                    assertThat(got).as("arrival order %d", order).isEqualTo(reference);
                }
            }
        }
        assertThat(reference).hasSizeGreaterThan(100);
        assertThat(reference).anyMatch(s -> s.contains("STANDING_REMOVED"));

        List<Object> stream = arrival(shards, seed * 10);
        int cut = stream.size() / 2;
        OperatorSubtaskState snapshot;
        List<String> before;
        try (var h = harness(true, 1, 0)) {
            h.open();
            for (int i = 0; i < cut; i++) {
                feed(h, stream.get(i));
            }
            before = outputs(h);
            snapshot = h.snapshot(1L, 1L);
        }
        for (int parallelism : new int[] {1, 2}) {
            List<String> after = new ArrayList<>();
            for (int idx = 0; idx < parallelism; idx++) {
                OperatorSubtaskState s = AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot,
                        OperatorTestSupport.MAX_PARALLELISM, 1, parallelism, idx);
                try (var h = harness(true, parallelism, idx)) {
                    h.initializeState(s);
                    h.open();
                    for (int i = cut; i < stream.size(); i++) {
                        Object o = stream.get(i);
                        if (o instanceof QueryResult q && KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                q.queryId(), OperatorTestSupport.MAX_PARALLELISM, parallelism) != idx) {
                            continue;
                        }
                        feed(h, o);
                    }
                    after.addAll(outputs(h));
                }
            }
            List<String> all = new ArrayList<>(before);
            all.addAll(after);
            // Per query id in order (subtasks interleave different ids).
            assertThat(byQuery(all)).as("after a restore at parallelism %d", parallelism)
                    .isEqualTo(byQuery(reference));
        }
    }

    private static java.util.Map<String, List<String>> byQuery(List<String> lines) {
        java.util.Map<String, List<String>> m = new java.util.TreeMap<>();
        for (String l : lines) {
            m.computeIfAbsent(l.substring(0, l.indexOf(' ')), x -> new ArrayList<>()).add(l);
        }
        return m;
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, QueryResult, QueryResult> h, Object o)
            throws Exception {
        if (o instanceof Watermark w) {
            h.processWatermark(w);
        } else {
            QueryResult q = (QueryResult) o;
            h.processElement(new StreamRecord<>(q, q.queryEventTime()));
        }
    }
}
