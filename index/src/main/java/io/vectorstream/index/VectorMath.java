package io.vectorstream.index;

import io.vectorstream.index.internal.vectorization.KernelProvider;
import io.vectorstream.index.internal.vectorization.VectorKernels;

/**
 * Validating facade over the distance kernels (SIMD when {@code jdk.incubator.vector} is present, scalar
 * otherwise; see {@link #implementationName()}). Every method checks its arguments and throws
 * {@link IllegalArgumentException} naming the parameter, the rule and the value.
 *
 * <p>Thread-safe and allocation-free, except {@link #normalizedCopy(float[])}.
 */
public final class VectorMath {

    private static final VectorKernels K = KernelProvider.kernels();

    private VectorMath() {}

    /** {@code scalar} or {@code panama[...]}: which kernels this JVM uses. */
    public static String implementationName() {
        return K.name();
    }

    /** Dot product of two vectors of the same length. */
    public static float dot(float[] a, float[] b) {
        checkSameLength(a, b);
        return K.dot(a, 0, b, 0, a.length);
    }

    /** Squared Euclidean distance of two vectors of the same length. */
    public static float squareDistance(float[] a, float[] b) {
        checkSameLength(a, b);
        return K.squareDistance(a, 0, b, 0, a.length);
    }

    /** Cosine similarity in [-1, 1]; neither vector may be all zeros. */
    public static float cosine(float[] a, float[] b) {
        checkSameLength(a, b);
        float na = K.dot(a, 0, a, 0, a.length);
        float nb = K.dot(b, 0, b, 0, b.length);
        if (na == 0f) {
            throw new IllegalArgumentException("a must be non-zero for cosine; |a|=0");
        }
        if (nb == 0f) {
            throw new IllegalArgumentException("b must be non-zero for cosine; |b|=0");
        }
        return (float) (K.dot(a, 0, b, 0, a.length) / Math.sqrt((double) na * nb));
    }

    /** The distance of {@code metric} between two vectors (lower is closer; see {@link VectorMetric}). */
    public static float distance(VectorMetric metric, float[] a, float[] b) {
        switch (metric) {
            case L2: return squareDistance(a, b);
            case INNER_PRODUCT: return -dot(a, b);
            case COSINE: return 1f - cosine(a, b);
            default: throw new AssertionError(metric);
        }
    }

    /** Scales {@code v} in place to unit length; rejects a zero vector. Returns {@code v}. */
    public static float[] normalize(float[] v) {
        checkFinite("vector", v);
        float n2 = K.dot(v, 0, v, 0, v.length);
        if (n2 == 0f) {
            throw new IllegalArgumentException("vector must be non-zero for cosine; |vector|=0");
        }
        float inv = (float) (1.0 / Math.sqrt(n2));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        return v;
    }

    /** A unit-length copy of {@code v}. */
    public static float[] normalizedCopy(float[] v) {
        return normalize(v.clone());
    }

    /**
     * Checks that every component is finite.
     *
     * @throws IllegalArgumentException naming {@code field}, the index and the value of the first bad component
     */
    public static void checkFinite(String field, float[] v) {
        if (v == null) {
            throw new IllegalArgumentException(field + " must not be null; " + field + "=null");
        }
        // One SIMD pass on the common path: x - x is 0 for every finite x and NaN for an infinity or a NaN,
        // so the sum of squares is 0 exactly when all are finite (no overflow: each term is 0). Only a vector
        // that fails it is scanned for the component to name.
        if (K.squareDistance(v, 0, v, 0, v.length) == 0f) {
            return;
        }
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException(
                        field + " components must be finite; " + field + "[" + i + "]=" + v[i]);
            }
        }
    }

    static void checkSameLength(float[] a, float[] b) {
        if (a == null || b == null) {
            throw new IllegalArgumentException("vectors must not be null; " + (a == null ? "a" : "b") + "=null");
        }
        if (a.length != b.length) {
            throw new IllegalArgumentException("vector dimensions differ: " + a.length + " != " + b.length);
        }
    }

    /** The kernels, for the index's own hot loops (no validation). */
    static VectorKernels kernels() {
        return K;
    }
}
