package io.vectorstream.operators;

import io.vectorstream.operators.internal.Shards;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Keys vector events: the partition key in KEYED mode; in GLOBAL mode the partition key's index in the shard of
 * (partition key, id) given by {@link GlobalRouting} (never the record's own {@code routingHash}, which the operator
 * only checks). Stateless apart from a cache of derived keys; thread-safe.
 */
public final class VectorEventKeySelector implements KeySelector<VectorEvent, String> {
    private static final long serialVersionUID = 1L;
    private final IndexMode mode;
    private final Shards shards;
    private final int shardsPerKey;

    public VectorEventKeySelector(VectorSearchConfig config) {
        this.mode = config.mode();
        this.shards = mode == IndexMode.GLOBAL ? new Shards(config.shards(), config.maxParallelism()) : null;
        this.shardsPerKey = config.shardsPerKey();
    }

    @Override
    public String getKey(VectorEvent e) {
        if (mode == IndexMode.GLOBAL) {
            // An event without an id still needs a key; the operator dead-letters it there.
            int shard = e.id() == null ? 0 : GlobalRouting.shardOf(e.key(), e.id(), shards.count(), shardsPerKey);
            return shards.pieceKey(shard, e.key());
        }
        return e.key() == null ? "" : e.key();
    }
}
