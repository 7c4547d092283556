package io.vectorstream.index;

import java.util.Arrays;

/** The default {@link VectorStorage}: one growable {@code float[]}. Not thread-safe. */
public final class OnHeapVectorStorage implements VectorStorage {
    private final int dimension;
    private float[] data;

    /** Empty storage for vectors of {@code dimension}, with room for {@code initialCapacity} before it grows. */
    public OnHeapVectorStorage(int dimension, int initialCapacity) {
        this.dimension = dimension;
        this.data = new float[Math.max(1, initialCapacity) * dimension];
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public void ensureCapacity(int ords) {
        long needed = (long) ords * dimension;
        if (needed > data.length) {
            if (needed > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("vector storage full: " + ords + " vectors of dimension " + dimension);
            }
            long grown = Math.max(needed, (long) data.length + (data.length >> 1));
            data = Arrays.copyOf(data, (int) Math.min(grown, Integer.MAX_VALUE - 8));
        }
    }

    @Override
    public void set(int ord, float[] vector) {
        System.arraycopy(vector, 0, data, ord * dimension, dimension);
    }

    @Override
    public void copyTo(int ord, float[] dst) {
        System.arraycopy(data, ord * dimension, dst, 0, dimension);
    }

    @Override
    public void release() {
        data = new float[0];
    }

    @Override
    public float[] data() {
        return data;
    }

    @Override
    public long ramBytesUsed() {
        return 16L + 4L * data.length;
    }
}
