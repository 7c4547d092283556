package io.vectorstream.index;

/**
 * Told which nodes a mutation touched, so a caller can persist exactly those (the Flink operators write
 * them to keyed state). Called on the writer's thread, synchronously, possibly more than once for the same
 * ordinal within one {@code add}/{@code remove}.
 */
public interface IndexChangeListener {

    /** The node's id, vector, level or a neighbour list changed. */
    void nodeChanged(int ord);

    /** The node was removed; its slot may be reused by a later add. */
    void nodeRemoved(int ord);

    /** Index-wide metadata changed (entry point, top level, level generator, quantiser). */
    void metadataChanged();

    /** A listener that ignores everything. */
    IndexChangeListener NONE = new IndexChangeListener() {
        @Override public void nodeChanged(int ord) {}
        @Override public void nodeRemoved(int ord) {}
        @Override public void metadataChanged() {}
    };
}
