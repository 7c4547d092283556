package io.vectorstream.index;

/**
 * Where an {@link HnswIndex} keeps its float vectors, addressed by internal ordinal. The layout is
 * contiguous: vector {@code ord} occupies {@code data()[ord * dimension, (ord + 1) * dimension)}, so distance
 * kernels read it without a copy or a per-node object.
 *
 * <p>Not thread-safe: the index's single writer mutates it; searches only read.
 */
public interface VectorStorage {

    /** Components per vector. */
    int dimension();

    /** Makes room for ordinals below {@code ords}. May replace the array {@link #data()} returns. */
    void ensureCapacity(int ords);

    /** Copies {@code vector} into slot {@code ord}. */
    void set(int ord, float[] vector);

    /** Copies slot {@code ord} into {@code dst}. */
    void copyTo(int ord, float[] dst);

    /** The backing array; re-read it after {@link #ensureCapacity(int)}. */
    float[] data();

    /** Approximate heap bytes held. */
    long ramBytesUsed();

    /** Frees the vectors: the index no longer reads them (its floats left the heap). */
    default void release() {}
}
