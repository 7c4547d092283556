package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * int8 codes with a range per coordinate: chosen by training only where a few coordinates are far wider than
 * the rest, scored against a float query, and kept through save, load and restore.
 */
class HnswPerCoordinateQuantizationTest {
    private static final long SEED = 0xC0DE5L;
    private static final int DIM = 32;

    /**
     * Clustered data whose coordinates 0..{@code wide}-1 are {@code scale} times wider and offset by {@code 3 *
     * scale}: the outlier dimensions of transformer embeddings.
     */
    static float[][] withOutliers(long seed, int n, int wide, float scale) {
        return withOutliers(TestData.clustered(seed, n, DIM, 40, 0.6), wide, scale);
    }

    static float[][] withOutliers(float[][] out, int wide, float scale) {
        for (float[] v : out) {
            for (int i = 0; i < wide; i++) {
                v[i] = v[i] * scale + 3 * scale;
            }
        }
        return out;
    }

    private static HnswConfig config(VectorMetric metric) {
        return HnswConfig.builder(DIM).metric(metric).maxConn(12).beamWidth(80).seed(SEED)
                .quantization(Quantization.INT8).quantizationTrainingSize(500).exactSearchThreshold(0).build();
    }

    @Test
    void trainingKeepsOneRangeUnlessAFewCoordinatesAreFarWider() {
        System.out.println("seed=" + SEED);
        int n = 600;
        long[] ids = TestData.sequentialIds(n, 0);
        assertThat(TestData.build(config(VectorMetric.L2), TestData.clustered(SEED, n, DIM, 40, 0.6), ids)
                .metadata().quantizerRanges()).as("coordinates of one width").isEqualTo(1);
        // 1.5x wider: the median coordinate would gain less than a bit, one range stays.
        assertThat(TestData.build(config(VectorMetric.L2), withOutliers(SEED, n, 2, 1.5f), ids)
                .metadata().quantizerRanges()).as("two coordinates 1.5x wider").isEqualTo(1);
        HnswIndex wide = TestData.build(config(VectorMetric.L2), withOutliers(SEED, n, 2, 8f), ids);
        assertThat(wide.metadata().quantizerRanges()).as("two coordinates 8x wider").isEqualTo(DIM);
        float[] scales = wide.metadata().quantizerScales();
        float[] sorted = scales.clone();
        Arrays.sort(sorted);
        assertThat(scales[0]).as("a wide coordinate's step against the median one").isGreaterThan(4 * sorted[DIM / 2]);
        // Offsets alone spread one range as much: every coordinate centred elsewhere.
        float[][] shifted = TestData.clustered(SEED, n, DIM, 40, 0.6);
        for (float[] v : shifted) {
            for (int i = 0; i < DIM; i++) {
                v[i] += 10 * i;
            }
        }
        assertThat(TestData.build(config(VectorMetric.L2), shifted, ids).metadata().quantizerRanges())
                .as("coordinates with their own offsets").isEqualTo(DIM);
        // Not yet trained: no ranges at all.
        assertThat(TestData.build(config(VectorMetric.L2), withOutliers(SEED, 100, 2, 8f),
                TestData.sequentialIds(100, 0)).metadata().quantizerRanges()).isZero();
    }

    /**
     * The per-coordinate scorer estimates the float distance to the decoded vector (its own rounding only), is
     * symmetric bit for bit between stored nodes, and its codes decode to within half a step of each vector.
     */
    @ParameterizedTest
    @EnumSource(VectorMetric.class)
    void distancesMatchTheDecodedVectorsAndAreSymmetric(VectorMetric metric) {
        float[][] data = withOutliers(SEED + 1, 800, 3, 8f);
        HnswIndex index = TestData.build(config(metric), data, TestData.sequentialIds(800, 0));
        StoredVectors vectors = index.storedVectors();
        ScalarQuantizer q = vectors.quantizer();
        assertThat(q.perCoordinate()).isTrue();
        assertThat(q.wide()).as("two of the three wide coordinates (at most DIM / 16)").hasSize(2);
        assertThat(Arrays.stream(q.wide()).boxed()).as("wide coordinates").allMatch(i -> i < 3);
        assertThat(vectors.codeLength()).isEqualTo(DIM + 2);
        PerCoordinateInt8Scorer scorer = PerCoordinateInt8Scorer.create(metric, vectors);
        float[] decoded = new float[DIM];
        float[] stored = new float[DIM];
        SplittableRandom r = new SplittableRandom(SEED);
        for (int t = 0; t < 200; t++) {
            int a = r.nextInt(800);
            int b = r.nextInt(800);
            vectors.copyTo(a, index.idAt(a), stored);
            q.decode(vectors.codes(), StoredVectors.CODE_BASE + a * vectors.codeLength(), decoded, DIM);
            for (int i = 0; i < DIM; i++) {
                int j = Arrays.binarySearch(q.wide(), i);
                // A wide coordinate's residual code resolves its main code's step 254 times finer.
                float half = (j >= 0 ? q.residualScales()[j] : q.scales()[i]) / 2;
                if (Math.abs(stored[i] - q.mids()[i]) <= 127 * q.scales()[i]) {
                    // Plus the float rounding of decoding, a few ulps of the values summed.
                    float rounding = 4 * Math.ulp(Math.abs(stored[i]) + Math.abs(q.mids()[i]));
                    assertThat(Math.abs(decoded[i] - stored[i])).as("coordinate %d of node %d", i, a)
                            .isLessThanOrEqualTo(half * 1.0001f + rounding);
                }
            }
            // Query = node b's floats: the code-side distance equals the float one to node a's decoded vector.
            float[] query = new float[DIM];
            vectors.copyTo(b, index.idAt(b), query);
            scorer.setQuery(query);
            float expected = VectorMath.distance(metric == VectorMetric.COSINE ? VectorMetric.INNER_PRODUCT : metric,
                    query, decoded) + (metric == VectorMetric.COSINE ? 1f : 0f);
            assertThat(scorer.distance(a)).as("query %d to node %d", b, a)
                    .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4f * Math.max(1f, Math.abs(expected))));
            assertThat(Float.floatToRawIntBits(scorer.distanceBetween(a, b)))
                    .isEqualTo(Float.floatToRawIntBits(scorer.distanceBetween(b, a)));
            if (metric == VectorMetric.L2) {
                // Construction compares a node's query distances with distanceBetween: the same bits.
                scorer.setQueryToNode(a);
                assertThat(Float.floatToRawIntBits(scorer.distance(b)))
                        .isEqualTo(Float.floatToRawIntBits(scorer.distanceBetween(a, b)));
            }
        }
    }

    /**
     * Under L2 a copy of a stored vector is at distance exactly 0 from it in codes too, both from the node as
     * query and between the two nodes: the neighbour selection recognises duplicates by that 0.
     */
    @Test
    void aDuplicateIsAtDistanceZeroInPerCoordinateCodes() {
        float[][] data = withOutliers(SEED + 5, 700, 2, 8f);
        HnswIndex index = TestData.build(config(VectorMetric.L2), data, TestData.sequentialIds(700, 0));
        index.add(9_999L, data[5]);
        index.add(9_998L, data[5]);
        StoredVectors vectors = index.storedVectors();
        assertThat(vectors.quantizer().perCoordinate()).isTrue();
        assertThat(vectors.quantizer().wide()).isNotEmpty();
        PerCoordinateInt8Scorer scorer = PerCoordinateInt8Scorer.create(VectorMetric.L2, vectors);
        int a = index.ordinalOf(9_999L);
        int b = index.ordinalOf(9_998L);
        int original = index.ordinalOf(TestData.sequentialIds(700, 0)[5]);
        assertThat(scorer.distanceBetween(a, b)).isZero();
        assertThat(scorer.distanceBetween(original, a)).isZero();
        scorer.setQueryToNode(a);
        assertThat(scorer.distance(b)).isZero();
        assertThat(scorer.distance(original)).isZero();
        assertThat(scorer.distance(index.ordinalOf(TestData.sequentialIds(700, 0)[6]))).isPositive();
    }

    /**
     * On data with outlier coordinates (two of 32 coordinates 16 times wider, in four broad clusters) the
     * per-coordinate codes search as well as the floats, where one range loses neighbours: the same graph,
     * restored with one range over all coordinates, is compared. At ef = k the int8 order alone decides (only
     * k candidates to re-rank); at ef 40 the re-rank makes up for some of it.
     */
    @ParameterizedTest
    @EnumSource(value = VectorMetric.class, names = {"L2", "COSINE"})
    void recallOnOutlierCoordinatesMatchesTheFloatIndex(VectorMetric metric) {
        int n = 6_000;
        int nq = 200;
        float[][] all = withOutliers(TestData.clustered(SEED + 2, n + nq, DIM, 4, 1.0), 2, 16f);
        float[][] data = Arrays.copyOf(all, n);
        float[][] queries = Arrays.copyOfRange(all, n, n + nq);
        long[] ids = TestData.sequentialIds(n, 0);
        HnswIndex perCoordinate = TestData.build(config(metric), data, ids);
        assertThat(perCoordinate.metadata().quantizerRanges()).isEqualTo(DIM);
        HnswIndex floats = TestData.build(HnswConfig.builder(DIM).metric(metric).maxConn(12).beamWidth(80).seed(SEED)
                .exactSearchThreshold(0).build(), data, ids);
        HnswIndex oneRange = restoredWithOneRange(perCoordinate);
        for (int ef : new int[] {10, 40}) {
            double codes = recall(perCoordinate, metric, data, ids, queries, ef);
            double exact = recall(floats, metric, data, ids, queries, ef);
            double uniform = recall(oneRange, metric, data, ids, queries, ef);
            System.out.printf("seed=%d metric=%s recall@10 ef %d: per-coordinate %.4f, floats %.4f, one range %.4f%n",
                    SEED + 2, metric, ef, codes, exact, uniform);
            assertThat(codes).as("per-coordinate codes against floats, ef %d", ef).isGreaterThanOrEqualTo(exact - 0.03);
            if (ef == 10) {
                assertThat(codes).as("per-coordinate codes against one range, ef %d", ef).isGreaterThan(uniform + 0.04);
            }
        }
    }

    /**
     * With the floats on the heap, an index quantised per coordinate builds its graph with exact distances: the
     * same graph, list for list, as the float index of the same configuration (only its searches use the codes).
     */
    @Test
    void perCoordinateIndexWithFloatsOnTheHeapBuildsTheFloatGraph() {
        float[][] data = withOutliers(SEED + 6, 1_500, 2, 8f);
        long[] ids = TestData.sequentialIds(1_500, 0);
        HnswIndex codes = TestData.build(config(VectorMetric.COSINE), data, ids);
        assertThat(codes.metadata().quantizerRanges()).isEqualTo(DIM);
        HnswIndex floats = TestData.build(HnswConfig.builder(DIM).metric(VectorMetric.COSINE).maxConn(12).beamWidth(80)
                .seed(SEED).exactSearchThreshold(0).build(), data, ids);
        for (int ord = 0; ord < floats.ordinalBound(); ord++) {
            assertThat(codes.neighborsAt(ord)).as("lists of node %d", ord).isDeepEqualTo(floats.neighborsAt(ord));
        }
    }

    /** {@code index}'s graph and vectors, restored with one int8 range spanning every coordinate's. */
    private static HnswIndex restoredWithOneRange(HnswIndex index) {
        IndexMetadata m = index.metadata();
        float[] mids = m.quantizerMids();
        float[] scales = m.quantizerScales();
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (int i = 0; i < mids.length; i++) {
            lo = Math.min(lo, mids[i] - 127 * scales[i]);
            hi = Math.max(hi, mids[i] + 127 * scales[i]);
        }
        IndexMetadata one = new IndexMetadata(m.highWater(), m.liveCount(), m.entryPoint(), m.maxLevel(),
                m.levelGeneratorState(), m.freeOrdinals(), m.pendingOrdinals(), true, (hi + lo) / 2, (hi - lo) / 254);
        HnswIndex.Restorer restorer = HnswIndex.restorer(index.config(), one);
        for (int ord = 0; ord < index.ordinalBound(); ord++) {
            if (index.isLive(ord)) {
                restorer.node(ord, index.idAt(ord), index.vectorAt(ord), index.neighborsAt(ord));
            }
        }
        return restorer.build();
    }

    private static double recall(HnswIndex index, VectorMetric metric, float[][] data, long[] ids, float[][] queries,
                                 int ef) {
        double sum = 0;
        for (float[] q : queries) {
            long[] truth = TestData.bruteForce(metric, data, ids, null, q, 10, null);
            sum += TestData.overlap(truth, index.search(q, 10, ef).ids());
        }
        return sum / queries.length;
    }

    /** Saved and loaded, or restored node by node (floats on or off the heap), the index answers the same. */
    @Test
    void perCoordinateRangesSurviveSaveLoadAndRestore() throws IOException {
        float[][] data = withOutliers(SEED + 3, 1_500, 2, 8f);
        long[] ids = TestData.sequentialIds(1_500, 3);
        HnswIndex index = TestData.build(config(VectorMetric.COSINE), data, ids);
        for (int i = 0; i < 1_500; i += 5) {
            index.remove(ids[i]);
        }
        assertThat(index.metadata().quantizerRanges()).isEqualTo(DIM);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        index.save(out);
        HnswIndex loaded = HnswIndex.load(new ByteArrayInputStream(out.toByteArray()));
        HnswIndex restored = HnswRestoreTest.restoreFrom(index);
        assertThat(loaded.metadata()).isEqualTo(index.metadata());
        assertThat(restored.metadata()).isEqualTo(index.metadata());
        float[][] queries = withOutliers(SEED + 4, 50, 2, 8f);
        for (float[] q : queries) {
            long[] expected = index.search(q, 10, 40).ids();
            assertThat(loaded.search(q, 10, 40).ids()).containsExactly(expected);
            assertThat(restored.search(q, 10, 40).ids()).containsExactly(expected);
        }
        // Codes only: the floats leave the heap once trained, and a node-by-node restore keeps the ranges.
        HnswVectorsOffHeapTest.StoredVectors stored = new HnswVectorsOffHeapTest.StoredVectors();
        HnswConfig offHeap = HnswConfig.builder(DIM).metric(VectorMetric.COSINE).maxConn(12).beamWidth(80).seed(SEED)
                .quantization(Quantization.INT8).quantizationTrainingSize(500).exactSearchThreshold(0)
                .vectorsOnHeap(false).build();
        HnswIndex codesOnly = HnswVectorsOffHeapTest.build(offHeap, data, ids, stored);
        HnswIndex codesRestored = HnswRestoreTest.restoreFrom(codesOnly);
        codesRestored.setExactVectorSource(stored);
        assertThat(codesRestored.metadata().quantizerRanges()).isEqualTo(DIM);
        for (float[] q : queries) {
            assertThat(codesRestored.search(q, 10, 40).ids()).containsExactly(codesOnly.search(q, 10, 40).ids());
        }
    }
}
