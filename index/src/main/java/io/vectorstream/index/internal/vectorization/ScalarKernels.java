package io.vectorstream.index.internal.vectorization;

/** The scalar reference kernels: plain loops, used when {@code jdk.incubator.vector} is absent. Stateless; thread-safe. */
public final class ScalarKernels implements VectorKernels {

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int len) {
        assert ao + len <= a.length && bo + len <= b.length;
        // Four accumulators break the add dependency chain, so the JIT can pipeline the loop.
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (int bound = len & ~3; i < bound; i += 4) {
            s0 += a[ao + i] * b[bo + i];
            s1 += a[ao + i + 1] * b[bo + i + 1];
            s2 += a[ao + i + 2] * b[bo + i + 2];
            s3 += a[ao + i + 3] * b[bo + i + 3];
        }
        for (; i < len; i++) {
            s0 += a[ao + i] * b[bo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public float squareDistance(float[] a, int ao, float[] b, int bo, int len) {
        assert ao + len <= a.length && bo + len <= b.length;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (int bound = len & ~3; i < bound; i += 4) {
            float d0 = a[ao + i] - b[bo + i];
            float d1 = a[ao + i + 1] - b[bo + i + 1];
            float d2 = a[ao + i + 2] - b[bo + i + 2];
            float d3 = a[ao + i + 3] - b[bo + i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; i < len; i++) {
            float d = a[ao + i] - b[bo + i];
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public int dotInt8(byte[] a, int ao, byte[] b, int bo, int len) {
        assert ao + len <= a.length && bo + len <= b.length;
        int s = 0;
        for (int i = 0; i < len; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    @Override
    public int squareDistanceInt8(byte[] a, int ao, byte[] b, int bo, int len) {
        assert ao + len <= a.length && bo + len <= b.length;
        int s = 0;
        for (int i = 0; i < len; i++) {
            int d = a[ao + i] - b[bo + i];
            s += d * d;
        }
        return s;
    }

    @Override
    public int quantizeInt8(float[] src, int so, byte[] dst, int doff, int len, float mid, float inv) {
        assert so + len <= src.length && doff + len <= dst.length;
        int sum = 0;
        for (int i = 0; i < len; i++) {
            int q = quantize(src[so + i], mid, inv);
            dst[doff + i] = (byte) q;
            sum += q;
        }
        return sum;
    }

    @Override
    public float squareDistanceInt8Weighted(float[] u, float[] w, byte[] c, int co, int len) {
        assert len <= u.length && len <= w.length && co + len <= c.length;
        float s0 = 0, s1 = 0;
        int i = 0;
        for (int bound = len & ~1; i < bound; i += 2) {
            float d0 = u[i] - c[co + i];
            float d1 = u[i + 1] - c[co + i + 1];
            s0 = Math.fma(d0 * w[i], d0, s0);
            s1 = Math.fma(d1 * w[i + 1], d1, s1);
        }
        for (; i < len; i++) {
            float d = u[i] - c[co + i];
            s0 = Math.fma(d * w[i], d, s0);
        }
        return s0 + s1;
    }

    @Override
    public float dotFloatInt8(float[] v, byte[] c, int co, int len) {
        assert len <= v.length && co + len <= c.length;
        float s0 = 0, s1 = 0;
        int i = 0;
        for (int bound = len & ~1; i < bound; i += 2) {
            s0 = Math.fma(v[i], c[co + i], s0);
            s1 = Math.fma(v[i + 1], c[co + i + 1], s1);
        }
        for (; i < len; i++) {
            s0 = Math.fma(v[i], c[co + i], s0);
        }
        return s0 + s1;
    }

    @Override
    public int quantizeInt8(float[] src, int so, byte[] dst, int doff, int len, float[] mids, float[] invs) {
        assert so + len <= src.length && doff + len <= dst.length && len <= mids.length && len <= invs.length;
        int sum = 0;
        for (int i = 0; i < len; i++) {
            int q = quantize(src[so + i], mids[i], invs[i]);
            dst[doff + i] = (byte) q;
            sum += q;
        }
        return sum;
    }

    /**
     * One component of {@link #quantizeInt8}. Shifted to [0.5, 254.5] before the cast, truncation is floor, so
     * the result rounds half up; the SIMD kernels run the same float steps lane by lane.
     */
    static int quantize(float x, float mid, float inv) {
        float v = (x - mid) * inv;
        // Comparisons, not Math.min/max: the same result (a NaN stays NaN either way) without their -0.0 checks.
        if (v > 127f) {
            v = 127f;
        } else if (v < -127f) {
            v = -127f;
        }
        return (int) (v + 127.5f) - 127;
    }

    @Override
    public String name() {
        return "scalar";
    }
}
