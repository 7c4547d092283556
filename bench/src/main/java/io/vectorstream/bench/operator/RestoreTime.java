package io.vectorstream.bench.operator;

import io.vectorstream.jobs.Datasets;
import io.vectorstream.operators.QueryResult;
import io.vectorstream.operators.VectorEvent;
import io.vectorstream.operators.VectorEventKeySelector;
import io.vectorstream.operators.VectorIndexFunction;
import io.vectorstream.operators.VectorQuery;
import io.vectorstream.operators.VectorQueryKeySelector;
import io.vectorstream.operators.VectorSearchConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/**
 * Time to serve again after a restore: the operator ingests {@code --vectors} vectors under one key, snapshots to a
 * file-system checkpoint (so the restore reads real checkpoint files, as a TaskManager does), and a new operator
 * restores it; printed are the snapshot, {@code initializeState + open}, and the first answer. Heap and RocksDB.
 *
 * <pre>java -cp ... io.vectorstream.bench.operator.RestoreTime [--vectors 60000] [--dimension 784]</pre>
 * Uses Fashion-MNIST when installed (dataset-fashion-mnist), else a synthetic clustered set.
 */
public final class RestoreTime {
    private RestoreTime() {}

    public static void main(String[] args) throws Exception {
        int vectors = 60_000;
        int dim = 784;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--vectors": vectors = Integer.parseInt(args[i + 1]); break;
                case "--dimension": dim = Integer.parseInt(args[i + 1]); break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Datasets.Dataset d = java.nio.file.Files.isDirectory(Datasets.FASHION_MNIST_DIR)
                ? Datasets.fashionMnist(Datasets.FASHION_MNIST_DIR, vectors, 10) : Datasets.synthetic(7L, vectors, 10, dim);
        System.out.printf(Locale.ROOT, "dataset %s: %d x %d, JDK %s%n", d.name, d.base.length, d.dimension(),
                System.getProperty("java.version"));
        System.out.println("| backend | ingest | snapshot | restore: initializeState + open | first answer after restore |");
        System.out.println("|---|---:|---:|---:|---:|");
        run("heap (HashMap)", d, HashMapStateBackend::new);
        run("RocksDB (incremental, 256 MiB fixed memory)", d, () -> OperatorThroughput.rocksDbWithFixedMemory("256mb"));
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> harness(
            VectorSearchConfig config, StateBackend backend, Path checkpoints) throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h =
                new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new VectorIndexFunction(config)),
                        new VectorEventKeySelector(config), new VectorQueryKeySelector(config), Types.STRING, 128, 1, 0);
        h.setStateBackend(backend);
        h.setCheckpointStorage(new FileSystemCheckpointStorage(checkpoints.toUri()));
        return h;
    }

    static void run(String name, Datasets.Dataset d, Supplier<StateBackend> backend) throws Exception {
        VectorSearchConfig config = VectorSearchConfig.builder().cacheMaxBytes(4L << 30).build();
        Path checkpoints = Files.createTempDirectory("vectorstream-restore-bench-");
        OperatorSubtaskState snapshot;
        double ingest;
        double snap;
        try (var h = harness(config, backend.get(), checkpoints)) {
            h.open();
            long t0 = System.nanoTime();
            for (int i = 0; i < d.base.length; i++) {
                h.processElement1(VectorEvent.upsert("k", i, d.base[i], i), i);
            }
            ingest = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            snapshot = h.snapshot(1L, 1L);
            snap = (System.nanoTime() - t1) / 1e9;
        }
        try (var h = harness(config, backend.get(), checkpoints)) {
            long t2 = System.nanoTime();
            h.initializeState(snapshot);
            h.open();
            double open = (System.nanoTime() - t2) / 1e9;
            h.processElement2(new VectorQuery("q", "k", d.queries[0], 10, 64, null, 1L), 1L);
            double first = (System.nanoTime() - t2) / 1e9;
            if (h.extractOutputValues().size() != 1) {
                throw new IllegalStateException("the first query after the restore was not answered");
            }
            System.out.printf(Locale.ROOT, "| %s | %.1f s | %.2f s | %.2f s | %.2f s |%n", name, ingest, snap, open,
                    first);
        }
    }
}
