package io.vectorstream.operators.internal;

import io.vectorstream.index.HnswIndex;
import io.vectorstream.index.IdFilter;
import io.vectorstream.operators.AttributeFilter;
import java.util.Arrays;
import java.util.Map;

/**
 * The heap cache of one key's index: the HNSW graph plus each node's attributes by ordinal (for filters).
 * Everything here can be rebuilt from keyed state. Not thread-safe: used by its operator's task thread.
 */
public final class KeyIndex {
    private final HnswIndex index;
    private final int dimension;
    @SuppressWarnings("unchecked")
    private Map<String, String>[] attributes = new Map[16];
    private long[] externalIds = new long[16];

    public KeyIndex(HnswIndex index, int dimension) {
        this.index = index;
        this.dimension = dimension;
    }

    public HnswIndex index() {
        return index;
    }

    public int dimension() {
        return dimension;
    }

    /** Records the attributes of the node at {@code ord} (null or empty: none). */
    public void setAttributes(int ord, Map<String, String> attrs) {
        if (ord >= attributes.length) {
            attributes = Arrays.copyOf(attributes, Math.max(ord + 1, attributes.length * 2));
        }
        attributes[ord] = attrs == null || attrs.isEmpty() ? null : attrs;
    }

    public Map<String, String> attributes(int ord) {
        return ord < attributes.length ? attributes[ord] : null;
    }

    /** An id predicate that checks {@code filter} against the node's attributes; null for no filter. */
    public IdFilter idFilter(AttributeFilter filter) {
        if (filter == null) {
            return null;
        }
        return id -> {
            int ord = index.ordinalOf(id);
            return ord >= 0 && filter.matches(attributes(ord));
        };
    }

    /** Records the caller's id of the node at {@code ord} (it differs from the index's id in GLOBAL mode). */
    public void setExternalId(int ord, long id) {
        if (ord >= externalIds.length) {
            externalIds = Arrays.copyOf(externalIds, Math.max(ord + 1, externalIds.length * 2));
        }
        externalIds[ord] = id;
    }

    /** The callers' ids of index ids {@code indexIds} (a new array; results are small). */
    public long[] externalIds(long[] indexIds) {
        long[] out = new long[indexIds.length];
        for (int i = 0; i < indexIds.length; i++) {
            out[i] = externalIds[index.ordinalOf(indexIds[i])];
        }
        return out;
    }

    /** Heap bytes of the graph plus the attribute table (attribute maps counted roughly). */
    public long ramBytesUsed() {
        return index.ramBytesUsed() + 32L + 8L * attributes.length + 8L * externalIds.length;
    }
}
