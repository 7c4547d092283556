package io.vectorstream.operators;

import io.vectorstream.operators.internal.Shards;
import org.apache.flink.api.java.functions.KeySelector;

/** Keys queries: the partition key in KEYED mode, the addressed shard in GLOBAL mode. Stateless. */
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
            return shards.key(Math.max(0, q.shard()));
        }
        return q.key() == null ? "" : q.key();
    }
}
