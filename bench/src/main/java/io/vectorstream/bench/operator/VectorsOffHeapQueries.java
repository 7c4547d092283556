package io.vectorstream.bench.operator;

import io.vectorstream.index.Quantization;
import io.vectorstream.index.VectorMath;
import io.vectorstream.jobs.Datasets;
import io.vectorstream.operators.QueryResult;
import io.vectorstream.operators.VectorEvent;
import io.vectorstream.operators.VectorEventKeySelector;
import io.vectorstream.operators.VectorIndexOperator;
import io.vectorstream.operators.VectorQuery;
import io.vectorstream.operators.VectorQueryKeySelector;
import io.vectorstream.operators.VectorSearchConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/**
 * Heap per vector, query rate and recall of one key's index on RocksDB with the float vectors on the heap (float
 * traversal, and int8 traversal with float re-ranking) and off it ({@code vectorsOnHeap} false: int8 codes and the
 * graph on the heap, the re-ranked candidates' floats read from RocksDB), on the same vectors and queries. One
 * operator harness per variant (RocksDB, incremental, 256 MiB fixed memory); interleaved query rounds (every
 * variant, then every variant again), best round and spread per variant, ratios within each round.
 *
 * <p>Usage: {@code VectorsOffHeapQueries [vectors] [queries] [rounds] [ef] [rerank,rerank,...]} (Fashion-MNIST
 * when installed, else synthetic; the re-rank depths of the off-heap variants, 0 meaning automatic, default
 * 0,10). Prints a markdown table and a {@code RATIO} line per variant against the first.
 */
public final class VectorsOffHeapQueries {
    private static final int K = 10;

    private VectorsOffHeapQueries() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 60_000;
        int nq = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int ef = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        Datasets.Dataset d = Datasets.fashionMnistOrSynthetic(n, nq);
        n = d.base.length;
        nq = d.queries.length;
        System.out.printf(Locale.ROOT, "%s: %d vectors x %d dims in one key, %d queries (k %d, ef %d); RocksDB; JDK %s; "
                        + "kernels %s; %d cores%n", d.name, n, d.dimension(), nq, K, ef, Runtime.version(),
                VectorMath.implementationName(), Runtime.getRuntime().availableProcessors());
        String rerankList = args.length > 4 ? args[4] : "0,10";
        List<String> names = new ArrayList<>(List.of("floats on heap (float traversal)",
                "floats on heap, int8 traversal + float re-rank"));
        List<VectorSearchConfig> list = new ArrayList<>(List.of(
                VectorSearchConfig.builder().efSearch(ef).cacheMaxBytes(4L << 30).build(),
                VectorSearchConfig.builder().efSearch(ef).cacheMaxBytes(4L << 30).quantization(Quantization.INT8)
                        .build()));
        for (String r : rerankList.split(",")) {
            int rerank = Integer.parseInt(r.trim());
            names.add("int8 on heap, re-rank " + (rerank == 0 ? "automatic (1.5 k)" : rerank) + " from RocksDB");
            list.add(VectorSearchConfig.builder().efSearch(ef).cacheMaxBytes(4L << 30).quantization(Quantization.INT8)
                    .vectorsOnHeap(false).rerankCandidates(rerank).build());
        }
        VectorSearchConfig[] configs = list.toArray(new VectorSearchConfig[0]);
        long[][] truth = GroundTruth.topK(d, K, 1);
        List<KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult>> hs = new ArrayList<>();
        long[] heapPerVector = new long[configs.length];
        try {
            for (int v = 0; v < configs.length; v++) {
                var h = new KeyedTwoInputStreamOperatorTestHarness<>(new VectorIndexOperator(configs[v]),
                        new VectorEventKeySelector(configs[v]), new VectorQueryKeySelector(configs[v]), Types.STRING,
                        128, 1, 0);
                h.setStateBackend(OperatorThroughput.rocksDbWithFixedMemory("256mb"));
                h.open();
                hs.add(h);
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    h.processElement1(VectorEvent.upsert("k", i, d.base[i], i), i);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                heapPerVector[v] = ((VectorIndexOperator) h.getOperator()).heapBytesPerVector();
                System.out.printf(Locale.ROOT, "ingest %s: %.0f vectors/s, heap %d bytes/vector%n", names.get(v), n / secs,
                        heapPerVector[v]);
            }
            double[][] qps = new double[configs.length][rounds];
            double[] recall = new double[configs.length];
            for (int r = 0; r < rounds; r++) {
                StringBuilder line = new StringBuilder("round " + (r + 1) + ":");
                for (int v = 0; v < configs.length; v++) {
                    double[] res = queryPass(hs.get(v), d, truth, ef);
                    qps[v][r] = res[0];
                    recall[v] = res[1];
                    line.append(String.format(Locale.ROOT, " %.0f q/s", res[0]));
                }
                System.out.println(line);
            }
            System.out.println();
            System.out.println("| variant | heap bytes/vector | recall@10 | best q/s | spread over rounds |");
            System.out.println("|---|---:|---:|---:|---:|");
            for (int v = 0; v < configs.length; v++) {
                double[] s = qps[v].clone();
                Arrays.sort(s);
                System.out.printf(Locale.ROOT, "| %s | %,d | %.3f | %.0f | %.0f .. %.0f |%n", names.get(v),
                        heapPerVector[v], recall[v], s[rounds - 1], s[0], s[rounds - 1]);
            }
            for (int v = 1; v < configs.length; v++) {
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratios[r] = qps[v][r] / qps[0][r];
                }
                Arrays.sort(ratios);
                System.out.printf(Locale.ROOT, "RATIO %s / %s: q/s median-of-rounds=%.2f (rounds %.2f .. %.2f), "
                                + "heap=%.2f%n", names.get(v), names.get(0), ratios[rounds / 2], ratios[0], ratios[rounds - 1],
                        heapPerVector[v] / (double) heapPerVector[0]);
            }
        } finally {
            for (var h : hs) {
                h.close();
            }
        }
    }

    /** One pass over the queries: {q/s, recall@10}. */
    private static double[] queryPass(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h,
                                      Datasets.Dataset d, long[][] truth, int ef) throws Exception {
        long hits = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < d.queries.length; i++) {
            h.processElement2(new VectorQuery("q" + i, "k", d.queries[i], K, ef, null, i), i);
            Object last = null;
            for (Object o : h.getOutput()) {
                last = o;
            }
            @SuppressWarnings("unchecked")
            QueryResult r = ((StreamRecord<QueryResult>) last).getValue();
            for (long id : r.ids()) {
                for (long t : truth[i]) {
                    if (id == t) {
                        hits++;
                        break;
                    }
                }
            }
            h.getOutput().clear();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new double[] {d.queries.length / seconds, hits / (double) (K * d.queries.length)};
    }
}
