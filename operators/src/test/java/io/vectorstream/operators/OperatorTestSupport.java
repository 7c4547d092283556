package io.vectorstream.operators;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/** Harness factory and seeded data for the operator tests. */
final class OperatorTestSupport {
    static final int MAX_PARALLELISM = 128;

    enum Backend { HEAP, ROCKSDB }

    private OperatorTestSupport() {}

    static KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> harness(
            VectorSearchConfig config, Backend backend, int parallelism, int subtask) throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new VectorIndexOperator(config),
                        new VectorEventKeySelector(config), new VectorQueryKeySelector(config), Types.STRING,
                        MAX_PARALLELISM, parallelism, subtask);
        // Kryo must never be needed: every state and record type has its own serializer.
        h.getExecutionConfig().configure(
                new Configuration().set(PipelineOptions.GENERIC_TYPES, false), OperatorTestSupport.class.getClassLoader());
        // Incremental checkpoints on RocksDB, as in production.
        h.setStateBackend(backend == Backend.ROCKSDB ? new EmbeddedRocksDBStateBackend(true) : new HashMapStateBackend());
        return h;
    }

    static float[] vector(SplittableRandom r, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    /** Upserts for {@code keys} keys, {@code perKey} each, interleaved, with a few deletes and re-upserts. */
    static List<VectorEvent> events(long seed, int keys, int perKey, int dim, long idBase) {
        SplittableRandom r = new SplittableRandom(seed);
        List<VectorEvent> out = new ArrayList<>();
        for (int i = 0; i < perKey; i++) {
            for (int k = 0; k < keys; k++) {
                long id = idBase + (long) k * 1_000_000 + i;
                out.add(VectorEvent.upsert("key-" + k, id, vector(r, dim),
                        Map.of("color", i % 3 == 0 ? "red" : "blue"), 1_000L + i));
                if (i % 7 == 3) {
                    out.add(VectorEvent.delete("key-" + k, id - 2, 1_000L + i));
                }
                if (i % 11 == 5) {
                    out.add(VectorEvent.upsert("key-" + k, id - 4, vector(r, dim), 1_000L + i));
                }
            }
        }
        return out;
    }

    static List<VectorQuery> queries(long seed, int keys, int perKey, int dim, String prefix) {
        SplittableRandom r = new SplittableRandom(seed);
        List<VectorQuery> out = new ArrayList<>();
        for (int i = 0; i < perKey; i++) {
            for (int k = 0; k < keys; k++) {
                AttributeFilter f = i % 4 == 0 ? AttributeFilter.eq("color", "red") : null;
                out.add(new VectorQuery(prefix + "-" + k + "-" + i, "key-" + k, vector(r, dim), 5, 0, f, 5_000L + i));
            }
        }
        return out;
    }

    /** Timing-free, order-free view of results. */
    static TreeSet<String> answers(List<QueryResult> results) {
        TreeSet<String> s = new TreeSet<>();
        for (QueryResult r : results) {
            s.add(r.answerString());
        }
        return s;
    }

    static List<QueryResult> results(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h) {
        return new ArrayList<>(h.extractOutputValues());
    }

    static List<DeadLetter> deadLetters(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h) {
        List<DeadLetter> out = new ArrayList<>();
        var q = h.getSideOutput(VectorIndexFunction.DEAD_LETTERS);
        if (q != null) {
            for (StreamRecord<DeadLetter> r : q) {
                out.add(r.getValue());
            }
        }
        return out;
    }
}
