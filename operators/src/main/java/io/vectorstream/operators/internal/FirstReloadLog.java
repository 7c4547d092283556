package io.vectorstream.operators.internal;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Remembers which keys the {@link IndexCache} evicted, so that the first time one of them is rebuilt from state
 * is logged once per subtask, at INFO, with the key and its sizes. An eviction alone is normal (a cold key makes
 * room); a reload is when the budget starts costing rebuilds, and the first one is the line to look for when
 * answers slow down. {@link KeyIndexStore}'s throttled WARN keeps reporting the later ones.
 *
 * <p>Bounded: it remembers at most {@link #MAX_REMEMBERED} evicted keys (a reload of a key it did not remember is
 * not logged here), and forgets them all once it has logged. Not thread-safe: the task thread only.
 */
final class FirstReloadLog {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FirstReloadLog.class);

    static final int MAX_REMEMBERED = 10_000;

    private final Map<String, Long> evictedBytes = new HashMap<>();
    private boolean logged;

    /** The cache evicted {@code key}, which held {@code bytes}. */
    void evicted(String key, long bytes) {
        if (!logged && (evictedBytes.size() < MAX_REMEMBERED || evictedBytes.containsKey(key))) {
            evictedBytes.put(key, bytes);
        }
    }

    /**
     * {@code key} was just rebuilt from state into {@code cache}: logs it when it is the first reload of an evicted
     * key, and returns the logged line (null when nothing was logged).
     */
    String reloaded(String key, KeyIndex loaded, IndexCache cache, long cacheMaxBytes) {
        if (logged) {
            return null;
        }
        Long bytesWhenEvicted = evictedBytes.get(key);
        if (bytesWhenEvicted == null) {
            return null;
        }
        logged = true;
        evictedBytes.clear();
        String line = String.format(Locale.ROOT, "index cache reloaded an evicted key for the first time (logged "
                        + "once): key %s rebuilt from state with %d vectors, %d bytes (%d bytes when evicted); the "
                        + "cache now holds %d bytes in %d keys, cacheMaxBytes=%d",
                key, loaded.index().size(), loaded.ramBytesUsed(), bytesWhenEvicted, cache.bytes(), cache.keys(),
                cacheMaxBytes);
        LOG.info(line);
        return line;
    }
}
