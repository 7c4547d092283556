package io.vectorstream.operators;

import io.vectorstream.operators.typeutils.QueryResultSerializer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * GLOBAL mode: merges the per-shard partial answers of one query (the input is partitioned by query id with
 * {@link QueryIdPartitioner}) into its top k, and emits it once every shard answered; likewise the per-shard parts of
 * an upsert's neighbours when a key spans several shards, emitted to {@link VectorIndexFunction#UPDATES}. The merge is the top k of the union by (distance, id), so it does
 * not depend on the order the partials arrive in.
 *
 * <p><b>State.</b> A merge is open only between a query's first and last partial, normally well under a
 * millisecond, so the open merges live in a heap map and are written to Flink <em>operator</em> state only
 * when a checkpoint is taken. The earlier design kept them in keyed state: with RocksDB that was six writes
 * and deletes per query (partial, deadline, timer), and each checkpoint then had to flush tens of thousands of
 * them from the memtable while the task waited: a 150-240 ms stall at every checkpoint at 1,000 queries/s.
 * Now a checkpoint writes the handful of merges open at the barrier, nothing else, and the operator is
 * not keyed, so it has no keyed state backend to snapshot either. The list is union redistributed: after a
 * restore at any parallelism every subtask reads all of it and keeps the merges whose query id
 * {@link QueryIdPartitioner} routes to it, so the remaining partials find them.
 *
 * <p><b>Timeouts.</b> A processing-time sweep emits a merge that is still open {@code timeoutMillis} after it
 * began as an incomplete answer, plus a dead letter naming how many shards answered, so a lost partial never
 * leaks memory or leaves a query unanswered. A restored merge starts a fresh timeout.
 *
 * <p>Threading: Flink calls every method, including the sweep, on the task thread; instances are not shared.
 */
public class TopKMergeOperator extends AbstractStreamOperator<QueryResult>
        implements OneInputStreamOperator<QueryResult, QueryResult> {
    private static final long serialVersionUID = 1L;

    private final long timeoutMillis;

    /** Open merges by query id, oldest first (so the sweep stops at the first one not yet due). */
    private transient LinkedHashMap<String, OpenMerge> open;
    private transient ListState<QueryResult> checkpointed;
    private transient boolean sweepScheduled;
    private transient Counter timeouts;
    private transient io.vectorstream.operators.internal.DeadLetterCounters deadLetters;

    public TopKMergeOperator(long timeoutMillis) {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeoutMillis must be > 0; timeoutMillis=" + timeoutMillis);
        }
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        open = new LinkedHashMap<>();
        checkpointed = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("vectorstream-open-merges", QueryResultSerializer.INSTANCE));
        if (context.isRestored()) {
            TaskInfo task = getRuntimeContext().getTaskInfo();
            long due = getProcessingTimeService().getCurrentProcessingTime() + timeoutMillis;
            for (QueryResult acc : checkpointed.get()) {
                if (QueryIdPartitioner.owner(acc.queryId(), task.getNumberOfParallelSubtasks())
                        == task.getIndexOfThisSubtask()) {
                    open.put(mergeKey(acc), new OpenMerge(acc, due));
                }
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        org.apache.flink.metrics.MetricGroup g = getMetricGroup().addGroup("vectorstream");
        timeouts = g.counter("mergeTimeouts");
        deadLetters = new io.vectorstream.operators.internal.DeadLetterCounters(g);
        if (!open.isEmpty()) {
            scheduleSweep(open.values().iterator().next().due);
        }
    }

    @Override
    public void processElement(StreamRecord<QueryResult> element) {
        QueryResult part = element.getValue();
        String mergeKey = mergeKey(part);
        OpenMerge m = open.get(mergeKey);
        QueryResult merged = m == null ? asMerged(part) : merge(m.acc, part);
        if (merged.shardsAnswered() >= merged.shardCount()) {
            if (m != null) {
                open.remove(mergeKey);
            }
            emit(element.replace(merged));
            return;
        }
        if (m != null) {
            m.acc = merged;
            return;
        }
        long due = getProcessingTimeService().getCurrentProcessingTime() + timeoutMillis;
        open.put(mergeKey, new OpenMerge(merged, due));
        if (!sweepScheduled) {
            scheduleSweep(due);
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<QueryResult> accs = new ArrayList<>(open.size());
        for (OpenMerge m : open.values()) {
            accs.add(m.acc);
        }
        checkpointed.update(accs);
    }

    /** Open merges right now; for tests and metrics. */
    int openMerges() {
        return open.size();
    }

    private void scheduleSweep(long at) {
        sweepScheduled = true;
        getProcessingTimeService().registerTimer(at, this::sweep);
    }

    private void sweep(long now) {
        sweepScheduled = false;
        Iterator<OpenMerge> it = open.values().iterator();
        while (it.hasNext()) {
            OpenMerge m = it.next();
            if (m.due > now) {
                scheduleSweep(m.due);
                return;
            }
            it.remove();
            timeouts.inc();
            emit(new StreamRecord<>(m.acc));
            output.collect(VectorIndexFunction.DEAD_LETTERS, new StreamRecord<>(deadLetters.count(new DeadLetter(
                    "all shards must answer within " + timeoutMillis + " ms; answered=" + m.acc.shardsAnswered()
                            + " of " + m.acc.shardCount(), DeadLetter.ReasonClass.MERGE_TIMEOUT, "query",
                    m.acc.answerString(), now, null))));
        }
    }

    /**
     * What identifies one merge: the query id for answers; for an upsert's neighbours (kind INSERT_NEIGHBORS, whose
     * query id is the upsert's id) also the kind, the partition key and the event time, so they never meet a query
     * of the same id, another tenant's upsert of the same id, nor the same id's upsert at another time. (Two upserts
     * of one id under one key at one event time are one merge: which of them is the vector is undefined anyway.)
     */
    static String mergeKey(QueryResult r) {
        return r.kind() == QueryResult.Kind.ANSWER ? r.queryId()
                : r.kind() + "\u0000" + r.key() + "\u0000" + r.queryId() + "\u0000" + r.queryEventTime();
    }

    /** Answers to the main output, an upsert's merged neighbours to {@link VectorIndexFunction#UPDATES}. */
    private void emit(StreamRecord<QueryResult> merged) {
        if (merged.getValue().kind() == QueryResult.Kind.ANSWER) {
            output.collect(merged);
        } else {
            output.collect(VectorIndexFunction.UPDATES, merged);
        }
    }

    /** A first partial as a merged answer (each id once, as {@link #merge} keeps it). */
    static QueryResult asMerged(QueryResult p) {
        QueryResult none = new QueryResult(p.queryId(), p.key(), p.k(), new long[0], new float[0], 0, 0, -1, 0,
                p.shardCount(), p.queryEventTime());
        return merge(p, none);
    }

    /**
     * Top k of the union by (distance, id), each id at most once (its closest entry): commutative and
     * associative, so arrival order does not matter. Routing puts a vector on exactly one shard, so a repeated id
     * means the same vector twice (never shown) or, for a query without a key, two tenants using one id (then
     * the closer is kept; give the query a key to search one tenant).
     */
    static QueryResult merge(QueryResult a, QueryResult b) {
        int k = Math.max(a.k(), b.k());
        int cap = Math.min(k, a.ids().length + b.ids().length);
        long[] ids = new long[cap];
        float[] ds = new float[cap];
        java.util.Set<Long> seen = cap > 32 ? new java.util.HashSet<>() : null;
        int i = 0;
        int j = 0;
        int n = 0;
        while (n < cap && (i < a.ids().length || j < b.ids().length)) {
            boolean takeA = j >= b.ids().length || (i < a.ids().length
                    && (a.distances()[i] < b.distances()[j]
                        || (a.distances()[i] == b.distances()[j] && a.ids()[i] <= b.ids()[j])));
            long id = takeA ? a.ids()[i] : b.ids()[j];
            float d = takeA ? a.distances()[i++] : b.distances()[j++];
            if (seen != null ? seen.add(id) : !contains(ids, n, id)) {
                ids[n] = id;
                ds[n++] = d;
            }
        }
        if (n < cap) {
            ids = java.util.Arrays.copyOf(ids, n);
            ds = java.util.Arrays.copyOf(ds, n);
        }
        return new QueryResult(a.queryId(), a.key(), k, ids, ds, a.indexSize() + b.indexSize(),
                a.searchMicros() + b.searchMicros(), -1, a.shardsAnswered() + b.shardsAnswered(),
                Math.max(a.shardCount(), b.shardCount()), a.queryEventTime(), a.kind());
    }

    private static boolean contains(long[] ids, int n, long id) {
        for (int i = 0; i < n; i++) {
            if (ids[i] == id) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "TopKMergeOperator{timeoutMillis=" + timeoutMillis + "}";
    }

    /** One open merge: the answer so far and when it times out. */
    private static final class OpenMerge {
        QueryResult acc;
        final long due;

        OpenMerge(QueryResult acc, long due) {
            this.acc = acc;
            this.due = due;
        }
    }
}
