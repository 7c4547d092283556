package io.vectorstream.operators.internal;

import io.vectorstream.index.HnswIndex;
import io.vectorstream.index.OrdinalBitSet;
import io.vectorstream.operators.AttributeFilter;
import java.util.Arrays;
import java.util.Map;

/**
 * The heap cache of one key's index: the HNSW graph plus, per attribute value, the ordinals holding it
 * ({@link AttributeBitsets}), so a filter becomes an ordinal bitset. Everything here can be rebuilt from keyed
 * state. Not thread-safe: used by its operator's task thread.
 */
public final class KeyIndex {
    private final HnswIndex index;
    private final int dimension;
    private final AttributeBitsets attributes = new AttributeBitsets();
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

    /**
     * Records the attributes of the node at {@code ord} (null or empty: none), replacing what the ordinal held
     * before. Call it with null when the ordinal is removed, so its bits never outlive the node.
     */
    public void setAttributes(int ord, Map<String, String> attrs) {
        if (attrs == null || attrs.isEmpty()) {
            attributes.clear(ord, index.ordinalBound());
        } else {
            attributes.set(ord, attrs, index.ordinalBound());
        }
    }

    /** The attributes recorded for {@code ord} (empty when none); rebuilt per call, not for hot paths. */
    public Map<String, String> attributes(int ord) {
        return attributes.attributes(ord);
    }

    /**
     * The ordinals that {@code filter} accepts, for {@link HnswIndex#search(float[], int, int, OrdinalBitSet)};
     * null when there is no filter. Scratch owned by this object: valid until the next call.
     */
    public OrdinalBitSet acceptedOrdinals(AttributeFilter filter) {
        return attributes.matching(filter, index.ordinalBound());
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

    /** Heap bytes of the graph, the attribute index (its member lists and bitsets) and the callers' ids. */
    public long ramBytesUsed() {
        return index.ramBytesUsed() + 32L + attributes.ramBytesUsed() + 8L * externalIds.length;
    }
}
