package io.vectorstream.operators.internal;

import java.io.Serial;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    private static final int PIECE_KEY_CACHE = 4_096;
    private final String[] keys;
    // Derived from keys; rebuilt after deserialisation. Thread-safe: the map is concurrent, the arrays it holds
    // are filled idempotently (a race computes the same string twice).
    private transient volatile Map<String, String[]> pieceKeys;
    private transient volatile Map<String, Integer> shardsByKey;

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

    /** The key under which shard {@code shard}'s index lives: the index of no key ({@code null} or ""). */
    public String key(int shard) {
        return keys[shard];
    }

    /**
     * The Flink key of partition key {@code key}'s own index in shard {@code shard}: {@link #key(int)} for no key
     * ({@code null} or ""), else {@code key(shard) + "/" + salt + "/" + key} with the smallest salt that Flink's
     * key-group function puts in the shard's pinned group. Every index of a shard thus sits in one key group and
     * moves with it on a rescale, and a keyed query searches one graph holding only its key's vectors. A pure
     * function of (layout, shard, key); the salt takes about {@code maxParallelism} int hashes to find and is
     * cached.
     */
    public String pieceKey(int shard, String key) {
        if (key == null || key.isEmpty()) {
            return keys[shard];
        }
        Map<String, String[]> cache = pieceKeys();
        String[] perShard = cache.get(key);
        if (perShard == null) {
            if (cache.size() >= PIECE_KEY_CACHE) {
                cache.clear(); // bounded; recomputing is cheap
            }
            perShard = new String[keys.length];
            cache.put(key, perShard);
        }
        String piece = perShard[shard];
        if (piece == null) {
            piece = findPieceKey(shard, key);
            perShard[shard] = piece;
        }
        return piece;
    }

    /**
     * The partition key of a Flink key made by {@link #pieceKey} (what follows its second '/'), or null for a
     * shard's own key ({@link #key(int)}: the index of no key).
     */
    public static String partitionKeyOf(String flinkKey) {
        int first = flinkKey.indexOf('/');
        if (first < 0) {
            return null;
        }
        int second = flinkKey.indexOf('/', first + 1);
        if (second < 0) {
            throw new IllegalArgumentException("flinkKey must be a piece key (shard/salt/key); flinkKey=" + flinkKey);
        }
        return flinkKey.substring(second + 1);
    }

    /** The shard of a Flink key made by {@link #key} or {@link #pieceKey}; -1 for any other key. */
    public int shardOfKey(String flinkKey) {
        int slash = flinkKey.indexOf('/');
        Integer shard = shardsByKey().get(slash < 0 ? flinkKey : flinkKey.substring(0, slash));
        return shard == null ? -1 : shard;
    }

    private String findPieceKey(int shard, String key) {
        // String.hashCode of a + b is hash(a) * 31^|b| + hash(b): the salt is searched on ints, then the one
        // string built and checked against Flink's own function.
        String prefix = keys[shard] + "/";
        String suffix = "/" + key;
        int prefixHash = prefix.hashCode();
        int suffixHash = suffix.hashCode();
        int suffixPow = pow31(suffix.length());
        int group = keyGroupOf(shard, keys.length, maxParallelism);
        for (int salt = 0; ; salt++) {
            int digits = digitCount(salt);
            int h = (prefixHash * pow31(digits) + decimalHash(salt)) * suffixPow + suffixHash;
            if (KeyGroupRangeAssignment.computeKeyGroupForKeyHash(h, maxParallelism) == group) {
                String piece = prefix + salt + suffix;
                if (KeyGroupRangeAssignment.assignToKeyGroup(piece, maxParallelism) != group) {
                    throw new IllegalStateException("piece key must land in key group " + group + "; key=" + piece);
                }
                return piece;
            }
        }
    }

    private Map<String, String[]> pieceKeys() {
        Map<String, String[]> c = pieceKeys;
        if (c == null) {
            c = new ConcurrentHashMap<>();
            pieceKeys = c;
        }
        return c;
    }

    private Map<String, Integer> shardsByKey() {
        Map<String, Integer> m = shardsByKey;
        if (m == null) {
            m = new HashMap<>();
            for (int s = 0; s < keys.length; s++) {
                m.put(keys[s], s);
            }
            shardsByKey = m;
        }
        return m;
    }

    private static int pow31(int n) {
        int p = 1;
        for (int i = 0; i < n; i++) {
            p *= 31;
        }
        return p;
    }

    private static int digitCount(int v) {
        int n = 1;
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }

    /** {@code Integer.toString(v).hashCode()} for v >= 0, without the string. */
    private static int decimalHash(int v) {
        int h = 0;
        for (int pow = pow10(digitCount(v) - 1); pow > 0; pow /= 10) {
            h = 31 * h + ('0' + (v / pow) % 10);
        }
        return h;
    }

    private static int pow10(int n) {
        int p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }
}
