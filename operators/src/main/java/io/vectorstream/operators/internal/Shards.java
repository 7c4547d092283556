package io.vectorstream.operators.internal;

import java.io.Serial;
import java.io.Serializable;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * The Flink keys of the GLOBAL index's shards, chosen so that Flink's own key-group assignment spreads the shards
 * evenly over the subtasks at every parallelism.
 *
 * <p>Why not "shard-0".."shard-N": Flink hashes a key into one of {@code maxParallelism} key groups and gives each
 * subtask a contiguous range of them, so hashed shard names land wherever the hash puts them (8 shards at
 * parallelism 8 gave two subtasks none and two subtasks two). Here shard {@code s} is pinned to key group
 * {@code s * maxParallelism / shards}: with {@code shards} dividing {@code maxParallelism}, the contiguous ranges
 * of any parallelism from 1 to {@code maxParallelism} then hold shard counts that differ by at most one (checked
 * by {@code GlobalShardingTest} against {@link KeyGroupRangeAssignment}). The keys are found by hashing the
 * candidates {@code "shard-0"}, {@code "shard-1"}, ... in order with Flink's own key-group function and giving each
 * pinned group the first candidate that lands in it (about {@code maxParallelism * ln(shards)} hashes), so they
 * are a pure function of (shards, maxParallelism).
 *
 * <p>Immutable and thread-safe after construction.
 */
public final class Shards implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private final int maxParallelism;
    private final String[] keys;

    public Shards(int shards, int maxParallelism) {
        checkLayout(shards, maxParallelism);
        this.maxParallelism = maxParallelism;
        this.keys = new String[shards];
        int missing = shards;
        for (long candidate = 0; missing > 0; candidate++) {
            String key = "shard-" + candidate;
            int group = KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism);
            // Pinned groups are the multiples of maxParallelism / shards (shards divides maxParallelism).
            if (group % (maxParallelism / shards) == 0) {
                int shard = group / (maxParallelism / shards);
                if (keys[shard] == null) {
                    keys[shard] = key;
                    missing--;
                }
            }
        }
    }

    /**
     * Refuses a layout that cannot spread evenly at every parallelism.
     *
     * @throws IllegalArgumentException naming both values
     */
    public static void checkLayout(int shards, int maxParallelism) {
        if (maxParallelism < 1 || maxParallelism > KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM) {
            throw new IllegalArgumentException("maxParallelism must be in [1, "
                    + KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM + "]; maxParallelism=" + maxParallelism);
        }
        if (shards < 1 || shards > maxParallelism || maxParallelism % shards != 0) {
            throw new IllegalArgumentException("shards must divide maxParallelism (" + maxParallelism
                    + ") so that every parallelism gets an even share of the shards; shards=" + shards);
        }
    }

    /** The key group shard {@code shard} is pinned to. */
    public static int keyGroupOf(int shard, int shards, int maxParallelism) {
        return (int) ((long) shard * maxParallelism / shards);
    }

    public int count() {
        return keys.length;
    }

    public int maxParallelism() {
        return maxParallelism;
    }

    /** The key under which shard {@code shard}'s index lives. */
    public String key(int shard) {
        return keys[shard];
    }
}
