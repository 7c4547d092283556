package io.vectorstream.bench.operator;

import io.vectorstream.index.VectorMath;
import io.vectorstream.jobs.Datasets;
import io.vectorstream.operators.GlobalRouting;
import io.vectorstream.operators.IndexMode;
import io.vectorstream.operators.QueryResult;
import io.vectorstream.operators.VectorEvent;
import io.vectorstream.operators.VectorEventKeySelector;
import io.vectorstream.operators.VectorIndexOperator;
import io.vectorstream.operators.VectorQuery;
import io.vectorstream.operators.VectorQueryKeySelector;
import io.vectorstream.operators.VectorSearchConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/**
 * Keyed queries (a partition key per query) answered by a KEYED index (one graph per key) and by GLOBAL indexes
 * (the same vectors over {@code shards} shards, one graph per (shard, key), the key's shards' answers merged) with
 * each key on one shard ({@code shardsPerKey} 1) and on all of them (the default), on the same vectors, queries and
 * search settings, in one operator harness each (one subtask holding every shard, heap state). Interleaved rounds:
 * KEYED, GLOBAL/1, GLOBAL/all, KEYED, ...; per variant the best round and the spread; recall@10 against brute force
 * within the query's key.
 *
 * <p>Usage: {@code GlobalVsKeyedQueries [vectors] [queries] [keys] [shards] [rounds]} (Fashion-MNIST when
 * installed, else synthetic). Prints a markdown table and a {@code RATIO} line per GLOBAL variant.
 */
public final class GlobalVsKeyedQueries {
    private static final int K = 10;
    private static final int EF = 64;

    private GlobalVsKeyedQueries() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 60_000;
        int nq = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int keys = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int shards = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        Datasets.Dataset data = Datasets.fashionMnistOrSynthetic(n, nq);
        n = data.base.length;
        nq = data.queries.length;
        System.out.printf("%s: %d vectors x %d dims over %d keys (%.1f %% each), %d keyed queries (k %d, ef %d), "
                        + "GLOBAL with %d shards; JDK %s; kernels %s; %d cores%n", data.name, n, data.dimension(),
                keys, 100.0 / keys, nq, K, EF, shards, Runtime.version(), VectorMath.implementationName(),
                Runtime.getRuntime().availableProcessors());

        VectorSearchConfig keyed = VectorSearchConfig.builder().maxConn(16).efConstruction(100).efSearch(EF).build();
        VectorSearchConfig[] configs = {
            keyed,
            VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(shards).shardsPerKey(1)
                    .dimension(data.dimension()).maxConn(16).efConstruction(100).efSearch(EF).build(),
            VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(shards)
                    .dimension(data.dimension()).maxConn(16).efConstruction(100).efSearch(EF).build(),
        };
        String[] names = {"KEYED (one graph per key)", "GLOBAL, each key on 1 shard",
            "GLOBAL, each key on all " + shards + " shards"};
        long[][] truth = GroundTruth.topK(data, K, keys);

        List<KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult>> hs = new ArrayList<>();
        try {
            for (int v = 0; v < configs.length; v++) {
                hs.add(harness(configs[v]));
                double rate = ingest(hs.get(v), data, keys);
                System.out.printf(Locale.ROOT, "ingest %s: %.0f vectors/s%n", names[v], rate);
            }
            double[][] qps = new double[configs.length][rounds];
            double[] recall = new double[configs.length];
            for (int r = 0; r < rounds; r++) {
                StringBuilder line = new StringBuilder("round " + (r + 1) + ":");
                for (int v = 0; v < configs.length; v++) {
                    double[] res = queryPass(hs.get(v), configs[v], data, keys, truth);
                    qps[v][r] = res[0];
                    recall[v] = res[1];
                    line.append(String.format(Locale.ROOT, " %.0f q/s", res[0]));
                }
                System.out.println(line);
            }
            System.out.println();
            System.out.println("| variant | recall@10 | best q/s | spread over rounds |");
            System.out.println("|---|---:|---:|---:|");
            for (int v = 0; v < configs.length; v++) {
                row(names[v], recall[v], qps[v]);
            }
            for (int v = 1; v < configs.length; v++) {
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratios[r] = qps[v][r] / qps[0][r];
                }
                Arrays.sort(ratios);
                System.out.printf(Locale.ROOT, "RATIO %s / KEYED: best=%.2f median-of-rounds=%.2f (rounds %.2f .. %.2f)%n",
                        names[v], max(qps[v]) / max(qps[0]), ratios[rounds / 2], ratios[0], ratios[rounds - 1]);
            }
        } finally {
            for (var h : hs) {
                h.close();
            }
        }
    }

    private static void row(String name, double recall, double[] qps) {
        double[] s = qps.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.0f | %.0f .. %.0f |%n", name, recall, s[s.length - 1], s[0],
                s[s.length - 1]);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> harness(
            VectorSearchConfig config) throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(new VectorIndexOperator(config),
                new VectorEventKeySelector(config), new VectorQueryKeySelector(config), Types.STRING,
                config.maxParallelism(), 1, 0);
        h.setStateBackend(new HashMapStateBackend());
        h.open();
        return h;
    }

    private static String key(int i, int keys) {
        return "key-" + (i % keys);
    }

    private static double ingest(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h,
                                 Datasets.Dataset d, int keys) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < d.base.length; i++) {
            h.processElement1(VectorEvent.upsert(key(i, keys), i, d.base[i], Map.of(), i), i);
        }
        return d.base.length / ((System.nanoTime() - t0) / 1e9);
    }

    /** One pass over the queries: {q/s, recall@10}. A GLOBAL query goes to its key's shards, as FanOut sends it. */
    private static double[] queryPass(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h,
                                      VectorSearchConfig config, Datasets.Dataset d, int keys, long[][] truth)
            throws Exception {
        long hits = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < d.queries.length; i++) {
            VectorQuery q = new VectorQuery("q" + i, key(i, keys), d.queries[i], K, EF, null, i);
            long[] ids;
            if (config.mode() == IndexMode.KEYED) {
                h.processElement2(q, i);
                ids = lastResult(h).ids();
            } else {
                int first = GlobalRouting.firstShardOf(q.key(), config.shards());
                for (int j = 0; j < config.shardsPerKey(); j++) {
                    h.processElement2(q.toShard((first + j) % config.shards()), i);
                }
                ids = merge(h, config.shardsPerKey());
            }
            hits += overlap(ids, truth[i]);
            h.getOutput().clear(); // as a sink would take them
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new double[] {d.queries.length / seconds, hits / (double) (K * d.queries.length)};
    }

    private static QueryResult lastResult(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h) {
        Object last = null;
        for (Object o : h.getOutput()) {
            last = o;
        }
        @SuppressWarnings("unchecked")
        StreamRecord<QueryResult> r = (StreamRecord<QueryResult>) last;
        return r.getValue();
    }

    /** The top K of the shard answers by distance, each id once (what the merge operator computes). */
    private static long[] merge(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h,
                                int shards) {
        List<long[]> ids = new ArrayList<>(shards);
        List<float[]> ds = new ArrayList<>(shards);
        for (Object o : h.getOutput()) {
            @SuppressWarnings("unchecked")
            QueryResult r = ((StreamRecord<QueryResult>) o).getValue();
            ids.add(r.ids());
            ds.add(r.distances());
        }
        int[] pos = new int[ids.size()];
        long[] out = new long[K];
        int n = 0;
        Set<Long> seen = new HashSet<>();
        while (n < K) {
            int best = -1;
            for (int s = 0; s < ids.size(); s++) {
                if (pos[s] < ids.get(s).length && (best < 0 || ds.get(s)[pos[s]] < ds.get(best)[pos[best]])) {
                    best = s;
                }
            }
            if (best < 0) {
                break;
            }
            long id = ids.get(best)[pos[best]++];
            if (seen.add(id)) {
                out[n++] = id;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static int overlap(long[] got, long[] truth) {
        int hits = 0;
        for (long g : got) {
            for (long t : truth) {
                if (g == t) {
                    hits++;
                    break;
                }
            }
        }
        return hits;
    }
}
