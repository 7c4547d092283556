package io.vectorstream.bench.operator;

import io.vectorstream.index.HnswIndex;
import io.vectorstream.jobs.Datasets;
import io.vectorstream.jobs.RocksDbDefaults;
import io.vectorstream.operators.QueryResult;
import io.vectorstream.operators.VectorEvent;
import io.vectorstream.operators.VectorEventKeySelector;
import io.vectorstream.operators.VectorIndexOperator;
import io.vectorstream.operators.VectorQuery;
import io.vectorstream.operators.VectorQueryKeySelector;
import io.vectorstream.operators.VectorSearchConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.rocksdb.CompressionType;

/**
 * Time to serve again after a restore, with the eager rebuild ({@code vectorstream.restore.eager}) on and off.
 * Per layout (keys x vectors per key) and backend: the raw index build ({@link HnswIndex#add}, no Flink) of the
 * same vectors, then the operator ingests them, snapshots to a file-system checkpoint (so the restore reads real
 * checkpoint files, as a TaskManager does), and two new operators restore that one snapshot, eager first, lazy
 * second (the second reads the same files with a warmer page cache). Each restore then answers one query per key,
 * key after key. Printed, from the start of {@code initializeState}: {@code initializeState + open} (with eager
 * on, every key is ready when it returns), the first answer, and an answer from every key (with eager off, that
 * is when all keys are ready). Heap and RocksDB.
 *
 * <pre>java -cp ... io.vectorstream.bench.operator.RestoreTime [--layouts 1x60000,100x600] [--dimension 784]
 *     [--vectors-off-heap] [--rocksdb-memory 256mb] [--rocksdb-compression NO_COMPRESSION,SNAPPY_COMPRESSION]
 *     [--repeats 1]</pre>
 * {@code --repeats N} restores the one snapshot N times each way (eager and lazy alternating) and prints
 * "median (min .. max)".
 * {@code --rocksdb-compression} lists the RocksDB block compressions to run, each a row of its own (default: the
 * job's, {@link RocksDbDefaults}; Flink's own default is {@code SNAPPY_COMPRESSION}).
 * {@code --vectors N} is short for {@code --layouts 1xN}. Uses Fashion-MNIST when installed
 * (dataset-fashion-mnist), else a synthetic clustered set.
 */
public final class RestoreTime {
    /** {@code --vectors-off-heap}: int8 codes on the heap, floats in state ({@code vectorsOnHeap} false). */
    private static boolean vectorsOffHeap;
    /** {@code --rocksdb-memory}: RocksDB's fixed memory per slot (block cache and write buffers). */
    private static String rocksDbMemory = "256mb";
    /** {@code --repeats}: restores of each kind (eager, lazy) from the one snapshot, alternating. */
    private static int repeats = 1;
    /** {@code --rocksdb-compression}: the block compressions to compare, one RocksDB row each. */
    private static List<CompressionType> rocksDbCompressions = RocksDbDefaults.COMPRESSION_PER_LEVEL;

    private RestoreTime() {}

    /** The configuration every run uses, with the eager rebuild on or off. */
    static VectorSearchConfig config(boolean eager) {
        VectorSearchConfig.Builder b = VectorSearchConfig.builder().cacheMaxBytes(4L << 30).eagerRestore(eager);
        if (vectorsOffHeap) {
            b.quantization(io.vectorstream.index.Quantization.INT8).vectorsOnHeap(false);
        }
        return b.build();
    }

    public static void main(String[] args) throws Exception {
        String layouts = "1x60000,100x600";
        int dim = 784;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--vectors-off-heap")) {
                vectorsOffHeap = true;
                args[i] = "";
            }
        }
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].isEmpty()) {
                i--;
                continue;
            }
            switch (args[i]) {
                case "--layouts": layouts = args[i + 1]; break;
                case "--vectors": layouts = "1x" + Integer.parseInt(args[i + 1]); break;
                case "--dimension": dim = Integer.parseInt(args[i + 1]); break;
                case "--rocksdb-memory": rocksDbMemory = args[i + 1]; break;
                case "--repeats": repeats = Integer.parseInt(args[i + 1]); break;
                case "--rocksdb-compression":
                    rocksDbCompressions = Arrays.stream(args[i + 1].split(",")).map(CompressionType::valueOf).toList();
                    break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<int[]> shapes = parseLayouts(layouts);
        int total = 0;
        int maxKeys = 0;
        for (int[] s : shapes) {
            total = Math.max(total, s[0] * s[1]);
            maxKeys = Math.max(maxKeys, s[0]);
        }
        Datasets.Dataset d = Files.isDirectory(Datasets.FASHION_MNIST_DIR)
                ? Datasets.fashionMnist(Datasets.FASHION_MNIST_DIR, total, 10) : Datasets.synthetic(7L, total, 10, dim);
        if (d.base.length < total) {
            throw new IllegalArgumentException("layouts must fit the dataset; " + total + " vectors needed, "
                    + d.name + " has " + d.base.length);
        }
        System.out.printf(Locale.ROOT, "dataset %s: %d x %d, JDK %s; %s; times after a restore count from the start "
                + "of initializeState%n", d.name, d.base.length, d.dimension(), System.getProperty("java.version"),
                vectorsOffHeap ? "int8 codes on the heap, floats in state (vectorsOnHeap false)" : "floats on the heap");
        System.out.println("| backend | keys x vectors | raw build (HnswIndex) | ingest | snapshot "
                + "| eager: init + open (all keys ready) | eager: first answer | eager: every key answered "
                + "| lazy: init + open | lazy: first answer | lazy: every key answered (all keys ready) |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int[] s : shapes) {
            run("heap (HashMap)", d, s[0], s[1], HashMapStateBackend::new);
            for (CompressionType c : rocksDbCompressions) {
                run("RocksDB (incremental, " + rocksDbMemory + " fixed memory, " + c + ")", d, s[0], s[1],
                        () -> OperatorThroughput.rocksDbWithFixedMemory(rocksDbMemory, List.of(c)));
            }
        }
    }

    static List<int[]> parseLayouts(String layouts) {
        List<int[]> out = new ArrayList<>();
        for (String l : layouts.split(",")) {
            String[] kv = l.trim().split("x");
            if (kv.length != 2) {
                throw new IllegalArgumentException("layouts must be KEYSxVECTORS[,...]; layout=" + l);
            }
            int keys = Integer.parseInt(kv[0]);
            int perKey = Integer.parseInt(kv[1]);
            if (keys < 1 || perKey < 1) {
                throw new IllegalArgumentException("keys and vectors per key must be >= 1; layout=" + l);
            }
            out.add(new int[] {keys, perKey});
        }
        return out;
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> harness(
            VectorSearchConfig config, StateBackend backend, Path checkpoints) throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h =
                new KeyedTwoInputStreamOperatorTestHarness<>(new VectorIndexOperator(config),
                        new VectorEventKeySelector(config), new VectorQueryKeySelector(config), Types.STRING, 128, 1, 0);
        h.setStateBackend(backend);
        h.setCheckpointStorage(new FileSystemCheckpointStorage(checkpoints.toUri()));
        return h;
    }

    /** Vector {@code i} of a layout belongs to key {@code i % keys}. */
    static String key(int i, int keys) {
        return "k" + (i % keys);
    }

    /** Seconds to build the layout's indexes with {@link HnswIndex#add} alone, key after key. */
    static double rawBuild(VectorSearchConfig config, Datasets.Dataset d, int keys, int perKey) {
        long t0 = System.nanoTime();
        for (int k = 0; k < keys; k++) {
            HnswIndex index = new HnswIndex(config.hnswConfig(d.dimension()));
            for (int j = 0; j < perKey; j++) {
                int i = j * keys + k;
                index.add(i, d.base[i]);
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static void run(String name, Datasets.Dataset d, int keys, int perKey, Supplier<StateBackend> backend)
            throws Exception {
        VectorSearchConfig config = config(true);
        double raw = rawBuild(config, d, keys, perKey);
        Path checkpoints = Files.createTempDirectory("vectorstream-restore-bench-");
        OperatorSubtaskState snapshot;
        double ingest;
        double snap;
        try (var h = harness(config, backend.get(), checkpoints)) {
            h.open();
            long t0 = System.nanoTime();
            for (int i = 0; i < keys * perKey; i++) {
                h.processElement1(VectorEvent.upsert(key(i, keys), i, d.base[i], i), i);
            }
            ingest = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            snapshot = h.snapshot(1L, 1L);
            snap = (System.nanoTime() - t1) / 1e9;
        }
        // Eager and lazy restores alternate, so a noisy moment hits one of each; the first restore of the JVM
        // also compiles the rebuild path, as the first restore of a new TaskManager does.
        List<double[]> eager = new ArrayList<>();
        List<double[]> lazy = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            eager.add(restore(config(true), d, keys, perKey, backend, checkpoints, snapshot));
            lazy.add(restore(config(false), d, keys, perKey, backend, checkpoints, snapshot));
        }
        System.out.printf(Locale.ROOT, "| %s | %d x %d | %.1f s | %.1f s | %.2f s | %s | %s | %s | %s | %s | %s |%n",
                name, keys, perKey, raw, ingest, snap, spread(eager, 0), spread(eager, 1), spread(eager, 2),
                spread(lazy, 0), spread(lazy, 1), spread(lazy, 2));
    }

    /** One column over the repeated restores: the value, or with repeats "median (min .. max)", in seconds. */
    static String spread(List<double[]> runs, int column) {
        double[] v = runs.stream().mapToDouble(r -> r[column]).sorted().toArray();
        if (v.length == 1) {
            return String.format(Locale.ROOT, "%.2f s", v[0]);
        }
        return String.format(Locale.ROOT, "%.2f s (%.2f .. %.2f)", v[v.length / 2], v[0], v[v.length - 1]);
    }

    /**
     * Restores {@code snapshot} and queries every key once; seconds from the start of {@code initializeState} to
     * the end of {@code open}, to the first answer and to the last.
     */
    static double[] restore(VectorSearchConfig config, Datasets.Dataset d, int keys, int perKey,
                            Supplier<StateBackend> backend, Path checkpoints, OperatorSubtaskState snapshot)
            throws Exception {
        try (var h = harness(config, backend.get(), checkpoints)) {
            long t0 = System.nanoTime();
            h.initializeState(snapshot);
            h.open();
            double open = (System.nanoTime() - t0) / 1e9;
            double first = 0;
            for (int k = 0; k < keys; k++) {
                float[] q = d.queries[k % d.queries.length];
                h.processElement2(new VectorQuery("q" + k, key(k, keys), q, 10, 64, null, 1L), 1L);
                if (k == 0) {
                    first = (System.nanoTime() - t0) / 1e9;
                }
            }
            double all = (System.nanoTime() - t0) / 1e9;
            List<QueryResult> out = new ArrayList<>(h.extractOutputValues());
            if (out.size() != keys) {
                throw new IllegalStateException("every key must answer after the restore; answers=" + out.size()
                        + ", keys=" + keys);
            }
            for (QueryResult r : out) {
                if (r.indexSize() != perKey) {
                    throw new IllegalStateException("a restored key must hold its " + perKey + " vectors; query "
                            + r.queryId() + " saw " + r.indexSize());
                }
            }
            return new double[] {open, first, all};
        }
    }
}
