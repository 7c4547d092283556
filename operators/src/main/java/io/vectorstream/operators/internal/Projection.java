package io.vectorstream.operators.internal;

import io.vectorstream.index.VectorMath;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An orthonormal projection onto at most {@value #MAX_OUT} directions, fitted to a sample as its principal
 * components. Projecting onto orthonormal directions never lengthens a vector, so the distance of two projections is
 * a lower bound of the distance of the vectors, whatever the directions; fitted to data like the vectors, it is
 * close to it (most of the variance of real embeddings lies in a few directions). Vectors of at most
 * {@value #MAX_OUT} dimensions are kept as they are.
 *
 * <p>Fitting costs O(sample * dimension * 32) per iteration (a quarter of a second at 784-d) and memory linear in
 * the dimension. Immutable after {@link #fit}; {@link #apply} is safe from any thread with its own output array.
 */
public final class Projection {
    /** Output dimensions: enough to hold most of the variance, few enough to scan 100,000 of them per upsert. */
    public static final int MAX_OUT = 32;
    /** Sample rows used for the fit: 512 vectors find the leading directions well enough. */
    private static final int MAX_SAMPLE = 512;
    private static final int ITERATIONS = 8;

    private final int inDimension;
    private final float[][] rows; // null: identity

    private Projection(int inDimension, float[][] rows) {
        this.inDimension = inDimension;
        this.rows = rows;
    }

    /** The principal directions of {@code sample} (vectors of {@code dimension}; may be empty). Deterministic. */
    public static Projection fit(int dimension, List<float[]> sample) {
        return fit(dimension, sample, MAX_OUT);
    }

    /** As {@link #fit(int, List)}, onto at most {@code outDimension} directions. */
    public static Projection fit(int dimension, List<float[]> sample, int outDimension) {
        if (dimension <= outDimension) {
            return new Projection(dimension, null);
        }
        int m = outDimension;
        int s = Math.min(sample.size(), MAX_SAMPLE);
        double[] mean = new double[dimension];
        float[][] x = new float[s][];
        for (int i = 0; i < s; i++) {
            // An even stride over the sample, not its head: the first vectors may all be alike.
            x[i] = sample.get((int) ((long) i * sample.size() / s));
            for (int c = 0; c < dimension; c++) {
                mean[c] += x[i][c];
            }
        }
        for (int c = 0; c < dimension; c++) {
            mean[c] = s == 0 ? 0 : mean[c] / s;
        }
        // Subspace iteration on the covariance without forming it (d x d would not fit for large d):
        // Q <- orth(Xc^T (Xc Q)), O(s * d * m) per iteration, converging to the leading eigenvectors.
        SplittableRandom random = new SplittableRandom(1);
        double[][] q = new double[m][dimension];
        for (double[] v : q) {
            for (int c = 0; c < dimension; c++) {
                v[c] = random.nextGaussian();
            }
        }
        orthonormalize(q, random);
        double[][] y = new double[s][m];
        double[][] z = new double[m][dimension];
        for (int it = 0; it < ITERATIONS; it++) {
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < m; j++) {
                    double acc = 0;
                    double[] qj = q[j];
                    float[] xi = x[i];
                    for (int c = 0; c < dimension; c++) {
                        acc += (xi[c] - mean[c]) * qj[c];
                    }
                    y[i][j] = acc;
                }
            }
            for (double[] zj : z) {
                Arrays.fill(zj, 0);
            }
            for (int i = 0; i < s; i++) {
                float[] xi = x[i];
                for (int j = 0; j < m; j++) {
                    double w = y[i][j];
                    double[] zj = z[j];
                    for (int c = 0; c < dimension; c++) {
                        zj[c] += w * (xi[c] - mean[c]);
                    }
                }
            }
            double[][] t = q;
            q = z;
            z = t;
            orthonormalize(q, random);
        }
        float[][] rows = new float[m][dimension];
        for (int j = 0; j < m; j++) {
            for (int c = 0; c < dimension; c++) {
                rows[j][c] = (float) q[j][c];
            }
        }
        return new Projection(dimension, rows);
    }

    /** Dimensions of a projected vector. */
    public int outDimension() {
        return rows == null ? inDimension : rows.length;
    }

    /** Writes the projection of {@code v} into {@code out} (of {@link #outDimension()}) and returns it. */
    public float[] apply(float[] v, float[] out) {
        if (rows == null) {
            System.arraycopy(v, 0, out, 0, inDimension);
            return out;
        }
        for (int j = 0; j < rows.length; j++) {
            out[j] = VectorMath.dot(rows[j], v);
        }
        return out;
    }

    /**
     * Modified Gram-Schmidt, twice (once leaves float-visible errors); a direction that vanishes (a sample of lower
     * rank) is replaced by a random one, so the rows are always orthonormal.
     */
    private static void orthonormalize(double[][] q, SplittableRandom random) {
        for (int j = 0; j < q.length; j++) {
            while (true) {
                double before = Math.sqrt(dot(q[j], q[j]));
                for (int pass = 0; pass < 2; pass++) {
                    for (int i = 0; i < j; i++) {
                        double d = dot(q[i], q[j]);
                        for (int c = 0; c < q[j].length; c++) {
                            q[j][c] -= d * q[i][c];
                        }
                    }
                }
                double norm = Math.sqrt(dot(q[j], q[j]));
                if (norm > 1e-6 * before) {
                    for (int c = 0; c < q[j].length; c++) {
                        q[j][c] /= norm;
                    }
                    break;
                }
                for (int c = 0; c < q[j].length; c++) {
                    q[j][c] = random.nextGaussian();
                }
            }
        }
    }

    private static double dot(double[] a, double[] b) {
        double acc = 0;
        for (int c = 0; c < a.length; c++) {
            acc += a[c] * b[c];
        }
        return acc;
    }
}
