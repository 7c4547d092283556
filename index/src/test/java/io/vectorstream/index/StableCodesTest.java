package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The persisted codes of the enums are frozen: they are what saved files hold (format version 1 wrote the
 * ordinals of the day, which these codes equal), so a change here breaks every existing file.
 */
class StableCodesTest {

    @Test
    void metricCodesAreFrozen() {
        assertThat(VectorMetric.L2.code()).isEqualTo(0);
        assertThat(VectorMetric.INNER_PRODUCT.code()).isEqualTo(1);
        assertThat(VectorMetric.COSINE.code()).isEqualTo(2);
        for (VectorMetric m : VectorMetric.values()) {
            assertThat(VectorMetric.fromCode(m.code())).isSameAs(m);
        }
        assertThatThrownBy(() -> VectorMetric.fromCode(3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metric code must be one of [0 (L2), 1 (INNER_PRODUCT), 2 (COSINE)]; code=3");
        assertThatThrownBy(() -> VectorMetric.fromCode(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void quantizationCodesAreFrozen() {
        assertThat(Quantization.NONE.code()).isEqualTo(0);
        assertThat(Quantization.INT8.code()).isEqualTo(1);
        for (Quantization q : Quantization.values()) {
            assertThat(Quantization.fromCode(q.code())).isSameAs(q);
        }
        assertThatThrownBy(() -> Quantization.fromCode(2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("quantization code must be one of [0 (NONE), 1 (INT8)]; code=2");
    }
}
