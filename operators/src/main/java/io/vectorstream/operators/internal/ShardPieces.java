package io.vectorstream.operators.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GLOBAL mode: which Flink keys of this subtask hold an index (or records waiting to build one), per shard, so a
 * query without a partition key can search every key's graph of its shard. A heap cache of what keyed state
 * holds: rebuilt from the state backend's keys after a restore ({@code VectorIndexOperator}) and kept up to date
 * as indexes appear and empty. Not thread-safe: Flink's task thread only.
 */
public final class ShardPieces {
    private final Shards shards;
    private final Map<Integer, Set<String>> byShard = new HashMap<>();

    public ShardPieces(Shards shards) {
        this.shards = shards;
    }

    /** Records that {@code flinkKey} holds an index or pending records; keys of no shard are ignored. */
    public void add(String flinkKey) {
        int shard = shards.shardOfKey(flinkKey);
        if (shard >= 0) {
            byShard.computeIfAbsent(shard, s -> new LinkedHashSet<>()).add(flinkKey);
        }
    }

    /** Records that {@code flinkKey} holds nothing any more. */
    public void remove(String flinkKey) {
        Set<String> keys = byShard.get(shards.shardOfKey(flinkKey));
        if (keys != null && keys.remove(flinkKey) && keys.isEmpty()) {
            byShard.remove(shards.shardOfKey(flinkKey));
        }
    }

    /**
     * The keys of {@code shard}, sorted (a copy: searching them may add or remove keys). Sorted so that the order
     * is the same before and after a restore.
     */
    public List<String> keysOf(int shard) {
        Set<String> keys = byShard.get(shard);
        if (keys == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>(keys);
        out.sort(null);
        return out;
    }
}
