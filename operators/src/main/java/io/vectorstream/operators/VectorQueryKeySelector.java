package io.vectorstream.operators;

import io.vectorstream.operators.internal.Shards;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Keys queries: the partition key in KEYED mode; in GLOBAL mode the partition key's index in the addressed shard,
 * or for a query without a key the shard itself (whose operator then searches every index of the shard).
 * Stateless apart from a cache of derived keys; thread-safe.
 */
public final class VectorQueryKeySelector implements KeySelector<VectorQuery, String> {
    private static final long serialVersionUID = 1L;
    private final IndexMode mode;
    private final Shards shards;

    public VectorQueryKeySelector(VectorSearchConfig config) {
        this.mode = config.mode();
        this.shards = mode == IndexMode.GLOBAL ? new Shards(config.shards(), config.maxParallelism()) : null;
    }

    @Override
    public String getKey(VectorQuery q) {
        if (mode == IndexMode.GLOBAL) {
            return shards.pieceKey(Math.max(0, q.shard()), q.key());
        }
        return q.key() == null ? "" : q.key();
    }
}
