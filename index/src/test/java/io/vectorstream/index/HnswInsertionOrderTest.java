package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Vectors that arrive in bursts, one well-separated cluster after another (one tenant, category or crawl at a
 * time), or several such streams interleaved: every member stays reachable inside its own cluster, and a save
 * and load in the middle of a burst continues the build exactly. Deterministic (seeded; the seed is in every
 * message). The recall this buys is measured in docs/benchmarks.md (section 1f), not asserted here.
 */
class HnswInsertionOrderTest {
    static final long SEED = 20261130L;
    static final int DIM = 16;
    static final int CLUSTERS = 150;
    static final int PER_CLUSTER = 80;
    /** Cluster centres ~ N(0, 10^2) per coordinate, members ~ centre + N(0, 1): clusters ~56 apart, ~6 across. */
    static final double CENTRE_SCALE = 10;
    static final double SPREAD = 1;

    enum Order {
        /** Cluster after cluster. */
        BURSTS,
        /** Three streams of clusters, interleaved record by record. */
        INTERLEAVED_BURSTS
    }

    static Stream<Arguments> burstOrders() {
        List<Arguments> out = new ArrayList<>();
        for (Order order : new Order[] {Order.BURSTS, Order.INTERLEAVED_BURSTS}) {
            out.add(Arguments.of(order, VectorMetric.L2, Quantization.NONE));
            out.add(Arguments.of(order, VectorMetric.L2, Quantization.INT8));
            out.add(Arguments.of(order, VectorMetric.COSINE, Quantization.NONE));
        }
        return out.stream();
    }

    /** Seeded clusters; id {@code c * PER_CLUSTER + i} is member i of cluster c. */
    static final class Clusters {
        final float[][] vectors = new float[CLUSTERS * PER_CLUSTER][];

        Clusters() {
            this(SEED);
        }

        Clusters(long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            for (int c = 0; c < CLUSTERS; c++) {
                float[] centre = gaussian(r, CENTRE_SCALE);
                for (int i = 0; i < PER_CLUSTER; i++) {
                    vectors[c * PER_CLUSTER + i] = plusNoise(centre, r, SPREAD);
                }
            }
        }

        static int clusterOf(long id) {
            return (int) (id / PER_CLUSTER);
        }

        /** The ids in {@code order}. */
        List<Long> ids(Order order) {
            List<Long> out = new ArrayList<>();
            switch (order) {
                case BURSTS:
                    for (long id = 0; id < vectors.length; id++) {
                        out.add(id);
                    }
                    break;
                case INTERLEAVED_BURSTS:
                    int streams = 3;
                    List<List<Long>> stream = new ArrayList<>();
                    for (int s = 0; s < streams; s++) {
                        stream.add(new ArrayList<>());
                    }
                    for (long id = 0; id < vectors.length; id++) {
                        stream.get(clusterOf(id) % streams).add(id);
                    }
                    for (int i = 0; out.size() < vectors.length; i++) {
                        for (List<Long> s : stream) {
                            if (i < s.size()) {
                                out.add(s.get(i));
                            }
                        }
                    }
                    break;
                default:
                    throw new IllegalArgumentException("order=" + order);
            }
            return out;
        }

        HnswIndex build(Order order, VectorMetric metric, Quantization quantization) {
            HnswIndex index = new HnswIndex(config(metric, quantization), vectors.length);
            for (long id : ids(order)) {
                index.add(id, vectors[(int) id]);
            }
            return index;
        }

    }

    static HnswConfig config(VectorMetric metric, Quantization quantization) {
        return HnswConfig.builder(DIM).metric(metric).maxConn(16).beamWidth(100).seed(SEED)
                .quantization(quantization).quantizationTrainingSize(500).exactSearchThreshold(0).build();
    }

    /**
     * Inside each cluster, layer 0 leads from the cluster's first member to every other member without leaving the
     * cluster. Before inserts also searched from the latest inserts, a member whose insert search ended in a
     * neighbouring cluster linked only there, and whole parts of a cluster were reachable only through other
     * clusters, which a search does not take.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("burstOrders")
    void everyMemberIsReachableFromItsClusterInsideTheCluster(Order order, VectorMetric metric,
                                                              Quantization quantization) {
        Clusters data = new Clusters();
        HnswIndex index = data.build(order, metric, quantization);
        int unreachable = 0;
        List<String> worst = new ArrayList<>();
        long[] firstOfCluster = new long[CLUSTERS];
        Arrays.fill(firstOfCluster, -1);
        for (long id : data.ids(order)) {
            if (firstOfCluster[Clusters.clusterOf(id)] < 0) {
                firstOfCluster[Clusters.clusterOf(id)] = id;
            }
        }
        for (int c = 0; c < CLUSTERS; c++) {
            Set<Long> reached = reachableInsideCluster(index, firstOfCluster[c]);
            int missed = PER_CLUSTER - reached.size();
            if (missed > 0) {
                unreachable += missed;
                worst.add("cluster " + c + ": " + missed);
            }
        }
        assertThat(unreachable).as("members unreachable inside their cluster (seed %d, %s %s %s): %s", SEED, order,
                metric, quantization, worst).isZero();
    }

    /**
     * The latest inserts are part of the saved state: an index saved and loaded at any point of a burst makes the
     * next insert exactly as the original does; one restored without them does not at some points (else this test
     * would show nothing). The points are every insert of ten bursts.
     */
    @Test
    void aLoadInTheMiddleOfABurstContinuesTheBuildExactly() throws IOException {
        Clusters data = new Clusters();
        List<Long> ids = data.ids(Order.BURSTS);
        HnswIndex original = new HnswIndex(config(VectorMetric.L2, Quantization.NONE), ids.size());
        int from = 20 * PER_CLUSTER;
        for (long id : ids.subList(0, from)) {
            original.add(id, data.vectors[(int) id]);
        }
        int differentWithout = 0;
        for (int cut = from; cut < 30 * PER_CLUSTER; cut++) {
            HnswIndex loaded = HnswIndex.load(new ByteArrayInputStream(bytes(original)));
            HnswIndex withoutRecent = restoredWithoutRecentInserts(original);
            long id = ids.get(cut);
            original.add(id, data.vectors[(int) id]);
            loaded.add(id, data.vectors[(int) id]);
            withoutRecent.add(id, data.vectors[(int) id]);
            byte[] expected = bytes(original);
            assertThat(bytes(loaded)).as("saved after the insert following a load at %d (seed %d)", cut, SEED)
                    .isEqualTo(expected);
            if (!Arrays.equals(bytes(withoutRecent), expected)) {
                differentWithout++;
            }
        }
        assertThat(differentWithout).as("inserts a restore without the latest inserts makes differently (seed %d)",
                SEED).isPositive();
    }

    /**
     * Clusters that come and go whole (tenants joining and leaving), each inserted in one burst: 100 clusters of
     * 100, then five rounds that remove 60 whole clusters and add 60 new ones. Recall@10 at ef 100, averaged over
     * three seeds, stays at 0.95 or more (0.970 here). It was 0.937 before far candidates needed a clearly closer
     * neighbour to be pruned ({@link HnswInserter#FAR_ALPHA}): the removals took the few edges between clusters
     * with them.
     */
    @Test
    void clustersThatComeAndGoInBurstsStayFindable() {
        double sum = 0;
        List<String> perSeed = new ArrayList<>();
        for (long seed = 1; seed <= 3; seed++) {
            double recall = churnedClustersRecall(seed);
            perSeed.add("seed " + seed + ": " + recall);
            sum += recall;
        }
        assertThat(sum / 3).as("mean recall@10 at ef 100 (%s)", perSeed).isGreaterThanOrEqualTo(0.95);
    }

    /**
     * Queries near members of clusters inserted one after another: with the greedy descent (upper beam width 1) some
     * end in a neighbouring cluster, whose members fill efSearch's beam, and none of their ten answers is in the
     * query's own cluster; a beam of 2 on the upper layers leaves fewer such queries and a higher recall. The width
     * is a search setting: both indexes hold the same graph. Three data seeds, 400 queries each.
     */
    @Test
    void aWiderUpperBeamFindsTheQuerysClusterWhereTheGreedyDescentStops() {
        int[] lost = new int[2];
        int[] hits = new int[2];
        int queries = 0;
        for (long seed = SEED; seed < SEED + 3; seed++) {
            Clusters data = new Clusters(seed);
            HnswIndex greedy = data.build(Order.BURSTS, VectorMetric.L2, Quantization.NONE);
            HnswIndex beam = new HnswIndex(config(VectorMetric.L2, Quantization.NONE).toBuilder().upperBeamWidth(2)
                    .build(), data.vectors.length);
            for (long id : data.ids(Order.BURSTS)) {
                beam.add(id, data.vectors[(int) id]);
            }
            for (int ord = 0; ord < data.vectors.length; ord++) {
                assertThat(beam.neighborsAt(ord)).as("lists of ordinal %d (seed %d)", ord, seed)
                        .isDeepEqualTo(greedy.neighborsAt(ord));
            }
            SplittableRandom r = new SplittableRandom(seed + 100);
            HnswSearcher[] searchers = {greedy.newSearcher(), beam.newSearcher()};
            for (int q = 0; q < 400; q++, queries++) {
                float[] query = plusNoise(data.vectors[r.nextInt(data.vectors.length)], r, SPREAD);
                long[] truth = nearest(data.vectors, query, 10);
                Set<Long> expected = new HashSet<>();
                for (long id : truth) {
                    expected.add(id);
                }
                for (int w = 0; w < 2; w++) {
                    SearchResults res = searchers[w].search(query, 10, 20);
                    boolean found = false;
                    for (int i = 0; i < res.size(); i++) {
                        hits[w] += expected.contains(res.id(i)) ? 1 : 0;
                        found |= Clusters.clusterOf(res.id(i)) == Clusters.clusterOf(truth[0]);
                    }
                    lost[w] += found ? 0 : 1;
                }
            }
        }
        double[] recall = {hits[0] / (10.0 * queries), hits[1] / (10.0 * queries)};
        String seen = String.format("seeds %d-%d; queries in the wrong cluster %d / %d of %d, recall@10 at ef 20 "
                + "%.4f / %.4f", SEED, SEED + 2, lost[0], lost[1], queries, recall[0], recall[1]);
        System.out.println("upper beam: " + seen); // the seeds and both counts, also when it passes
        assertThat(lost[0]).as("the greedy descent loses some queries (%s)", seen).isGreaterThanOrEqualTo(5);
        assertThat(3 * lost[1]).as("the beam loses under two thirds as many (%s)", seen).isLessThan(2 * lost[0]);
        assertThat(recall[1]).as("recall with the beam (%s)", seen).isGreaterThan(recall[0])
                .isGreaterThanOrEqualTo(0.97);
    }

    /** The ids of the {@code k} vectors nearest to {@code query} (index = id), nearest first. */
    static long[] nearest(float[][] vectors, float[] query, int k) {
        double[] d = new double[vectors.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = squaredDistance(query, vectors[i]);
        }
        long[] out = new long[k];
        boolean[] taken = new boolean[d.length];
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int i = 0; i < d.length; i++) {
                if (!taken[i] && (best < 0 || d[i] < d[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            out[j] = best;
        }
        return out;
    }

    static double churnedClustersRecall(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        HnswIndex index = new HnswIndex(config(VectorMetric.L2, Quantization.NONE), 10_000);
        java.util.Map<Long, float[]> live = new java.util.LinkedHashMap<>();
        List<List<Long>> clusters = new ArrayList<>();
        long[] nextId = {0};
        java.util.function.Consumer<Integer> addClusters = count -> {
            for (int c = 0; c < count; c++) {
                float[] centre = gaussian(r, CENTRE_SCALE);
                List<Long> members = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    float[] v = plusNoise(centre, r, 0.3);
                    long id = nextId[0]++;
                    live.put(id, v);
                    members.add(id);
                    index.add(id, v);
                }
                clusters.add(members);
            }
        };
        addClusters.accept(100);
        for (int round = 0; round < 5; round++) {
            java.util.Collections.shuffle(clusters, new java.util.Random(seed + round));
            for (List<Long> members : clusters.subList(0, 60)) {
                for (long id : members) {
                    index.remove(id);
                    live.remove(id);
                }
            }
            clusters.subList(0, 60).clear();
            addClusters.accept(60);
        }
        List<Long> ids = new ArrayList<>(live.keySet());
        HnswSearcher searcher = index.newSearcher();
        int hits = 0;
        int queries = 300;
        for (int q = 0; q < queries; q++) {
            float[] query = plusNoise(live.get(ids.get(r.nextInt(ids.size()))), r, 0.3);
            long[] truth = ids.stream().sorted(java.util.Comparator.comparingDouble(id -> squaredDistance(query,
                    live.get(id)))).limit(10).mapToLong(Long::longValue).toArray();
            Set<Long> expected = new HashSet<>();
            for (long id : truth) {
                expected.add(id);
            }
            SearchResults res = searcher.search(query, 10, 100);
            for (int i = 0; i < res.size(); i++) {
                if (expected.contains(res.id(i))) {
                    hits++;
                }
            }
        }
        return hits / (double) (10 * queries);
    }

    static double squaredDistance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double t = a[i] - b[i];
            s += t * t;
        }
        return s;
    }

    // ---------------------------------------------------------------- helpers

    static HnswIndex restoredWithoutRecentInserts(HnswIndex index) {
        IndexMetadata m = index.metadata();
        return HnswRestoreTest.restoreFrom(index, new IndexMetadata(m.highWater(), m.liveCount(), m.entryPoint(),
                m.maxLevel(), m.levelGeneratorState(), m.freeOrdinals(), m.pendingOrdinals(), m.quantized(),
                m.quantizerMids(), m.quantizerScales(), new int[0]));
    }

    static byte[] bytes(HnswIndex index) throws IOException {
        return HnswRestoreTest.bytes(index);
    }

    /** The ids reachable from {@code from} on layer 0 through edges between members of its cluster. */
    static Set<Long> reachableInsideCluster(HnswIndex index, long from) {
        int cluster = Clusters.clusterOf(from);
        Set<Long> seen = new HashSet<>();
        ArrayDeque<Integer> todo = new ArrayDeque<>();
        int start = index.ordinalOf(from);
        seen.add(from);
        todo.add(start);
        while (!todo.isEmpty()) {
            for (int n : index.neighborsAt(todo.poll())[0]) {
                long id = index.idAt(n);
                if (index.isLive(n) && Clusters.clusterOf(id) == cluster && seen.add(id)) {
                    todo.add(n);
                }
            }
        }
        return seen;
    }




    static float[] gaussian(SplittableRandom r, double scale) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return v;
    }

    static float[] plusNoise(float[] centre, SplittableRandom r, double scale) {
        float[] v = centre.clone();
        for (int i = 0; i < DIM; i++) {
            v[i] += (float) (r.nextGaussian() * scale);
        }
        return v;
    }
}
