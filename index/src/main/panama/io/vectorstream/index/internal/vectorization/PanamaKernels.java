package io.vectorstream.index.internal.vectorization;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernels on {@code jdk.incubator.vector}. Loaded reflectively by {@link KernelProvider}, so this is
 * the only class that links against the incubator module.
 */
final class PanamaKernels implements VectorKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int FL = F.length();
    // int8: widen bytes to shorts of the same lane count, multiply there (|x*y| <= 16129 fits a short
    // pair sum badly, so products are widened again to ints before accumulating).
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int IL = I.length();
    /**
     * Bytes loaded per step: one int vector's lanes, but at least 8, as no vector shape is narrower than 64
     * bits (with 128-bit vectors an int vector has 4 lanes, and 4 bytes are no shape).
     */
    private static final int BL = Math.max(IL, 8);
    /** How many int vectors one step's bytes widen into: 1, or 2 with 128-bit vectors. */
    private static final int PARTS = BL / IL;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(BL * 8));
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(BL * 16));
    /** Floats with the int species' lane count: quantisation converts lane for lane, float to int to byte. */
    private static final VectorSpecies<Float> FI = VectorSpecies.of(float.class, I.vectorShape());

    /**
     * Bytes loaded per step of the float-by-int8 kernels: one float vector's lanes, but at least 8 (no vector shape
     * is narrower than 64 bits), widened to {@link #FPARTS} float vectors.
     */
    private static final int FBL = Math.max(FL, 8);
    private static final int FPARTS = FBL / FL;
    private static final VectorSpecies<Byte> FB = VectorSpecies.of(byte.class, VectorShape.forBitSize(FBL * 8));

    PanamaKernels() {
        if (FL < 4) {
            // Under 128-bit vectors SIMD does not pay off; the provider falls back to scalar.
            throw new UnsupportedOperationException("float species too small: " + F);
        }
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int len) {
        assert ao + len <= a.length && bo + len <= b.length;
        int i = 0;
        float sum = 0f;
        if (len >= FL) {
            // Four accumulators hide FMA latency; the single-vector loop feeds acc0, so one reduction ends it.
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
            for (int bound = len - 4 * FL; i <= bound; i += 4 * FL) {
                acc0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc0);
                acc1 = FloatVector.fromArray(F, a, ao + i + FL).fma(FloatVector.fromArray(F, b, bo + i + FL), acc1);
                acc2 = FloatVector.fromArray(F, a, ao + i + 2 * FL).fma(FloatVector.fromArray(F, b, bo + i + 2 * FL), acc2);
                acc3 = FloatVector.fromArray(F, a, ao + i + 3 * FL).fma(FloatVector.fromArray(F, b, bo + i + 3 * FL), acc3);
            }
            for (int bound = len - FL; i <= bound; i += FL) {
                acc0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc0);
            }
            sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        }
        // Scalar tail: fewer than one vector of lanes left.
        for (; i < len; i++) {
            sum = Math.fma(a[ao + i], b[bo + i], sum);
        }
        return sum;
    }

    @Override
    public float squareDistance(float[] a, int ao, float[] b, int bo, int len) {
        assert ao + len <= a.length && bo + len <= b.length;
        int i = 0;
        float sum = 0f;
        if (len >= FL) {
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
            for (int bound = len - 4 * FL; i <= bound; i += 4 * FL) {
                FloatVector d0 = FloatVector.fromArray(F, a, ao + i).sub(FloatVector.fromArray(F, b, bo + i));
                FloatVector d1 = FloatVector.fromArray(F, a, ao + i + FL).sub(FloatVector.fromArray(F, b, bo + i + FL));
                FloatVector d2 = FloatVector.fromArray(F, a, ao + i + 2 * FL).sub(FloatVector.fromArray(F, b, bo + i + 2 * FL));
                FloatVector d3 = FloatVector.fromArray(F, a, ao + i + 3 * FL).sub(FloatVector.fromArray(F, b, bo + i + 3 * FL));
                acc0 = d0.fma(d0, acc0);
                acc1 = d1.fma(d1, acc1);
                acc2 = d2.fma(d2, acc2);
                acc3 = d3.fma(d3, acc3);
            }
            for (int bound = len - FL; i <= bound; i += FL) {
                FloatVector d = FloatVector.fromArray(F, a, ao + i).sub(FloatVector.fromArray(F, b, bo + i));
                acc0 = d.fma(d, acc0);
            }
            sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i < len; i++) {
            float d = a[ao + i] - b[bo + i];
            sum = Math.fma(d, d, sum);
        }
        return sum;
    }

    @Override
    public int dotInt8(byte[] a, int ao, byte[] b, int bo, int len) {
        assert ao + len <= a.length && bo + len <= b.length;
        int i = 0;
        int sum = 0;
        if (len >= BL) {
            IntVector acc = IntVector.zero(I);
            for (int bound = len - BL; i <= bound; i += BL) {
                ShortVector va = (ShortVector) ByteVector.fromArray(B, a, ao + i).convertShape(VectorOperators.B2S, S, 0);
                ShortVector vb = (ShortVector) ByteVector.fromArray(B, b, bo + i).convertShape(VectorOperators.B2S, S, 0);
                // |a*b| <= 128*128 fits a short; widen the product to int before summing.
                ShortVector prod = va.mul(vb);
                for (int p = 0; p < PARTS; p++) {
                    acc = acc.add(prod.convertShape(VectorOperators.S2I, I, p));
                }
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < len; i++) {
            sum += a[ao + i] * b[bo + i];
        }
        return sum;
    }

    @Override
    public int squareDistanceInt8(byte[] a, int ao, byte[] b, int bo, int len) {
        assert ao + len <= a.length && bo + len <= b.length;
        int i = 0;
        int sum = 0;
        if (len >= BL) {
            IntVector acc = IntVector.zero(I);
            for (int bound = len - BL; i <= bound; i += BL) {
                ByteVector ba = ByteVector.fromArray(B, a, ao + i);
                ByteVector bb = ByteVector.fromArray(B, b, bo + i);
                for (int p = 0; p < PARTS; p++) {
                    // The difference of two int8 values needs 9 bits, its square 17: widen to int first.
                    IntVector va = (IntVector) ba.convertShape(VectorOperators.B2I, I, p);
                    IntVector vb = (IntVector) bb.convertShape(VectorOperators.B2I, I, p);
                    IntVector d = va.sub(vb);
                    acc = acc.add(d.mul(d));
                }
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < len; i++) {
            int d = a[ao + i] - b[bo + i];
            sum += d * d;
        }
        return sum;
    }

    @Override
    public float squareDistanceInt8Weighted(float[] u, float[] w, byte[] c, int co, int len) {
        assert len <= u.length && len <= w.length && co + len <= c.length;
        int i = 0;
        float sum = 0f;
        if (len >= FBL) {
            // Two accumulators, a step each, hide FMA latency; the bytes widen straight to floats (exact for int8).
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
            for (int bound = len - 2 * FBL; i <= bound; i += 2 * FBL) {
                acc0 = weightedStep(u, w, c, co, i, acc0);
                acc1 = weightedStep(u, w, c, co, i + FBL, acc1);
            }
            for (int bound = len - FBL; i <= bound; i += FBL) {
                acc0 = weightedStep(u, w, c, co, i, acc0);
            }
            sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < len; i++) {
            float d = u[i] - c[co + i];
            sum = Math.fma(d * w[i], d, sum);
        }
        return sum;
    }

    /** {@code acc + w * (u - c)^2} over the {@link #FBL} coordinates from {@code i}. */
    private static FloatVector weightedStep(float[] u, float[] w, byte[] c, int co, int i, FloatVector acc) {
        ByteVector b = ByteVector.fromArray(FB, c, co + i);
        for (int p = 0; p < FPARTS; p++) {
            int at = i + p * FL;
            FloatVector d = FloatVector.fromArray(F, u, at).sub((FloatVector) b.convertShape(VectorOperators.B2F, F, p));
            acc = d.mul(FloatVector.fromArray(F, w, at)).fma(d, acc);
        }
        return acc;
    }

    @Override
    public float dotFloatInt8(float[] v, byte[] c, int co, int len) {
        assert len <= v.length && co + len <= c.length;
        int i = 0;
        float sum = 0f;
        if (len >= FBL) {
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
            for (int bound = len - 2 * FBL; i <= bound; i += 2 * FBL) {
                acc0 = dotStep(v, c, co, i, acc0);
                acc1 = dotStep(v, c, co, i + FBL, acc1);
            }
            for (int bound = len - FBL; i <= bound; i += FBL) {
                acc0 = dotStep(v, c, co, i, acc0);
            }
            sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < len; i++) {
            sum = Math.fma(v[i], c[co + i], sum);
        }
        return sum;
    }

    /** {@code acc + v * c} over the {@link #FBL} coordinates from {@code i}. */
    private static FloatVector dotStep(float[] v, byte[] c, int co, int i, FloatVector acc) {
        ByteVector b = ByteVector.fromArray(FB, c, co + i);
        for (int p = 0; p < FPARTS; p++) {
            acc = ((FloatVector) b.convertShape(VectorOperators.B2F, F, p)).fma(FloatVector.fromArray(F, v, i + p * FL), acc);
        }
        return acc;
    }

    @Override
    public int quantizeInt8(float[] src, int so, byte[] dst, int doff, int len, float[] mids, float[] invs) {
        assert so + len <= src.length && doff + len <= dst.length && len <= mids.length && len <= invs.length;
        int i = 0;
        int sum = 0;
        if (PARTS == 1 && len >= IL) {
            IntVector acc = IntVector.zero(I);
            for (int bound = len - IL; i <= bound; i += IL) {
                // The uniform kernel's float steps, with this coordinate's offset and inverse scale.
                FloatVector v = FloatVector.fromArray(FI, src, so + i).sub(FloatVector.fromArray(FI, mids, i))
                        .mul(FloatVector.fromArray(FI, invs, i)).max(-127f).min(127f).add(127.5f);
                IntVector q = ((IntVector) v.convertShape(VectorOperators.F2I, I, 0)).sub(127);
                acc = acc.add(q);
                ((ByteVector) q.convertShape(VectorOperators.I2B, B, 0)).intoArray(dst, doff + i);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < len; i++) {
            int q = ScalarKernels.quantize(src[so + i], mids[i], invs[i]);
            dst[doff + i] = (byte) q;
            sum += q;
        }
        return sum;
    }

    @Override
    public int quantizeInt8(float[] src, int so, byte[] dst, int doff, int len, float mid, float inv) {
        assert so + len <= src.length && doff + len <= dst.length;
        int i = 0;
        int sum = 0;
        // With 128-bit vectors one int vector narrows to 4 bytes, which no byte vector holds: the scalar loop
        // below encodes those (the same float steps, so the codes are the same).
        if (PARTS == 1 && len >= IL) {
            IntVector acc = IntVector.zero(I);
            for (int bound = len - IL; i <= bound; i += IL) {
                // ScalarKernels.quantize lane by lane: the same float steps, then a truncating cast.
                FloatVector v = FloatVector.fromArray(FI, src, so + i).sub(mid).mul(inv)
                        .max(-127f).min(127f).add(127.5f);
                IntVector q = ((IntVector) v.convertShape(VectorOperators.F2I, I, 0)).sub(127);
                acc = acc.add(q);
                ((ByteVector) q.convertShape(VectorOperators.I2B, B, 0)).intoArray(dst, doff + i);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < len; i++) {
            int q = ScalarKernels.quantize(src[so + i], mid, inv);
            dst[doff + i] = (byte) q;
            sum += q;
        }
        return sum;
    }

    @Override
    public String name() {
        return "panama[" + F + "]";
    }
}
