package io.vectorstream.operators;

import io.vectorstream.operators.typeutils.QueryResultSerializer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * GLOBAL mode with more than one shard per key: merges the standing queries' per-shard answers into one changelog
 * per query id (the input is keyed by query id). Each shard of a key keeps a standing query over its part of the
 * key's vectors and emits its own top k whenever that changes; the merged answer is the top k of the union of every
 * shard's latest part by (distance, id), exact because each part is its shard's exact top k.
 *
 * <p>What is emitted, as in KEYED mode:
 * <ul>
 *   <li>a {@link QueryResult.Kind#STANDING_UPDATE} once every shard has answered a registration, and then whenever
 *       the merged answer (ids, distances or k) changes;</li>
 *   <li>one {@link QueryResult.Kind#STANDING_REMOVED} when every shard has removed the query (unregistration or
 *       expiry), after which the state of the query id is cleared.</li>
 * </ul>
 * Results of a single shard (insert neighbours, KEYED-like partials) pass through unchanged.
 *
 * <p><b>Order.</b> In EVENT_TIME mode the parts are buffered until the watermark passes their event time, then
 * applied in event-time order; parts of one time are applied in rounds, each shard's first part (in shard order),
 * then each one's second. A removal is emitted after the round in which the last shard removed the query, the
 * merged answer once after all the parts of the time: one update per event time at most, and a changelog that does
 * not depend on the order the shards' parts arrive in. Otherwise each part is applied on arrival; while a
 * re-registration is reaching the shards, an update may then merge parts of the old and the new registration
 * (the removal between them is still emitted once every shard has removed the old one).
 *
 * <p><b>State</b> (keyed by query id): the latest part per shard, the last merged answer emitted, in EVENT_TIME
 * mode the buffered parts (all with {@link QueryResultSerializer}), and which shards removed the query since the
 * last removal was emitted. Restores and rescales with its key.
 *
 * <p>Threading: Flink calls every method on the task thread; instances are not shared.
 */
public final class StandingMergeFunction extends KeyedProcessFunction<String, QueryResult, QueryResult> {
    private static final long serialVersionUID = 1L;

    private final int shardsPerKey;
    private final boolean eventTime;

    private transient MapState<Integer, QueryResult> parts;
    private transient ValueState<QueryResult> emitted;
    private transient ListState<QueryResult> buffered;
    private transient MapState<Integer, Boolean> removedBy;

    /**
     * @param shardsPerKey how many shards hold each key's vectors (every part says so too)
     * @param eventTime    whether the job runs in {@link ConsistencyMode#EVENT_TIME}
     */
    public StandingMergeFunction(int shardsPerKey, boolean eventTime) {
        if (shardsPerKey < 2) {
            throw new IllegalArgumentException("shardsPerKey must be >= 2 for a merge; shardsPerKey=" + shardsPerKey);
        }
        this.shardsPerKey = shardsPerKey;
        this.eventTime = eventTime;
    }

    @Override
    public void open(OpenContext ctx) {
        parts = getRuntimeContext().getMapState(new MapStateDescriptor<>("vectorstream-standing-parts",
                IntSerializer.INSTANCE, QueryResultSerializer.INSTANCE));
        emitted = getRuntimeContext().getState(new ValueStateDescriptor<>("vectorstream-standing-emitted",
                QueryResultSerializer.INSTANCE));
        buffered = getRuntimeContext().getListState(new ListStateDescriptor<>("vectorstream-standing-buffered",
                QueryResultSerializer.INSTANCE));
        removedBy = getRuntimeContext().getMapState(new MapStateDescriptor<>("vectorstream-standing-removed-by",
                IntSerializer.INSTANCE, org.apache.flink.api.common.typeutils.base.BooleanSerializer.INSTANCE));
    }

    @Override
    public void processElement(QueryResult part, Context ctx, Collector<QueryResult> out) throws Exception {
        boolean standing = part.kind() == QueryResult.Kind.STANDING_UPDATE
                || part.kind() == QueryResult.Kind.STANDING_REMOVED;
        if (!standing || part.shardCount() <= 1) {
            out.collect(part);
            return;
        }
        if (eventTime) {
            buffered.add(part);
            ctx.timerService().registerEventTimeTimer(part.queryEventTime());
            return;
        }
        apply(part);
        emitRemovalIfDue(part, out);
        emitUpdateIfChanged(part, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<QueryResult> out) throws Exception {
        List<QueryResult> later = new ArrayList<>();
        // Due parts by time, then per shard in arrival order (each shard's parts reach this subtask in order).
        TreeMap<Long, TreeMap<Integer, List<QueryResult>>> due = new TreeMap<>();
        for (QueryResult p : buffered.get()) {
            if (p.queryEventTime() <= timestamp) {
                due.computeIfAbsent(p.queryEventTime(), t -> new TreeMap<>())
                        .computeIfAbsent(p.shard(), s -> new ArrayList<>()).add(p);
            } else {
                later.add(p);
            }
        }
        buffered.update(later);
        for (TreeMap<Integer, List<QueryResult>> byShard : due.values()) {
            int rounds = byShard.values().stream().mapToInt(List::size).max().orElse(0);
            QueryResult last = null;
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<Integer, List<QueryResult>> e : byShard.entrySet()) {
                    if (round < e.getValue().size()) {
                        last = e.getValue().get(round);
                        apply(last);
                    }
                }
                // A removal reaching every shard is due at once, so an unregistration and a registration at one
                // time emit the removal and then the new answer, as in KEYED mode.
                emitRemovalIfDue(last, out);
            }
            // The answer only after every part of the time: a round may pair one record's part on one shard with
            // another record's part on the next (a shard applies events before queries of a time).
            emitUpdateIfChanged(last, out);
        }
    }

    private void apply(QueryResult part) throws Exception {
        parts.put(part.shard(), part);
        if (part.kind() == QueryResult.Kind.STANDING_REMOVED) {
            removedBy.put(part.shard(), Boolean.TRUE);
        }
    }

    /**
     * Emits the removal once every shard has removed the query since the last removal emitted, even if a shard has
     * since sent a part of a new registration (that part is kept; the others' removals are dropped).
     */
    private void emitRemovalIfDue(QueryResult latest, Collector<QueryResult> out) throws Exception {
        int removed = 0;
        for (Boolean ignored : removedBy.values()) {
            removed++;
        }
        if (removed < shardsPerKey) {
            return;
        }
        out.collect(new QueryResult(latest.queryId(), latest.key(), 0, new long[0], new float[0], 0, 0, -1,
                shardsPerKey, shardsPerKey, latest.queryEventTime(), QueryResult.Kind.STANDING_REMOVED));
        removedBy.clear();
        emitted.clear();
        List<Integer> stillRemoved = new ArrayList<>();
        for (Map.Entry<Integer, QueryResult> e : parts.entries()) {
            if (e.getValue().kind() == QueryResult.Kind.STANDING_REMOVED) {
                stillRemoved.add(e.getKey());
            }
        }
        for (Integer shard : stillRemoved) {
            parts.remove(shard);
        }
    }

    /** Emits the merged answer when every shard has an answer (none removed) and it differs from the last one. */
    private void emitUpdateIfChanged(QueryResult latest, Collector<QueryResult> out) throws Exception {
        List<QueryResult> all = new ArrayList<>(shardsPerKey);
        for (QueryResult p : parts.values()) {
            if (p.kind() == QueryResult.Kind.STANDING_REMOVED) {
                return; // a removal, or a registration after one, still reaching the other shards
            }
            all.add(p);
        }
        if (all.size() < shardsPerKey) {
            return; // not every shard has answered yet
        }
        // Shard order, so equal (distance, id) pairs and the index sizes add up the same way every time.
        all.sort(Comparator.comparingInt(QueryResult::shard));
        QueryResult acc = all.get(0);
        for (int i = 1; i < all.size(); i++) {
            acc = TopKMergeOperator.merge(acc, all.get(i));
        }
        QueryResult before = emitted.value();
        if (before != null && before.k() == acc.k() && Arrays.equals(before.ids(), acc.ids())
                && Arrays.equals(before.distances(), acc.distances())) {
            return;
        }
        QueryResult merged = new QueryResult(latest.queryId(), latest.key(), acc.k(), acc.ids(), acc.distances(),
                acc.indexSize(), 0, -1, shardsPerKey, shardsPerKey, latest.queryEventTime(),
                QueryResult.Kind.STANDING_UPDATE);
        emitted.update(merged);
        out.collect(merged);
    }

    @Override
    public String toString() {
        return "StandingMergeFunction{shardsPerKey=" + shardsPerKey + ", eventTime=" + eventTime + "}";
    }
}
