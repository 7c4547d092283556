package io.vectorstream.index.internal.vectorization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vectorstream.index.VectorMath;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KernelsAgreementTest {
    private static final long SEED = 0x5EEDL;
    private static final VectorKernels SCALAR = new ScalarKernels();

    /** The suite runs once per implementation; the POM says which one this run must have picked. */
    @Test
    void providerPicksTheExpectedImplementation() {
        String expected = System.getProperty("expect.kernels");
        assertThat(expected).as("surefire sets expect.kernels").isNotNull();
        assertThat(VectorMath.implementationName()).startsWith(expected);
        assertThat(KernelProvider.kernels().name()).startsWith(expected);
        // Runs with a narrower -XX:MaxVectorSize say which vector width the Panama kernels must have loaded at.
        String bits = System.getProperty("expect.vector.bits");
        if (bits != null) {
            assertThat(KernelProvider.kernels().name()).contains("S_" + bits + "_BIT");
        }
    }

    @Test
    void unknownForcedValueIsRejected() {
        assertThatThrownBy(() -> KernelProvider.select("avx9000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vectorstream.vectorization must be one of [scalar, panama]; vectorstream.vectorization=avx9000");
        assertThat(KernelProvider.select("scalar").name()).isEqualTo("scalar");
    }

    @Test
    void panamaForcedWithoutTheModuleIsAnError() {
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        if (module) {
            assertThat(KernelProvider.select("panama").name()).startsWith("panama");
        } else {
            assertThatThrownBy(() -> KernelProvider.select("panama"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("--add-modules jdk.incubator.vector");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 127, 128, 129, 768, 784, 1023})
    void floatKernelsAgreeWithScalarReference(int len) {
        VectorKernels k = KernelProvider.kernels();
        SplittableRandom r = new SplittableRandom(SEED + len);
        // Odd offsets check that slices, not whole arrays, are read.
        float[] a = new float[len + 5];
        float[] b = new float[len + 3];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (r.nextDouble() * 2 - 1);
        }
        double refDot = 0;
        double refL2 = 0;
        for (int i = 0; i < len; i++) {
            refDot += (double) a[5 + i] * b[3 + i];
            double d = (double) a[5 + i] - b[3 + i];
            refL2 += d * d;
        }
        String msg = "seed=" + (SEED + len) + " len=" + len + " impl=" + k.name();
        assertEquals(refDot, k.dot(a, 5, b, 3, len), tolerance(refDot, len), msg);
        assertEquals(refL2, k.squareDistance(a, 5, b, 3, len), tolerance(refL2, len), msg);
        assertEquals(SCALAR.dot(a, 5, b, 3, len), k.dot(a, 5, b, 3, len), tolerance(refDot, len), msg);
        assertEquals(SCALAR.squareDistance(a, 5, b, 3, len), k.squareDistance(a, 5, b, 3, len),
                tolerance(refL2, len), msg);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 127, 128, 129, 768, 784, 1023})
    void int8KernelsAreExact(int len) {
        VectorKernels k = KernelProvider.kernels();
        SplittableRandom r = new SplittableRandom(SEED * 31 + len);
        byte[] a = new byte[len + 2];
        byte[] b = new byte[len + 1];
        for (int i = 0; i < a.length; i++) {
            a[i] = (byte) (r.nextInt(256) - 128);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (r.nextInt(256) - 128);
        }
        int dot = 0;
        int l2 = 0;
        for (int i = 0; i < len; i++) {
            dot += a[2 + i] * b[1 + i];
            int d = a[2 + i] - b[1 + i];
            l2 += d * d;
        }
        assertEquals(dot, k.dotInt8(a, 2, b, 1, len), "len=" + len + " impl=" + k.name());
        assertEquals(l2, k.squareDistanceInt8(a, 2, b, 1, len), "len=" + len + " impl=" + k.name());
        assertEquals(dot, SCALAR.dotInt8(a, 2, b, 1, len));
        assertEquals(l2, SCALAR.squareDistanceInt8(a, 2, b, 1, len));
    }

    /**
     * The float-by-int8 kernels of per-coordinate codes agree with a double-precision reference and with the
     * scalar kernels, over lengths around every vector width and its tails, from an odd code offset, with
     * codes over the whole byte range and weights spanning four orders of magnitude (outlier coordinates).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 96, 127, 128, 129, 768, 784, 1023})
    void floatByInt8KernelsAgreeWithReference(int len) {
        VectorKernels k = KernelProvider.kernels();
        long seed = SEED * 7 + len;
        SplittableRandom r = new SplittableRandom(seed);
        float[] u = new float[len];
        float[] w = new float[len];
        byte[] c = new byte[len + 3];
        for (int i = 0; i < len; i++) {
            u[i] = (float) (r.nextDouble() * 300 - 150);
            w[i] = (float) Math.pow(10, r.nextDouble() * 4 - 2);
        }
        for (int i = 0; i < c.length; i++) {
            c[i] = (byte) (r.nextInt(256) - 128);
        }
        double refL2 = 0;
        double refDot = 0;
        double magnitude = 0;
        for (int i = 0; i < len; i++) {
            double d = (double) u[i] - c[3 + i];
            refL2 += w[i] * d * d;
            refDot += (double) u[i] * c[3 + i];
            magnitude += Math.abs((double) u[i] * c[3 + i]);
        }
        String msg = "seed=" + seed + " len=" + len + " impl=" + k.name();
        // Enough calls for C2 to compile the kernels, so their vector code is compared, not only the interpreter's.
        float l2 = 0;
        float dot = 0;
        for (int i = 0; i < 5_000; i++) {
            l2 = k.squareDistanceInt8Weighted(u, w, c, 3, len);
            dot = k.dotFloatInt8(u, c, 3, len);
        }
        assertEquals(refL2, l2, tolerance(refL2, len), msg);
        assertEquals(refDot, dot, tolerance(magnitude, len), msg);
        assertEquals(SCALAR.squareDistanceInt8Weighted(u, w, c, 3, len), l2, tolerance(refL2, len), msg);
        assertEquals(SCALAR.dotFloatInt8(u, c, 3, len), dot, tolerance(magnitude, len), msg);
        assertEquals(refL2, SCALAR.squareDistanceInt8Weighted(u, w, c, 3, len), tolerance(refL2, len), msg);
        assertEquals(refDot, SCALAR.dotFloatInt8(u, c, 3, len), tolerance(magnitude, len), msg);
    }

    /**
     * Per-coordinate quantisation is the uniform one coordinate by coordinate: for every length and lane
     * position, the kernel in use writes, bit for bit, the codes and sum of the uniform scalar reference applied
     * to each coordinate with its own offset and inverse scale (ties, clamps and non-finite inputs included).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 96, 127, 128, 129, 784, 1023})
    void perCoordinateQuantizeEqualsTheUniformOneCoordinateByCoordinate(int len) {
        VectorKernels k = KernelProvider.kernels();
        long seed = SEED * 19 + len;
        SplittableRandom r = new SplittableRandom(seed);
        float[] mids = new float[len];
        float[] invs = new float[len];
        float[] src = new float[len + 2];
        for (int i = 0; i < len; i++) {
            mids[i] = (float) (r.nextDouble() * 20 - 10);
            invs[i] = (float) Math.pow(10, r.nextDouble() * 4 - 2);
        }
        for (int i = 0; i < src.length; i++) {
            int coordinate = Math.max(0, Math.min(len - 1, i - 2));
            switch (r.nextInt(5)) {
                case 0: src[i] = (float) (r.nextDouble() * 2e4 - 1e4); break; // past the clamps
                case 1: src[i] = mids[coordinate] + (r.nextInt(254) - 127 + 0.5f) / invs[coordinate]; break; // near a tie
                case 2: src[i] = r.nextBoolean() ? Float.NaN : Float.NEGATIVE_INFINITY; break;
                default: src[i] = mids[coordinate] + (float) (r.nextDouble() * 254 - 127) / invs[coordinate]; break;
            }
        }
        byte[] expected = new byte[len];
        int expectedSum = 0;
        for (int i = 0; i < len; i++) {
            expectedSum += SCALAR.quantizeInt8(src, 2 + i, expected, i, 1, mids[i], invs[i]);
        }
        byte[] actual = new byte[len + 1];
        for (int i = 0; i < 20_000; i++) {
            k.quantizeInt8(src, 2, actual, 1, len, mids, invs);
        }
        int actualSum = k.quantizeInt8(src, 2, actual, 1, len, mids, invs);
        String msg = "seed=" + seed + " len=" + len + " impl=" + k.name();
        assertThat(java.util.Arrays.copyOfRange(actual, 1, len + 1)).as(msg).containsExactly(expected);
        assertEquals(expectedSum, actualSum, msg);
        byte[] scalar = new byte[len];
        assertEquals(expectedSum, SCALAR.quantizeInt8(src, 2, scalar, 0, len, mids, invs), msg);
        assertThat(scalar).as(msg).containsExactly(expected);
    }

    @Test
    void extremeInt8ValuesDoNotOverflow() {
        VectorKernels k = KernelProvider.kernels();
        byte[] a = new byte[1023];
        byte[] b = new byte[1023];
        java.util.Arrays.fill(a, (byte) -127);
        java.util.Arrays.fill(b, (byte) 127);
        assertEquals(-127 * 127 * 1023, k.dotInt8(a, 0, b, 0, 1023));
        assertEquals(254 * 254 * 1023, k.squareDistanceInt8(a, 0, b, 0, 1023));
    }

    /**
     * The whole byte range, -128 included (the quantiser never writes it, but the kernels take any bytes): the
     * largest square of a difference (255^2) and the largest product (-128 * -128) in every lane position, over
     * lengths around the wide loop's 32 and 64 lanes and its tails.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 31, 32, 33, 63, 64, 65, 100, 784, 1023})
    void int8KernelsAreExactOverTheWholeByteRange(int len) {
        VectorKernels k = KernelProvider.kernels();
        byte[][] patterns = {{-128, 127}, {-128, -128}, {127, -128}, {127, 127}, {-128, 0}};
        for (byte[] pat : patterns) {
            byte[] a = new byte[len];
            byte[] b = new byte[len];
            for (int i = 0; i < len; i++) {
                // Alternate the pattern with its mirror so both halves of every pair of short lanes see it.
                a[i] = (i & 1) == 0 ? pat[0] : pat[1];
                b[i] = (i & 1) == 0 ? pat[1] : pat[0];
            }
            int dot = 0;
            int l2 = 0;
            for (int i = 0; i < len; i++) {
                dot += a[i] * b[i];
                int d = a[i] - b[i];
                l2 += d * d;
            }
            String msg = "pattern=" + pat[0] + "," + pat[1] + " len=" + len + " impl=" + k.name();
            assertEquals(dot, k.dotInt8(a, 0, b, 0, len), msg);
            assertEquals(l2, k.squareDistanceInt8(a, 0, b, 0, len), msg);
            int self = 0;
            for (int i = 0; i < len; i++) {
                self += a[i] * a[i];
            }
            assertEquals(self, k.dotInt8(a, 0, a, 0, len), msg);
        }
    }

    /**
     * Quantisation is exact: the kernel in use writes the same codes and sum as the scalar reference, bit for
     * bit, over lengths around the vector widths and their tails, from odd offsets, for components inside the
     * range, past both clamps, on exact ties (x.5 rounds up), next to ties, and at +-infinity after scaling.
     * Away from ties it rounds as {@link Math#round(float)} does.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 768, 784, 1023})
    void quantizeAgreesWithScalarReferenceBitForBit(int len) {
        VectorKernels k = KernelProvider.kernels();
        long seed = SEED * 17 + len;
        SplittableRandom r = new SplittableRandom(seed);
        float mid = 0.25f;
        float inv = 2f;
        float[] src = new float[len + 3];
        for (int i = 0; i < src.length; i++) {
            switch (r.nextInt(6)) {
                case 5: // non-finite and signed-zero inputs: the kernel contract takes any float
                    float[] odd = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, mid};
                    src[i] = odd[r.nextInt(odd.length)];
                    break;
                case 0: src[i] = (float) (r.nextDouble() * 200 - 100); break; // past the clamps after scaling
                case 1: src[i] = mid + (r.nextInt(254) - 127 + 0.5f) / inv; break; // an exact tie
                case 2: src[i] = Math.nextUp(mid + (r.nextInt(254) - 127 + 0.5f) / inv); break;
                case 3: src[i] = r.nextBoolean() ? Float.MAX_VALUE : -Float.MAX_VALUE; break; // scales to +-inf
                default: src[i] = (float) (r.nextDouble() * 127 - 63.5); break;
            }
        }
        byte[] expected = new byte[len + 1];
        byte[] actual = new byte[len + 1];
        int expectedSum = SCALAR.quantizeInt8(src, 3, expected, 1, len, mid, inv);
        // Enough calls for C2 to compile the kernel, so its vector code is compared, not only the interpreter's.
        for (int i = 0; i < 20_000; i++) {
            k.quantizeInt8(src, 3, actual, 1, len, mid, inv);
        }
        int actualSum = k.quantizeInt8(src, 3, actual, 1, len, mid, inv);
        String msg = "seed=" + seed + " len=" + len + " impl=" + k.name();
        assertThat(actual).as(msg).containsExactly(expected);
        assertEquals(expectedSum, actualSum, msg);
        int sum = 0;
        for (int i = 0; i < len; i++) {
            float scaled = (src[3 + i] - mid) * inv;
            int q = expected[1 + i];
            sum += q;
            assertThat(q).as(msg + " i=" + i).isBetween(-127, 127);
            if (Float.isNaN(scaled)) {
                assertThat(q).as(msg + " NaN i=" + i).isEqualTo(-127); // (int) NaN is 0, shifted down by 127
                continue;
            }
            float fromTie = Math.abs(Math.abs(scaled - (float) Math.floor(scaled)) - 0.5f);
            if (Math.abs(scaled) >= 127) {
                assertThat(q).as(msg + " clamp i=" + i).isEqualTo(scaled > 0 ? 127 : -127);
            } else if (fromTie == 0f) {
                assertThat(q).as(msg + " tie i=" + i + " scaled=" + scaled).isEqualTo((int) Math.floor(scaled) + 1);
            } else if (fromTie > 1e-3f) {
                // (Within float rounding of a tie the float steps may round up where Math.round does not.)
                assertThat(q).as(msg + " i=" + i + " scaled=" + scaled).isEqualTo(Math.round(scaled));
            }
        }
        assertEquals(expectedSum, sum, msg);
        assertThat(actual[0]).as("the slice before doff is untouched").isZero();
    }

    /** Relative 1e-4 of the magnitude, plus float rounding that grows with the length. */
    private static double tolerance(double ref, int len) {
        return Math.max(1e-4 * Math.abs(ref), 1e-6 * len);
    }
}
