package io.vectorstream.index.internal.vectorization;

/**
 * Distance kernels over slices of primitive arrays. Implementations never validate: callers
 * ({@link io.vectorstream.index.VectorMath} and the index) guarantee lengths and offsets, which are only
 * {@code assert}ed here. Implementations are stateless and thread-safe.
 */
public interface VectorKernels {

    /** Dot product of {@code a[ao, ao+len)} and {@code b[bo, bo+len)}. */
    float dot(float[] a, int ao, float[] b, int bo, int len);

    /**
     * Squared Euclidean distance of {@code a[ao, ao+len)} and {@code b[bo, bo+len)}, summed as {@code (a - b)^2}
     * terms: equal finite slices give exactly 0, and a NaN or an infinity anywhere gives NaN (the finiteness check
     * of {@code VectorMath} relies on both).
     */
    float squareDistance(float[] a, int ao, float[] b, int bo, int len);

    /** Dot product of two signed int8 slices, accumulated exactly in an int. */
    int dotInt8(byte[] a, int ao, byte[] b, int bo, int len);

    /** Squared Euclidean distance of two signed int8 slices, accumulated exactly in an int. */
    int squareDistanceInt8(byte[] a, int ao, byte[] b, int bo, int len);

    /**
     * {@code sum w[i] * (u[i] - c[co + i])^2} over {@code i < len}: the squared Euclidean distance between a
     * float query and an int8 code whose coordinates have their own scales, with the query given in code units
     * ({@code u}) and the squared scales as weights ({@code w}).
     */
    float squareDistanceInt8Weighted(float[] u, float[] w, byte[] c, int co, int len);

    /** {@code sum v[i] * c[co + i]} over {@code i < len}: a float query against an int8 code. */
    float dotFloatInt8(float[] v, byte[] c, int co, int len);

    /**
     * Quantises {@code src[so, so+len)} to int8 codes in {@code dst[doff, doff+len)} with one offset and scale: each component
     * {@code x} becomes {@code (int) (clamp((x - mid) * inv, -127, 127) + 127.5f) - 127}, every step in float
     * arithmetic (so round-half-up, except within float rounding of a tie), identically in every implementation.
     * Returns the sum of the codes.
     */
    int quantizeInt8(float[] src, int so, byte[] dst, int doff, int len, float mid, float inv);

    /**
     * {@link #quantizeInt8} with an offset and an inverse scale per coordinate: component {@code i} uses
     * {@code mids[i]} and {@code invs[i]}. Returns the sum of the codes.
     */
    int quantizeInt8(float[] src, int so, byte[] dst, int doff, int len, float[] mids, float[] invs);

    /** A short name for logs: {@code scalar} or {@code panama[...]}. */
    String name();
}
