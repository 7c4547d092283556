package io.vectorstream.index;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.LongPredicate;

/** Seeded test vectors and a brute-force oracle. */
final class TestData {
    private TestData() {}

    /** Gaussian clusters: {@code clusters} centres in N(0,1), points = centre + N(0, spread^2). */
    static float[][] clustered(long seed, int n, int dim, int clusters, double spread) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] centres = new float[clusters][dim];
        for (float[] c : centres) {
            for (int i = 0; i < dim; i++) {
                c[i] = (float) gaussian(r);
            }
        }
        float[][] out = new float[n][dim];
        for (int j = 0; j < n; j++) {
            float[] c = centres[r.nextInt(clusters)];
            for (int i = 0; i < dim; i++) {
                out[j][i] = c[i] + (float) (spread * gaussian(r));
            }
        }
        return out;
    }

    /** Independent uniform vectors in [0, 1)^dim: no cluster structure for the graph to lean on. */
    static float[][] uniform(long seed, int n, int dim) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] out = new float[n][dim];
        for (float[] v : out) {
            for (int i = 0; i < dim; i++) {
                v[i] = (float) r.nextDouble();
            }
        }
        return out;
    }

    /** Base and query sets drawn from one mixture of {@code clusters} overlapping Gaussian clusters. */
    static float[][][] mixture(long seed, int n, int nq, int dim) {
        float[][] all = clustered(seed, n + nq, dim, 200, 1.5);
        return new float[][][] {Arrays.copyOf(all, n), Arrays.copyOfRange(all, n, n + nq)};
    }

    /**
     * Recall by distance: the share of the true k-th distance ball that the answer covers. Robust to ties
     * between exact duplicates, which id-based recall would count as misses.
     */
    static double distanceRecall(VectorMetric metric, float[][] data, long[] ids, boolean[] present,
                                 float[] q, int k, SearchResults got) {
        long[] truth = bruteForce(metric, data, ids, present, q, k, null);
        if (truth.length == 0) {
            return 1.0;
        }
        int pos = 0;
        while (ids[pos] != truth[truth.length - 1]) {
            pos++;
        }
        float kth = VectorMath.distance(metric, q, data[pos]);
        float eps = 1e-4f * Math.max(1f, Math.abs(kth));
        int hit = 0;
        for (int i = 0; i < got.size(); i++) {
            if (got.distance(i) <= kth + eps) {
                hit++;
            }
        }
        return Math.min(1.0, (double) hit / truth.length);
    }

    static double gaussian(SplittableRandom r) {
        // Box-Muller: SplittableRandom has no nextGaussian on JDK 17.
        double u = r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    /** Exact top-k ids among {@code ids[i]} with {@code present[i]} and {@code filter}; ties by position. */
    static long[] bruteForce(VectorMetric metric, float[][] data, long[] ids, boolean[] present,
                             float[] q, int k, LongPredicate filter) {
        int n = data.length;
        Integer[] order = new Integer[n];
        float[] d = new float[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if ((present == null || present[i]) && (filter == null || filter.test(ids[i]))) {
                d[i] = VectorMath.distance(metric, q, data[i]);
                order[m++] = i;
            }
        }
        Integer[] live = Arrays.copyOf(order, m);
        Arrays.sort(live, (a, b) -> Float.compare(d[a], d[b]));
        long[] out = new long[Math.min(k, m)];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids[live[i]];
        }
        return out;
    }

    static double overlap(long[] expected, long[] actual) {
        int hit = 0;
        for (long e : expected) {
            for (long a : actual) {
                if (a == e) {
                    hit++;
                    break;
                }
            }
        }
        return expected.length == 0 ? 1.0 : (double) hit / expected.length;
    }

    static HnswIndex build(HnswConfig config, float[][] data, long[] ids) {
        HnswIndex index = new HnswIndex(config, data.length);
        for (int i = 0; i < data.length; i++) {
            index.add(ids[i], data[i]);
        }
        return index;
    }

    static long[] sequentialIds(int n, long base) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = base + i * 7L;
        }
        return ids;
    }
}
