package io.vectorstream.operators.internal;

/** Maps vector ids onto shard keys for GLOBAL mode. Stateless. */
public final class Shards {
    private Shards() {}

    /** The shard of {@code id}: a mixed hash, so sequential ids spread evenly. */
    public static int shardOf(long id, int shards) {
        long h = id * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        return (int) Math.floorMod(h, (long) shards);
    }

    /** The key under which shard {@code shard}'s index lives. */
    public static String shardKey(int shard) {
        return "shard-" + shard;
    }
}
