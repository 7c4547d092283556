package io.vectorstream.index;

import io.vectorstream.index.internal.vectorization.KernelProvider;
import io.vectorstream.index.internal.vectorization.VectorKernels;

/**
 * {@link VectorScorer} over the int8 codes of a quantised index with one range for every coordinate
 * ({@link ScalarQuantizer}: {@code x ~= mid + scale * q}), code against code in exact integer arithmetic. One
 * final subclass per metric. Per-coordinate codes have their own scorer ({@link PerCoordinateInt8Scorer});
 * {@link #forCodes} picks. Usable once the index has a quantiser; distances estimate the
 * float ones, so searches re-rank their best candidates exactly.
 *
 * <p>Threading: as {@link VectorScorer}.
 */
abstract class Int8VectorScorer extends VectorScorer {
    static final VectorKernels K = KernelProvider.kernels();
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
        this.prefetcher = new CodePrefetcher(dim);
    }

    /**
     * The int8 scorer for the codes {@code vectors} holds (it must be quantised): uniform or per coordinate.
     * The kind is fixed once the quantiser is trained, so a searcher asks once.
     */
    static VectorScorer forCodes(VectorMetric metric, StoredVectors vectors) {
        return vectors.quantizer().perCoordinate()
                ? PerCoordinateInt8Scorer.create(metric, vectors)
                : create(metric, vectors);
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

    private final CodePrefetcher prefetcher;

    @Override
    final void prefetch(int[] ords, int count) {
        prefetcher.touch(codes, ords, count);
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
