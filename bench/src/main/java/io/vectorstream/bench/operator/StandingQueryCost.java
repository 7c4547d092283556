package io.vectorstream.bench.operator;

import io.vectorstream.jobs.Datasets;
import io.vectorstream.operators.QueryResult;
import io.vectorstream.operators.VectorEvent;
import io.vectorstream.operators.VectorIndexFunction;
import io.vectorstream.operators.VectorQuery;
import io.vectorstream.operators.VectorSearchConfig;
import java.nio.file.Files;
import java.util.Locale;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * What standing queries cost an insert: one key holds {@code base} vectors; S standing queries (k 10, each the
 * vector of a held-out query point) are registered; then {@code inserts} new upserts are timed, and the updates
 * they caused counted. Standing query vectors are the data set's query points, then copies of them moved by a
 * little noise. Each count past 256 runs twice: matched through {@code StandingMatcher}
 * ({@code vectorstream.standing.index-threshold} 256) and with every query scored. Runs S = 0, 1,000 and 100,000 (or {@code --standing}) in one JVM, interleaved over
 * {@code --rounds}, best round per S; heap backend (the matching is heap work; a changed answer is one state write).
 *
 * <pre>java -cp ... io.vectorstream.bench.operator.StandingQueryCost [--base 20000] [--inserts 2000]
 *     [--standing 0,1000,100000] [--rounds 3]</pre>
 * Uses Fashion-MNIST when installed, else a synthetic clustered set.
 */
public final class StandingQueryCost {
    /** The matcher's threshold in the matcher rows. */
    private static final int GRAPH_THRESHOLD = 256;

    private StandingQueryCost() {}

    public static void main(String[] args) throws Exception {
        int base = 20_000;
        int inserts = 2_000;
        int rounds = 3;
        int[] standing = {0, 1_000, 100_000};
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--base": base = Integer.parseInt(args[i + 1]); break;
                case "--inserts": inserts = Integer.parseInt(args[i + 1]); break;
                case "--rounds": rounds = Integer.parseInt(args[i + 1]); break;
                case "--standing":
                    standing = java.util.Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                    break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Datasets.Dataset d = Files.isDirectory(Datasets.FASHION_MNIST_DIR)
                ? Datasets.fashionMnist(Datasets.FASHION_MNIST_DIR, base + inserts, 10_000)
                : Datasets.synthetic(7L, base + inserts, 10_000, 128);
        System.out.printf(Locale.ROOT, "dataset %s: %d held + %d timed inserts, %d-d, JDK %s; standing query "
                        + "vectors: the %d query points, then slightly moved copies%n", d.name, base, inserts, d.dimension(),
                System.getProperty("java.version"), d.queries.length);
        // Each count past the index threshold runs twice: matched through the matcher and with every query scored
        // (threshold above the count), to show what the matcher saves.
        java.util.List<int[]> variants = new java.util.ArrayList<>();
        for (int n : standing) {
            variants.add(new int[] {n, 0});
            if (n > GRAPH_THRESHOLD) {
                variants.add(new int[] {n, 1});
            }
        }
        double[][] micros = new double[variants.size()][rounds];
        long[] updates = new long[variants.size()];
        for (int r = 0; r < rounds; r++) {
            for (int v = 0; v < variants.size(); v++) {
                long[] u = new long[1];
                int[] x = variants.get(v);
                micros[v][r] = run(d, base, inserts, x[0], x[1] == 1, u);
                updates[v] = u[0];
                System.out.printf(Locale.ROOT, "round %d, %d standing%s: %.1f us per insert%n", r + 1, x[0],
                        x[1] == 1 ? " (every query scored)" : "", micros[v][r]);
            }
        }
        System.out.println();
        System.out.println("| standing queries | matching | us per insert, best (range) | vs none | updates per insert |");
        System.out.println("|---:|---|---:|---:|---:|");
        double none = java.util.Arrays.stream(micros[0]).min().orElse(Double.NaN);
        for (int v = 0; v < variants.size(); v++) {
            int[] x = variants.get(v);
            double best = java.util.Arrays.stream(micros[v]).min().orElse(Double.NaN);
            double worst = java.util.Arrays.stream(micros[v]).max().orElse(Double.NaN);
            String how = x[0] == 0 ? "-" : x[1] == 1 || x[0] <= GRAPH_THRESHOLD ? "every query scored"
                    : "matcher (clusters of query balls)";
            System.out.printf(Locale.ROOT, "| %,d | %s | %.1f (%.1f .. %.1f) | %.2fx | %.3f |%n", x[0], how, best, best,
                    worst, best / none, updates[v] / (double) inserts);
        }
    }

    /** Microseconds per timed insert with {@code standing} standing queries registered. */
    static double run(Datasets.Dataset d, int base, int inserts, int standing, boolean scoreEvery, long[] updatesOut)
            throws Exception {
        VectorSearchConfig config = VectorSearchConfig.builder().cacheMaxBytes(4L << 30)
                .standingIndexThreshold(scoreEvery ? Integer.MAX_VALUE : GRAPH_THRESHOLD)
                .build();
        try (var h = RestoreTime.harness(config, new HashMapStateBackend(), Files.createTempDirectory("sq-bench-"))) {
            h.open();
            for (int i = 0; i < base; i++) {
                h.processElement1(new StreamRecord<>(VectorEvent.upsert("k", i, d.base[i], 1L), 1L));
            }
            java.util.SplittableRandom r = new java.util.SplittableRandom(5);
            for (int q = 0; q < standing; q++) {
                float[] v = d.queries[q % d.queries.length];
                if (q >= d.queries.length) {
                    // Beyond the query points: a slightly moved copy, so no two standing queries are identical.
                    v = v.clone();
                    for (int c = 0; c < v.length; c++) {
                        v[c] += (float) (r.nextGaussian() * 0.01);
                    }
                }
                h.processElement2(new StreamRecord<>(new VectorQuery("sq-" + q, "k", v, 10, 0, null, 2L)
                        .withStanding(VectorQuery.Standing.REGISTER, null, null), 2L));
            }
            int before = sideOutputs(h);
            long t0 = System.nanoTime();
            for (int i = base; i < base + inserts; i++) {
                h.processElement1(new StreamRecord<>(VectorEvent.upsert("k", i, d.base[i], 3L), 3L));
            }
            double micros = (System.nanoTime() - t0) / 1e3 / inserts;
            updatesOut[0] = sideOutputs(h) - before;
            return micros;
        }
    }

    private static int sideOutputs(org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness<String,
            VectorEvent, VectorQuery, QueryResult> h) {
        var q = h.getSideOutput(VectorIndexFunction.UPDATES);
        return q == null ? 0 : q.size();
    }
}
