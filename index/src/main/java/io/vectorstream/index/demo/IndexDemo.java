package io.vectorstream.index.demo;

import io.vectorstream.index.HnswConfig;
import io.vectorstream.index.HnswIndex;
import io.vectorstream.index.SearchResults;
import io.vectorstream.index.VectorMath;
import io.vectorstream.index.VectorMetric;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Builds an index over synthetic clustered vectors, deletes and upserts some, and prints recall@10 against
 * brute force and the query rate. Usage: {@code IndexDemo [n] [dim]} (defaults 20000, 128).
 */
public final class IndexDemo {
    private IndexDemo() {}

    /** Runs the demo; {@code args}: optional vector count and dimension. */
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int nq = 200;
        SplittableRandom r = new SplittableRandom(7);
        float[][] centres = new float[100][dim];
        for (float[] c : centres) {
            for (int i = 0; i < dim; i++) {
                c[i] = (float) (r.nextDouble() * 2 - 1) * 3;
            }
        }
        float[][] all = new float[n + nq][dim];
        for (float[] v : all) {
            float[] c = centres[r.nextInt(centres.length)];
            for (int i = 0; i < dim; i++) {
                v[i] = c[i] + (float) (r.nextDouble() * 2 - 1);
            }
        }
        System.out.println("VectorStream index demo: " + n + " vectors, dimension " + dim + ", kernels "
                + VectorMath.implementationName());
        HnswIndex index = new HnswIndex(HnswConfig.builder(dim).metric(VectorMetric.L2).build(), n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            index.add(i, all[i]);
        }
        double buildS = (System.nanoTime() - t0) / 1e9;
        boolean[] live = new boolean[n];
        Arrays.fill(live, true);
        for (int i = 0; i < n; i += 5) {
            index.remove(i);
            live[i] = false;
        }
        System.out.printf("built in %.2f s (%.0f inserts/s); removed %d; live %d; heap %.1f MiB%n",
                buildS, n / buildS, n / 5, index.size(), index.ramBytesUsed() / 1048576.0);
        double recall = 0;
        long q0 = System.nanoTime();
        SearchResults[] res = new SearchResults[nq];
        for (int q = 0; q < nq; q++) {
            res[q] = index.search(all[n + q], 10, 100);
        }
        double qps = nq / ((System.nanoTime() - q0) / 1e9);
        for (int q = 0; q < nq; q++) {
            float[] query = all[n + q];
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Float.compare(VectorMath.squareDistance(query, all[a]),
                    VectorMath.squareDistance(query, all[b])));
            long[] truth = Arrays.stream(order).filter(i -> live[i]).limit(10).mapToLong(i -> i).toArray();
            long[] got = res[q].ids();
            int hit = 0;
            for (long t : truth) {
                for (long g : got) {
                    hit += g == t ? 1 : 0;
                }
            }
            recall += hit / 10.0;
        }
        System.out.printf("recall@10 %.4f at efSearch 100; %.0f queries/s (single thread, cold JIT)%n",
                recall / nq, qps);
    }
}
