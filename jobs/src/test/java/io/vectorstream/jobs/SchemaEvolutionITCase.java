package io.vectorstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.operators.ConsistencyMode;
import io.vectorstream.operators.VectorSearchConfig;
import io.vectorstream.schemas.DeadLetter;
import io.vectorstream.schemas.Neighbor;
import io.vectorstream.schemas.NeighborResult;
import io.vectorstream.schemas.SchemaHistory;
import io.vectorstream.schemas.VectorEvent;
import io.vectorstream.schemas.VectorQuery;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Schema evolution through the real broker and job: producers still on an earlier schema version (single-object
 * encoded with that version's writer and fingerprint) are answered as if they were current, a record with a
 * fingerprint the job does not know becomes exactly one dead letter naming it, and consumers read results and dead
 * letters the previous release wrote.
 *
 * <p>The earlier input versions are every released one in {@link SchemaHistory} plus a synthetic one per record:
 * VectorEvent and VectorQuery have had a single release, so the synthetic version (the current schema without an
 * optional field that has a default: {@code routingHash}, {@code efSearch}) stands for the previous one and is
 * registered with the job through {@link PipelineSpec.Builder#writerSchemas}.
 *
 * <p>Seeded: the seed is printed and named in every assertion; rerun with {@code -Devolution.seed=<seed>}.
 */
class SchemaEvolutionITCase {
    static final long SEED = Long.getLong("evolution.seed", new SplittableRandom().nextLong());
    static final String CTX = "seed " + SEED + " (rerun with -Devolution.seed=" + SEED + ")";
    static final int DIM = 8;
    static final int KEYS = 2;

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        System.out.println("SchemaEvolutionITCase " + CTX);
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        return new KafkaProducer<>(p);
    }

    /** The writer versions a producer may be on: every earlier one (history, then the synthetic), then the current. */
    static List<Schema> writers(Class<? extends SpecificRecord> type, Schema synthetic) {
        List<Schema> w = new ArrayList<>(SchemaHistory.earlierVersions(type));
        w.add(synthetic);
        w.add(SpecificData.get().getSchema(type));
        return w;
    }

    /** Mostly the earlier versions (3 in 4), sometimes the current: producers mid-way through an upgrade. */
    static Schema pick(List<Schema> writers, SplittableRandom r) {
        return r.nextInt(4) < 3 ? writers.get(r.nextInt(writers.size() - 1)) : writers.get(writers.size() - 1);
    }

    static float[] vector(SplittableRandom r) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextDouble();
        }
        return v;
    }

    @Test
    void earlierSchemaVersionsAreAnsweredAndAnUnknownFingerprintIsOneDeadLetter() throws Exception {
        String p = "evo";
        kafka.createTopics(2, p + "-vectors", p + "-queries", p + "-results", p + "-dead");
        Schema eventV0 = EarlierSchemas.without(VectorEvent.getClassSchema(), "routingHash");
        Schema queryV0 = EarlierSchemas.without(VectorQuery.getClassSchema(), "efSearch");
        List<Schema> eventWriters = writers(VectorEvent.class, eventV0);
        List<Schema> queryWriters = writers(VectorQuery.class, queryV0);
        // A producer already on a newer VectorEvent that nobody registered with the job.
        Schema unknown = EarlierSchemas.withExtraField(VectorEvent.getClassSchema(), "source");
        VectorEvent unknownEvent = VectorProducer.upsert("key-0", 999_999L, new float[DIM], Map.of(), 1L);
        byte[] unknownBytes = EarlierSchemas.encodeAs(unknownEvent, unknown);

        SplittableRandom r = new SplittableRandom(SEED);
        List<VectorEvent> events = new ArrayList<>();
        Map<String, List<Long>> live = new HashMap<>();
        List<VectorQuery> queries = new ArrayList<>();
        Map<String, Integer> writtenWith = new TreeMap<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (long t = 1; t <= 400; t++) {
                String key = "key-" + r.nextInt(KEYS);
                List<Long> ids = live.computeIfAbsent(key, k -> new ArrayList<>());
                VectorEvent e;
                if (ids.size() > 10 && r.nextInt(8) == 0) {
                    e = VectorProducer.delete(key, ids.remove(r.nextInt(ids.size())), t);
                } else {
                    e = VectorProducer.upsert(key, t, vector(r), Map.of("n", Long.toString(t % 3)), t);
                    ids.add(t);
                }
                events.add(e);
                Schema w = pick(eventWriters, r);
                writtenWith.merge("VectorEvent " + EarlierSchemas.hex(w), 1, Integer::sum);
                // Keyed by partition key: one key's events stay in event-time order on one partition.
                sent.add(producer.send(new ProducerRecord<>(p + "-vectors", key.getBytes(StandardCharsets.UTF_8),
                        EarlierSchemas.encodeAs(e, w))));
                if (t % 20 == 10) {
                    VectorQuery q = VectorProducer.query("q" + t, "key-" + r.nextInt(KEYS), vector(r), 5, t);
                    queries.add(q);
                    Schema qw = pick(queryWriters, r);
                    writtenWith.merge("VectorQuery " + EarlierSchemas.hex(qw), 1, Integer::sum);
                    sent.add(producer.send(new ProducerRecord<>(p + "-queries", null, EarlierSchemas.encodeAs(q, qw))));
                }
                if (t == 200) {
                    sent.add(producer.send(new ProducerRecord<>(p + "-vectors", null, unknownBytes)));
                }
            }
            producer.flush();
        }
        // The bounded job reads up to the offsets that exist when it starts: every record must be in by then.
        for (Future<RecordMetadata> f : sent) {
            f.get();
        }
        System.out.println("SchemaEvolutionITCase records per writer schema: " + writtenWith);
        assertThat(writtenWith).as("records per writer schema, %s", CTX)
                .containsKeys("VectorEvent " + EarlierSchemas.hex(eventV0), "VectorQuery " + EarlierSchemas.hex(queryV0));

        PipelineSpec spec = PipelineSpec.builder(kafka.bootstrapServers())
                .topics(p + "-vectors", p + "-queries", p + "-results", p + "-dead").groupId(p)
                .transactionalIdPrefix(p).bounded(true)
                .search(VectorSearchConfig.builder().consistency(ConsistencyMode.EVENT_TIME).exactThreshold(1_000_000)
                        .build())
                // The released versions come from SchemaHistory; the synthetic previous ones are registered here.
                .writerSchemas(List.of(eventV0.toString(), queryV0.toString()))
                // Bounded input ends with a final watermark; a slow start must not mark a partition idle.
                .idleness(Duration.ofMinutes(10)).build();
        StreamExecutionEnvironment env = LocalFlink.environment(2, "rocksdb", null, Duration.ofMillis(500), 0,
                Duration.ZERO);
        VectorStreamPipeline.build(env, spec);
        env.execute(p);

        // Dead letters first: a record of an earlier version that failed to decode would show here by its reason.
        List<DeadLetter> dead = VectorStreamPipelineITCase.readAllFrom(kafka, p + "-dead", DeadLetter.class, 1);
        assertThat(dead).as("exactly the unknown fingerprint is a dead letter, %s", CTX).hasSize(1);
        DeadLetter d = dead.get(0);
        assertThat(d.getReason()).as(CTX)
                .startsWith("schema fingerprint must be known to this reader (avro:VectorEvent knows "
                        + EarlierSchemas.hex(VectorEvent.getClassSchema()) + " (current)")
                .contains(EarlierSchemas.hex(eventV0))
                .endsWith("; fingerprint=" + EarlierSchemas.hex(unknown));
        assertThat(d.getReasonClass()).isEqualTo("undecodable");
        assertThat(d.getRecordType()).isEqualTo("avro:VectorEvent");
        assertThat(d.getSourceTopic()).isEqualTo(p + "-vectors");
        assertThat(d.getPayload()).isEqualTo(ByteBuffer.wrap(unknownBytes));

        // Answers decoded with the current schema: each query exactly once (a multiset), each the oracle's answer.
        List<NeighborResult> results = VectorStreamPipelineITCase.readAllFrom(kafka, p + "-results",
                NeighborResult.class, queries.size());
        Map<String, Long> answered = results.stream()
                .collect(Collectors.groupingBy(NeighborResult::getQueryId, TreeMap::new, Collectors.counting()));
        Map<String, Long> once = queries.stream()
                .collect(Collectors.toMap(VectorQuery::getQueryId, q -> 1L, Long::sum, TreeMap::new));
        assertThat(answered).as("answers per query id, %s", CTX).isEqualTo(once);
        Map<String, long[]> expected = CrashRecoveryITCase.oracle(events, queries);
        Map<String, List<Long>> got = new TreeMap<>();
        Map<String, List<Long>> want = new TreeMap<>();
        for (NeighborResult res : results) {
            got.put(res.getQueryId(), res.getNeighbors().stream().map(Neighbor::getId).toList());
            want.put(res.getQueryId(), java.util.Arrays.stream(expected.get(res.getQueryId())).boxed().toList());
            assertThat(res.getQueryEventTime()).as("%s keeps its event time, %s", res.getQueryId(), CTX).isNotNull();
        }
        assertThat(got).as("neighbour ids per query against the brute-force oracle, %s", CTX).isEqualTo(want);
    }

    @Test
    void consumersReadResultsAndDeadLettersThatThePreviousReleaseWrote() throws Exception {
        String p = "prev";
        kafka.createTopics(1, p + "-results", p + "-dead");
        List<NeighborResult> results = new ArrayList<>();
        List<DeadLetter> deadLetters = new ArrayList<>();
        List<Schema> resultWriters = SchemaHistory.versions(NeighborResult.class);
        List<Schema> deadWriters = SchemaHistory.versions(DeadLetter.class);
        assertThat(resultWriters).as("NeighborResult has a previous release").hasSizeGreaterThan(1);
        assertThat(deadWriters).as("DeadLetter has a previous release").hasSizeGreaterThan(1);
        Map<String, Object> expected = new HashMap<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int v = 0; v < resultWriters.size(); v++) {
                NeighborResult r = NeighborResult.newBuilder().setQueryId("q-v" + (v + 1)).setPartitionKey("shop")
                        .setNeighbors(List.of(new Neighbor(7L, 0.25f), new Neighbor(3L, 0.5f))).setIndexSize(10)
                        .setSearchMicros(40L).setShardsAnswered(1).setShardCount(1)
                        .setQueryEventTime(Instant.ofEpochMilli(1_000L + v)).build();
                results.add(r);
                expected.put(r.getQueryId(), asRead(r, resultWriters.get(v)));
                sent.add(producer.send(new ProducerRecord<>(p + "-results", null,
                        EarlierSchemas.encodeAs(r, resultWriters.get(v)))));
            }
            for (int v = 0; v < deadWriters.size(); v++) {
                DeadLetter d = DeadLetter.newBuilder().setReason("k must be in [1, 10000]; k=" + -v)
                        .setRecordType("query").setRecord("queries/0@" + v).setSourceTopic("queries")
                        .setSourcePartition(0).setSourceOffset((long) v).setPayload(null)
                        .setTimestamp(Instant.ofEpochMilli(2_000L + v)).setReasonClass("late").setPayloadSize(null)
                        .build();
                deadLetters.add(d);
                expected.put(d.getRecord(), asRead(d, deadWriters.get(v)));
                sent.add(producer.send(new ProducerRecord<>(p + "-dead", null,
                        EarlierSchemas.encodeAs(d, deadWriters.get(v)))));
            }
            producer.flush();
        }
        for (Future<RecordMetadata> f : sent) {
            f.get();
        }
        // ResultConsumer is what the CLI's query command and the demo read with.
        List<NeighborResult> readResults = VectorStreamPipelineITCase.readAllFrom(kafka, p + "-results",
                NeighborResult.class, results.size());
        List<DeadLetter> readDead = VectorStreamPipelineITCase.readAllFrom(kafka, p + "-dead", DeadLetter.class,
                deadLetters.size());
        Map<String, Object> read = new HashMap<>();
        readResults.forEach(r -> read.merge(r.getQueryId(), r, (a, b) -> "duplicate"));
        readDead.forEach(d -> read.merge(d.getRecord(), d, (a, b) -> "duplicate"));
        assertThat(read).as("each record once, as the current schema reads what its version wrote").isEqualTo(expected);
        // The previous release's records lack the fields added since: they read as their defaults.
        assertThat(readResults).filteredOn(r -> r.getQueryId().equals("q-v1"))
                .singleElement().satisfies(r -> assertThat(r.getQueryEventTime()).isNull());
        assertThat(readDead).filteredOn(d -> d.getRecord().equals("queries/0@0"))
                .singleElement().satisfies(d -> assertThat(d.getReasonClass()).isEqualTo("invalid"));
    }

    /** {@code record} as a reader of the current schema sees it after {@code writer} wrote it: defaults for the rest. */
    static <T extends SpecificRecord> T asRead(T record, Schema writer) {
        SpecificData model = SpecificData.getForClass(record.getClass());
        T copy = model.deepCopy(record.getSchema(), record);
        for (Schema.Field f : record.getSchema().getFields()) {
            if (writer.getField(f.name()) == null) {
                copy.put(f.pos(), model.getDefaultValue(f));
            }
        }
        return copy;
    }
}
