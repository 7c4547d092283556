package io.vectorstream.index;

import java.util.Arrays;

/**
 * The default {@link NeighborStorage}. Layer 0, where almost all traversal happens, is one contiguous
 * {@code int[]} with a fixed stride of {@code 1 + 2M} per node (cache friendly, no per-node object);
 * upper layers, held by about 1/M of the nodes, use one small {@code int[]} per such node.
 * Not thread-safe.
 */
public final class OnHeapNeighborStorage implements NeighborStorage {
    private final int stride0;
    private final int strideUp;
    private int[] level0;
    private float[] dist0;
    private int[][] upper;
    private float[][] distUp;
    /** Each node's top level, -1 for a free slot: a byte, as levels stop at {@link HnswGraph#MAX_LEVEL}, so
     *  the array a traversal checks for every neighbour stays small in cache. */
    private byte[] levels;
    /** Bytes held by upper-layer arrays, kept up to date so ramBytesUsed() is O(1). */
    private long upperBytes;

    /** Empty lists for M = {@code maxConn}, with room for {@code initialCapacity} nodes before they grow. */
    public OnHeapNeighborStorage(int maxConn, int initialCapacity) {
        this.stride0 = 1 + 2 * maxConn;
        this.strideUp = 1 + maxConn;
        int cap = Math.max(1, initialCapacity);
        level0 = new int[cap * stride0];
        dist0 = new float[cap * stride0];
        upper = new int[cap][];
        distUp = new float[cap][];
        levels = new byte[cap];
        Arrays.fill(levels, (byte) -1);
    }

    @Override
    public void ensureCapacity(int ords) {
        if (ords > levels.length) {
            int cap = Math.max(ords, levels.length + (levels.length >> 1));
            level0 = Arrays.copyOf(level0, cap * stride0);
            dist0 = Arrays.copyOf(dist0, cap * stride0);
            upper = Arrays.copyOf(upper, cap);
            distUp = Arrays.copyOf(distUp, cap);
            int old = levels.length;
            levels = Arrays.copyOf(levels, cap);
            Arrays.fill(levels, old, cap, (byte) -1);
        }
    }

    @Override
    public void initNode(int ord, int level) {
        assert level >= 0 && level <= HnswGraph.MAX_LEVEL : "level " + level;
        levels[ord] = (byte) level;
        level0[ord * stride0] = 0;
        dropUpper(ord);
        if (level > 0) {
            upper[ord] = new int[level * strideUp];
            distUp[ord] = new float[level * strideUp];
            upperBytes += 2 * (16L + 4L * upper[ord].length);
        }
    }

    private void dropUpper(int ord) {
        if (upper[ord] != null) {
            upperBytes -= 2 * (16L + 4L * upper[ord].length);
            upper[ord] = null;
            distUp[ord] = null;
        }
    }

    @Override
    public void clearNode(int ord) {
        levels[ord] = (byte) -1;
        level0[ord * stride0] = 0;
        dropUpper(ord);
    }

    @Override
    public int level(int ord) {
        return levels[ord];
    }

    @Override
    public int[] block(int ord, int level) {
        return level == 0 ? level0 : upper[ord];
    }

    @Override
    public float[] distances(int ord, int level) {
        return level == 0 ? dist0 : distUp[ord];
    }

    @Override
    public int offset(int ord, int level) {
        return level == 0 ? ord * stride0 : (level - 1) * strideUp;
    }

    @Override
    public void set(int ord, int level, int[] src, float[] dists, int count) {
        assert count <= (level == 0 ? stride0 : strideUp) - 1 : "list too long: " + count;
        int[] b = block(ord, level);
        int off = offset(ord, level);
        b[off] = count;
        System.arraycopy(src, 0, b, off + 1, count);
        System.arraycopy(dists, 0, distances(ord, level), off + 1, count);
    }

    @Override
    public long ramBytesUsed() {
        return 64L + 8L * level0.length + levels.length + 16L * upper.length + upperBytes;
    }
}
