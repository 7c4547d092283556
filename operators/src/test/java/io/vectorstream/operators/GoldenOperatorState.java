package io.vectorstream.operators;

import io.vectorstream.index.HnswIndex;
import io.vectorstream.index.IndexMetadata;
import io.vectorstream.index.Quantization;
import io.vectorstream.operators.OperatorTestSupport.Backend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;

/**
 * Writes golden snapshots of the index operator's state under {@code src/test/resources/golden/}, with the
 * answers the code that wrote them gave, so that {@link OperatorStateMigrationTest} can check that today's code
 * restores state written by an older state format and answers the same. Not a test: run by hand, once per state
 * format change, with the code of the format to freeze, e.g.
 * {@code java -cp ... io.vectorstream.operators.GoldenOperatorState src/test/resources/golden v1}.
 *
 * <p>The keys' indexes are int8-quantised (more than the 1,000 training vectors each), so the index metadata
 * in state holds a trained quantiser. Snapshots are full ones (RocksDB too), written with Flink's
 * {@link OperatorSnapshotUtil}. Only API that every state format's code has is used.
 */
public final class GoldenOperatorState {
    static final int KEYS = 2;
    static final int DIM = 8;
    static final int PER_KEY = 1_250;

    private GoldenOperatorState() {}

    /** exactThreshold 0: answers come from the graphs and their int8 codes. */
    static VectorSearchConfig config() {
        return VectorSearchConfig.builder().maxConn(8).efConstruction(40).efSearch(20).exactThreshold(0)
                .quantization(Quantization.INT8).build();
    }

    static List<VectorEvent> events() {
        return OperatorTestSupport.events(61, KEYS, PER_KEY, DIM, 0);
    }

    static List<VectorQuery> queries() {
        return OperatorTestSupport.queries(62, KEYS, 10, DIM, "g");
    }

    /** Events applied after a restore, and the queries asked then. */
    static List<VectorEvent> moreEvents() {
        return OperatorTestSupport.events(63, KEYS, 40, DIM, 50_000_000L);
    }

    static String snapshotFile(String tag, Backend backend) {
        return "operator-state-" + tag + "-" + backend.name().toLowerCase(java.util.Locale.ROOT) + ".snapshot";
    }

    static String answersFile(String tag) {
        return "operator-state-" + tag + ".answers";
    }

    /** A harness on {@code backend}; RocksDB takes full snapshots, which stand alone in one file. */
    static KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> harness(
            Backend backend) throws Exception {
        var h = OperatorTestSupport.harness(config(), backend, 1, 0);
        if (backend == Backend.ROCKSDB) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend(false));
        }
        return h;
    }

    /** The index metadata of {@code key}'s index in {@code h}'s operator (loading it from state if needed). */
    static IndexMetadata metadata(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery,
            QueryResult> h, String key) throws Exception {
        VectorIndexOperator operator = (VectorIndexOperator) h.getOperator();
        operator.setCurrentKey(key);
        HnswIndex index = operator.function().store().load(key).index();
        return index.metadata();
    }

    /** Args: output directory, state format tag (e.g. {@code v1}). */
    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]);
        String tag = args[1];
        Files.createDirectories(dir);
        TreeSet<String> recorded = null;
        for (Backend backend : Backend.values()) {
            try (var h = harness(backend)) {
                h.open();
                for (VectorEvent e : events()) {
                    h.processElement1(e, e.eventTime());
                }
                for (VectorQuery q : queries()) {
                    h.processElement2(q, q.eventTime());
                }
                TreeSet<String> answers = OperatorTestSupport.answers(OperatorTestSupport.results(h));
                if (recorded != null && !recorded.equals(answers)) {
                    throw new IllegalStateException("the backends answered differently");
                }
                recorded = answers;
                for (int k = 0; k < KEYS; k++) {
                    if (!metadata(h, "key-" + k).quantized()) {
                        throw new IllegalStateException("key-" + k + " must be quantised for the golden state");
                    }
                }
                OperatorSubtaskState state = h.snapshot(1L, 1L);
                OperatorSnapshotUtil.writeStateHandle(state, dir.resolve(snapshotFile(tag, backend)).toString());
            }
        }
        writeLines(dir.resolve(answersFile(tag)), new ArrayList<>(recorded));
    }

    private static void writeLines(Path file, List<String> lines) throws IOException {
        Files.write(file, lines, StandardCharsets.UTF_8);
    }
}
