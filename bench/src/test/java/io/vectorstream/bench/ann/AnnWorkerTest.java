package io.vectorstream.bench.ann;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorstream.index.VectorMetric;
import org.junit.jupiter.api.Test;

/** Library names the harness accepts, our upper-beam variants among them. */
class AnnWorkerTest {

    @Test
    void upperBeamVariantsAreNamedByTheirWidth() {
        assertThat(AnnWorker.library("vectorstream", VectorMetric.L2).name()).isEqualTo("vectorstream");
        assertThat(AnnWorker.library("vectorstream-ub2", VectorMetric.L2).name()).isEqualTo("vectorstream-ub2");
        assertThat(AnnWorker.library("vectorstream-int8-ub4", VectorMetric.L2).name())
                .isEqualTo("vectorstream-int8-ub4");
        assertThatThrownBy(() -> AnnWorker.library("vectorstream-ub1", VectorMetric.L2))
                .hasMessage("the upper beam width of vectorstream-ub<width> must be in [2, 64] (1 is vectorstream); "
                        + "library=vectorstream-ub1");
        assertThatThrownBy(() -> AnnWorker.library("vectorstream-int8-ub65", VectorMetric.L2))
                .hasMessageStartingWith("the upper beam width of vectorstream-int8-ub<width> must be in [2, 64]");
    }
}
