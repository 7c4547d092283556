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

    private BenchData(String name, float[][] base, float[][] queries, int[][] truth) {
        this.name = name;
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
        return new BenchData(name, base, queries, truth);
    }

    static int[][] bruteForce(float[][] base, float[][] queries, VectorMetric metric) {
        int[][] out = new int[queries.length][];
        IntStream.range(0, queries.length).parallel().forEach(q -> {
            float[] d = new float[base.length];
            for (int i = 0; i < base.length; i++) {
                d[i] = VectorMath.distance(metric, queries[q], base[i]);
            }
            out[q] = IntStream.range(0, base.length).boxed()
                    .sorted((a, b) -> d[a] != d[b] ? Float.compare(d[a], d[b]) : Integer.compare(a, b))
                    .limit(GT_K).mapToInt(Integer::intValue).toArray();
        });
        return out;
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
