package io.vectorstream.operators;

import java.nio.charset.StandardCharsets;

/**
 * Where a vector lives in GLOBAL mode: a pure function of its partition key (the tenant) and its id, so an
 * upsert, its later updates and its delete always reach the same shard, and tenant A's id 7 and tenant B's id 7
 * are two vectors. Each key owns {@code shardsPerKey} consecutive shards (all of them by default, so one large
 * key spreads over the cluster; one, so a keyed query reaches a single shard) starting at a shard its key hash
 * picks; the id picks one of them. Producers that partition their Kafka topic the same way (or fill the
 * optional {@code routingHash} field) compute it exactly as written here:
 * <pre>
 *   k = FNV-1a 64 over the key's UTF-8 bytes (the empty string for no key)
 *   routingHash = mix(k ^ mix(id)),  mix = SplitMix64's finaliser
 *   firstShard = Long.remainderUnsigned(mix(k), shards)
 *   shard = (firstShard + Long.remainderUnsigned(routingHash, shardsPerKey)) % shards
 * </pre>
 * Stateless and thread-safe.
 */
public final class GlobalRouting {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private GlobalRouting() {}

    /** The routing hash of ({@code key}, {@code id}); {@code key} null means no key. */
    public static long routingHash(String key, long id) {
        return mix(keyHash(key) ^ mix(id));
    }

    /** The shard, in [0, shards), of ({@code key}, {@code id}) when each key owns {@code shardsPerKey} shards. */
    public static int shardOf(String key, long id, int shards, int shardsPerKey) {
        int offset = (int) Long.remainderUnsigned(routingHash(key, id), shardsPerKey);
        return (firstShardOf(key, shards) + offset) % shards;
    }

    /** The first of the {@code shardsPerKey} consecutive shards (modulo {@code shards}) that {@code key} owns. */
    public static int firstShardOf(String key, int shards) {
        return (int) Long.remainderUnsigned(mix(keyHash(key)), shards);
    }

    // FNV-1a 64 over the UTF-8 bytes; null and "" are the same key.
    private static long keyHash(String key) {
        long k = FNV_OFFSET;
        if (key != null) {
            for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
                k ^= b & 0xff;
                k *= FNV_PRIME;
            }
        }
        return k;
    }

    // SplitMix64's finaliser (Steele, Lea, Flood 2014): every input bit affects every output bit.
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
