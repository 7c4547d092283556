package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Groups of exact copies (one vector stored under many ids, as deduplication pipelines see): a query asking for
 * as many results as a group has copies gets every copy, before and after removals and across a save and load,
 * including groups larger than the construction beam; and the other vectors near such groups stay as findable as
 * without them. Deterministic (seeded; the seed is in every message).
 */
class HnswExactCopiesTest {
    static final long SEED = 20261130L;
    static final int DIM = 16;
    static final int NOISE = 4_000;
    /** Smaller than the largest group, so that group fills an insert's whole beam with copies. */
    static final int BEAM = 48;
    static final int[] GROUP_SIZES = {5, 40, 150};

    static Stream<Arguments> configurations() {
        return Stream.of(
                Arguments.of(VectorMetric.L2, Quantization.NONE),
                Arguments.of(VectorMetric.L2, Quantization.INT8),
                Arguments.of(VectorMetric.COSINE, Quantization.NONE),
                Arguments.of(VectorMetric.COSINE, Quantization.INT8));
    }

    /** The data: noise vectors and groups of copies, inserted in one shuffled order. */
    static final class Copies {
        final float[][] centres = new float[GROUP_SIZES.length][];
        /** Per group, its ids in insertion order. */
        final List<List<Long>> groups = new ArrayList<>();
        final List<float[]> noise = new ArrayList<>();
        final List<Long> noiseIds = new ArrayList<>();
        final HnswIndex index;

        Copies(VectorMetric metric, Quantization quantization, boolean withGroups) {
            SplittableRandom r = new SplittableRandom(SEED);
            index = new HnswIndex(config(metric, quantization), 0);
            List<long[]> order = new ArrayList<>(); // {id, group or -1}
            long id = 0;
            for (int i = 0; i < NOISE; i++) {
                order.add(new long[] {id++, -1});
            }
            for (int g = 0; g < GROUP_SIZES.length; g++) {
                centres[g] = gaussian(r);
                groups.add(new ArrayList<>());
                for (int c = 0; c < GROUP_SIZES[g]; c++) {
                    order.add(new long[] {id++, g});
                }
            }
            Collections.shuffle(order, new Random(SEED));
            for (long[] e : order) {
                if (e[1] < 0) {
                    float[] v = gaussian(r);
                    noise.add(v);
                    noiseIds.add(e[0]);
                    index.add(e[0], v);
                } else if (withGroups) {
                    groups.get((int) e[1]).add(e[0]);
                    index.add(e[0], centres[(int) e[1]].clone());
                }
            }
        }

        static HnswConfig config(VectorMetric metric, Quantization quantization) {
            return HnswConfig.builder(DIM).metric(metric).maxConn(8).beamWidth(BEAM).quantization(quantization)
                    .quantizationTrainingSize(500).exactSearchThreshold(0).seed(SEED).build();
        }

        static float[] gaussian(SplittableRandom r) {
            float[] v = new float[DIM];
            for (int j = 0; j < DIM; j++) {
                v[j] = (float) TestData.gaussian(r);
            }
            return v;
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configurations")
    void aQueryForAsManyResultsAsCopiesGetsEveryCopy(VectorMetric metric, Quantization quantization) {
        Copies data = new Copies(metric, quantization, true);
        for (int g = 0; g < GROUP_SIZES.length; g++) {
            assertEveryCopyFound(data.index, data.centres[g], data.groups.get(g), "group of " + GROUP_SIZES[g]);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configurations")
    void afterRemovalsEveryRemainingCopyIsFoundAndNoRemovedOne(VectorMetric metric, Quantization quantization)
            throws IOException {
        Copies data = new Copies(metric, quantization, true);
        // Every other copy in insertion order, the older half, and all but one.
        List<List<Long>> kept = new ArrayList<>();
        for (int g = 0; g < GROUP_SIZES.length; g++) {
            List<Long> ids = data.groups.get(g);
            List<Long> keep = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                boolean remove = g == 0 ? i < ids.size() - 1 : g == 1 ? i % 2 == 0 : i < ids.size() / 2;
                if (remove) {
                    assertThat(data.index.remove(ids.get(i))).isTrue();
                } else {
                    keep.add(ids.get(i));
                }
            }
            kept.add(keep);
        }
        for (int g = 0; g < GROUP_SIZES.length; g++) {
            assertEveryCopyFound(data.index, data.centres[g], kept.get(g), "group of " + GROUP_SIZES[g] + " after removals");
        }
        // Loaded, the edge distances are recomputed lazily: new copies still join their group's chain.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        data.index.save(out);
        HnswIndex loaded = HnswIndex.load(new ByteArrayInputStream(out.toByteArray()));
        long next = 1_000_000;
        for (int g = 0; g < GROUP_SIZES.length; g++) {
            for (int c = 0; c < GROUP_SIZES[g]; c++) {
                loaded.add(next, data.centres[g].clone());
                kept.get(g).add(next++);
            }
            assertEveryCopyFound(loaded, data.centres[g], kept.get(g), "group of " + GROUP_SIZES[g] + " grown after a load");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("configurations")
    void vectorsNearLargeGroupsStayAsFindableAsWithoutThem(VectorMetric metric, Quantization quantization) {
        int missedWithGroups = missedNoise(new Copies(metric, quantization, true));
        int missedWithout = missedNoise(new Copies(metric, quantization, false));
        // Before the copy rules, the groups took whole beams and lists: 10-50x the misses of the same vectors alone.
        assertThat(missedWithGroups)
                .as("noise vectors not found as their own nearest, with groups against without; %s %s seed=%d",
                        metric, quantization, SEED)
                .isLessThanOrEqualTo(missedWithout + NOISE / 500);
    }

    /** How many noise vectors are not their own nearest neighbour at k 1, ef 32. */
    static int missedNoise(Copies data) {
        int missed = 0;
        for (int i = 0; i < data.noise.size(); i++) {
            SearchResults r = data.index.search(data.noise.get(i), 1, 32);
            if (r.size() == 0 || r.id(0) != data.noiseIds.get(i)) {
                missed++;
            }
        }
        return missed;
    }

    static void assertEveryCopyFound(HnswIndex index, float[] centre, List<Long> ids, String what) {
        int k = ids.size();
        SearchResults r = index.search(centre, k, Math.max(2 * k, 64));
        long[] found = new long[r.size()];
        for (int i = 0; i < r.size(); i++) {
            found[i] = r.id(i);
        }
        long[] expected = ids.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(found);
        Arrays.sort(expected);
        assertThat(found).as("%s: ids found at k=%d, seed=%d", what, k, SEED).containsExactly(expected);
    }
}
