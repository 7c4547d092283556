package io.vectorstream.index;

import io.vectorstream.index.internal.vectorization.KernelProvider;
import io.vectorstream.index.internal.vectorization.VectorKernels;
import java.util.Arrays;

/**
 * Global int8 scalar quantiser: {@code x ~= mid + scale * q} with {@code q} in [-127, 127]. The range comes
 * from the 0.1 % and 99.9 % quantiles of the training vectors' components, so a few outliers (clamped) do not
 * waste the 255 levels. Immutable and thread-safe.
 */
final class ScalarQuantizer {
    private static final VectorKernels K = KernelProvider.kernels();
    final float mid;
    final float scale;

    ScalarQuantizer(float mid, float scale) {
        this.mid = mid;
        this.scale = scale;
    }

    /** Trains on the components of {@code count} vectors listed in {@code ords}. */
    static ScalarQuantizer train(float[] data, int dim, int[] ords, int count) {
        float[] sample = new float[count * dim];
        for (int i = 0; i < count; i++) {
            System.arraycopy(data, ords[i] * dim, sample, i * dim, dim);
        }
        Arrays.sort(sample);
        float lo = sample[(int) ((sample.length - 1) * 0.001)];
        float hi = sample[(int) ((sample.length - 1) * 0.999)];
        float scale = (hi - lo) / 254f;
        if (!(scale > 0f) || !Float.isFinite(1f / scale)) {
            // Constant components (or a range so small its inverse overflows): any positive scale reproduces them
            // through mid.
            scale = 1f;
        }
        return new ScalarQuantizer((hi + lo) / 2f, scale);
    }

    /**
     * Encodes {@code src[so, so+dim)} into {@code dst[doff, doff+dim)}, rounding half up and clamping to
     * [-127, 127] ({@link VectorKernels#quantizeInt8}: SIMD, a query's code costs no more than a distance);
     * returns the sum of the codes.
     */
    int encode(float[] src, int so, byte[] dst, int doff, int dim) {
        return K.quantizeInt8(src, so, dst, doff, dim, mid, 1f / scale);
    }
}
