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
 * then each one's second, and the merged answer is checked after every round. A registration (or removal) that
 * reaches every shard at one time is thus one round, and the changelog does not depend on the order the shards'
 * parts arrive in. Otherwise each part is applied on arrival; while a re-registration is reaching the shards, an
 * update may then merge parts of the old and the new registration.
 *
 * <p><b>State</b> (keyed by query id): the latest part per shard, the last merged answer emitted, and in EVENT_TIME
 * mode the buffered parts, all with {@link QueryResultSerializer}. Restores and rescales with its key.
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
        parts.put(part.shard(), part);
        emitIfChanged(part, out);
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
            for (int round = 0; round < rounds; round++) {
                QueryResult last = null;
                for (Map.Entry<Integer, List<QueryResult>> e : byShard.entrySet()) {
                    if (round < e.getValue().size()) {
                        last = e.getValue().get(round);
                        parts.put(e.getKey(), last);
                    }
                }
                emitIfChanged(last, out);
            }
        }
    }

    /** After {@code latest} was applied: emits the merged answer or the removal when it is due. */
    private void emitIfChanged(QueryResult latest, Collector<QueryResult> out) throws Exception {
        List<QueryResult> all = new ArrayList<>(shardsPerKey);
        for (QueryResult p : parts.values()) {
            all.add(p);
        }
        if (all.size() < shardsPerKey) {
            return; // not every shard has answered yet
        }
        long removed = all.stream().filter(p -> p.kind() == QueryResult.Kind.STANDING_REMOVED).count();
        if (removed == shardsPerKey) {
            out.collect(new QueryResult(latest.queryId(), latest.key(), 0, new long[0], new float[0], 0, 0, -1,
                    shardsPerKey, shardsPerKey, latest.queryEventTime(), QueryResult.Kind.STANDING_REMOVED));
            parts.clear();
            emitted.clear();
            return;
        }
        if (removed > 0) {
            return; // a removal, or a registration after one, still reaching the other shards
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
