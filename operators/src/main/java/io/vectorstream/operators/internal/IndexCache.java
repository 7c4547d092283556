package io.vectorstream.operators.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.ObjLongConsumer;

/**
 * Per-subtask LRU cache of key indexes under a heap budget. Evicting drops only the heap copy: keyed state
 * stays the source of truth and the index is rebuilt from it on the next access. Not thread-safe.
 */
public final class IndexCache {
    private final long maxBytes;
    private final LinkedHashMap<String, KeyIndex> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Long> sizes = new java.util.HashMap<>();
    private long bytes;
    private long evictions;

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
            Long s = sizes.remove(key);
            bytes -= s == null ? 0 : s;
        }
    }

    /** Re-measures one entry after it changed. */
    public void resize(String key, KeyIndex index) {
        long now = index.ramBytesUsed();
        Long before = sizes.put(key, now);
        bytes += now - (before == null ? 0 : before);
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
            Long s = sizes.remove(e.getKey());
            bytes -= s == null ? 0 : s;
            evicted++;
            onEvicted.accept(e.getKey(), s == null ? 0 : s);
        }
        evictions += evicted;
        return evicted;
    }

    public long bytes() {
        return bytes;
    }

    public int keys() {
        return entries.size();
    }

    /** A copy of the cached keys. */
    public Set<String> keySet() {
        return new java.util.HashSet<>(entries.keySet());
    }

    public long evictions() {
        return evictions;
    }

    /** Live vectors in the cached indexes. */
    public long vectors() {
        long n = 0;
        for (KeyIndex k : entries.values()) {
            n += k.index().size();
        }
        return n;
    }

    public void clear() {
        entries.clear();
        sizes.clear();
        bytes = 0;
    }
}
