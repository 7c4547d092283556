package io.vectorstream.index;

/**
 * Where an {@link HnswIndex} keeps its neighbour lists, addressed by internal ordinal and layer. A list is a
 * count followed by that many ordinals in a primitive {@code int[]}: {@code block(ord, level)[offset]} is the
 * count and the neighbours follow it. Reading needs no allocation.
 *
 * <p>Not thread-safe: the index's single writer mutates it; searches only read.
 */
public interface NeighborStorage {

    /** Makes room for ordinals below {@code ords}. */
    void ensureCapacity(int ords);

    /** Creates the (empty) lists of a node whose top layer is {@code level}. */
    void initNode(int ord, int level);

    /** Drops the node's lists; {@link #level(int)} becomes -1. */
    void clearNode(int ord);

    /** The node's top layer, or -1 for an unused slot. */
    int level(int ord);

    /** The array holding the list of {@code ord} at {@code level} (level must be at most {@link #level(int)}). */
    int[] block(int ord, int level);

    /** Where in {@link #block(int, int)} that list starts (its count; neighbours follow). */
    int offset(int ord, int level);

    /**
     * The distances parallel to {@link #block(int, int)}: {@code distances(ord, level)[offset + 1 + i]} is the
     * distance from {@code ord} to its i-th neighbour. Lists are kept sorted by it, closest first.
     */
    float[] distances(int ord, int level);

    /** Replaces the list of {@code ord} at {@code level} with {@code src[0, count)} and their distances. */
    void set(int ord, int level, int[] src, float[] dists, int count);

    /** Approximate heap bytes held. */
    long ramBytesUsed();
}
