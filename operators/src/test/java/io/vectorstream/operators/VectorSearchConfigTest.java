package io.vectorstream.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorstream.index.HnswConfig;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** Options reach the index configuration each key's index is built with, and bad values name their rule. */
class VectorSearchConfigTest {

    @Test
    void theUpperBeamWidthReachesTheIndexConfiguration() {
        assertThat(VectorSearchConfig.fromConfiguration(new Configuration()).hnswConfig(4).upperBeamWidth())
                .isEqualTo(HnswConfig.DEFAULT_UPPER_BEAM_WIDTH);
        Configuration c = new Configuration();
        c.set(VectorSearchOptions.UPPER_BEAM_WIDTH, 2);
        VectorSearchConfig config = VectorSearchConfig.fromConfiguration(c);
        assertThat(config.upperBeamWidth()).isEqualTo(2);
        assertThat(config.hnswConfig(4).upperBeamWidth()).isEqualTo(2);
        c.set(VectorSearchOptions.UPPER_BEAM_WIDTH, 0);
        assertThatThrownBy(() -> VectorSearchConfig.fromConfiguration(c))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("upperBeamWidth must be in [1, " + HnswConfig.MAX_UPPER_BEAM_WIDTH + "]; upperBeamWidth=0");
    }
}
