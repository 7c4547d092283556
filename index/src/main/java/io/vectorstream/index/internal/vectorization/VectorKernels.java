package io.vectorstream.index.internal.vectorization;

/**
 * Distance kernels over slices of primitive arrays. Implementations never validate: callers
 * ({@link io.vectorstream.index.VectorMath} and the index) guarantee lengths and offsets, which are only
 * {@code assert}ed here. Implementations are stateless and thread-safe.
 */
public interface VectorKernels {

    /** Dot product of {@code a[ao, ao+len)} and {@code b[bo, bo+len)}. */
    float dot(float[] a, int ao, float[] b, int bo, int len);

    /** Squared Euclidean distance of {@code a[ao, ao+len)} and {@code b[bo, bo+len)}. */
    float squareDistance(float[] a, int ao, float[] b, int bo, int len);

    /** Dot product of two signed int8 slices, accumulated exactly in an int. */
    int dotInt8(byte[] a, int ao, byte[] b, int bo, int len);

    /** Squared Euclidean distance of two signed int8 slices, accumulated exactly in an int. */
    int squareDistanceInt8(byte[] a, int ao, byte[] b, int bo, int len);

    /**
     * Scalar int8 quantisation of {@code src[so, so+len)} into {@code dst[doff, doff+len)}: each component
     * {@code x} becomes {@code (int) (clamp((x - mid) * inv, -127, 127) + 127.5f) - 127}, every step in float
     * arithmetic (so round-half-up, except within float rounding of a tie), identically in every implementation.
     * Returns the sum of the codes.
     */
    int quantizeInt8(float[] src, int so, byte[] dst, int doff, int len, float mid, float inv);

    /** A short name for logs: {@code scalar} or {@code panama[...]}. */
    String name();
}
