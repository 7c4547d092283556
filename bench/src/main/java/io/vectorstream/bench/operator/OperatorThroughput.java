package io.vectorstream.bench.operator;

import io.vectorstream.bench.HeapMeter;
import io.vectorstream.index.HnswIndex;
import io.vectorstream.index.HnswSearcher;
import io.vectorstream.index.VectorMath;
import io.vectorstream.jobs.Datasets;
import io.vectorstream.jobs.RocksDbDefaults;
import io.vectorstream.operators.QueryResult;
import io.vectorstream.operators.VectorEvent;
import io.vectorstream.operators.VectorEventKeySelector;
import io.vectorstream.operators.VectorIndexFunction;
import io.vectorstream.operators.VectorQuery;
import io.vectorstream.operators.VectorQueryKeySelector;
import io.vectorstream.operators.VectorSearchConfig;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.rocksdb.CompressionType;

/**
 * Operator ingest and query throughput beside the raw index, in one run on the same data: the raw
 * {@link HnswIndex}, then {@link VectorIndexFunction} in Flink's operator harness on the heap backend and on
 * RocksDB (incremental). One key, so every variant builds the same graph. Prints a markdown table.
 *
 * <p>Usage: {@code OperatorThroughput [vectors] [queries]} (Fashion-MNIST when installed, else synthetic);
 * {@code OperatorThroughput --million [n]} measures heap, ingest and query rates of a RocksDB-backed operator for 1M 128-d vectors over 1,000 keys.
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
     * managed memory would give it, and VectorStream's job defaults ({@link RocksDbDefaults}). The operator
     * harness's mock environment otherwise gives RocksDB almost none, so it flushes tiny memtables and its one
     * compaction thread stalls the writer as the data grows.
     */
    static EmbeddedRocksDBStateBackend rocksDbWithFixedMemory(String perSlot) {
        return rocksDbWithFixedMemory(perSlot, RocksDbDefaults.COMPRESSION_PER_LEVEL);
    }

    /** As {@link #rocksDbWithFixedMemory(String)}, with the given block compression per level. */
    static EmbeddedRocksDBStateBackend rocksDbWithFixedMemory(String perSlot, List<CompressionType> compression) {
        EmbeddedRocksDBStateBackend b = new EmbeddedRocksDBStateBackend(true);
        b.getMemoryConfiguration().setFixedMemoryPerSlot(perSlot);
        Configuration conf = new Configuration();
        conf.set(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL, compression);
        return b.configure(conf, OperatorThroughput.class.getClassLoader());
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
     * {@code total} 128-d vectors over 1,000 keys on RocksDB (256 MiB fixed native memory, off-heap) with an index
     * cache that holds every key, as a keyed stream delivers them: each event's key drawn at random (not key by
     * key), then 20,000 queries (k 10, ef 64) each for a random key. Prints ingest and query rates and the heap
     * used after GC, with the cache's own count of bytes per vector. Seeded.
     */
    static void million(int total) throws Exception {
        int keys = 1_000;
        int dim = 128;
        long cacheBudget = 1536L << 20;
        VectorSearchConfig config = VectorSearchConfig.builder().cacheMaxBytes(cacheBudget).efSearch(64).build();
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        try (KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h =
                     new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new VectorIndexFunction(config)),
                             new VectorEventKeySelector(config), new VectorQueryKeySelector(config), Types.STRING, 128, 1, 0)) {
            h.setStateBackend(rocksDbWithFixedMemory("256mb"));
            h.open();
            long t0 = System.nanoTime();
            for (int i = 0; i < total; i++) {
                float[] v = new float[dim];
                for (int j = 0; j < dim; j++) {
                    v[j] = (float) r.nextDouble();
                }
                h.processElement1(VectorEvent.upsert("key-" + r.nextInt(keys), i, v, i), i);
                if (i % 100_000 == 99_999) {
                    System.out.printf("%d vectors, %.0f /s%n", i + 1, (i + 1) / ((System.nanoTime() - t0) / 1e9));
                }
            }
            double ingestSeconds = (System.nanoTime() - t0) / 1e9;
            int queries = 20_000;
            long t1 = System.nanoTime();
            for (int i = 0; i < queries; i++) {
                float[] q = new float[dim];
                for (int j = 0; j < dim; j++) {
                    q[j] = (float) r.nextDouble();
                }
                h.processElement2(new VectorQuery("q" + i, "key-" + r.nextInt(keys), q, 10, 64, null, total + i),
                        total + i);
                if (i % 256 == 255) {
                    h.getOutput().clear();
                }
            }
            double querySeconds = (System.nanoTime() - t1) / 1e9;
            double heapMiB = HeapMeter.settledUsedBytes() / 1048576.0;
            System.out.printf(Locale.ROOT, "| %d x %d-d vectors, %d keys (random order), RocksDB (256 MiB fixed "
                            + "memory), cache budget %d MiB | heap used after GC %.0f MiB (%.0f bytes/vector) | "
                            + "ingest %.0f vectors/s | %.0f queries/s over all keys |%n",
                    total, dim, keys, cacheBudget >> 20, heapMiB, heapMiB * 1048576.0 / total, total / ingestSeconds,
                    queries / querySeconds);
        }
    }
}
