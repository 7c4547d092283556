package io.vectorstream.jobs;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/** Vector data sets for the demo and the produce command. Stateless. */
public final class Datasets {
    /** Where Debian's {@code dataset-fashion-mnist} package puts the IDX files. */
    public static final Path FASHION_MNIST_DIR = Paths.get("/usr/share/datasets/fashion-mnist");

    private Datasets() {}

    /** Base vectors and queries with a name. */
    public static final class Dataset {
        public final String name;
        public final float[][] base;
        public final float[][] queries;

        public Dataset(String name, float[][] base, float[][] queries) {
            this.name = name;
            this.base = base;
            this.queries = queries;
        }

        public int dimension() {
            return base[0].length;
        }
    }

    /** Fashion-MNIST when the Debian package is installed, else a synthetic clustered set of dimension 64. */
    public static Dataset fashionMnistOrSynthetic(int n, int nq) throws IOException {
        if (Files.exists(FASHION_MNIST_DIR.resolve("train-images-idx3-ubyte.gz"))) {
            return fashionMnist(FASHION_MNIST_DIR, n, nq);
        }
        return synthetic(7L, n, nq, 64);
    }

    /** The first {@code n} training and {@code nq} test images as 784-d raw 0..255 floats (ann-benchmarks style). */
    public static Dataset fashionMnist(Path dir, int n, int nq) throws IOException {
        return new Dataset("fashion-mnist", readIdxImages(dir.resolve("train-images-idx3-ubyte.gz"), n),
                readIdxImages(dir.resolve("t10k-images-idx3-ubyte.gz"), nq));
    }

    /** Reads up to {@code limit} images of a gzipped IDX3 file (magic 2051). */
    public static float[][] readIdxImages(Path file, int limit) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(file), 1 << 16))) {
            int magic = in.readInt();
            if (magic != 2051) {
                throw new IOException("IDX image magic must be 2051; magic=" + magic + " in " + file);
            }
            int count = Math.min(in.readInt(), limit);
            int dim = in.readInt() * in.readInt();
            float[][] out = new float[count][dim];
            byte[] row = new byte[dim];
            for (int i = 0; i < count; i++) {
                in.readFully(row);
                for (int j = 0; j < dim; j++) {
                    out[i][j] = row[j] & 0xff;
                }
            }
            return out;
        }
    }

    /** Gaussian clusters, seeded. */
    public static Dataset synthetic(long seed, int n, int nq, int dim) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] centres = new float[Math.max(1, n / 200)][dim];
        for (float[] c : centres) {
            for (int i = 0; i < dim; i++) {
                c[i] = (float) (r.nextDouble() * 4 - 2);
            }
        }
        float[][] all = new float[n + nq][dim];
        for (float[] v : all) {
            float[] c = centres[r.nextInt(centres.length)];
            for (int i = 0; i < dim; i++) {
                v[i] = c[i] + (float) ((r.nextDouble() - 0.5) * 1.5);
            }
        }
        float[][] base = new float[n][];
        float[][] queries = new float[nq][];
        System.arraycopy(all, 0, base, 0, n);
        System.arraycopy(all, n, queries, 0, nq);
        return new Dataset("synthetic-" + dim + "d", base, queries);
    }

    /** Reads an {@code .fvecs} file: per vector a little-endian int32 dimension then that many float32s. */
    public static float[][] readFvecs(Path file, int limit) throws IOException {
        List<float[]> out = new ArrayList<>();
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] head = new byte[4];
            while (out.size() < limit) {
                int got = in.readNBytes(head, 0, 4);
                if (got == 0) {
                    break;
                }
                if (got < 4) {
                    throw new EOFException("truncated fvecs header at vector " + out.size() + " in " + file);
                }
                int dim = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
                if (dim < 1 || dim > 65_536) {
                    throw new IOException("fvecs dimension must be in [1, 65536]; dimension=" + dim + " at vector " + out.size());
                }
                byte[] body = in.readNBytes(dim * 4);
                if (body.length < dim * 4) {
                    throw new EOFException("truncated fvecs vector " + out.size() + " in " + file);
                }
                float[] v = new float[dim];
                ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                out.add(v);
            }
        }
        return out.toArray(new float[0][]);
    }

    /** Reads comma-separated floats, one vector per line ({@code #} comments and blank lines skipped). */
    public static float[][] readCsv(Path file, int limit) throws IOException {
        List<float[]> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null && out.size() < limit) {
                lineNo++;
                line = line.trim();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(",");
                float[] v = new float[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    try {
                        v[i] = Float.parseFloat(parts[i].trim());
                    } catch (NumberFormatException e) {
                        throw new IOException("line " + lineNo + " column " + (i + 1) + " must be a number; value="
                                + parts[i].trim(), e);
                    }
                }
                out.add(v);
            }
        }
        return out.toArray(new float[0][]);
    }
}
