package io.vectorstream.bench.ann;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Writes an embedding-like {@code .fvecs} pair for the ANN harness, for cosine or inner-product runs where no
 * public set (GloVe, DEEP) can be downloaded: dense signed components, like a model's output, drawn around
 * cluster centres of uneven sizes, with variance falling off across a random basis (a few directions carry most
 * of it, as in learned embeddings), so no coordinate is special. {@code --outlier-dims K} then makes K coordinates
 * large and offset ({@code --outlier-scale} times the rest, plus as much again as a constant), as the outlier
 * dimensions of transformer embeddings are: a stress case for one quantisation range shared by all coordinates.
 * The queries come from the same mixture but are not base vectors. Deterministic for a seed.
 *
 * <pre>EmbeddingLikeFvecs --out DIR [--base 1000000] [--queries 10000] [--dimension 96] [--clusters 1000]
 *     [--outlier-dims 0] [--outlier-scale 8] [--seed 42]</pre>
 *
 * Writes {@code DIR/embedlike-<base>[-o<K>]-base.fvecs} and {@code ...-query.fvecs}.
 */
public final class EmbeddingLikeFvecs {
    /** Spread of a point around its centre, relative to the spread of the centres. */
    private static final double NOISE = 0.6;

    private EmbeddingLikeFvecs() {}

    public static void main(String[] args) throws IOException {
        SyntheticFvecs.Args a = SyntheticFvecs.Args.parse(args, 96, Set.of("--outlier-dims", "--outlier-scale"),
                "--out DIR [--base N] [--queries N] [--dimension D] [--clusters C] [--outlier-dims K]"
                        + " [--outlier-scale F] [--seed S]");
        int dim = a.dim;
        int outlierDims = Integer.parseInt(a.extra("--outlier-dims", "0"));
        double outlierScale = Double.parseDouble(a.extra("--outlier-scale", "8"));
        if (outlierDims < 0 || outlierDims > dim || !(outlierScale > 0)) {
            throw new IllegalArgumentException("--outlier-dims must be in [0, dimension] and --outlier-scale > 0;"
                    + " outlier-dims=" + outlierDims + ", outlier-scale=" + outlierScale);
        }
        System.out.println("seed=" + a.seed);
        Files.createDirectories(a.out);
        SplittableRandom random = new SplittableRandom(a.seed);
        Mixture mixture = new Mixture(dim, a.clusters, outlierDims, outlierScale, random);
        String stem = "embedlike-" + a.base + (outlierDims > 0 ? "-o" + outlierDims : "");
        write(a.out.resolve(stem + "-base.fvecs"), a.base, mixture, random);
        write(a.out.resolve(stem + "-query.fvecs"), a.queries, mixture, random);
    }

    /** The distribution: centres, their weights, the per-direction spread, the basis and the outliers. */
    private static final class Mixture {
        final int dim;
        final double[][] centres;
        final double[] cumulative;
        final double total;
        final double[] sigma;
        /** Rows are orthonormal: a point's latent coordinates along them make its components. */
        final double[][] basis;
        final int outlierDims;
        final double outlierScale;

        Mixture(int dim, int clusters, int outlierDims, double outlierScale, SplittableRandom random) {
            this.dim = dim;
            this.outlierDims = outlierDims;
            this.outlierScale = outlierScale;
            sigma = new double[dim];
            for (int j = 0; j < dim; j++) {
                // Variance falling as a power of the direction's rank, as a learned embedding's spectrum does.
                sigma[j] = Math.pow(j + 1, -0.35);
            }
            basis = orthonormalBasis(dim, random);
            centres = new double[clusters][dim];
            cumulative = new double[clusters];
            double t = 0;
            for (int c = 0; c < clusters; c++) {
                for (int j = 0; j < dim; j++) {
                    centres[c][j] = sigma[j] * SyntheticFvecs.gaussian(random);
                }
                // Uneven cluster sizes: Pareto weights.
                t += SyntheticFvecs.clusterWeight(random);
                cumulative[c] = t;
            }
            total = t;
        }

        void sample(SplittableRandom random, double[] latent, float[] out) {
            double[] centre = centres[SyntheticFvecs.pickCluster(cumulative, total, random)];
            for (int j = 0; j < dim; j++) {
                latent[j] = centre[j] + NOISE * sigma[j] * SyntheticFvecs.gaussian(random);
            }
            for (int i = 0; i < dim; i++) {
                double x = 0;
                double[] row = basis[i];
                for (int j = 0; j < dim; j++) {
                    x += row[j] * latent[j];
                }
                if (i < outlierDims) {
                    x = outlierScale * (x + 1);
                }
                out[i] = (float) x;
            }
        }
    }

    /** Gram-Schmidt over Gaussian rows: a uniformly random rotation. */
    private static double[][] orthonormalBasis(int dim, SplittableRandom random) {
        double[][] q = new double[dim][dim];
        for (int i = 0; i < dim; i++) {
            double[] v = q[i];
            for (int j = 0; j < dim; j++) {
                v[j] = SyntheticFvecs.gaussian(random);
            }
            // Twice, for numerical orthogonality at hundreds of dimensions.
            for (int pass = 0; pass < 2; pass++) {
                for (int p = 0; p < i; p++) {
                    double d = 0;
                    for (int j = 0; j < dim; j++) {
                        d += v[j] * q[p][j];
                    }
                    for (int j = 0; j < dim; j++) {
                        v[j] -= d * q[p][j];
                    }
                }
            }
            double n = 0;
            for (int j = 0; j < dim; j++) {
                n += v[j] * v[j];
            }
            n = Math.sqrt(n);
            for (int j = 0; j < dim; j++) {
                v[j] /= n;
            }
        }
        return q;
    }

    private static void write(Path file, int n, Mixture mixture, SplittableRandom random) throws IOException {
        int dim = mixture.dim;
        ByteBuffer row = ByteBuffer.allocate(4 + 4 * dim).order(ByteOrder.LITTLE_ENDIAN);
        double[] latent = new double[dim];
        float[] v = new float[dim];
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (int i = 0; i < n; i++) {
                mixture.sample(random, latent, v);
                row.clear();
                row.putInt(dim);
                for (int j = 0; j < dim; j++) {
                    row.putFloat(v[j]);
                }
                o.write(row.array());
            }
        }
        System.out.println("wrote " + n + " x " + dim + " to " + file);
    }
}
