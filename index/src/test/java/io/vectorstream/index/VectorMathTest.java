package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VectorMathTest {

    @Test
    void distancesOfEachMetric() {
        float[] a = {1, 2, 3};
        float[] b = {4, 6, 8};
        assertThat(VectorMath.squareDistance(a, b)).isEqualTo(9 + 16 + 25);
        assertThat(VectorMath.dot(a, b)).isEqualTo(4 + 12 + 24);
        assertThat(VectorMath.distance(VectorMetric.INNER_PRODUCT, a, b)).isEqualTo(-40);
        double cos = 40 / (Math.sqrt(14) * Math.sqrt(116));
        assertThat(VectorMath.cosine(a, b)).isCloseTo((float) cos, within(1e-6f));
        assertThat(VectorMath.distance(VectorMetric.COSINE, a, a)).isCloseTo(0f, within(1e-6f));
        float[] n = VectorMath.normalizedCopy(new float[] {3, 4});
        assertThat(n).containsExactly(0.6f, 0.8f);
    }

    /**
     * The finiteness check's SIMD pass and its scan agree: at every length around the vector widths, a NaN or an
     * infinity anywhere (first, inside the vector part, in the scalar tail, last) is reported at its first
     * index, and the largest finite values pass (their squares would overflow; the check squares x - x, which is 0).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 15, 16, 17, 31, 33, 64, 65, 784, 1023})
    void checkFiniteNamesTheFirstBadComponentAtEveryLengthAndPosition(int len) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) {
            v[i] = (i & 1) == 0 ? Float.MAX_VALUE : -Float.MAX_VALUE;
        }
        VectorMath.checkFinite("vector", v); // finite, however large: passes
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        int[] positions = {0, len / 2, Math.max(0, len - 2), len - 1};
        for (float b : bad) {
            for (int at : positions) {
                float[] w = v.clone();
                w[at] = b;
                if (at != len - 1) {
                    w[len - 1] = Float.NaN; // a later bad component must not be the one named
                }
                assertThatThrownBy(() -> VectorMath.checkFinite("vector", w))
                        .as("len=%d at=%d value=%s", len, at, b)
                        .hasMessage("vector components must be finite; vector[" + at + "]=" + b);
            }
        }
    }

    @Test
    void rejectsBadInputNamingFieldRuleAndValue() {
        assertThatThrownBy(() -> VectorMath.dot(new float[3], new float[4]))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("vector dimensions differ: 3 != 4");
        assertThatThrownBy(() -> VectorMath.checkFinite("vector", new float[] {0, Float.NaN}))
                .hasMessage("vector components must be finite; vector[1]=NaN");
        assertThatThrownBy(() -> VectorMath.normalize(new float[] {0, Float.POSITIVE_INFINITY}))
                .hasMessage("vector components must be finite; vector[1]=Infinity");
        assertThatThrownBy(() -> VectorMath.normalize(new float[3]))
                .hasMessage("vector must be non-zero for cosine; |vector|=0");
        assertThatThrownBy(() -> VectorMath.cosine(new float[] {1, 0}, new float[2]))
                .hasMessage("b must be non-zero for cosine; |b|=0");
        assertThatThrownBy(() -> VectorMetric.parse("manhattan"))
                .hasMessage("metric must be one of [l2, ip, cosine]; metric=manhattan");
        assertThat(VectorMetric.parse("IP")).isEqualTo(VectorMetric.INNER_PRODUCT);
    }
}
