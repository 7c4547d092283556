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
        SyntheticFvecs.Args a = SyntheticFvecs.Args.parse(args, 128, java.util.Set.of(),
                "--out DIR [--base N] [--queries N] [--dimension D] [--clusters C] [--seed S]");
        Path out = a.out;
        int base = a.base;
        int queries = a.queries;
        int dim = a.dim;
        int clusters = a.clusters;
        long seed = a.seed;
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
            total += SyntheticFvecs.clusterWeight(random);
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
                float[] centre = centres[SyntheticFvecs.pickCluster(cumulative, total, random)];
                row.clear();
                row.putInt(dim);
                for (int j = 0; j < dim; j++) {
                    double x = centre[j] + 10 * SyntheticFvecs.gaussian(random);
                    row.putFloat((float) Math.max(0, Math.min(255, Math.rint(x))));
                }
                o.write(row.array());
            }
        }
        System.out.println("wrote " + n + " x " + dim + " to " + file);
    }
}
