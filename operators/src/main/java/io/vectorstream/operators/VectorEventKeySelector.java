package io.vectorstream.operators;

import io.vectorstream.operators.internal.Shards;
import org.apache.flink.api.java.functions.KeySelector;

/** Keys vector events: the partition key in KEYED mode, the id's shard in GLOBAL mode. Stateless. */
public final class VectorEventKeySelector implements KeySelector<VectorEvent, String> {
    private static final long serialVersionUID = 1L;
    private final IndexMode mode;
    private final int shards;

    public VectorEventKeySelector(VectorSearchConfig config) {
        this.mode = config.mode();
        this.shards = config.shards();
    }

    @Override
    public String getKey(VectorEvent e) {
        if (mode == IndexMode.GLOBAL) {
            // An event without an id still needs a key; the operator dead-letters it there.
            Long hash = e.routingHash() != null ? e.routingHash() : e.id();
            return Shards.shardKey(hash == null ? 0 : Shards.shardOf(hash, shards));
        }
        return e.key() == null ? "" : e.key();
    }
}
