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

    /** A short name for logs: {@code scalar} or {@code panama[...]}. */
    String name();
}
