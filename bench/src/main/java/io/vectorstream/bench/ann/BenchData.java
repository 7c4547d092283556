package io.vectorstream.bench.ann;

import io.vectorstream.index.VectorMath;
import io.vectorstream.index.VectorMetric;
import io.vectorstream.jobs.Datasets;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;

/** Loads a base/query pair and its exact top-100 ground truth (computed once, multi-threaded, cached). */
final class BenchData {
    static final int GT_K = 100;

    final String name;
    final float[][] base;
    final float[][] queries;
    final int[][] truth;
    /** Names this base/query/metric combination in the cache directory. */
    final String cacheKey;

    private BenchData(String name, float[][] base, float[][] queries, int[][] truth, String cacheKey) {
        this.name = name;
        this.cacheKey = cacheKey;
        this.base = base;
        this.queries = queries;
        this.truth = truth;
    }

    static BenchData load(String dataset, Path baseFile, Path queryFile, int limitBase, int limitQueries,
                          VectorMetric metric, Path cacheDir) throws IOException {
        String name;
        float[][] base;
        float[][] queries;
        if (baseFile != null) {
            base = Datasets.readFvecs(baseFile, limitBase);
            queries = Datasets.readFvecs(queryFile, limitQueries);
            name = baseFile.getFileName().toString().replace(".fvecs", "");
        } else if ("fashion-mnist".equals(dataset)) {
            Datasets.Dataset d = Datasets.fashionMnist(Datasets.FASHION_MNIST_DIR, limitBase, limitQueries);
            base = d.base;
            queries = d.queries;
            name = "fashion-mnist";
        } else {
            throw new IllegalArgumentException("dataset must be fashion-mnist or --base/--query fvecs; dataset=" + dataset);
        }
        if (metric == VectorMetric.COSINE) {
            // Zero vectors have no direction; drop them from the cosine run rather than fail.
            base = Arrays.stream(base).filter(v -> VectorMath.dot(v, v) > 0).toArray(float[][]::new);
            queries = Arrays.stream(queries).filter(v -> VectorMath.dot(v, v) > 0).toArray(float[][]::new);
            // Every library gets unit vectors, so each peer ranks by its dot product, the fastest cosine it offers
            // (Lucene's and jvector's COSINE compute both norms at every comparison; their docs advise DOT_PRODUCT
            // on normalised vectors). Ours still takes the COSINE path a user takes: one norm per query and insert.
            base = Arrays.stream(base).map(VectorMath::normalizedCopy).toArray(float[][]::new);
            queries = Arrays.stream(queries).map(VectorMath::normalizedCopy).toArray(float[][]::new);
        }
        String key = name + "-" + base.length + "-" + queries.length + "-" + metric.name().toLowerCase();
        Path cache = cacheDir.resolve(key + ".gt");
        int[][] truth = Files.exists(cache) ? readTruth(cache, queries.length) : null;
        if (truth == null) {
            long t0 = System.nanoTime();
            truth = bruteForce(base, queries, metric);
            Files.createDirectories(cacheDir);
            writeTruth(cache, truth);
            System.err.printf("ground truth for %s computed in %.1f s, cached in %s%n", key,
                    (System.nanoTime() - t0) / 1e9, cache);
        }
        return new BenchData(name, base, queries, truth, key);
    }

    /**
     * Writes the base, the queries and the ground truth as raw little-endian files for the native peers
     * ({@code bench/peers/ann-worker.mjs}), once per cache key: {@code <prefix>.base.f32} and
     * {@code <prefix>.queries.f32} (int32 count, int32 dimension, float32 rows), {@code <prefix>.truth.i32} (int32
     * count, int32 depth, int32 rows of base positions, nearest first).
     *
     * @return the prefix
     */
    Path writeRaw(Path cacheDir) throws IOException {
        Files.createDirectories(cacheDir);
        Path prefix = cacheDir.resolve(cacheKey);
        writeMatrix(Path.of(prefix + ".base.f32"), base);
        writeMatrix(Path.of(prefix + ".queries.f32"), queries);
        int depth = Arrays.stream(truth).mapToInt(t -> t.length).min().orElse(0);
        Path truthFile = Path.of(prefix + ".truth.i32");
        if (!Files.exists(truthFile)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 4 * truth.length * depth)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.putInt(truth.length).putInt(depth);
            for (int[] row : truth) {
                for (int i = 0; i < depth; i++) {
                    b.putInt(row[i]);
                }
            }
            Files.write(truthFile, b.array());
        }
        return prefix;
    }

    private static void writeMatrix(Path file, float[][] rows) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        int d = rows[0].length;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 4 * rows.length * d)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(rows.length).putInt(d);
        for (float[] r : rows) {
            for (float x : r) {
                b.putFloat(x);
            }
        }
        Files.write(file, b.array());
    }

    static int[][] bruteForce(float[][] base, float[][] queries, VectorMetric metric) {
        int[][] out = new int[queries.length][];
        IntStream.range(0, queries.length).parallel().forEach(q -> {
            // Bounded max-heap of (distance, position) packed in a long: O(n log k), no boxing.
            long[] heap = new long[GT_K];
            int size = 0;
            for (int i = 0; i < base.length; i++) {
                long packed = pack(VectorMath.distance(metric, queries[q], base[i]), i);
                if (size < GT_K) {
                    heap[size++] = packed;
                    siftUp(heap, size - 1);
                } else if (packed < heap[0]) {
                    heap[0] = packed;
                    siftDown(heap, size);
                }
            }
            long[] sorted = java.util.Arrays.copyOf(heap, size);
            java.util.Arrays.sort(sorted);
            out[q] = new int[size];
            for (int i = 0; i < size; i++) {
                out[q][i] = (int) sorted[i];
            }
        });
        return out;
    }

    private static long pack(float d, int i) {
        int bits = Float.floatToRawIntBits(d);
        return ((long) (bits ^ ((bits >> 31) & 0x7fffffff)) << 32) | i;
    }

    private static void siftUp(long[] h, int i) {
        while (i > 0 && h[(i - 1) / 2] < h[i]) {
            long t = h[i];
            h[i] = h[(i - 1) / 2];
            h[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
    }

    private static void siftDown(long[] h, int n) {
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) {
                return;
            }
            if (c + 1 < n && h[c + 1] > h[c]) {
                c++;
            }
            if (h[i] >= h[c]) {
                return;
            }
            long t = h[i];
            h[i] = h[c];
            h[c] = t;
            i = c;
        }
    }

    private static int[][] readTruth(Path file, int nq) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != nq) {
                return null;
            }
            int[][] t = new int[nq][];
            for (int q = 0; q < nq; q++) {
                t[q] = new int[in.readInt()];
                for (int i = 0; i < t[q].length; i++) {
                    t[q][i] = in.readInt();
                }
            }
            return t;
        }
    }

    private static void writeTruth(Path file, int[][] t) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(t.length);
            for (int[] row : t) {
                out.writeInt(row.length);
                for (int x : row) {
                    out.writeInt(x);
                }
            }
        }
    }
}
