package io.vectorstream.operators;

import io.vectorstream.operators.typeutils.QueryResultSerializer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * GLOBAL mode: merges the per-shard partial answers of one query (keyed by query id) into its top k. Emits
 * once all shards answered and clears its state; a processing-time timer emits an incomplete answer (and a
 * dead letter saying which shards were missing) if a partial never comes, so no state leaks. The merge is the
 * top k of the union by (distance, id), hence independent of the order the partials arrive in.
 *
 * <p>Threading: Flink calls every method on the task thread; instances are not shared.
 */
public class TopKMergeFunction extends KeyedProcessFunction<String, QueryResult, QueryResult> {
    private static final long serialVersionUID = 1L;

    private final long timeoutMillis;
    private transient ValueState<QueryResult> partial;
    private transient ValueState<Long> deadline;
    private transient Counter timeouts;

    public TopKMergeFunction(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        partial = getRuntimeContext().getState(
                new ValueStateDescriptor<>("vectorstream-merge-partial", QueryResultSerializer.INSTANCE));
        deadline = getRuntimeContext().getState(
                new ValueStateDescriptor<>("vectorstream-merge-deadline", LongSerializer.INSTANCE));
        timeouts = getRuntimeContext().getMetricGroup().addGroup("vectorstream").counter("mergeTimeouts");
    }

    @Override
    public void processElement(QueryResult part, Context ctx, Collector<QueryResult> out) throws Exception {
        QueryResult acc = partial.value();
        QueryResult merged = acc == null ? asMerged(part) : merge(acc, part);
        if (merged.shardsAnswered() >= merged.shardCount()) {
            out.collect(merged);
            clear(ctx);
            return;
        }
        partial.update(merged);
        if (acc == null) {
            long at = ctx.timerService().currentProcessingTime() + timeoutMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            deadline.update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<QueryResult> out) throws Exception {
        QueryResult acc = partial.value();
        if (acc != null) {
            timeouts.inc();
            out.collect(acc);
            ctx.output(VectorIndexFunction.DEAD_LETTERS, new DeadLetter(
                    "all shards must answer within " + timeoutMillis + " ms; answered=" + acc.shardsAnswered()
                            + " of " + acc.shardCount(), "query", acc.answerString(), timestamp));
        }
        partial.clear();
        deadline.clear();
    }

    private void clear(Context ctx) throws Exception {
        Long at = deadline.value();
        if (at != null) {
            ctx.timerService().deleteProcessingTimeTimer(at);
        }
        partial.clear();
        deadline.clear();
    }

    private static QueryResult asMerged(QueryResult p) {
        return new QueryResult(p.queryId(), p.key(), p.k(), p.ids(), p.distances(), p.indexSize(), p.searchMicros(),
                -1, 1, p.shardCount());
    }

    /** Top k of the union by (distance, id): commutative and associative, so arrival order does not matter. */
    static QueryResult merge(QueryResult a, QueryResult b) {
        int k = Math.max(a.k(), b.k());
        long[] ids = new long[Math.min(k, a.ids().length + b.ids().length)];
        float[] ds = new float[ids.length];
        int i = 0;
        int j = 0;
        for (int n = 0; n < ids.length; n++) {
            boolean takeA = j >= b.ids().length || (i < a.ids().length
                    && (a.distances()[i] < b.distances()[j]
                        || (a.distances()[i] == b.distances()[j] && a.ids()[i] <= b.ids()[j])));
            if (takeA) {
                ids[n] = a.ids()[i];
                ds[n] = a.distances()[i++];
            } else {
                ids[n] = b.ids()[j];
                ds[n] = b.distances()[j++];
            }
        }
        return new QueryResult(a.queryId(), a.key(), k, ids, ds, a.indexSize() + b.indexSize(),
                a.searchMicros() + b.searchMicros(), -1, a.shardsAnswered() + b.shardsAnswered(),
                Math.max(a.shardCount(), b.shardCount()));
    }

    @Override
    public String toString() {
        return "TopKMergeFunction{timeoutMillis=" + timeoutMillis + "}";
    }
}
