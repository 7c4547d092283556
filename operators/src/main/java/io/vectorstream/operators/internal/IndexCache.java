package io.vectorstream.operators.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.ObjLongConsumer;

/**
 * Per-subtask LRU cache of key indexes under a heap budget. Evicting drops only the heap copy: keyed state
 * stays the source of truth and the index is rebuilt from it on the next access. Not thread-safe: the task thread
 * only, except {@link #bytes()}, {@link #keys()} and {@link #vectors()}, which read totals published after every
 * change and so may be called from a metrics reporter thread.
 */
public final class IndexCache {
    private final long maxBytes;
    private final LinkedHashMap<String, KeyIndex> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Long> sizes = new java.util.HashMap<>();
    private final Map<String, Integer> vectorCounts = new java.util.HashMap<>();
    private long bytes;
    private long vectorTotal;
    private long evictions;
    // Totals for gauges, read by the metrics reporter's thread (the maps above are the task thread's alone).
    private volatile long publishedBytes;
    private volatile long publishedVectors;
    private volatile int publishedKeys;

    public IndexCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public KeyIndex get(String key) {
        return entries.get(key);
    }

    public void put(String key, KeyIndex index) {
        entries.put(key, index);
        resize(key, index);
    }

    public void remove(String key) {
        if (entries.remove(key) != null) {
            forget(key);
            publish();
        }
    }

    /** Re-measures one entry after it changed. */
    public void resize(String key, KeyIndex index) {
        long now = index.ramBytesUsed();
        Long before = sizes.put(key, now);
        bytes += now - (before == null ? 0 : before);
        Integer beforeCount = vectorCounts.put(key, index.index().size());
        vectorTotal += index.index().size() - (beforeCount == null ? 0 : beforeCount);
        publish();
    }

    private long forget(String key) {
        Long s = sizes.remove(key);
        bytes -= s == null ? 0 : s;
        Integer c = vectorCounts.remove(key);
        vectorTotal -= c == null ? 0 : c;
        return s == null ? 0 : s;
    }

    private void publish() {
        publishedBytes = bytes;
        publishedVectors = vectorTotal;
        publishedKeys = entries.size();
    }

    /** Whether {@code extraBytes} more would still fit the budget, without evicting anything. */
    public boolean fits(long extraBytes) {
        return bytes + extraBytes <= maxBytes;
    }

    /**
     * Evicts least recently used keys, never {@code keep}, until the cache fits its budget, telling
     * {@code onEvicted} each evicted key and the bytes it held.
     */
    public int evictOver(String keep, ObjLongConsumer<String> onEvicted) {
        int evicted = 0;
        Iterator<Map.Entry<String, KeyIndex>> it = entries.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            Map.Entry<String, KeyIndex> e = it.next();
            if (e.getKey().equals(keep)) {
                continue;
            }
            it.remove();
            long s = forget(e.getKey());
            evicted++;
            onEvicted.accept(e.getKey(), s);
        }
        evictions += evicted;
        publish();
        return evicted;
    }

    /** Heap bytes of the cached indexes; any thread. */
    public long bytes() {
        return publishedBytes;
    }

    /** Cached keys; any thread. */
    public int keys() {
        return publishedKeys;
    }

    /** A copy of the cached keys. */
    public Set<String> keySet() {
        return new java.util.HashSet<>(entries.keySet());
    }

    public long evictions() {
        return evictions;
    }

    /** Live vectors in the cached indexes, as of their last measurement ({@link #put}, {@link #resize}); any thread. */
    public long vectors() {
        return publishedVectors;
    }

    public void clear() {
        entries.clear();
        sizes.clear();
        vectorCounts.clear();
        bytes = 0;
        vectorTotal = 0;
        publish();
    }
}
