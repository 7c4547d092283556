package io.vectorstream.operators.state;

import io.vectorstream.index.IndexMetadata;
import java.util.Objects;

/**
 * The per-key value state: the key's vector dimension (fixed by its first vector) and the index-wide
 * metadata needed to rebuild its graph from the node and neighbour maps. Immutable.
 */
public final class KeyIndexMeta {
    private final int dimension;
    private final IndexMetadata index;

    public KeyIndexMeta(int dimension, IndexMetadata index) {
        this.dimension = dimension;
        this.index = index;
    }

    public int dimension() { return dimension; }
    public IndexMetadata index() { return index; }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyIndexMeta && dimension == ((KeyIndexMeta) o).dimension
                && index.equals(((KeyIndexMeta) o).index);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dimension, index);
    }

    @Override
    public String toString() {
        return "KeyIndexMeta{dimension=" + dimension + ", " + index + '}';
    }
}
