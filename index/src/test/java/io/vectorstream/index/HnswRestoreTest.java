package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Node-by-node export and restore (what the Flink operators persist) rebuilds the identical index. */
class HnswRestoreTest {

    static HnswIndex restoreFrom(HnswIndex src) {
        return restoreFrom(src, src.metadata());
    }

    /** {@code src}'s nodes restored under {@code metadata} instead of its own. */
    static HnswIndex restoreFrom(HnswIndex src, IndexMetadata metadata) {
        HnswIndex.Restorer r = HnswIndex.restorer(src.config(), metadata);
        for (int ord = 0; ord < src.ordinalBound(); ord++) {
            if (src.isLive(ord)) {
                r.node(ord, src.idAt(ord), src.vectorAt(ord), src.neighborsAt(ord));
            }
        }
        return r.build();
    }

    static byte[] bytes(HnswIndex index) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        index.save(out);
        return out.toByteArray();
    }

    @Test
    void restoredIndexIsIdenticalAndEvolvesIdentically() throws IOException {
        float[][][] sets = TestData.mixture(8L, 3_000, 60, 24);
        long[] ids = TestData.sequentialIds(3_000, 1);
        HnswConfig config = HnswConfig.builder(24).metric(VectorMetric.COSINE).quantization(Quantization.INT8)
                .quantizationTrainingSize(300).seed(8L).build();
        HnswIndex a = TestData.build(config, sets[0], ids);
        for (int i = 0; i < 3_000; i += 4) {
            a.remove(ids[i]);
        }
        HnswIndex b = restoreFrom(a);
        for (float[] q : sets[1]) {
            assertThat(b.search(q, 10, 40).ids()).containsExactly(a.search(q, 10, 40).ids());
        }
        for (int i = 0; i < 500; i++) {
            a.add(9_000_000L + i, sets[1][i % 60]);
            b.add(9_000_000L + i, sets[1][i % 60]);
            if (i % 3 == 0) {
                a.remove(ids[i * 2 + 1]);
                b.remove(ids[i * 2 + 1]);
            }
        }
        assertThat(bytes(b)).isEqualTo(bytes(a));
    }

    @Test
    void missingNodesAreDetected() {
        HnswIndex a = new HnswIndex(HnswConfig.builder(2).build());
        a.add(1, new float[] {1, 2});
        a.add(2, new float[] {3, 4});
        HnswIndex.Restorer r = HnswIndex.restorer(a.config(), a.metadata());
        r.node(0, a.idAt(0), a.vectorAt(0), a.neighborsAt(0));
        assertThatThrownBy(r::build).isInstanceOf(IllegalStateException.class)
                .hasMessage("restored nodes must equal the live count; restored=1, liveCount=2");
    }
}
