package io.vectorstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.index.HnswIndex;
import io.vectorstream.index.SearchResults;
import io.vectorstream.operators.ConsistencyMode;
import io.vectorstream.operators.VectorSearchConfig;
import io.vectorstream.schemas.DeadLetter;
import io.vectorstream.schemas.Neighbor;
import io.vectorstream.schemas.NeighborResult;
import io.vectorstream.schemas.VectorEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka -> Flink -> Kafka against a real in-JVM KRaft broker: every query answered exactly once (read
 * committed) with the index oracle's answer, bad input on the dead-letter topic, and the same after a
 * failure and restart from a checkpoint.
 */
class VectorStreamPipelineITCase {
    static final int KEYS = 3;
    static final int PER_KEY = 150;
    static final int QUERIES = 45;
    static final int DIM = 8;
    static final AtomicBoolean FAILED = new AtomicBoolean();

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    static VectorSearchConfig search() {
        // Event time: answers depend only on the data, not on how the two topics interleave.
        return VectorSearchConfig.builder().consistency(ConsistencyMode.EVENT_TIME).maxConn(8).efConstruction(40)
                .efSearch(32).exactThreshold(0).build();
    }

    /** Events of KEYS keys with distinct timestamps, some deletes; then queries after all of them. */
    static void produce(String prefix, List<VectorEvent> events, List<io.vectorstream.schemas.VectorQuery> queries,
                        List<byte[]> garbage) throws Exception {
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();
        try (VectorProducer p = new VectorProducer(kafka.bootstrapServers(), PipelineSpec.Format.AVRO)) {
            for (VectorEvent e : events) {
                sent.add(p.send(prefix + "-vectors", e));
            }
            for (byte[] g : garbage) {
                sent.add(p.sendRaw(prefix + "-vectors", g));
            }
            for (io.vectorstream.schemas.VectorQuery q : queries) {
                sent.add(p.send(prefix + "-queries", q));
            }
            p.flush();
        }
        // The bounded job reads up to the offsets that exist when it starts: every record must be in by then.
        for (var f : sent) {
            f.get();
        }
    }

    static List<VectorEvent> events() {
        SplittableRandom r = new SplittableRandom(5);
        List<VectorEvent> out = new ArrayList<>();
        long t = 1;
        for (int i = 0; i < PER_KEY; i++) {
            for (int k = 0; k < KEYS; k++) {
                out.add(VectorProducer.upsert("key-" + k, k * 10_000L + i, vector(r), Map.of(), t++));
                if (i % 10 == 9) {
                    out.add(VectorProducer.delete("key-" + k, k * 10_000L + i - 3, t++));
                }
            }
        }
        return out;
    }

    static List<io.vectorstream.schemas.VectorQuery> queries(long firstTime) {
        SplittableRandom r = new SplittableRandom(6);
        List<io.vectorstream.schemas.VectorQuery> out = new ArrayList<>();
        for (int j = 0; j < QUERIES; j++) {
            out.add(VectorProducer.query("q" + j, "key-" + (j % KEYS), vector(r), 5, firstTime + j));
        }
        return out;
    }

    static float[] vector(SplittableRandom r) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextDouble();
        }
        return v;
    }

    /** The oracle: the same events, in event-time order, on plain indexes. */
    static Map<String, long[]> oracle(List<VectorEvent> events, List<io.vectorstream.schemas.VectorQuery> queries) {
        Map<String, HnswIndex> byKey = new HashMap<>();
        for (VectorEvent e : events) {
            HnswIndex idx = byKey.computeIfAbsent(e.getPartitionKey(), k -> new HnswIndex(search().hnswConfig(DIM)));
            if (e.getOp() == io.vectorstream.schemas.Op.UPSERT) {
                idx.add(e.getId(), io.vectorstream.schemas.codec.VectorBytes.decode(e.getVector()));
            } else {
                idx.remove(e.getId());
            }
        }
        Map<String, long[]> answers = new HashMap<>();
        for (io.vectorstream.schemas.VectorQuery q : queries) {
            SearchResults r = byKey.get(q.getPartitionKey()).search(
                    io.vectorstream.schemas.codec.VectorBytes.decode(q.getVector()), q.getK(), search().efSearch());
            answers.put(q.getQueryId(), r.ids());
        }
        return answers;
    }

    static void runJob(String prefix, MapFunction<io.vectorstream.operators.VectorEvent, io.vectorstream.operators.VectorEvent> tap,
                       int restarts) throws Exception {
        kafka.createTopics(2, prefix + "-vectors", prefix + "-queries", prefix + "-results", prefix + "-dead");
        PipelineSpec spec = PipelineSpec.builder(kafka.bootstrapServers())
                .topics(prefix + "-vectors", prefix + "-queries", prefix + "-results", prefix + "-dead")
                .groupId(prefix).transactionalIdPrefix(prefix).bounded(true).search(search())
                // Bounded input ends with a final watermark; never let a slow restart mark a partition idle.
                .idleness(Duration.ofMinutes(10)).build();
        StreamExecutionEnvironment env = LocalFlink.environment(2, "rocksdb", null, Duration.ofMillis(200), restarts, Duration.ZERO);
        VectorStreamPipeline.build(env, spec, tap);
        env.execute(prefix);
    }

    static <T extends org.apache.avro.specific.SpecificRecord> List<T> readAll(String topic, Class<T> type, int atLeast)
            throws InterruptedException {
        return readAllFrom(kafka, topic, type, atLeast);
    }

    /** Everything committed on {@code topic}: read until at least {@code atLeast} and a quiet second after. */
    static <T extends org.apache.avro.specific.SpecificRecord> List<T> readAllFrom(EmbeddedKafka kafka, String topic,
            Class<T> type, int atLeast) throws InterruptedException {
        List<T> out = new ArrayList<>();
        try (ResultConsumer<T> c = new ResultConsumer<>(kafka.bootstrapServers(), topic, type, true)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long quietUntil = 0;
            // Read until we have what we expect and one more quiet second shows there is nothing extra.
            while (System.nanoTime() < deadline) {
                int n = c.poll(Duration.ofMillis(200), (r, at) -> out.add(r));
                if (n > 0 || out.size() < atLeast) {
                    quietUntil = System.nanoTime() + 1_000_000_000L;
                } else if (System.nanoTime() > quietUntil) {
                    break;
                }
            }
        }
        return out;
    }

    static void assertExactlyOnceWithOracleAnswers(String prefix, List<VectorEvent> events,
                                                   List<io.vectorstream.schemas.VectorQuery> queries) throws Exception {
        List<NeighborResult> results = readAll(prefix + "-results", NeighborResult.class, QUERIES);
        Map<String, Long> counts = results.stream().collect(Collectors.groupingBy(NeighborResult::getQueryId,
                Collectors.counting()));
        assertThat(counts).hasSize(QUERIES);
        assertThat(counts.values()).as("each query answered exactly once").allMatch(c -> c == 1L);
        Map<String, long[]> expected = oracle(events, queries);
        for (NeighborResult r : results) {
            long[] ids = r.getNeighbors().stream().mapToLong(Neighbor::getId).toArray();
            assertThat(ids).as("answer of %s", r.getQueryId()).containsExactly(expected.get(r.getQueryId()));
        }
    }

    @Test
    void everyQueryIsAnsweredExactlyOnceWithTheOracleAnswer() throws Exception {
        List<VectorEvent> events = events();
        List<io.vectorstream.schemas.VectorQuery> queries = queries(1_000_000L);
        kafka.createTopics(2, "ok-vectors", "ok-queries");
        produce("ok", events, queries, List.of());
        runJob("ok", null, 0);
        assertExactlyOnceWithOracleAnswers("ok", events, queries);
    }

    @Test
    void badInputGoesToTheDeadLetterTopicWhileGoodRecordsAreAnswered() throws Exception {
        List<VectorEvent> events = events();
        List<io.vectorstream.schemas.VectorQuery> queries = queries(1_000_000L);
        List<VectorEvent> bad = List.of(
                VectorProducer.upsert("key-0", 99_001L, new float[] {1, 2, 3}, Map.of(), 500_000L),
                VectorProducer.upsert("key-1", 99_002L, new float[] {0, Float.NaN, 0, 0, 0, 0, 0, 0}, Map.of(), 500_001L));
        List<byte[]> garbage = List.of("not avro at all".getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        kafka.createTopics(2, "bad-vectors", "bad-queries");
        List<VectorEvent> all = new ArrayList<>(events);
        all.addAll(bad);
        produce("bad", all, queries, garbage);
        runJob("bad", null, 0);
        assertExactlyOnceWithOracleAnswers("bad", events, queries);
        List<DeadLetter> dead = readAll("bad-dead", DeadLetter.class, 4);
        List<String> reasons = dead.stream().map(DeadLetter::getReason).sorted().collect(Collectors.toList());
        assertThat(reasons).hasSize(4);
        assertThat(reasons).anySatisfy(r -> assertThat(r).startsWith("value must be Avro single-object encoded"));
        assertThat(reasons).anySatisfy(r -> assertThat(r).startsWith("schema fingerprint must be known to this reader"));
        assertThat(reasons).contains("vector dimension must be 8 (the key's index); dimension=3",
                "vector components must be finite; vector[1]=NaN");
        // Every dead letter names the input record, also those raised in the operator after decoding.
        assertThat(dead).allSatisfy(d -> {
            assertThat(d.getSourceTopic()).isEqualTo("bad-vectors");
            assertThat(d.getSourcePartition()).isNotNull();
            assertThat(d.getSourceOffset()).isNotNull();
        });
        assertThat(dead.stream().map(DeadLetter::getReasonClass).sorted().collect(Collectors.toList()))
                .containsExactly("dimension", "invalid", "undecodable", "undecodable");
        // Rejected in the source: the raw bytes are kept.
        assertThat(dead).filteredOn(d -> !d.getReasonClass().equals("dimension"))
                .allSatisfy(d -> assertThat(d.getPayload()).isNotNull());
    }

    @Test
    void aFailureMidStreamStillAnswersEveryQueryExactlyOnceWithTheSameAnswers() throws Exception {
        List<VectorEvent> events = events();
        List<io.vectorstream.schemas.VectorQuery> queries = queries(1_000_000L);
        kafka.createTopics(2, "fail-vectors", "fail-queries");
        produce("fail", events, queries, List.of());
        FAILED.set(false);
        runJob("fail", new FailOnceAfterCheckpoint(), 3);
        assertThat(FAILED.get()).as("the failure was injected").isTrue();
        assertExactlyOnceWithOracleAnswers("fail", events, queries);
    }

    /**
     * Fails the job once, from the notification of the first checkpoint completed after it has seen records: a
     * bounded job always completes at least its final checkpoint, so the failure is injected in every run, without
     * depending on timing. The restart then restores that checkpoint.
     */
    static final class FailOnceAfterCheckpoint implements MapFunction<io.vectorstream.operators.VectorEvent,
            io.vectorstream.operators.VectorEvent>, CheckpointListener {
        private transient boolean seen;

        @Override
        public io.vectorstream.operators.VectorEvent map(io.vectorstream.operators.VectorEvent e) {
            seen = true;
            return e;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (seen && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after completed checkpoint " + checkpointId);
            }
        }
    }
}
