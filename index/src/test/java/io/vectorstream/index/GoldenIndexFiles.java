package io.vectorstream.index;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes the golden index files under {@code src/test/resources/golden/} and what the code that wrote them
 * observed of each index (its slots, neighbour lists, metadata and search answers), so that
 * {@link GoldenIndexFilesTest} can check that today's reader sees exactly that. Not a test: run by hand, once per
 * format version, with the code of that version, e.g.
 * {@code java -cp ... io.vectorstream.index.GoldenIndexFiles src/test/resources/golden v1}.
 *
 * <p>Each index is small and deterministic (seeded data, seeded levels) and has been churned (removals,
 * upserts, then more removals) so that free and pending slots are part of the file. Graph search is forced
 * ({@code exactSearchThreshold} 0) so the answers depend on the neighbour lists. The expectation file also holds
 * answers after a fixed continuation (more adds and removals), which depend on the saved level-generator state and
 * free lists. Only public API is used, so the same class ran against versions 1, 2 and 3 of the code.
 */
public final class GoldenIndexFiles {
    static final int N = 400;
    static final int DIM = 12;
    static final int QUERIES = 12;
    static final int K = 10;
    static final int EF = 40;

    /** One golden index: its name, configuration, data, and the first format version it was written in. */
    static final class Spec {
        final String name;
        final HnswConfig config;
        final long dataSeed;
        /** The first format version with a file of this index ({@code 1} for {@code v1-<name>.vshw}). */
        final int since;
        /** Coordinates 0 and 1 of the data are scaled by this (1: none): outlier coordinates. */
        final float outlierScale;

        /** Whether the index is built cluster by cluster (its file then holds latest inserts that matter). */
        final boolean bursts;

        Spec(String name, HnswConfig config, long dataSeed, int since, float outlierScale) {
            this(name, config, dataSeed, since, outlierScale, false);
        }

        Spec(String name, HnswConfig config, long dataSeed, int since, float outlierScale, boolean bursts) {
            this.name = name;
            this.config = config;
            this.dataSeed = dataSeed;
            this.since = since;
            this.outlierScale = outlierScale;
            this.bursts = bursts;
        }
    }

    /** Every golden index, in the order the files were introduced. */
    static List<Spec> specs() {
        List<Spec> out = new ArrayList<>();
        out.add(new Spec("float-l2", HnswConfig.builder(DIM).metric(VectorMetric.L2).maxConn(6).beamWidth(30)
                .seed(1_234L).exactSearchThreshold(0).build(), 77L, 1, 1f));
        out.add(new Spec("int8-cosine", HnswConfig.builder(DIM).metric(VectorMetric.COSINE).maxConn(6).beamWidth(30)
                .seed(5_678L).quantization(Quantization.INT8).quantizationTrainingSize(100).exactSearchThreshold(0)
                .build(), 78L, 1, 1f));
        // Two coordinates ten times wider than the rest: the quantiser keeps a range per coordinate (version 4).
        out.add(new Spec("int8-l2-per-coordinate", HnswConfig.builder(DIM).metric(VectorMetric.L2).maxConn(6)
                .beamWidth(30).seed(9_012L).quantization(Quantization.INT8).quantizationTrainingSize(100)
                .exactSearchThreshold(0).build(), 79L, 4, 10f));
        // Built and continued cluster by cluster: the next inserts also search from the latest ones (version 5).
        out.add(new Spec("float-l2-bursts", HnswConfig.builder(DIM).metric(VectorMetric.L2).maxConn(6).beamWidth(30)
                .seed(3_456L).exactSearchThreshold(0).build(), 80L, 5, 1f, true));
        // The same kind of data searched with a beam of 2 on the upper layers (version 6 keeps the width).
        out.add(new Spec("float-l2-bursts-upper-beam", HnswConfig.builder(DIM).metric(VectorMetric.L2).maxConn(6)
                .beamWidth(30).seed(7_890L).exactSearchThreshold(0).upperBeamWidth(2).build(), 81L, 6, 1f, true));
        return out;
    }

    /** The golden indexes that have a file in format version {@code version}. */
    static List<Spec> specs(int version) {
        List<Spec> out = new ArrayList<>();
        for (Spec spec : specs()) {
            if (spec.since <= version) {
                out.add(spec);
            }
        }
        return out;
    }

    /** {@link #vectors} of {@code spec}'s data stream {@code stream}, with its outlier coordinates. */
    static float[][] data(Spec spec, int stream, int n) {
        float[][] out = vectors(spec.dataSeed + stream, n);
        if (spec.bursts) {
            out = byCluster(spec.dataSeed + stream, out);
        }
        if (spec.outlierScale != 1f) {
            for (float[] v : out) {
                v[0] *= spec.outlierScale;
                v[1] *= spec.outlierScale;
            }
        }
        return out;
    }

    private GoldenIndexFiles() {}

    static float[][] vectors(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] centres = centres(r);
        float[][] out = new float[n][DIM];
        for (float[] v : out) {
            float[] c = centres[r.nextInt(centres.length)];
            for (int i = 0; i < DIM; i++) {
                v[i] = c[i] + (float) (r.nextDouble() - 0.5);
            }
        }
        return out;
    }

    /** The 8 cluster centres {@link #vectors} draws first from its generator. */
    private static float[][] centres(SplittableRandom r) {
        float[][] centres = new float[8][DIM];
        for (float[] c : centres) {
            for (int i = 0; i < DIM; i++) {
                c[i] = (float) (r.nextDouble() * 4 - 2);
            }
        }
        return centres;
    }

    /** {@code vectors} (drawn by {@link #vectors} from {@code seed}) ordered by nearest centre, stably. */
    private static float[][] byCluster(long seed, float[][] vectors) {
        float[][] centres = centres(new SplittableRandom(seed));
        List<float[]> out = new ArrayList<>(java.util.Arrays.asList(vectors));
        out.sort(java.util.Comparator.comparingInt(v -> nearest(centres, v)));
        return out.toArray(new float[0][]);
    }

    private static int nearest(float[][] centres, float[] v) {
        int best = 0;
        double bestD = Double.MAX_VALUE;
        for (int c = 0; c < centres.length; c++) {
            double d = 0;
            for (int i = 0; i < DIM; i++) {
                double t = v[i] - centres[c][i];
                d += t * t;
            }
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }

    static long id(int i) {
        return 1_000L + 13L * i;
    }

    /** The churned index as saved. */
    static HnswIndex build(Spec spec) {
        float[][] data = data(spec, 0, N);
        float[][] fresh = data(spec, 1, N / 25 + 1);
        HnswIndex index = new HnswIndex(spec.config);
        for (int i = 0; i < N; i++) {
            index.add(id(i), data[i]);
        }
        for (int i = 0; i < N; i += 7) {
            index.remove(id(i));
        }
        for (int i = 3, j = 0; i < N; i += 25, j++) {
            index.add(id(i), fresh[j]); // upserts: the first one sweeps the pending slots into the free list
        }
        for (int i = 2; i < N; i += 80) {
            index.remove(id(i)); // pending again at save time
        }
        return index;
    }

    /** The fixed operations applied after a load, whose answers the expectation file also records. */
    static void continueOperations(Spec spec, HnswIndex index) {
        float[][] more = data(spec, 2, 30);
        for (int i = 0; i < more.length; i++) {
            index.add(9_000_000L + i, more[i]);
            if (i % 3 == 0) {
                index.remove(id(5 + 11 * i));
            }
        }
    }

    static float[][] queries(Spec spec) {
        return data(spec, 3, QUERIES);
    }

    static IdFilter filter() {
        return id -> id % 3 != 0;
    }

    /** What a reader must observe of {@code index}, one fact per line. */
    static List<String> describe(Spec spec, HnswIndex index) {
        List<String> lines = new ArrayList<>();
        String config = index.config().toString();
        if (spec.since < 6) {
            // Recorded before HnswConfig had the upper beam width (version 6); the test's config() equality checks it.
            config = config.replace(", upperBeamWidth=" + index.config().upperBeamWidth(), "");
        }
        lines.add("config " + config);
        IndexMetadata m = index.metadata();
        lines.add("highWater " + m.highWater());
        lines.add("liveCount " + m.liveCount());
        lines.add("entryPoint " + m.entryPoint());
        lines.add("maxLevel " + m.maxLevel());
        lines.add("levelGeneratorState " + m.levelGeneratorState());
        lines.add("free " + ints(m.freeOrdinals()));
        lines.add("pending " + ints(m.pendingOrdinals()));
        if (spec.since >= 5) {
            lines.add("recent " + ints(m.recentInserts())); // since version 5
        }
        // Versions 1-3 had one range and recorded an index that is not quantised as "0 0".
        lines.add("quantizer " + m.quantized() + " " + (m.quantized()
                ? floats(m.quantizerMids()) + " " + floats(m.quantizerScales()) : "0 0"));
        for (int ord = 0; ord < index.ordinalBound(); ord++) {
            if (!index.isLive(ord)) {
                lines.add("free-slot " + ord + " level " + index.levelAt(ord));
                continue;
            }
            StringBuilder sb = new StringBuilder("node " + ord + " id " + index.idAt(ord) + " level "
                    + index.levelAt(ord) + " vector " + floats(index.vectorAt(ord)));
            int[][] nb = index.neighborsAt(ord);
            for (int l = 0; l < nb.length; l++) {
                sb.append(" L").append(l).append(' ').append(ints(nb[l]));
            }
            lines.add(sb.toString());
        }
        float[][] queries = queries(spec);
        for (int q = 0; q < queries.length; q++) {
            lines.add("answer " + q + " " + answer(index.search(queries[q], K, EF)));
            lines.add("filtered " + q + " " + answer(index.search(queries[q], K, EF, filter())));
        }
        return lines;
    }

    static List<String> describeAfterContinuation(Spec spec, HnswIndex index) {
        continueOperations(spec, index);
        List<String> lines = new ArrayList<>();
        lines.add("after highWater " + index.ordinalBound() + " size " + index.size() + " metadata "
                + index.metadata());
        float[][] queries = queries(spec);
        for (int q = 0; q < queries.length; q++) {
            lines.add("after-answer " + q + " " + answer(index.search(queries[q], K, EF)));
        }
        return lines;
    }

    static String answer(SearchResults r) {
        StringBuilder sb = new StringBuilder(r.path().name());
        for (int i = 0; i < r.size(); i++) {
            sb.append(' ').append(r.id(i)).append(':').append(bits(r.distance(i)));
        }
        return sb.toString();
    }

    static String bits(float f) {
        return Integer.toHexString(Float.floatToRawIntBits(f));
    }

    static String floats(float[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ",").append(bits(v[i]));
        }
        return sb.toString();
    }

    static String ints(int[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ",").append(v[i]);
        }
        return sb.append(']').toString();
    }

    /**
     * Args: output directory, version tag (e.g. {@code v1}). Writes {@code <tag>-<name>.vshw} and
     * {@code <name>.expected}. With a third argument {@code --resave=<fromTag>} it instead loads each
     * {@code <fromTag>-<name>.vshw} and saves it as {@code <tag>-<name>.vshw}: the same index in the newer format,
     * so the expectations recorded with the first version's code describe it too (a fresh build by newer code may
     * differ: an INT8 index's build has traversed its codes since version 2). The version-3 files were written so,
     * from version 2, and the version-4 files of the indexes older than version 4 from version 3.
     *
     * <p>Without {@code --resave} only the indexes introduced with {@code tag} ({@link Spec#since}) are built and
     * recorded: the expectations of older ones stay those their first version's code recorded.
     */
    public static void main(String[] args) throws IOException {
        Path dir = Paths.get(args[0]);
        String tag = args[1];
        Files.createDirectories(dir);
        if (args.length > 3 || (args.length == 3 && !args[2].startsWith("--resave="))) {
            throw new IllegalArgumentException("arguments must be: <directory> <tag> [--resave=<fromTag>]; got "
                    + java.util.Arrays.toString(args));
        }
        if (args.length == 3) {
            String from = args[2].substring("--resave=".length());
            for (Spec spec : specs(Integer.parseInt(from.substring(1)))) {
                HnswIndex.load(dir.resolve(from + "-" + spec.name + ".vshw"))
                        .save(dir.resolve(tag + "-" + spec.name + ".vshw"));
            }
            return;
        }
        for (Spec spec : specs()) {
            if (spec.since != Integer.parseInt(tag.substring(1))) {
                continue;
            }
            HnswIndex index = build(spec);
            index.save(dir.resolve(tag + "-" + spec.name + ".vshw"));
            List<String> lines = describe(spec, index);
            lines.addAll(describeAfterContinuation(spec, index));
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(dir.resolve(spec.name + ".expected"),
                    StandardCharsets.UTF_8))) {
                w.println("# Written by GoldenIndexFiles with the " + tag + " code; see GoldenIndexFilesTest.");
                w.println("# kernels " + VectorMath.implementationName());
                for (String line : lines) {
                    w.println(line);
                }
            }
        }
    }
}
