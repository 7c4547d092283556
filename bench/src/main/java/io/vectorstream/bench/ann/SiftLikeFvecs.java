package io.vectorstream.bench.ann;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a SIFT-like {@code .fvecs} pair for the ANN harness ({@code bench/run.sh --base B --query Q}) where no
 * public set can be downloaded: like SIFT descriptors, 128 non-negative integer components in [0, 255], most of
 * them small and a few large, drawn around cluster centres of uneven sizes, so a graph meets dense regions, sparse
 * ones and ties. The queries come from the same mixture but are not base vectors. Deterministic for a seed.
 *
 * <pre>SiftLikeFvecs --out DIR [--base 1000000] [--queries 10000] [--dimension 128] [--clusters 1000] [--seed 42]</pre>
 *
 * Writes {@code DIR/siftlike-<base>-base.fvecs} and {@code DIR/siftlike-<base>-query.fvecs}.
 */
public final class SiftLikeFvecs {
    private SiftLikeFvecs() {}

    public static void main(String[] args) throws IOException {
        Path out = null;
        int base = 1_000_000;
        int queries = 10_000;
        int dim = 128;
        int clusters = 1_000;
        long seed = 42;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out": out = Path.of(args[++i]); break;
                case "--base": base = Integer.parseInt(args[++i]); break;
                case "--queries": queries = Integer.parseInt(args[++i]); break;
                case "--dimension": dim = Integer.parseInt(args[++i]); break;
                case "--clusters": clusters = Integer.parseInt(args[++i]); break;
                case "--seed": seed = Long.parseLong(args[++i]); break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: --out DIR [--base N] [--queries N] [--dimension D] [--clusters C] [--seed S]");
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out must be given; --out=null");
        }
        if (base < 1 || queries < 1 || dim < 1 || clusters < 1) {
            throw new IllegalArgumentException("--base, --queries, --dimension and --clusters must be >= 1; base="
                    + base + ", queries=" + queries + ", dimension=" + dim + ", clusters=" + clusters);
        }
        System.out.println("seed=" + seed);
        Files.createDirectories(out);
        SplittableRandom random = new SplittableRandom(seed);
        // Centres: exponential components (mean 16) with one in eight boosted, as gradient histograms are.
        float[][] centres = new float[clusters][dim];
        double[] cumulative = new double[clusters];
        double total = 0;
        for (int c = 0; c < clusters; c++) {
            for (int j = 0; j < dim; j++) {
                double x = -16 * Math.log(1 - random.nextDouble());
                if (random.nextInt(8) == 0) {
                    x += 40 + 40 * random.nextDouble();
                }
                centres[c][j] = (float) x;
            }
            // Uneven cluster sizes: Pareto weights.
            total += 1 / Math.pow(1 - random.nextDouble(), 0.7);
            cumulative[c] = total;
        }
        write(out.resolve("siftlike-" + base + "-base.fvecs"), base, dim, centres, cumulative, total, random);
        write(out.resolve("siftlike-" + base + "-query.fvecs"), queries, dim, centres, cumulative, total, random);
    }

    private static void write(Path file, int n, int dim, float[][] centres, double[] cumulative, double total,
                              SplittableRandom random) throws IOException {
        ByteBuffer row = ByteBuffer.allocate(4 + 4 * dim).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (int i = 0; i < n; i++) {
                int c = java.util.Arrays.binarySearch(cumulative, random.nextDouble() * total);
                float[] centre = centres[c < 0 ? Math.min(-c - 1, centres.length - 1) : c];
                row.clear();
                row.putInt(dim);
                for (int j = 0; j < dim; j++) {
                    double x = centre[j] + 10 * gaussian(random);
                    row.putFloat((float) Math.max(0, Math.min(255, Math.rint(x))));
                }
                o.write(row.array());
            }
        }
        System.out.println("wrote " + n + " x " + dim + " to " + file);
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller; one of the pair is enough here.
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
