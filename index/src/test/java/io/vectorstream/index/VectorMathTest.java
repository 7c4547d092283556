package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

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
