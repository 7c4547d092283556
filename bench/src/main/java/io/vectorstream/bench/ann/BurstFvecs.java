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
 * Writes a {@code .fvecs} pair whose base vectors arrive in bursts: well-separated clusters (centres ~ N(0,
 * {@code --centre-scale}^2) per coordinate, members ~ centre + N(0, {@code --spread}^2)), written one cluster after
 * another, or dealt to {@code --streams} streams of clusters that interleave record by record. The harness inserts
 * the base file in its order, so this measures how insertion order changes each library's graph (a tenant, a
 * category, a crawl at a time), beside the same kind of data in random order ({@code --streams 0}). The queries are
 * base vectors plus the same noise, in random order. Deterministic for a seed.
 *
 * <pre>BurstFvecs --out DIR [--base 20000] [--queries 1000] [--dimension 16] [--clusters 200] [--spread 1]
 *     [--centre-scale 10] [--streams 1] [--seed 42]</pre>
 *
 * Writes {@code DIR/bursts-<base>-s<streams>-base.fvecs} and {@code ...-query.fvecs}.
 */
public final class BurstFvecs {
    private BurstFvecs() {}

    public static void main(String[] args) throws IOException {
        SyntheticFvecs.Args a = SyntheticFvecs.Args.parse(args, 16, Set.of("--spread", "--centre-scale", "--streams"),
                "--out DIR [--base N] [--queries N] [--dimension D] [--clusters C] [--spread S] [--centre-scale F]"
                        + " [--streams K (0: random order)] [--seed S]");
        double spread = Double.parseDouble(a.extra("--spread", "1"));
        double centreScale = Double.parseDouble(a.extra("--centre-scale", "10"));
        int streams = Integer.parseInt(a.extra("--streams", "1"));
        if (!(spread > 0) || !(centreScale > 0) || streams < 0 || a.base % a.clusters != 0) {
            throw new IllegalArgumentException("--spread and --centre-scale must be > 0, --streams >= 0, and --base a "
                    + "multiple of --clusters; spread=" + spread + ", centre-scale=" + centreScale + ", streams="
                    + streams + ", base=" + a.base + ", clusters=" + a.clusters);
        }
        System.out.println("seed=" + a.seed);
        Files.createDirectories(a.out);
        SplittableRandom random = new SplittableRandom(a.seed);
        int perCluster = a.base / a.clusters;
        float[][] base = new float[a.base][];
        for (int c = 0; c < a.clusters; c++) {
            float[] centre = noisy(new float[a.dim], random, centreScale);
            for (int i = 0; i < perCluster; i++) {
                base[c * perCluster + i] = noisy(centre, random, spread);
            }
        }
        // The queries first: every --streams value then gets the same base vectors and queries.
        float[][] queries = new float[a.queries][];
        for (int q = 0; q < queries.length; q++) {
            queries[q] = noisy(base[random.nextInt(base.length)], random, spread);
        }
        float[][] ordered = order(base, a.clusters, perCluster, streams, random);
        String stem = "bursts-" + a.base + "-s" + streams;
        write(a.out.resolve(stem + "-base.fvecs"), ordered);
        write(a.out.resolve(stem + "-query.fvecs"), queries);
    }

    /** The base in arrival order: clusters dealt to {@code streams} streams interleaved; 0 streams: shuffled. */
    private static float[][] order(float[][] base, int clusters, int perCluster, int streams, SplittableRandom r) {
        float[][] out = new float[base.length][];
        if (streams == 0) {
            System.arraycopy(base, 0, out, 0, base.length);
            for (int i = out.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                float[] t = out[i];
                out[i] = out[j];
                out[j] = t;
            }
            return out;
        }
        // Stream s holds clusters s, s + streams, ...; record i of every stream, then record i + 1.
        int n = 0;
        int longest = ((clusters + streams - 1) / streams) * perCluster;
        for (int i = 0; i < longest; i++) {
            for (int s = 0; s < streams; s++) {
                int c = s + (i / perCluster) * streams;
                if (c < clusters) {
                    out[n++] = base[c * perCluster + i % perCluster];
                }
            }
        }
        return out;
    }

    private static float[] noisy(float[] centre, SplittableRandom r, double scale) {
        float[] v = centre.clone();
        for (int j = 0; j < v.length; j++) {
            v[j] += (float) (SyntheticFvecs.gaussian(r) * scale);
        }
        return v;
    }

    private static void write(Path file, float[][] vectors) throws IOException {
        int dim = vectors[0].length;
        ByteBuffer row = ByteBuffer.allocate(4 + 4 * dim).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (float[] v : vectors) {
                row.clear();
                row.putInt(dim);
                for (float x : v) {
                    row.putFloat(x);
                }
                o.write(row.array());
            }
        }
        System.out.println("wrote " + vectors.length + " x " + dim + " to " + file);
    }
}
