package io.vectorstream.bench.operator;

import io.vectorstream.index.VectorMath;
import io.vectorstream.index.VectorMetric;
import io.vectorstream.jobs.Datasets;
import io.vectorstream.operators.internal.Projection;
import io.vectorstream.operators.internal.StandingMatcher;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How much of the work of matching an upsert against standing queries the {@link StandingMatcher} saves, and why:
 * the standing queries of {@code StandingQueryCost} (the data set's query points, then slightly moved copies; each
 * bounded by its real 10th distance among {@code base} vectors), then {@code inserts} further vectors matched. Per
 * projection width it prints the candidates per insert (queries left for an exact distance), the queries whose
 * bound the vector is really within, and the matching time, interleaved over {@code --rounds} (best round kept).
 *
 * <pre>java -cp ... io.vectorstream.bench.operator.StandingMatcherSelectivity [--base 20000] [--queries 100000]
 *     [--inserts 300] [--widths 16,32,64] [--rounds 3]</pre>
 * Uses Fashion-MNIST when installed, else a synthetic clustered set.
 */
public final class StandingMatcherSelectivity {
    private StandingMatcherSelectivity() {}

    public static void main(String[] args) throws Exception {
        int base = 20_000;
        int queries = 100_000;
        int inserts = 300;
        int rounds = 3;
        int[] widths = {16, 32, 64};
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--base": base = Integer.parseInt(args[i + 1]); break;
                case "--queries": queries = Integer.parseInt(args[i + 1]); break;
                case "--inserts": inserts = Integer.parseInt(args[i + 1]); break;
                case "--rounds": rounds = Integer.parseInt(args[i + 1]); break;
                case "--widths": widths = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray(); break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Datasets.Dataset d = Files.isDirectory(Datasets.FASHION_MNIST_DIR)
                ? Datasets.fashionMnist(Datasets.FASHION_MNIST_DIR, base + inserts, 10_000)
                : Datasets.synthetic(7L, base + inserts, 10_000, 128);
        int dim = d.dimension();
        // The standing queries and their bounds: the distinct query points' 10th distance, shared by their copies.
        int distinct = Math.min(queries, d.queries.length);
        float[] pointBound = new float[distinct];
        float[] ds = new float[base];
        for (int q = 0; q < distinct; q++) {
            for (int i = 0; i < base; i++) {
                ds[i] = VectorMath.squareDistance(d.queries[q], d.base[i]);
            }
            Arrays.sort(ds);
            pointBound[q] = ds[9];
        }
        SplittableRandom r = new SplittableRandom(5);
        List<float[]> vs = new ArrayList<>(queries);
        float[] bounds = new float[queries];
        for (int q = 0; q < queries; q++) {
            float[] v = d.queries[q % distinct];
            if (q >= distinct) {
                v = v.clone();
                for (int c = 0; c < dim; c++) {
                    v[c] += (float) (r.nextGaussian() * 0.01);
                }
            }
            vs.add(v);
            bounds[q] = pointBound[q % distinct];
        }
        long truth = 0;
        for (int i = base; i < base + inserts; i++) {
            for (int q = 0; q < queries; q++) {
                if (VectorMath.squareDistance(d.base[i], vs.get(q)) <= bounds[q]) {
                    truth++;
                }
            }
        }
        System.out.printf(Locale.ROOT, "dataset %s: %d standing queries (k 10 among %d), %d inserts, %d-d, JDK %s%n",
                d.name, queries, base, inserts, dim, System.getProperty("java.version"));
        double[][] micros = new double[widths.length][rounds];
        long[] candidates = new long[widths.length];
        for (int round = 0; round < rounds; round++) {
            for (int w = 0; w < widths.length; w++) {
                StandingMatcher m = new StandingMatcher(VectorMetric.L2, dim, Projection.fit(dim, vs, widths[w]));
                for (int q = 0; q < queries; q++) {
                    m.put(q, vs.get(q), bounds[q]);
                }
                long[] count = {0};
                long t0 = System.nanoTime();
                for (int i = base; i < base + inserts; i++) {
                    m.candidates(d.base[i], h -> count[0]++);
                }
                micros[w][round] = (System.nanoTime() - t0) / 1e3 / inserts;
                candidates[w] = count[0];
            }
        }
        System.out.println();
        System.out.println("| projection | candidates per insert | share of the queries | within bound per insert "
                + "| matching us per insert, best (range) |");
        System.out.println("|---:|---:|---:|---:|---:|");
        for (int w = 0; w < widths.length; w++) {
            double best = Arrays.stream(micros[w]).min().orElse(Double.NaN);
            double worst = Arrays.stream(micros[w]).max().orElse(Double.NaN);
            System.out.printf(Locale.ROOT, "| %d | %.0f | %.2f %% | %.1f | %.0f (%.0f .. %.0f) |%n", widths[w],
                    candidates[w] / (double) inserts, 100.0 * candidates[w] / inserts / queries,
                    truth / (double) inserts, best, best, worst);
        }
    }
}
