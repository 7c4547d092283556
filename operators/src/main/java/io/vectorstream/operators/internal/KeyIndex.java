package io.vectorstream.operators.internal;

import io.vectorstream.index.HnswIndex;
import io.vectorstream.index.OrdinalBitSet;
import io.vectorstream.operators.AttributeFilter;
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
    /** Whether the index's per-coordinate quantiser ranges are in keyed state (written once, when trained). */
    private boolean quantizerPersisted;

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

    /** Whether the per-coordinate quantiser ranges of this index are in keyed state already. */
    public boolean quantizerPersisted() {
        return quantizerPersisted;
    }

    /** Records that the per-coordinate quantiser ranges are in keyed state. */
    public void markQuantizerPersisted() {
        quantizerPersisted = true;
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

    /** Heap bytes of the graph and the attribute index (its member lists and bitsets). */
    public long ramBytesUsed() {
        return index.ramBytesUsed() + 32L + attributes.ramBytesUsed();
    }
}
