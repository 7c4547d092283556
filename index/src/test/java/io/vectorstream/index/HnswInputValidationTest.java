package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Bad input fails with "<param> must be <rule>; <param>=<value>". */
class HnswInputValidationTest {

    @Test
    void configRules() {
        assertThatThrownBy(() -> HnswConfig.builder(0)).hasMessage("dimension must be in [1, 65536]; dimension=0");
        assertThatThrownBy(() -> HnswConfig.builder(4).maxConn(1)).hasMessage("maxConn must be in [2, 512]; maxConn=1");
        assertThatThrownBy(() -> HnswConfig.builder(4).beamWidth(0)).hasMessage("beamWidth must be in [1, 10000]; beamWidth=0");
        assertThatThrownBy(() -> HnswConfig.builder(4).levelMultiplier(-1))
                .hasMessage("levelMultiplier must be finite and > 0; levelMultiplier=-1.0");
        assertThatThrownBy(() -> HnswConfig.builder(4).metric(null)).hasMessage("metric must not be null; metric=null");
    }

    @Test
    void vectorAndQueryRules() {
        HnswIndex index = new HnswIndex(HnswConfig.builder(3).metric(VectorMetric.COSINE).build());
        index.add(1, new float[] {1, 2, 3});
        assertThatThrownBy(() -> index.add(2, new float[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("vector dimension must be 3; vector.length=2");
        assertThatThrownBy(() -> index.add(2, new float[] {1, Float.NaN, 3}))
                .hasMessage("vector components must be finite; vector[1]=NaN");
        assertThatThrownBy(() -> index.add(2, new float[] {0, 0, 0}))
                .hasMessage("vector must be non-zero for cosine; |vector|=0");
        assertThatThrownBy(() -> index.add(2, null)).hasMessage("vector must not be null; vector=null");
        assertThatThrownBy(() -> index.search(new float[] {1, 1, 1}, 0, 10)).hasMessage("k must be in [1, 10000]; k=0");
        assertThatThrownBy(() -> index.search(new float[] {1, 1, 1}, 10_001, 20_000))
                .hasMessage("k must be in [1, 10000]; k=10001");
        assertThatThrownBy(() -> index.search(new float[] {1, 1, 1}, 10, 5))
                .hasMessage("efSearch must be in [k, 100000]; efSearch=5, k=10");
        assertThatThrownBy(() -> index.search(new float[] {1, 1}, 1, 1))
                .hasMessage("query dimension must be 3; query.length=2");
        assertThatThrownBy(() -> index.search(new float[] {1, Float.NEGATIVE_INFINITY, 1}, 1, 1))
                .hasMessage("query components must be finite; query[1]=-Infinity");
        assertThatThrownBy(() -> index.search(new float[3], 1, 1))
                .hasMessage("query must be non-zero for cosine; |query|=0");
        assertThatThrownBy(() -> index.searchBatch(new float[][] {{1, 1, 1}}, 1, 1, null, Runnable::run, 0))
                .hasMessage("parallelism must be >= 1; parallelism=0");
        assertThatThrownBy(() -> index.searchBatch(new float[][] {{1, 1, 1}}, 1, 1, null, null, 2))
                .hasMessage("executor must not be null; executor=null");
        // A rejected add leaves the index untouched.
        org.assertj.core.api.Assertions.assertThat(index.size()).isEqualTo(1);
    }
}
