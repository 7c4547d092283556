package io.vectorstream.operators;

import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.util.MathUtils;

/**
 * Routes every partial answer of one query to the same {@link TopKMergeOperator} subtask, by a murmur hash of
 * the query id. {@link TopKMergeOperator} uses the same function after a restore to keep exactly the open
 * merges whose remaining partials will be routed to it, at whatever parallelism the job now runs.
 *
 * <p>Why not {@code keyBy}: a keyed operator gets a keyed state backend, and with RocksDB that is one more
 * native database per subtask whose synchronous snapshot stalls the result sink at every checkpoint, for a
 * merge that keeps no keyed state at all.
 *
 * <p>Stateless and thread-safe.
 */
public final class QueryIdPartitioner implements Partitioner<String> {
    private static final long serialVersionUID = 1L;

    public static final QueryIdPartitioner INSTANCE = new QueryIdPartitioner();

    /** The subtask, in {@code [0, parallelism)}, that merges {@code queryId}'s partial answers. */
    public static int owner(String queryId, int parallelism) {
        return MathUtils.murmurHash(queryId.hashCode()) % parallelism;
    }

    @Override
    public int partition(String queryId, int numPartitions) {
        return owner(queryId, numPartitions);
    }
}
