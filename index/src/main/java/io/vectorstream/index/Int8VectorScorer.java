package io.vectorstream.index;

import io.vectorstream.index.internal.vectorization.KernelProvider;
import io.vectorstream.index.internal.vectorization.VectorKernels;

/**
 * {@link VectorScorer} over the int8 codes of a quantised index ({@link ScalarQuantizer}: {@code x ~= mid +
 * scale * q}). One final subclass per metric. Usable once the index has a quantiser; distances estimate the
 * float ones, so searches re-rank their best candidates exactly.
 *
 * <p>Threading: as {@link VectorScorer}.
 */
abstract class Int8VectorScorer extends VectorScorer {
    static final VectorKernels K = KernelProvider.kernels();
    /** Bytes per cache line on the CPUs this runs on (x86-64 and most ARM cores). */
    private static final int CACHE_LINE = 64;
    /** Where the codes start in their array ({@link StoredVectors#CODE_BASE}). */
    private static final int BASE = StoredVectors.CODE_BASE;

    final StoredVectors vectors;
    final int dim;
    final byte[] queryCode;
    int querySum;
    /** The codes, their sums and the quantiser's terms, as of the last query or refresh. */
    byte[] codes;
    int[] sums;
    float scale;
    float mid;

    private Int8VectorScorer(StoredVectors vectors) {
        this.vectors = vectors;
        this.dim = vectors.dimension();
        this.queryCode = new byte[dim];
        this.touchLastLine = dim <= 4 * CACHE_LINE;
    }

    /** The scorer of {@code metric}: the one place the int8 formula is chosen. */
    static Int8VectorScorer create(VectorMetric metric, StoredVectors vectors) {
        switch (metric) {
            case L2: return new L2(vectors);
            case INNER_PRODUCT: return new InnerProduct(vectors);
            case COSINE: return new Cosine(vectors);
            default: throw new AssertionError(metric);
        }
    }

    /** Keeps the prefetching loads alive: the JIT drops loads whose values are never used. */
    private int prefetched;
    /**
     * Whether {@link #prefetch} also loads each code's last byte. A code that does not start on a cache line (its
     * dimension is not a multiple of 64, or the array is not where {@link StoredVectors#CODE_BASE} assumes) spans
     * one line more than stepping 64 bytes from its start reads, and that line then misses while scoring. For an
     * aligned code the extra load hits a line just read. Long codes do not need it: the CPU's stream prefetcher
     * follows a run of lines on its own (measured before the codes were aligned: +2..5 % QPS on 128-d codes, no
     * gain on 784-d).
     */
    private final boolean touchLastLine;

    @Override
    final void prefetch(int[] ords, int count) {
        byte[] c = codes;
        int d = dim;
        int acc = 0;
        for (int i = 0; i < count; i++) {
            int base = BASE + ords[i] * d;
            for (int j = base, end = base + d; j < end; j += CACHE_LINE) {
                acc += c[j];
            }
            if (touchLastLine) {
                acc += c[base + d - 1];
            }
        }
        prefetched += acc;
    }

    @Override
    final void setQuery(float[] q) {
        refresh();
        querySum = vectors.quantizer().encode(q, 0, queryCode, 0, dim);
    }

    @Override
    final void setQueryToNode(int ord) {
        refresh();
        System.arraycopy(codes, BASE + ord * dim, queryCode, 0, dim);
        querySum = sums[ord];
    }

    @Override
    final void refresh() {
        ScalarQuantizer q = vectors.quantizer();
        codes = vectors.codes();
        sums = vectors.codeSums();
        scale = q == null ? 0f : q.scale;
        mid = q == null ? 0f : q.mid;
    }

    /**
     * dot(a, b) estimated from the codes: {@code sum (m + s*qa)(m + s*qb) = d*m^2 + m*s*(sum qa + sum qb) +
     * s^2 * sum qa*qb}, the kernel computing the last sum exactly in an int.
     */
    final float dot(byte[] a, int ao, int aSum, byte[] b, int bo, int bSum, float m, float s) {
        return dim * m * m + m * s * (aSum + bSum) + s * s * K.dotInt8(a, ao, b, bo, dim);
    }

    /** Squared Euclidean distance: {@code s^2 * sum (qa - qb)^2}. */
    static final class L2 extends Int8VectorScorer {
        L2(StoredVectors vectors) {
            super(vectors);
        }

        @Override
        float distance(int ord) {
            float s = scale;
            return s * s * K.squareDistanceInt8(queryCode, 0, codes, BASE + ord * dim, dim);
        }

        @Override
        float distanceBetween(int a, int b) {
            byte[] c = vectors.codes();
            float s = vectors.quantizer().scale;
            return s * s * K.squareDistanceInt8(c, BASE + a * dim, c, BASE + b * dim, dim);
        }
    }

    /** {@code -dot}. */
    static final class InnerProduct extends Int8VectorScorer {
        InnerProduct(StoredVectors vectors) {
            super(vectors);
        }

        @Override
        float distance(int ord) {
            return -dot(queryCode, 0, querySum, codes, BASE + ord * dim, sums[ord], mid, scale);
        }

        @Override
        float distanceBetween(int a, int b) {
            byte[] c = vectors.codes();
            int[] cs = vectors.codeSums();
            ScalarQuantizer q = vectors.quantizer();
            return -dot(c, BASE + a * dim, cs[a], c, BASE + b * dim, cs[b], q.mid, q.scale);
        }
    }

    /** {@code 1 - dot}. */
    static final class Cosine extends Int8VectorScorer {
        Cosine(StoredVectors vectors) {
            super(vectors);
        }

        @Override
        float distance(int ord) {
            return 1f - dot(queryCode, 0, querySum, codes, BASE + ord * dim, sums[ord], mid, scale);
        }

        @Override
        float distanceBetween(int a, int b) {
            byte[] c = vectors.codes();
            int[] cs = vectors.codeSums();
            ScalarQuantizer q = vectors.quantizer();
            return 1f - dot(c, BASE + a * dim, cs[a], c, BASE + b * dim, cs[b], q.mid, q.scale);
        }
    }
}
