package io.vectorstream.index;

import io.vectorstream.index.internal.vectorization.KernelProvider;
import io.vectorstream.index.internal.vectorization.VectorKernels;

/**
 * {@link VectorScorer} over int8 codes with a range per coordinate ({@link ScalarQuantizer#perCoordinate()}:
 * {@code x[i] ~= mid[i] + scale[i] * q[i]}). One final subclass per metric.
 *
 * <p>Two codes with different scales per coordinate have no exact integer distance, so the query stays in
 * floats, folded once per query into the form its metric's kernel takes: under L2 the query in code units,
 * {@code u[i] = (x[i] - mid[i]) / scale[i]}, weighted by {@code scale[i]^2} ({@code sum w (u - q)^2}); under the
 * dot products {@code v[i] = x[i] * scale[i]} plus the constant {@code sum x[i] * mid[i]}. A distance still reads
 * one byte per coordinate. A wide coordinate ({@link ScalarQuantizer#wide()}) is left out of the kernel and added
 * from its two codes. Between two stored nodes: under L2 in code units (a node's own codes as the query, so a
 * duplicate is at exactly 0), under the dot products from both decoded codes. A graph is built with these only
 * once its floats are off the heap ({@code HnswSearcher.buildsWithCodes}).
 *
 * <p>Threading: as {@link VectorScorer}.
 */
abstract class PerCoordinateInt8Scorer extends VectorScorer {
    static final VectorKernels K = KernelProvider.kernels();
    /** Where the codes start in their array ({@link StoredVectors#CODE_BASE}). */
    static final int BASE = StoredVectors.CODE_BASE;

    final StoredVectors vectors;
    final int dim;
    /** Bytes per code: {@code dim} plus the wide coordinates' residuals; set when the quantiser is known. */
    int stride;
    /** The query, folded for the metric's kernel ({@code u} or {@code v}). */
    final float[] queryTerms;
    /** The query's constant term (the dot products' {@code sum x * mid}; 0 under L2). */
    float queryConstant;
    /** The query's value at each wide coordinate. */
    float[] wideQuery = new float[0];
    /**
     * Scratch: a decoded stored vector (under L2, a node's codes as floats), for {@link #setQueryToNode} and
     * {@link #distanceBetween}.
     */
    final float[] decodedA;
    /** The codes and the quantiser's terms, as of the last query or refresh. */
    byte[] codes;
    ScalarQuantizer quantizer;
    private CodePrefetcher prefetcher;

    private PerCoordinateInt8Scorer(StoredVectors vectors) {
        this.vectors = vectors;
        this.dim = vectors.dimension();
        this.queryTerms = new float[dim];
        this.decodedA = new float[dim];
    }

    /** The scorer of {@code metric}: the one place the per-coordinate formula is chosen. */
    static PerCoordinateInt8Scorer create(VectorMetric metric, StoredVectors vectors) {
        switch (metric) {
            case L2: return new L2(vectors);
            case INNER_PRODUCT: return new InnerProduct(vectors);
            case COSINE: return new Cosine(vectors);
            default: throw new AssertionError(metric);
        }
    }

    @Override
    final void prefetch(int[] ords, int count) {
        prefetcher.touch(codes, ords, count);
    }

    @Override
    final void setQuery(float[] q) {
        refresh();
        fold(q);
    }

    @Override
    void setQueryToNode(int ord) {
        refresh();
        quantizer.decode(codes, BASE + ord * stride, decodedA, dim);
        fold(decodedA);
    }

    @Override
    final void refresh() {
        codes = vectors.codes();
        ScalarQuantizer q = vectors.quantizer();
        if (q != quantizer) {
            quantizer = q;
            stride = vectors.codeLength();
            prefetcher = new CodePrefetcher(stride);
            wideQuery = new float[q.wide().length];
            quantizerChanged();
        }
    }

    /** Called when a (new) quantiser is installed: per-quantiser terms are recomputed. */
    void quantizerChanged() {
    }

    /**
     * Folds the float query {@code q} into {@link #queryTerms}, {@link #queryConstant} and {@link #wideQuery};
     * the kernel's terms of wide coordinates are zero.
     */
    final void fold(float[] q) {
        foldTerms(q);
        int[] wide = quantizer.wide();
        for (int j = 0; j < wide.length; j++) {
            wideQuery[j] = q[wide[j]];
            queryTerms[wide[j]] = 0f;
        }
    }

    abstract void foldTerms(float[] q);

    /** Squared Euclidean distance: {@code sum scale^2 * (u - q)^2}, wide coordinates from their two codes. */
    static final class L2 extends PerCoordinateInt8Scorer {
        /** {@code scale[i]^2}, 0 at wide coordinates, as of the last quantiser. */
        private float[] weights = new float[0];
        /** {@link #distanceBetween}'s wide values of its first node. */
        private float[] wideScratch = new float[0];

        L2(StoredVectors vectors) {
            super(vectors);
        }

        @Override
        void quantizerChanged() {
            float[] scales = quantizer.scales();
            weights = new float[dim];
            for (int i = 0; i < dim; i++) {
                weights[i] = scales[i] * scales[i];
            }
            for (int i : quantizer.wide()) {
                weights[i] = 0f;
            }
            wideScratch = new float[quantizer.wide().length];
        }

        @Override
        void foldTerms(float[] q) {
            float[] mids = quantizer.mids();
            float[] scales = quantizer.scales();
            for (int i = 0; i < dim; i++) {
                queryTerms[i] = (q[i] - mids[i]) / scales[i];
            }
            queryConstant = 0f;
        }

        /**
         * The node's own codes as the query, in code units: its distance to an identical code is exactly 0 (a
         * duplicate is recognised as one) and equals {@link #distanceBetween} bit for bit.
         */
        @Override
        void setQueryToNode(int ord) {
            refresh();
            codesAsQuery(BASE + ord * stride, queryTerms, wideQuery);
        }

        /** {@code terms} = the code at {@code base} as floats (0 at wide coordinates), {@code wide} their values. */
        private void codesAsQuery(int base, float[] terms, float[] wideValues) {
            for (int i = 0; i < dim; i++) {
                terms[i] = codes[base + i];
            }
            int[] wide = quantizer.wide();
            for (int j = 0; j < wide.length; j++) {
                terms[wide[j]] = 0f;
                wideValues[j] = quantizer.wideValue(j, codes[base + wide[j]], codes[base + dim + j]);
            }
        }

        @Override
        float distance(int ord) {
            return distanceFrom(queryTerms, wideQuery, BASE + ord * stride);
        }

        private float distanceFrom(float[] terms, float[] wideValues, int base) {
            float sum = K.squareDistanceInt8Weighted(terms, weights, codes, base, dim);
            int[] wide = quantizer.wide();
            for (int j = 0; j < wideValues.length; j++) {
                float d = wideValues[j] - quantizer.wideValue(j, codes[base + wide[j]], codes[base + dim + j]);
                sum = Math.fma(d, d, sum);
            }
            return sum;
        }

        @Override
        float distanceBetween(int a, int b) {
            // As setQueryToNode(a) then distance(b): symmetric bit for bit, as (qa - qb)^2 = (qb - qa)^2 term by
            // term, summed in the same order.
            refresh();
            codesAsQuery(BASE + a * stride, decodedA, wideScratch);
            return distanceFrom(decodedA, wideScratch, BASE + b * stride);
        }
    }

    /** The dot products' shared part: {@code dot(x, decoded) = sum x * mid + sum (x * scale) * q}. */
    abstract static class DotBased extends PerCoordinateInt8Scorer {
        DotBased(StoredVectors vectors) {
            super(vectors);
        }

        /** The mids, 0 at wide coordinates (which come whole from their two codes). */
        private float[] narrowMids = new float[0];
        /** {@link #dotBetween}'s second decoded node. */
        private final float[] decodedB = new float[dim];

        @Override
        final void quantizerChanged() {
            narrowMids = quantizer.mids().clone();
            for (int i : quantizer.wide()) {
                narrowMids[i] = 0f;
            }
        }

        @Override
        final void foldTerms(float[] q) {
            float[] scales = quantizer.scales();
            for (int i = 0; i < dim; i++) {
                queryTerms[i] = q[i] * scales[i];
            }
            queryConstant = K.dot(q, 0, narrowMids, 0, dim);
        }

        final float dot(int ord) {
            int base = BASE + ord * stride;
            float sum = queryConstant + K.dotFloatInt8(queryTerms, codes, base, dim);
            float[] wq = wideQuery;
            for (int j = 0; j < wq.length; j++) {
                sum = Math.fma(wq[j], quantizer.wideValue(j, codes[base + quantizer.wide()[j]], codes[base + dim + j]),
                        sum);
            }
            return sum;
        }

        final float dotBetween(int a, int b) {
            byte[] c = vectors.codes();
            ScalarQuantizer q = vectors.quantizer();
            int length = vectors.codeLength();
            q.decode(c, BASE + a * length, decodedA, dim);
            q.decode(c, BASE + b * length, decodedB, dim);
            return K.dot(decodedA, 0, decodedB, 0, dim);
        }
    }

    /** {@code -dot}. */
    static final class InnerProduct extends DotBased {
        InnerProduct(StoredVectors vectors) {
            super(vectors);
        }

        @Override
        float distance(int ord) {
            return -dot(ord);
        }

        @Override
        float distanceBetween(int a, int b) {
            return -dotBetween(a, b);
        }
    }

    /** {@code 1 - dot}. */
    static final class Cosine extends DotBased {
        Cosine(StoredVectors vectors) {
            super(vectors);
        }

        @Override
        float distance(int ord) {
            return 1f - dot(ord);
        }

        @Override
        float distanceBetween(int a, int b) {
            return 1f - dotBetween(a, b);
        }
    }
}
