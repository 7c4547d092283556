package io.vectorstream.index;

import io.vectorstream.index.internal.vectorization.KernelProvider;
import io.vectorstream.index.internal.vectorization.VectorKernels;

/**
 * {@link VectorScorer} over the float vectors on the heap, with the SIMD kernels chosen by the
 * {@link KernelProvider}. One final subclass per metric; see {@link VectorMetric} for the formulas.
 *
 * <p>Threading: as {@link VectorScorer}; {@link #distance(float[], int, float[], int)} is stateless and
 * thread-safe.
 */
abstract class FloatVectorScorer extends VectorScorer {
    static final VectorKernels K = KernelProvider.kernels();
    /** 64-byte cache lines (x86-64 and most ARM cores). */
    private static final int FLOATS_PER_CACHE_LINE = 16;

    final StoredVectors vectors;
    final int dim;
    final float[] query;
    /** The stored floats, as of the last query or refresh. */
    float[] data;

    private FloatVectorScorer(StoredVectors vectors) {
        this.vectors = vectors;
        this.dim = vectors.dimension();
        this.query = new float[dim];
        this.data = vectors.floatData();
    }

    /** The scorer of {@code metric}: the one place the float formula is chosen. */
    static FloatVectorScorer create(VectorMetric metric, StoredVectors vectors) {
        switch (metric) {
            case L2: return new L2(vectors);
            case INNER_PRODUCT: return new InnerProduct(vectors);
            case COSINE: return new Cosine(vectors);
            default: throw new AssertionError(metric);
        }
    }

    /** The metric's distance between {@code a[ao, ao+dim)} and {@code b[bo, bo+dim)}; stateless. */
    abstract float distance(float[] a, int ao, float[] b, int bo);

    /** The distance from the query to {@code v[0, dim)}, a vector in stored form read from elsewhere. */
    final float distanceTo(float[] v) {
        return distance(query, 0, v, 0);
    }

    /** Keeps the prefetching loads alive: the JIT drops loads whose values are never used. */
    private float prefetched;

    @Override
    final void prefetch(int[] ords, int count) {
        float[] f = data;
        int d = dim;
        float acc = 0f;
        for (int i = 0; i < count; i++) {
            int base = ords[i] * d;
            for (int j = base, end = base + d; j < end; j += FLOATS_PER_CACHE_LINE) {
                acc += f[j];
            }
        }
        prefetched += acc;
    }

    @Override
    final void setQuery(float[] q) {
        System.arraycopy(q, 0, query, 0, dim);
        data = vectors.floatData();
    }

    @Override
    final void setQueryToNode(int ord) {
        data = vectors.floatData();
        System.arraycopy(data, ord * dim, query, 0, dim);
    }

    @Override
    final void refresh() {
        data = vectors.floatData();
    }

    /** Squared Euclidean distance. */
    static final class L2 extends FloatVectorScorer {
        L2(StoredVectors vectors) {
            super(vectors);
        }

        @Override
        float distance(int ord) {
            return K.squareDistance(query, 0, data, ord * dim, dim);
        }

        @Override
        float distanceBetween(int a, int b) {
            float[] d = vectors.floatData();
            return K.squareDistance(d, a * dim, d, b * dim, dim);
        }

        @Override
        float distance(float[] a, int ao, float[] b, int bo) {
            return K.squareDistance(a, ao, b, bo, dim);
        }
    }

    /** {@code -dot}: maximum inner product as a distance. */
    static final class InnerProduct extends FloatVectorScorer {
        InnerProduct(StoredVectors vectors) {
            super(vectors);
        }

        @Override
        float distance(int ord) {
            return -K.dot(query, 0, data, ord * dim, dim);
        }

        @Override
        float distanceBetween(int a, int b) {
            float[] d = vectors.floatData();
            return -K.dot(d, a * dim, d, b * dim, dim);
        }

        @Override
        float distance(float[] a, int ao, float[] b, int bo) {
            return -K.dot(a, ao, b, bo, dim);
        }
    }

    /** {@code 1 - dot} of unit vectors (they are normalised on the way in). */
    static final class Cosine extends FloatVectorScorer {
        Cosine(StoredVectors vectors) {
            super(vectors);
        }

        @Override
        float distance(int ord) {
            return 1f - K.dot(query, 0, data, ord * dim, dim);
        }

        @Override
        float distanceBetween(int a, int b) {
            float[] d = vectors.floatData();
            return 1f - K.dot(d, a * dim, d, b * dim, dim);
        }

        @Override
        float distance(float[] a, int ao, float[] b, int bo) {
            return 1f - K.dot(a, ao, b, bo, dim);
        }
    }
}
