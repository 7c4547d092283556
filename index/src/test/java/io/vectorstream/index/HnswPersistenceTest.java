package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save/load, corruption detection and determinism. */
class HnswPersistenceTest {
    static final long SEED = 4242L;
    static final int N = 5_000;
    static final int DIM = 48;

    private static HnswIndex buildWithChurn(HnswConfig config, float[][] data, long[] ids) {
        HnswIndex index = TestData.build(config, data, ids);
        // Removals and upserts too, so free slots and repaired lists are part of what must round-trip.
        for (int i = 0; i < N; i += 9) {
            index.remove(ids[i]);
        }
        for (int i = 4; i < N; i += 50) {
            index.add(ids[i], data[(i * 13) % N]);
        }
        return index;
    }

    private static byte[] save(HnswIndex index) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        index.save(out);
        return out.toByteArray();
    }

    @Test
    void saveThenLoadGivesIdenticalAnswersAndContinuesIdentically(@TempDir Path dir) throws IOException {
        float[][][] sets = TestData.mixture(SEED, N, 100, DIM);
        long[] ids = TestData.sequentialIds(N, -3L);
        HnswConfig config = HnswConfig.builder(DIM).metric(VectorMetric.COSINE).quantization(Quantization.INT8)
                .quantizationTrainingSize(500).seed(SEED).build();
        HnswIndex original = buildWithChurn(config, sets[0], ids);
        Path file = dir.resolve("index.vshw");
        original.save(file);
        HnswIndex loaded = HnswIndex.load(file);

        assertThat(loaded.config()).isEqualTo(config);
        assertThat(loaded.size()).isEqualTo(original.size());
        // At least the float vectors and the int8 codes of every slot; capacities may differ after a load.
        long floor = (long) loaded.ordinalBound() * DIM * (4 + 1);
        assertThat(loaded.ramBytesUsed()).isGreaterThan(floor);
        assertThat(original.ramBytesUsed()).isGreaterThan(floor);
        for (float[] q : sets[1]) {
            SearchResults a = original.search(q, 10, 50);
            SearchResults b = loaded.search(q, 10, 50);
            assertThat(b.ids()).containsExactly(a.ids());
            assertThat(b.distances()).containsExactly(a.distances());
        }
        // The level generator's state is saved too: the same next operations give the same graph.
        for (int i = 0; i < 200; i++) {
            original.add(10_000_000L + i, sets[1][i % 100]);
            loaded.add(10_000_000L + i, sets[1][i % 100]);
        }
        assertThat(save(loaded)).isEqualTo(save(original));
    }

    @Test
    void twoBuildsWithTheSameSeedAndOrderAreIdentical() throws IOException {
        float[][][] sets = TestData.mixture(SEED, N, 50, DIM);
        long[] ids = TestData.sequentialIds(N, 0);
        HnswConfig config = HnswConfig.builder(DIM).seed(SEED).build();
        HnswIndex a = buildWithChurn(config, sets[0], ids);
        HnswIndex b = buildWithChurn(config, sets[0], ids);
        assertThat(save(a)).as("byte-identical graphs").isEqualTo(save(b));
        for (float[] q : sets[1]) {
            assertThat(a.search(q, 10, 40).ids()).containsExactly(b.search(q, 10, 40).ids());
        }
        HnswIndex c = buildWithChurn(config.toBuilder().seed(SEED + 1).build(), sets[0], ids);
        assertThat(save(c)).as("another seed draws other levels").isNotEqualTo(save(a));
    }

    @Test
    void truncatedOrCorruptedDataIsRejected() throws IOException {
        float[][][] sets = TestData.mixture(SEED, 500, 1, 8);
        byte[] bytes = save(TestData.build(HnswConfig.builder(8).build(), sets[0], TestData.sequentialIds(500, 0)));

        for (int cut : new int[] {0, 3, 10, 16, bytes.length / 2, bytes.length - 1}) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(truncated)))
                    .as("cut at %d", cut)
                    .isInstanceOf(IndexFormatException.class)
                    .hasMessageContaining("truncated");
        }
        for (int pos : new int[] {20, bytes.length / 3, bytes.length - 5}) {
            byte[] flipped = bytes.clone();
            flipped[pos] ^= 0x10;
            assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(flipped)))
                    .as("flip at %d", pos)
                    .isInstanceOf(IndexFormatException.class)
                    .hasMessageContaining("corrupted index: CRC32C must be");
        }
        byte[] badMagic = bytes.clone();
        badMagic[0] = 'X';
        assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(badMagic)))
                .hasMessageContaining("not a VectorStream index");
        byte[] badVersion = bytes.clone();
        badVersion[7] = 9;
        assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(badVersion)))
                .hasMessage("format version must be 1; version=9");
    }
}
