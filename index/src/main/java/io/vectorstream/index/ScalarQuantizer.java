package io.vectorstream.index;

import io.vectorstream.index.internal.vectorization.KernelProvider;
import io.vectorstream.index.internal.vectorization.VectorKernels;
import java.util.Arrays;

/**
 * int8 scalar quantiser: {@code x[i] ~= mid + scale * q[i]} with {@code q[i]} in [-127, 127], with one range for
 * every coordinate (uniform) or one range per coordinate.
 *
 * <p>Uniform codes compare code with code in exact integer arithmetic ({@link Int8VectorScorer}), the fastest
 * form. But one range is as wide as the widest coordinate: when a few coordinates are far larger than the rest
 * (the outlier dimensions of transformer embeddings), the others get a fraction of the 255 levels and the codes
 * no longer tell their neighbours apart. Per-coordinate codes keep each coordinate's own range and are scored
 * against a float query ({@link PerCoordinateInt8Scorer}). {@link #train} picks per-coordinate ranges only when
 * one range would cost the typical coordinate at least one bit ({@link #PER_COORDINATE_MIN_GAIN}).
 *
 * <p>Per coordinate, a coordinate much wider than the median one ({@link #WIDE_FACTOR}) would still dominate the
 * codes' error: its step is as coarse as with one range, and its values (and the query's) are the largest, so
 * its rounding weighs most in every distance. Such <em>wide</em> coordinates (at most {@link #maxWide} of them)
 * get a second byte, a residual code at 1/254 of their step: their code is {@code dimension + wide} bytes, the
 * residuals after the {@code dimension} main codes. Which coordinates are wide follows from the scales alone,
 * so a restored quantiser lays its codes out the same.
 *
 * <p>Each range comes from the 0.1 % and 99.9 % quantiles of its training values, so a few outliers (clamped)
 * do not waste the levels. Immutable and thread-safe.
 */
final class ScalarQuantizer {
    private static final VectorKernels K = KernelProvider.kernels();
    /**
     * Per-coordinate ranges are chosen when the uniform step is at least this many times the median
     * coordinate's own step: one bit of the typical coordinate lost to the widest ones.
     */
    static final float PER_COORDINATE_MIN_GAIN = 2f;
    /**
     * A coordinate's step is at least the uniform step divided by this: a coordinate (nearly) constant in the
     * training sample still covers a range, so later values are not all clamped onto one code.
     */
    static final float MIN_STEP_FRACTION = 16f;
    /**
     * A coordinate whose step is at least this many times the median step is wide: its rounding error, times the
     * query's value there, weighs at least 16 times a typical coordinate's in a distance.
     */
    static final float WIDE_FACTOR = 4f;
    /** The residual code's step, as a fraction of its coordinate's step: the main code's error spans 254 levels. */
    static final float RESIDUAL_LEVELS = 254f;

    /** One entry (uniform) or one per coordinate. */
    private final float[] mids;
    private final float[] scales;
    private final float[] invs;
    /** The wide coordinates, ascending (none for one range); see the class comment. */
    private final int[] wide;
    /** Per wide coordinate, its residual code's step ({@code scale / RESIDUAL_LEVELS}). */
    private final float[] residualScales;
    private final float[] residualInvs;
    /** The uniform range's terms ({@code mids[0]}, {@code scales[0]}); per coordinate, those of coordinate 0. */
    final float mid;
    final float scale;

    /** One range for every coordinate. */
    ScalarQuantizer(float mid, float scale) {
        this(new float[] {mid}, new float[] {scale});
    }

    /** One range ({@code length 1}) or one per coordinate; the arrays are copied. */
    ScalarQuantizer(float[] mids, float[] scales) {
        if (mids.length != scales.length || mids.length == 0) {
            throw new IllegalArgumentException("quantizer mids and scales must have the same length, at least 1; "
                    + "mids.length=" + mids.length + ", scales.length=" + scales.length);
        }
        this.mids = mids.clone();
        this.scales = scales.clone();
        this.invs = new float[scales.length];
        for (int i = 0; i < scales.length; i++) {
            invs[i] = 1f / scales[i];
        }
        this.mid = mids[0];
        this.scale = scales[0];
        this.wide = mids.length == 1 ? new int[0] : wideCoordinates(scales);
        this.residualScales = new float[wide.length];
        this.residualInvs = new float[wide.length];
        for (int j = 0; j < wide.length; j++) {
            residualScales[j] = scales[wide[j]] / RESIDUAL_LEVELS;
            residualInvs[j] = 1f / residualScales[j];
        }
    }

    /** At most this many coordinates of {@code dimension} are wide: a few outliers, not a spread of widths. */
    static int maxWide(int dimension) {
        return Math.max(1, dimension / 16);
    }

    /**
     * The coordinates whose scale is at least {@link #WIDE_FACTOR} times the median, the widest {@link #maxWide}
     * of them (ties to the lower coordinate), ascending.
     */
    private static int[] wideCoordinates(float[] scales) {
        float threshold = WIDE_FACTOR * median(scales);
        Integer[] candidates = new Integer[scales.length];
        int n = 0;
        for (int i = 0; i < scales.length; i++) {
            if (scales[i] >= threshold) {
                candidates[n++] = i;
            }
        }
        Integer[] picked = Arrays.copyOf(candidates, n);
        Arrays.sort(picked, (a, b) -> scales[a] != scales[b] ? Float.compare(scales[b], scales[a]) : a - b);
        int[] out = new int[Math.min(n, maxWide(scales.length))];
        for (int j = 0; j < out.length; j++) {
            out[j] = picked[j];
        }
        Arrays.sort(out);
        return out;
    }

    /** The bytes of one code for vectors of {@code dimension}: one per coordinate, plus one per wide coordinate. */
    int codeLength(int dimension) {
        return dimension + wide.length;
    }

    /** The wide coordinates, ascending. Not copied: callers must not write. */
    int[] wide() {
        return wide;
    }

    /** Per wide coordinate, its residual code's step. Not copied: callers must not write. */
    float[] residualScales() {
        return residualScales;
    }

    /** Whether each coordinate has its own range (more than one range). */
    boolean perCoordinate() {
        return mids.length > 1;
    }

    /** The offsets: one, or one per coordinate. Not copied: callers must not write. */
    float[] mids() {
        return mids;
    }

    /** The scales: one, or one per coordinate. Not copied: callers must not write. */
    float[] scales() {
        return scales;
    }

    /**
     * Trains on the components of {@code count} vectors listed in {@code ords}: one range, or one per coordinate
     * where that gains at least {@link #PER_COORDINATE_MIN_GAIN}.
     */
    static ScalarQuantizer train(float[] data, int dim, int[] ords, int count) {
        float[] sample = new float[count * dim];
        for (int i = 0; i < count; i++) {
            System.arraycopy(data, ords[i] * dim, sample, i * dim, dim);
        }
        float[] byCoordinate = transpose(sample, count, dim);
        Arrays.sort(sample);
        float lo = quantile(sample, 0.001);
        float hi = quantile(sample, 0.999);
        float step = (hi - lo) / 254f;
        if (!(step > 0f) || !Float.isFinite(1f / step)) {
            // Constant components (or a range so small its inverse overflows): any positive scale reproduces them
            // through mid.
            return new ScalarQuantizer((hi + lo) / 2f, 1f);
        }
        ScalarQuantizer uniform = new ScalarQuantizer((hi + lo) / 2f, step);
        if (dim < 2) {
            return uniform;
        }
        float[] mids = new float[dim];
        float[] steps = new float[dim];
        float[] values = new float[count];
        for (int c = 0; c < dim; c++) {
            System.arraycopy(byCoordinate, c * count, values, 0, count);
            Arrays.sort(values);
            float cLo = quantile(values, 0.001);
            float cHi = quantile(values, 0.999);
            mids[c] = (cHi + cLo) / 2f;
            steps[c] = Math.max((cHi - cLo) / 254f, step / MIN_STEP_FRACTION);
        }
        return step >= PER_COORDINATE_MIN_GAIN * median(steps) ? new ScalarQuantizer(mids, steps) : uniform;
    }

    /** The upper median of {@code values} (the element at index {@code length / 2} once sorted). */
    private static float median(float[] values) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[values.length / 2];
    }

    private static float quantile(float[] sorted, double q) {
        return sorted[(int) ((sorted.length - 1) * q)];
    }

    /** {@code count} vectors of {@code dim} as {@code dim} runs of {@code count} values, one per coordinate. */
    private static float[] transpose(float[] rows, int count, int dim) {
        float[] out = new float[rows.length];
        for (int v = 0; v < count; v++) {
            for (int c = 0; c < dim; c++) {
                out[c * count + v] = rows[v * dim + c];
            }
        }
        return out;
    }

    /**
     * Encodes {@code src[so, so+dim)} into the {@link #codeLength} bytes from {@code dst[doff]}, rounding half up
     * and clamping to [-127, 127] ({@link VectorKernels#quantizeInt8}: SIMD, a query's code costs no more than a
     * distance); a wide coordinate's residual is what its main code left, rounded the same way. Returns the sum
     * of the {@code dim} main codes.
     */
    int encode(float[] src, int so, byte[] dst, int doff, int dim) {
        if (mids.length == 1) {
            return K.quantizeInt8(src, so, dst, doff, dim, mid, invs[0]);
        }
        int sum = K.quantizeInt8(src, so, dst, doff, dim, mids, invs);
        for (int j = 0; j < wide.length; j++) {
            int i = wide[j];
            float main = mids[i] + scales[i] * dst[doff + i];
            dst[doff + dim + j] = (byte) quantize(src[so + i] - main, residualInvs[j]);
        }
        return sum;
    }

    /** {@code x / step} rounded half up and clamped to [-127, 127], as {@link VectorKernels#quantizeInt8}. */
    private static int quantize(float x, float inv) {
        float v = x * inv;
        if (v > 127f) {
            v = 127f;
        } else if (v < -127f) {
            v = -127f;
        }
        return (int) (v + 127.5f) - 127;
    }

    /** The value a wide coordinate's two codes stand for: {@code mid + scale * main + residualScale * residual}. */
    float wideValue(int j, byte main, byte residual) {
        int i = wide[j];
        return mids[i] + scales[i] * main + residualScales[j] * residual;
    }

    /** Decodes the code at {@code src[so, so+codeLength)} into {@code dst[0, dim)}. */
    void decode(byte[] src, int so, float[] dst, int dim) {
        if (mids.length == 1) {
            for (int i = 0; i < dim; i++) {
                dst[i] = mid + scale * src[so + i];
            }
            return;
        }
        for (int i = 0; i < dim; i++) {
            dst[i] = mids[i] + scales[i] * src[so + i];
        }
        for (int j = 0; j < wide.length; j++) {
            dst[wide[j]] = wideValue(j, src[so + wide[j]], src[so + dim + j]);
        }
    }
}
