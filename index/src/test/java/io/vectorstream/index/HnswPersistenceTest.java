package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;
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
        // Every saved setting off its default, the re-rank depth included (format version 3 keeps it).
        HnswConfig config = HnswConfig.builder(DIM).metric(VectorMetric.COSINE).quantization(Quantization.INT8)
                .quantizationTrainingSize(500).seed(SEED).rerankCandidates(37).build();
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

        for (int cut : new int[] {0, 3, 10, 16, 30, bytes.length / 2, bytes.length - 5, bytes.length - 1}) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(truncated)))
                    .as("cut at %d", cut)
                    .isInstanceOf(IndexFormatException.class)
                    .hasMessageStartingWith("truncated index: ");
        }
        // Anywhere after the magic and version a flipped bit is reported as a checksum mismatch, with both values;
        // when it also broke the structure, the message says where reading stopped.
        for (int pos : new int[] {10, 20, 30, 60, bytes.length / 3, bytes.length / 2, bytes.length - 6,
                bytes.length - 1}) {
            byte[] flipped = bytes.clone();
            flipped[pos] ^= 0x10;
            assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(flipped)))
                    .as("flip at %d", pos)
                    .isInstanceOf(IndexFormatException.class)
                    .hasMessageMatching("checksum mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}.*");
        }
        byte[] footer = bytes.clone();
        footer[bytes.length - 1] ^= 1;
        int stored = ByteBuffer.wrap(footer, bytes.length - 4, 4).getInt();
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(footer)))
                .hasMessage(String.format("checksum mismatch: stored 0x%08x, computed 0x%08x", stored,
                        (int) crc.getValue()));
        byte[] badMagic = bytes.clone();
        badMagic[0] = 'X';
        assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(badMagic)))
                .hasMessageContaining("not a VectorStream index");
        byte[] badVersion = bytes.clone();
        badVersion[7] = 9;
        assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(badVersion)))
                .hasMessage("format version must be one of [1, 2, 3, 4, 5, 6]; version=9");
    }

    /** A file whose checksum matches but whose content breaks a rule is rejected naming the rule. */
    @Test
    void consistentButInvalidContentIsRejectedByRule() throws IOException {
        byte[] bytes = save(TestData.build(HnswConfig.builder(4).build(), TestData.uniform(SEED, 50, 4),
                TestData.sequentialIds(50, 0)));
        byte[] unknownMetric = bytes.clone();
        unknownMetric[20] = 7; // magic, version, body length, dimension: the metric code is byte 20
        assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(withFooter(unknownMetric))))
                .isInstanceOf(IndexFormatException.class)
                .hasMessage("corrupted index: config: metric code must be one of [0 (L2), 1 (INNER_PRODUCT), "
                        + "2 (COSINE)]; code=7");
        byte[] tooHighWater = bytes.clone();
        ByteBuffer.wrap(tooHighWater).putInt(16 + 46 + 8, 51); // highWater, after the config and the generator
        assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(withFooter(tooHighWater))))
                .isInstanceOf(IndexFormatException.class)
                .hasMessage("corrupted index: metadata: highWater must equal liveCount + freeCount + pendingCount "
                        + "(50 + 0 + 0); highWater=51");
        byte[] rerank = bytes.clone();
        ByteBuffer.wrap(rerank).putInt(16 + 38, 999_999); // the re-rank depth
        assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(withFooter(rerank))))
                .isInstanceOf(IndexFormatException.class)
                .hasMessageStartingWith("corrupted index: config: rerankCandidates must be in [0, ")
                .hasMessageEndingWith("; rerankCandidates=999999");
        byte[] upperBeam = bytes.clone();
        ByteBuffer.wrap(upperBeam).putInt(16 + 42, 0); // the config's last field, the upper beam width
        assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(withFooter(upperBeam))))
                .isInstanceOf(IndexFormatException.class)
                .hasMessage("corrupted index: config: upperBeamWidth must be in [1, " + HnswConfig.MAX_UPPER_BEAM_WIDTH
                        + "]; upperBeamWidth=0");
        // A quantised index (all 50 vectors train it): the range count and the ranges follow the quantized flag.
        byte[] quantized = save(TestData.build(HnswConfig.builder(4).quantization(Quantization.INT8)
                .quantizationTrainingSize(50).build(), TestData.uniform(SEED, 50, 4), TestData.sequentialIds(50, 0)));
        int recentAt = 16 + 46 + 8 + 4 * 4 + 4 + 4; // config, generator, counters, free and pending counts
        int recent = ByteBuffer.wrap(quantized).getInt(recentAt);
        assertThat(recent).as("the latest inserts kept").isEqualTo(IndexMetadata.MAX_RECENT_INSERTS);
        byte[] badRecent = quantized.clone();
        ByteBuffer.wrap(badRecent).putInt(recentAt + 4, 50);
        assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(withFooter(badRecent))))
                .isInstanceOf(IndexFormatException.class)
                .hasMessage("corrupted index: metadata: recent insert ordinals must be in [0, 50); recent insert=50");
        byte[] tooManyRecent = quantized.clone();
        ByteBuffer.wrap(tooManyRecent).putInt(recentAt, IndexMetadata.MAX_RECENT_INSERTS + 1);
        assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(withFooter(tooManyRecent))))
                .isInstanceOf(IndexFormatException.class)
                .hasMessage("corrupted index: metadata: recent count must be in [0, " + IndexMetadata.MAX_RECENT_INSERTS
                        + "]; recentCount=" + (IndexMetadata.MAX_RECENT_INSERTS + 1));
        int rangesAt = recentAt + 4 + 4 * recent + 1; // the latest inserts, then the quantized flag
        assertThat(ByteBuffer.wrap(quantized).getInt(rangesAt)).as("uniform data: one range").isEqualTo(1);
        byte[] badRanges = quantized.clone();
        ByteBuffer.wrap(badRanges).putInt(rangesAt, 3);
        assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(withFooter(badRanges))))
                .isInstanceOf(IndexFormatException.class)
                .hasMessage("corrupted index: metadata: quantizer ranges must be 1 or the dimension 4; ranges=3");
        byte[] zeroScale = quantized.clone();
        ByteBuffer.wrap(zeroScale).putFloat(rangesAt + 4 + 4, 0f); // after the count and the one mid
        assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(withFooter(zeroScale))))
                .isInstanceOf(IndexFormatException.class)
                .hasMessageContaining("quantizer ranges must have a finite mid and a positive scale with a finite "
                        + "inverse; range 0: mid=");
    }

    /** {@code bytes} with its CRC32C footer recomputed. */
    private static byte[] withFooter(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        byte[] out = bytes.clone();
        ByteBuffer.wrap(out).putInt(bytes.length - 4, (int) crc.getValue());
        return out;
    }

    /** A damaged version-1 file (the format before the footer) is still recognised as such. */
    @Test
    void damagedVersion1FileIsRejected() throws IOException {
        byte[] v1 = GoldenIndexFilesTest.resource("v1-float-l2.vshw");
        byte[] flipped = v1.clone();
        flipped[v1.length / 2] ^= 0x10;
        assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(flipped)))
                .isInstanceOf(IndexFormatException.class)
                .hasMessageMatching("checksum mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8} \\(format "
                        + "version 1: the checksum covers the payload\\)");
        assertThatThrownBy(() -> HnswIndex.load(new ByteArrayInputStream(Arrays.copyOf(v1, v1.length - 2))))
                .isInstanceOf(IndexFormatException.class).hasMessageStartingWith("truncated index");
    }

    /**
     * save streams: the index reaches the stream in buffer-sized writes as it is encoded, never as one copy of
     * the whole; load reads exactly the index's bytes, so two indexes in one stream load one after the other.
     */
    @Test
    void saveStreamsAndLoadStopsAtTheEndOfTheIndex() throws IOException {
        float[][][] sets = TestData.mixture(SEED, 3_000, 20, 64);
        HnswIndex a = TestData.build(HnswConfig.builder(64).seed(SEED).build(), sets[0],
                TestData.sequentialIds(3_000, 0));
        HnswIndex b = TestData.build(HnswConfig.builder(64).seed(SEED + 1).build(), sets[0],
                TestData.sequentialIds(3_000, 1));
        int[] largestWrite = new int[1];
        ByteArrayOutputStream sink = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] buf, int off, int len) {
                largestWrite[0] = Math.max(largestWrite[0], len);
                super.write(buf, off, len);
            }
        };
        a.save(sink);
        int first = sink.size();
        assertThat(first).as("an index of 3000 x 64 floats").isGreaterThan(3_000 * 64 * 4);
        assertThat(largestWrite[0]).as("largest single write").isLessThanOrEqualTo(1 << 16);
        b.save(sink);
        ByteArrayInputStream in = new ByteArrayInputStream(sink.toByteArray());
        HnswIndex a2 = HnswIndex.load(in);
        assertThat(sink.size() - in.available()).as("bytes read by the first load").isEqualTo(first);
        HnswIndex b2 = HnswIndex.load(in);
        assertThat(in.available()).isZero();
        assertThat(save(a2)).isEqualTo(save(a));
        assertThat(save(b2)).isEqualTo(save(b));
    }
}
