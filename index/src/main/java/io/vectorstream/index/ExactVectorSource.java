package io.vectorstream.index;

/**
 * Where an index whose float vectors are not on the heap ({@link HnswConfig#vectorsOnHeap()} false) reads a
 * node's stored vector for exact re-ranking: for example the Flink operator's keyed state. Called on the thread
 * that searches or mutates the index, for live nodes only; {@link HnswIndex#searchBatch} with a parallelism above 1
 * calls it from several threads at once, so a source used there must be thread-safe.
 */
@FunctionalInterface
public interface ExactVectorSource {
    /**
     * Copies the stored vector of live node {@code ord} (external id {@code id}; unit length under cosine) into
     * {@code dst}, which has the index's dimension.
     *
     * @throws IllegalStateException when the vector cannot be read (the index cannot answer without it)
     */
    void read(int ord, long id, float[] dst);
}
