package io.vectorstream.bench.operator;

import io.vectorstream.bench.HeapMeter;
import io.vectorstream.index.HnswIndex;
import io.vectorstream.index.HnswSearcher;
import io.vectorstream.index.VectorMath;
import io.vectorstream.jobs.Datasets;
import io.vectorstream.operators.QueryResult;
import io.vectorstream.operators.VectorEvent;
import io.vectorstream.operators.VectorEventKeySelector;
import io.vectorstream.operators.VectorIndexFunction;
import io.vectorstream.operators.VectorQuery;
import io.vectorstream.operators.VectorQueryKeySelector;
import io.vectorstream.operators.VectorSearchConfig;
import java.util.Locale;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/**
 * Operator ingest and query throughput beside the raw index, in one run on the same data: the raw
 * {@link HnswIndex}, then {@link VectorIndexFunction} in Flink's operator harness on the heap backend and on
 * RocksDB (incremental). One key, so every variant builds the same graph. Prints a markdown table.
 *
 * <p>Usage: {@code OperatorThroughput [vectors] [queries]} (Fashion-MNIST when installed, else synthetic);
 * {@code OperatorThroughput --million} measures the heap a RocksDB-backed operator uses for 1M 128-d vectors.
 */
public final class OperatorThroughput {
    private OperatorThroughput() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--million")) {
            million(args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000);
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int nq = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        Datasets.Dataset data = Datasets.fashionMnistOrSynthetic(n, nq);
        VectorSearchConfig config = VectorSearchConfig.builder().maxConn(16).efConstruction(100).efSearch(64)
                .exactThreshold(0).build();
        System.out.printf("%s: %d vectors x %d dims, %d queries (k 10, ef 64); JDK %s; kernels %s%n", data.name,
                data.base.length, data.dimension(), data.queries.length, Runtime.version(), VectorMath.implementationName());

        // Warm-up of every path on a slice, so the JIT is equally warm for all variants.
        Datasets.Dataset warm = new Datasets.Dataset("warm", java.util.Arrays.copyOf(data.base, Math.min(3_000, n)),
                java.util.Arrays.copyOf(data.queries, Math.min(200, nq)));
        raw(config, warm);
        harness(config, warm, new HashMapStateBackend());
        harness(config, warm, new EmbeddedRocksDBStateBackend(true));
        harness(config, warm, rocksDbWithFixedMemory("256mb"));

        double[] raw = raw(config, data);
        double[] heap = harness(config, data, new HashMapStateBackend());
        double[] rocks = harness(config, data, new EmbeddedRocksDBStateBackend(true));
        double[] rocksMem = harness(config, data, rocksDbWithFixedMemory("256mb"));
        System.out.println();
        System.out.println("| variant | ingest (vectors/s) | vs raw | queries/s | vs raw |");
        System.out.println("|---|---:|---:|---:|---:|");
        row("raw HnswIndex", raw, raw);
        row("operator, heap state", heap, raw);
        row("operator, RocksDB state (incremental)", rocks, raw);
        row("operator, RocksDB state (incremental, 256 MiB fixed memory)", rocksMem, raw);
    }

    /**
     * RocksDB with a fixed native memory budget per slot (write buffers + block cache), as a TaskManager's
     * managed memory would give it. The operator harness's mock environment otherwise gives RocksDB almost
     * none, so it flushes tiny memtables and its one compaction thread stalls the writer as the data grows.
     */
    static EmbeddedRocksDBStateBackend rocksDbWithFixedMemory(String perSlot) {
        EmbeddedRocksDBStateBackend b = new EmbeddedRocksDBStateBackend(true);
        b.getMemoryConfiguration().setFixedMemoryPerSlot(perSlot);
        return b;
    }

    private static void row(String name, double[] v, double[] raw) {
        System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f %% | %.0f | %.0f %% |%n", name, v[0], 100 * v[0] / raw[0],
                v[1], 100 * v[1] / raw[1]);
    }

    static double[] raw(VectorSearchConfig config, Datasets.Dataset d) {
        HnswIndex index = new HnswIndex(config.hnswConfig(d.dimension()));
        long t0 = System.nanoTime();
        for (int i = 0; i < d.base.length; i++) {
            index.add(i, d.base[i]);
        }
        double ingest = d.base.length / ((System.nanoTime() - t0) / 1e9);
        HnswSearcher s = index.newSearcher();
        long t1 = System.nanoTime();
        for (float[] q : d.queries) {
            s.search(q, 10, 64);
        }
        return new double[] {ingest, d.queries.length / ((System.nanoTime() - t1) / 1e9)};
    }

    static double[] harness(VectorSearchConfig config, Datasets.Dataset d, StateBackend backend) throws Exception {
        try (KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h =
                     new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new VectorIndexFunction(config)),
                             new VectorEventKeySelector(config), new VectorQueryKeySelector(config), Types.STRING, 128, 1, 0)) {
            h.setStateBackend(backend);
            h.open();
            long t0 = System.nanoTime();
            for (int i = 0; i < d.base.length; i++) {
                h.processElement1(VectorEvent.upsert("k", i, d.base[i], i), i);
            }
            double ingest = d.base.length / ((System.nanoTime() - t0) / 1e9);
            long t1 = System.nanoTime();
            for (int i = 0; i < d.queries.length; i++) {
                h.processElement2(new VectorQuery("q" + i, "k", d.queries[i], 10, 64, null, i), i);
                if (i % 256 == 255) {
                    h.getOutput().clear(); // the harness keeps every output; drop them as a sink would
                }
            }
            return new double[] {ingest, d.queries.length / ((System.nanoTime() - t1) / 1e9)};
        }
    }

    /**
     * Heap held by a RocksDB-backed operator (256 MiB fixed RocksDB memory, off-heap) with {@code total} 128-d
     * vectors over 1,000 keys (inserted key by key), 64 MiB index cache, measured after GC.
     */
    static void million(int total) throws Exception {
        VectorSearchConfig config = VectorSearchConfig.builder().cacheMaxBytes(64L << 20).build();
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        try (KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h =
                     new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new VectorIndexFunction(config)),
                             new VectorEventKeySelector(config), new VectorQueryKeySelector(config), Types.STRING, 128, 1, 0)) {
            h.setStateBackend(rocksDbWithFixedMemory("256mb"));
            h.open();
            long t0 = System.nanoTime();
            float[] v = new float[128];
            for (int i = 0; i < total; i++) {
                for (int j = 0; j < 128; j++) {
                    v[j] = (float) r.nextDouble();
                }
                // Key by key (each key's events together), as a keyed stream with locality delivers them; the
                // cache then holds the hot keys while RocksDB holds everything.
                h.processElement1(VectorEvent.upsert("key-" + (i / (total / 1_000)), i, v.clone(), i), i);
                if (i % 100_000 == 99_999) {
                    System.out.printf("%d vectors, %.0f /s%n", i + 1, (i + 1) / ((System.nanoTime() - t0) / 1e9));
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "| %d x 128-d vectors, 1,000 keys, RocksDB (256 MiB fixed memory), cache budget 64 MiB | heap used after GC %.0f MiB | ingest %.0f vectors/s |%n",
                    total, HeapMeter.settledUsedBytes() / 1048576.0, total / seconds);
        }
    }
}
