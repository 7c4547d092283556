package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * vectorsOnHeap=false: once the int8 quantiser is trained the heap holds the graph and the codes only, and exact
 * re-ranking reads floats through the {@link ExactVectorSource}.
 */
class HnswVectorsOffHeapTest {
    static final long SEED = 4_242L;
    static final int N = 20_000;
    static final int DIM = 128;
    static final int QUERIES = 200;

    /** The stored vectors by id, standing in for the operator's keyed state; counts reads. */
    static final class StoredVectors implements ExactVectorSource {
        final Map<Long, float[]> byId = new HashMap<>();
        long reads;

        void put(HnswIndex index, long id, float[] v) {
            byId.put(id, index.storedVector(v));
        }

        @Override
        public void read(int ord, long id, float[] dst) {
            reads++;
            System.arraycopy(byId.get(id), 0, dst, 0, dst.length);
        }
    }

    static HnswConfig config(VectorMetric metric, boolean onHeap) {
        return HnswConfig.builder(DIM).metric(metric).maxConn(16).beamWidth(100).seed(SEED)
                .quantization(Quantization.INT8).vectorsOnHeap(onHeap).build();
    }

    static HnswIndex build(HnswConfig config, float[][] data, long[] ids, StoredVectors stored) {
        HnswIndex index = new HnswIndex(config);
        index.setExactVectorSource(stored);
        for (int i = 0; i < data.length; i++) {
            stored.put(index, ids[i], data[i]);
            index.add(ids[i], data[i]);
        }
        return index;
    }

    @ParameterizedTest
    @EnumSource(VectorMetric.class)
    void recallHoldsWithTheFloatsOffTheHeap(VectorMetric metric) {
        float[][][] sets = TestData.mixture(SEED, N, QUERIES, DIM);
        long[] ids = TestData.sequentialIds(N, 5_000L);
        StoredVectors stored = new StoredVectors();
        HnswIndex index = build(config(metric, false), sets[0], ids, stored);
        HnswIndex onHeap = build(config(metric, true), sets[0], ids, new StoredVectors());
        assertThat(index.vectorsOnHeap()).isFalse();
        assertThat(onHeap.vectorsOnHeap()).isTrue();
        assertThat(onHeap.ramBytesUsed() - index.ramBytesUsed()).as("the float vectors left the heap")
                .isGreaterThan((long) (0.9 * N * DIM * Float.BYTES));

        double recall = 0;
        for (float[] q : sets[1]) {
            long[] expected = TestData.bruteForce(metric, sets[0], ids, null, q, 10, null);
            SearchResults r = index.search(q, 10, 100);
            assertThat(r.distances()).isSorted();
            for (int i = 0; i < r.size(); i++) {
                // Re-ranked: the distances are exact float ones.
                assertThat(r.distance(i)).isCloseTo(VectorMath.distance(metric, q, stored.byId.get(r.id(i))
                        .clone()), org.assertj.core.data.Offset.offset(1e-4f));
            }
            recall += TestData.overlap(expected, r.ids());
        }
        recall /= QUERIES;
        assertThat(recall).as("recall@10 for %s, seed=%d", metric, SEED).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void aSearchReadsOnlyTheCandidatesItReranks() {
        float[][][] sets = TestData.mixture(SEED, 5_000, 50, DIM);
        long[] ids = TestData.sequentialIds(5_000, 1L);
        StoredVectors stored = new StoredVectors();
        HnswConfig config = config(VectorMetric.L2, false).toBuilder().rerankCandidates(20).build();
        HnswIndex index = build(config, sets[0], ids, stored);
        HnswIndex automatic = build(config(VectorMetric.L2, false), sets[0], ids, stored);
        HnswSearcher automaticSearcher = automatic.newSearcher();
        for (float[] q : sets[1]) {
            stored.reads = 0;
            index.search(q, 10, 100);
            assertThat(stored.reads).as("float reads of one graph search").isEqualTo(20);
            stored.reads = 0;
            OrdinalBitSet all = new OrdinalBitSet(index.ordinalBound());
            for (int ord = 0; ord < 300; ord++) {
                all.set(ord);
            }
            assertThat(index.search(q, 10, 40, all).path()).isEqualTo(SearchResults.Path.CODES_SCAN);
            assertThat(stored.reads).as("float reads of a filtered scan of 300").isEqualTo(20);
            stored.reads = 0;
            automaticSearcher.search(q, 10, 100);
            // 1.5 k, then on while a candidate could still beat the k-th: one read per candidate re-ranked.
            assertThat(automaticSearcher.lastRerankedCount()).isBetween(15, 100);
            assertThat(stored.reads).as("float reads of a graph search, automatic depth")
                    .isEqualTo(automaticSearcher.lastRerankedCount());
        }
    }

    /** Restored node by node, the codes-only index answers and evolves exactly as the original. */
    @Test
    void restoredIndexIsIdenticalAndEvolvesIdentically() {
        float[][][] sets = TestData.mixture(SEED, 3_000, 60, 24);
        long[] ids = TestData.sequentialIds(3_000, 1);
        StoredVectors stored = new StoredVectors();
        HnswConfig config = HnswConfig.builder(24).metric(VectorMetric.COSINE).quantization(Quantization.INT8)
                .quantizationTrainingSize(300).vectorsOnHeap(false).seed(8L).build();
        HnswIndex a = build(config, sets[0], ids, stored);
        for (int i = 0; i < 3_000; i += 4) {
            a.remove(ids[i]);
        }
        HnswIndex b = HnswRestoreTest.restoreFrom(a);
        b.setExactVectorSource(stored);
        assertThat(b.vectorsOnHeap()).isFalse();
        for (float[] q : sets[1]) {
            assertThat(b.search(q, 10, 40).ids()).containsExactly(a.search(q, 10, 40).ids());
        }
        for (int i = 0; i < 500; i++) {
            stored.put(a, 9_000_000L + i, sets[1][i % 60]);
            a.add(9_000_000L + i, sets[1][i % 60]);
            b.add(9_000_000L + i, sets[1][i % 60]);
            if (i % 3 == 0) {
                a.remove(ids[i * 2 + 1]);
                b.remove(ids[i * 2 + 1]);
            }
        }
        for (int ord = 0; ord < a.ordinalBound(); ord++) {
            assertThat(b.isLive(ord)).isEqualTo(a.isLive(ord));
            if (a.isLive(ord)) {
                assertThat(b.neighborsAt(ord)).isDeepEqualTo(a.neighborsAt(ord));
            }
        }
        for (float[] q : sets[1]) {
            assertThat(b.search(q, 10, 40).ids()).containsExactly(a.search(q, 10, 40).ids());
        }
    }

    @Test
    void belowTheTrainingSizeTheFloatsStayAndSearchIsExact() {
        float[][][] sets = TestData.mixture(SEED, 200, 10, 8);
        long[] ids = TestData.sequentialIds(200, 1);
        HnswConfig config = HnswConfig.builder(8).quantization(Quantization.INT8).vectorsOnHeap(false).build();
        StoredVectors stored = new StoredVectors();
        HnswIndex index = build(config, sets[0], ids, stored);
        assertThat(index.vectorsOnHeap()).isTrue();
        for (float[] q : sets[1]) {
            assertThat(index.search(q, 5, 20).ids())
                    .containsExactly(TestData.bruteForce(VectorMetric.L2, sets[0], ids, null, q, 5, null));
        }
        assertThat(stored.reads).isZero();
    }

    @Test
    void whatNeedsTheFloatsSaysSo() {
        float[][][] sets = TestData.mixture(SEED, 1_200, 1, 8);
        HnswConfig config = HnswConfig.builder(8).quantization(Quantization.INT8).vectorsOnHeap(false).build();
        HnswIndex index = new HnswIndex(config);
        for (int i = 0; i < 1_200; i++) {
            index.add(i, sets[0][i]);
        }
        assertThat(index.vectorsOnHeap()).isFalse();
        assertThatThrownBy(() -> index.save(new ByteArrayOutputStream())).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("save needs the float vectors on the heap;");
        assertThatThrownBy(() -> index.vectorAt(0)).isInstanceOf(IllegalStateException.class)
                .hasMessage("vectorAt needs the float vectors: they are off the heap (vectorsOnHeap=false) and no "
                        + "ExactVectorSource is set");
        // Without a source a search still answers, by int8 distance.
        assertThat(index.search(sets[1][0], 5, 20).size()).isEqualTo(5);
        assertThatThrownBy(() -> HnswConfig.builder(8).vectorsOnHeap(false).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vectorsOnHeap may be false only with INT8 quantization (the heap must hold something to "
                        + "traverse); quantization=NONE");
    }
}
