package io.vectorstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorstream.connectors.AvroSingleObjectCodec;
import io.vectorstream.connectors.JsonCodecs;
import io.vectorstream.connectors.RecordCodec;
import io.vectorstream.index.HnswSearcher;
import io.vectorstream.index.VectorMetric;
import io.vectorstream.operators.ConsistencyMode;
import io.vectorstream.operators.RecordLimits;
import io.vectorstream.operators.VectorSearchConfig;
import io.vectorstream.schemas.DeadLetter;
import io.vectorstream.schemas.NeighborResult;
import io.vectorstream.schemas.Op;
import io.vectorstream.schemas.VectorEvent;
import io.vectorstream.schemas.VectorQuery;
import io.vectorstream.schemas.codec.VectorBytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the whole job through a real broker: per wire format, more than 5,000 random mutations of valid events and
 * queries (bit flips, truncation, appended and random bytes, declared lengths far beyond the record, non-finite,
 * huge and tiny components, wrong dimensions, 100,000-component vectors, 70,000-character strings, 600,000-character
 * ops, 1 MiB payloads, far event times, out-of-range k and efSearch, oversized filters, JSON of the wrong type or
 * shape) mixed with valid records, all produced before one bounded PROCESSING job per format starts (parallelism 2,
 * two partitions per topic, restart strategy none: any failure fails the job and the test).
 *
 * <p>Each produced record is known by its topic, partition and offset and is classified when it is built:
 * <ul>
 *   <li>{@link Expect#VALID}: unmutated and within every limit;</li>
 *   <li>{@link Expect#BAD}: no reading of these bytes can satisfy every rule (a truncated Avro body, a NaN
 *       component, an event time in year 3000, a JSON {@code k} of 1.5 ...);</li>
 *   <li>{@link Expect#UNKNOWN}: bit flips and random bodies, which may still decode into a valid record.</li>
 * </ul>
 * The accounting is exact, not statistical: the job finishes; every dead letter names a produced record, has a
 * reason and a reason class, is below 1 MiB, and no record has two; every BAD record has exactly one dead letter and
 * no VALID one has any; every query record, of any class, has exactly one outcome (its answer or its dead letter),
 * so every VALID query is answered exactly once. An answer names only its query id: the test decodes each produced
 * query with the job's own codec to learn the id it carries. Valid query ids start with {@code v} and mutated ones
 * with {@code m}, which differ in four bits, so no 1-3 bit flip turns a mutated query into a valid one's id.
 *
 * <p>The JSON half is written for a strict codec (issue 14: "JSON is as strict as Avro"): a JSON record either
 * decodes into a record satisfying every rule or is a dead letter, never a coercion; the kinds only a strict codec
 * rejects are named {@code strict-...}.
 *
 * <p>Seeded: the seed is printed and named in every assertion; rerun one with {@code -Dfuzz.seed=<seed>}.
 */
class PipelineFuzzITCase {
    static final long SEED = Long.getLong("fuzz.seed", new SplittableRandom().nextLong());
    static final long NOW = System.currentTimeMillis();
    static final int DIM = 8;
    /** Mutated records per format, on top of the valid ones. */
    static final int MUTATED = 5_200;
    static final int VALID_KEYS = 4;
    static final int VALID_EVENTS_PER_KEY = 60;
    static final int VALID_QUERIES = 300;
    /** Large enough for the 1 MiB payloads and the ~1.1 MB JSON text of a 100,000-component vector. */
    static final int MAX_MESSAGE_BYTES = 4 << 20;
    static final int AVRO_HEADER_BYTES = 10;
    static final String CTX = "seed " + SEED + " (rerun with -Dfuzz.seed=" + SEED + ")";

    static EmbeddedKafka kafka;

    /** What must become of a produced record. */
    enum Expect { VALID, BAD, UNKNOWN }

    /** One produced record: what it is, what must become of it, and where it landed. */
    static final class Draft {
        final boolean query;
        final String kind;
        final Expect expect;
        final byte[] value;
        /** For queries: the id the job's codec reads from {@link #value}, as an Avro string; null if undecodable. */
        String queryId;
        String topic;
        int partition;
        long offset;

        Draft(boolean query, String kind, Expect expect, byte[] value) {
            this.query = query;
            this.kind = kind;
            this.expect = expect;
            this.value = value;
        }

        String origin() {
            return topic + "/" + partition + "@" + offset;
        }

        @Override
        public String toString() {
            return (query ? "query " : "event ") + kind + " " + expect + " at " + origin()
                    + (queryId == null ? "" : " id=" + RecordLimits.quote(queryId));
        }
    }

    @BeforeAll
    static void startBroker() throws Exception {
        System.out.println("PipelineFuzzITCase: " + CTX);
        kafka = EmbeddedKafka.start(Map.of("message.max.bytes", String.valueOf(MAX_MESSAGE_BYTES)));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void avroMutationsNeverStopTheJobAndEachRecordHasOneOutcome() throws Exception {
        fuzz(PipelineSpec.Format.AVRO);
    }

    @Test
    void jsonMutationsNeverStopTheJobAndEachRecordHasOneOutcome() throws Exception {
        fuzz(PipelineSpec.Format.JSON);
    }

    static VectorSearchConfig search() {
        // Fixed dimension: a vector of any other length is invalid whatever key it names, so the keys of valid
        // queries always hold 8-d indexes. Cosine adds the norm rules to fuzz.
        return VectorSearchConfig.builder().consistency(ConsistencyMode.PROCESSING).dimension(DIM)
                .metric(VectorMetric.COSINE).maxConn(8).efConstruction(40).efSearch(32).build();
    }

    static void fuzz(PipelineSpec.Format format) throws Exception {
        String ctx = CTX + ", format " + format;
        String prefix = "fuzz-" + format.name().toLowerCase(java.util.Locale.ROOT);
        String vectors = prefix + "-vectors";
        String queries = prefix + "-queries";
        String results = prefix + "-results";
        String dead = prefix + "-dead";
        EmbeddedKafka.createTopics(kafka.bootstrapServers(), 2,
                Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES)), vectors, queries, results, dead);

        long seed = SEED ^ (format.ordinal() + 1) * 0x9E3779B97F4A7C15L;
        List<Draft> drafts = new Fuzzer(seed, format).generate();
        RecordCodec<VectorQuery> queryCodec = format == PipelineSpec.Format.JSON ? JsonCodecs.queries()
                : AvroSingleObjectCodec.of(VectorQuery.class);
        List<String> problems = new ArrayList<>();
        for (Draft d : drafts) {
            if (d.query) {
                try {
                    d.queryId = asAvroString(queryCodec.decode(d.value).getQueryId());
                } catch (RecordCodec.DecodeException undecodable) {
                    d.queryId = null;
                } catch (RuntimeException | OutOfMemoryError e) {
                    // What would fail the job's source; the job runs anyway, to show what it does with it.
                    problems.add("the codec must reject bad bytes with a DecodeException, threw " + e + ": " + d);
                }
            }
        }
        long t0 = System.nanoTime();
        produce(drafts, vectors, queries, new SplittableRandom(seed + 1));
        long t1 = System.nanoTime();

        PipelineSpec spec = PipelineSpec.builder(kafka.bootstrapServers()).topics(vectors, queries, results, dead)
                .format(format).groupId(prefix).transactionalIdPrefix(prefix).bounded(true).search(search()).build();
        // Restart strategy none: one failure of any task fails the job, so "finished" means "never restarted".
        StreamExecutionEnvironment env = LocalFlink.environment(2, "rocksdb", null, Duration.ofMillis(500), 0,
                Duration.ofMillis(5));
        VectorStreamPipeline.build(env, spec);
        assertThatCode(() -> env.execute(prefix)).as("%s: the job must finish without a failure", ctx)
                .doesNotThrowAnyException();
        long t2 = System.nanoTime();

        List<byte[]> deadRaw = readCommitted(dead);
        List<byte[]> resultRaw = readCommitted(results);
        long t3 = System.nanoTime();
        account(ctx, drafts, deadRaw, resultRaw, problems);
        System.out.printf("PipelineFuzzITCase %s: produce %.1f s, job %.1f s, read %.1f s%n", ctx, (t1 - t0) / 1e9,
                (t2 - t1) / 1e9, (t3 - t2) / 1e9);
    }

    // ------------------------------------------------------------------ accounting

    static void account(String ctx, List<Draft> drafts, List<byte[]> deadRaw, List<byte[]> resultRaw,
                        List<String> problems) throws RecordCodec.DecodeException {
        Map<String, Draft> byOrigin = new HashMap<>();
        for (Draft d : drafts) {
            byOrigin.put(d.origin(), d);
        }
        RecordCodec<DeadLetter> deadCodec = AvroSingleObjectCodec.of(DeadLetter.class);
        Map<String, Integer> deadCount = new HashMap<>();
        Map<String, Integer> reasonClasses = new TreeMap<>();
        for (byte[] raw : deadRaw) {
            DeadLetter d = deadCodec.decode(raw);
            String origin = d.getSourceTopic() + "/" + d.getSourcePartition() + "@" + d.getSourceOffset();
            if (raw.length >= 1 << 20) {
                problems.add("dead letter of " + origin + " is " + raw.length + " bytes, not below 1 MiB");
            }
            if (d.getReason() == null || d.getReason().isBlank() || d.getReasonClass() == null
                    || d.getReasonClass().isBlank()) {
                problems.add("dead letter of " + origin + " must have a reason and a reason class: " + d);
            }
            if (!byOrigin.containsKey(origin)) {
                problems.add("dead letter names no produced record: " + origin + " " + abbreviate(d));
                continue;
            }
            reasonClasses.merge(d.getReasonClass(), 1, Integer::sum);
            if (deadCount.merge(origin, 1, Integer::sum) == 2) {
                problems.add("two dead letters for one record: " + byOrigin.get(origin) + "; " + abbreviate(d));
            }
        }

        RecordCodec<NeighborResult> resultCodec = AvroSingleObjectCodec.of(NeighborResult.class);
        Map<String, Integer> answers = new HashMap<>();
        // A bit flip can turn a query into a standing one (answered now and again on every change of its top k, or
        // removed) or make an upsert ask for its neighbours (a result named by the upsert's id): counted apart.
        Map<String, Integer> standing = new HashMap<>();
        for (byte[] raw : resultRaw) {
            NeighborResult res = resultCodec.decode(raw);
            switch (res.getKind()) {
                case ANSWER -> answers.merge(res.getQueryId(), 1, Integer::sum);
                case STANDING_UPDATE, STANDING_REMOVED -> standing.merge(res.getQueryId(), 1, Integer::sum);
                case INSERT_NEIGHBORS -> { }
            }
        }

        Map<String, List<Draft>> byQueryId = new HashMap<>();
        for (Draft d : drafts) {
            int dl = deadCount.getOrDefault(d.origin(), 0);
            if (d.expect == Expect.BAD && dl != 1) {
                problems.add("a BAD record must have exactly one dead letter, has " + dl + ": " + d);
            }
            if (d.expect == Expect.VALID && dl != 0) {
                problems.add("a VALID record must have no dead letter, has " + dl + ": " + d);
            }
            if (d.query) {
                if (d.queryId == null) {
                    if (dl != 1) {
                        problems.add("an undecodable query must have exactly one dead letter, has " + dl + ": " + d);
                    }
                } else {
                    byQueryId.computeIfAbsent(d.queryId, id -> new ArrayList<>()).add(d);
                }
            }
        }
        // Exactly one outcome per query record. Records whose bytes carry the same id (a bit flip can turn one
        // mutated id into another) are accounted for together: answers + dead letters = records.
        for (Map.Entry<String, List<Draft>> g : byQueryId.entrySet()) {
            int answered = answers.getOrDefault(g.getKey(), 0);
            int deadLettered = g.getValue().stream().mapToInt(d -> deadCount.getOrDefault(d.origin(), 0)).sum();
            if (standing.containsKey(g.getKey())) {
                // A standing query's number of updates depends on the stream; each record still has an outcome.
                if (deadLettered >= g.getValue().size() || answered + deadLettered > g.getValue().size()) {
                    problems.add("a standing query's records must each be answered, followed or dead-lettered: id "
                            + RecordLimits.quote(g.getKey()) + " answered " + answered + " times, followed "
                            + standing.get(g.getKey()) + " times, dead-lettered " + deadLettered + " times, records "
                            + g.getValue());
                }
            } else if (answered + deadLettered != g.getValue().size()) {
                problems.add("each query record must be answered or dead-lettered exactly once: id "
                        + RecordLimits.quote(g.getKey()) + " answered " + answered + " times, dead-lettered "
                        + deadLettered + " times, records " + g.getValue());
            }
            if (g.getValue().stream().anyMatch(d -> d.expect == Expect.VALID) && answered != 1) {
                problems.add("a VALID query must be answered exactly once, was " + answered + " times: "
                        + g.getValue());
            }
        }
        java.util.stream.Stream.concat(answers.keySet().stream(), standing.keySet().stream())
                .filter(id -> !byQueryId.containsKey(id))
                .forEach(id -> problems.add("an answer to no produced query: id " + RecordLimits.quote(id)));

        report(ctx, drafts, deadCount, answers, reasonClasses);
        Map<String, Long> badKindsMissed = drafts.stream()
                .filter(d -> d.expect == Expect.BAD && deadCount.getOrDefault(d.origin(), 0) != 1)
                .collect(Collectors.groupingBy(d -> d.kind, TreeMap::new, Collectors.counting()));
        assertThat(problems).as("%s: %d problems; BAD records without exactly one dead letter, by kind: %s; the "
                        + "first problems:%s", ctx, problems.size(), badKindsMissed,
                problems.stream().limit(40).collect(Collectors.joining("\n  ", "\n  ", ""))).isEmpty();
        assertThat(drafts.stream().filter(d -> d.expect != Expect.VALID).count()).as(ctx)
                .isGreaterThanOrEqualTo(5_000);
    }

    /** Counts per kind: produced, dead-lettered, answered; so a run shows what it exercised. */
    static void report(String ctx, List<Draft> drafts, Map<String, Integer> deadCount, Map<String, Integer> answers,
                       Map<String, Integer> reasonClasses) {
        Map<String, int[]> byKind = new TreeMap<>();
        for (Draft d : drafts) {
            int[] c = byKind.computeIfAbsent((d.query ? "query " : "event ") + d.kind + " (" + d.expect + ")",
                    k -> new int[3]);
            c[0]++;
            c[1] += deadCount.getOrDefault(d.origin(), 0);
            if (d.query && d.queryId != null && deadCount.getOrDefault(d.origin(), 0) == 0) {
                c[2] += Math.min(1, answers.getOrDefault(d.queryId, 0));
            }
        }
        StringBuilder sb = new StringBuilder("PipelineFuzzITCase " + ctx + ": " + drafts.size() + " records, "
                + deadCount.size() + " dead-lettered " + reasonClasses + ", " + answers.size() + " query ids answered\n");
        byKind.forEach((k, c) -> sb.append(String.format("  %-52s produced %5d  dead %5d  answered %5d%n", k, c[0],
                c[1], c[2])));
        System.out.print(sb);
    }

    static String abbreviate(DeadLetter d) {
        return d.getReasonClass() + ": " + RecordLimits.quote(d.getReason());
    }

    /** {@code s} as it comes back from an Avro string (unpaired surrogates become '?'). */
    static String asAvroString(String s) {
        return s == null ? null : new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ Kafka

    static void produce(List<Draft> drafts, String vectors, String queries, SplittableRandom r) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_MESSAGE_BYTES));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64 << 20));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 << 10));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        List<Future<RecordMetadata>> sent = new ArrayList<>(drafts.size());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (Draft d : drafts) {
                d.topic = d.query ? queries : vectors;
                sent.add(producer.send(new ProducerRecord<>(d.topic, r.nextInt(2), null, d.value)));
            }
            producer.flush();
        }
        // The bounded job reads up to the offsets that exist when it starts: every record must be in by then.
        for (int i = 0; i < drafts.size(); i++) {
            RecordMetadata m = sent.get(i).get();
            drafts.get(i).partition = m.partition();
            drafts.get(i).offset = m.offset();
        }
    }

    /**
     * Every committed value of {@code topic}: reads with read_committed until each partition's position reaches
     * its log end, so transactions whose markers are still being written are waited for, not missed.
     */
    static List<byte[]> readCommitted(String topic) throws Exception {
        Properties a = new Properties();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        Map<TopicPartition, Long> end = new HashMap<>();
        try (Admin admin = Admin.create(a)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_MESSAGE_BYTES));
        List<byte[]> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            c.assign(end.keySet());
            c.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
                assertThat(System.nanoTime()).as("%s: %s must be readable to its end %s within 60 s", CTX, topic, end)
                        .isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ generation

    /** Builds the valid and mutated records of one run. Not thread-safe. */
    static final class Fuzzer {
        private static final ObjectMapper JSON = new ObjectMapper();
        private static final long YEAR_3000 = 32_503_680_000_000L;

        private final SplittableRandom r;
        private final boolean avro;
        private final RecordCodec<VectorEvent> events;
        private final RecordCodec<VectorQuery> queries;
        private final List<Draft> drafts = new ArrayList<>();
        private final long listSeed;
        private int mutated;

        Fuzzer(long seed, PipelineSpec.Format format) {
            this.r = new SplittableRandom(seed);
            this.listSeed = seed * 31 + 7;
            this.avro = format == PipelineSpec.Format.AVRO;
            this.events = avro ? AvroSingleObjectCodec.of(VectorEvent.class) : JsonCodecs.events();
            this.queries = avro ? AvroSingleObjectCodec.of(VectorQuery.class) : JsonCodecs.queries();
        }

        List<Draft> generate() {
            valid();
            giants();
            while (mutated < MUTATED) {
                mutant(r.nextInt(100) < 45 ? mutateQuery() : mutateEvent());
            }
            // Valid and mutated records interleave in every partition.
            Collections.shuffle(drafts, new Random(listSeed));
            return drafts;
        }

        private void mutant(Draft d) {
            assert d.expect != Expect.VALID;
            drafts.add(d);
            mutated++;
        }

        // ---------------------------------------------------------------- valid records

        private void valid() {
            for (int k = 0; k < VALID_KEYS; k++) {
                for (int i = 0; i < VALID_EVENTS_PER_KEY; i++) {
                    validEvent("valid", upsert("vk" + k, k * 1_000L + i, vector()));
                    if (i % 10 == 9) {
                        validEvent("valid", VectorProducer.delete("vk" + k, k * 1_000L + i - 5, time()));
                    }
                }
            }
            for (int j = 0; j < VALID_QUERIES; j++) {
                validQuery("valid", query(String.format("v%05d", j), "vk" + (j % VALID_KEYS)));
            }
            // At the limits, not over them.
            String key1024 = "v" + "\u00e9".repeat(511) + "x";
            float[] tiny = new float[DIM];
            Arrays.fill(tiny, 1e-15f);
            float[] max = new float[DIM];
            max[3] = (float) RecordLimits.MAX_COMPONENT;
            validEvent("valid-edge", upsert("vk0", Long.MIN_VALUE, tiny));
            validEvent("valid-edge", upsert("vk1", Long.MAX_VALUE, max));
            validEvent("valid-edge", upsert(key1024, 1, vector()));
            VectorEvent e = upsert("vk2", 5_001, vector());
            e.setEventTime(Instant.ofEpochMilli(RecordLimits.MIN_EVENT_TIME));
            validEvent("valid-edge", e);
            e = upsert("vk3", 5_002, vector());
            e.setEventTime(Instant.ofEpochMilli(NOW + Duration.ofMinutes(10).toMillis()));
            validEvent("valid-edge", e);
            e = upsert("vk0", 5_003, vector());
            Map<String, String> attrs = new LinkedHashMap<>();
            for (int i = 0; i < RecordLimits.MAX_ATTRIBUTES; i++) {
                attrs.put(pad("a" + i, RecordLimits.MAX_ATTRIBUTE_NAME_BYTES),
                        pad("v" + i, RecordLimits.MAX_ATTRIBUTE_VALUE_BYTES));
            }
            e.setAttributes(attrs);
            validEvent("valid-edge", e);

            VectorQuery q = query("v-edge-k", "vk0");
            q.setK(HnswSearcher.MAX_K);
            q.setEfSearch(HnswSearcher.MAX_EF);
            validQuery("valid-edge", q);
            q = query("v-edge-ef", "vk1");
            q.setEfSearch(q.getK());
            validQuery("valid-edge", q);
            validQuery("valid-edge", query(key1024, key1024));
            q = query("v-edge-tiny", "vk2");
            q.setVector(VectorBytes.encode(tiny));
            validQuery("valid-edge", q);
            q = query("v-edge-max", "vk3");
            q.setVector(VectorBytes.encode(max));
            validQuery("valid-edge", q);
            q = query("v-edge-time0", "vk0");
            q.setEventTime(Instant.ofEpochMilli(0));
            validQuery("valid-edge", q);
            q = query("v-edge-ahead", "vk1");
            q.setEventTime(Instant.ofEpochMilli(NOW + Duration.ofMinutes(10).toMillis()));
            validQuery("valid-edge", q);
            q = query("v-edge-filter", "vk0");
            Map<String, List<String>> filter = new LinkedHashMap<>();
            for (int i = 0; i < RecordLimits.MAX_ATTRIBUTES; i++) {
                filter.put(pad("a" + i, RecordLimits.MAX_ATTRIBUTE_NAME_BYTES),
                        List.of(pad("v" + i, RecordLimits.MAX_ATTRIBUTE_VALUE_BYTES)));
            }
            q.setFilter(filter);
            validQuery("valid-edge", q);
            q = query("v-edge-values", "vk1");
            List<String> values = new ArrayList<>();
            for (int i = 0; i < RecordLimits.MAX_FILTER_VALUES; i++) {
                values.add("x" + i);
            }
            q.setFilter(Map.of("color", values));
            validQuery("valid-edge", q);
        }

        private void validEvent(String kind, VectorEvent e) {
            drafts.add(new Draft(false, kind, Expect.VALID, events.encode(e)));
        }

        private void validQuery(String kind, VectorQuery q) {
            drafts.add(new Draft(true, kind, Expect.VALID, queries.encode(q)));
        }

        // ---------------------------------------------------------------- one of each large record

        private void giants() {
            byte[] random = new byte[1 << 20];
            r.nextBytes(random);
            mutant(new Draft(false, "random-1MiB", Expect.BAD, random));
            mutant(new Draft(true, "random-1MiB", Expect.BAD, random));
            float[] big = new float[100_000];
            for (int i = 0; i < big.length; i++) {
                big[i] = (float) r.nextDouble(-1, 1);
            }
            VectorEvent e = baseUpsert();
            e.setVector(VectorBytes.encode(big));
            mutant(bad(false, "vector-100k", e));
            VectorQuery q = baseQuery();
            q.setVector(VectorBytes.encode(big));
            mutant(bad(true, "vector-100k", q));
            String long70k = "m" + randomText(70_000);
            e = baseUpsert();
            e.setPartitionKey(long70k);
            mutant(bad(false, "key-70k", e));
            e = baseUpsert();
            e.setAttributes(Map.of("color", long70k));
            mutant(bad(false, "attribute-value-70k", e));
            e = baseUpsert();
            e.setAttributes(Map.of(long70k, "red"));
            mutant(bad(false, "attribute-name-70k", e));
            q = baseQuery();
            q.setPartitionKey(long70k);
            mutant(bad(true, "key-70k", q));
            q = baseQuery();
            q.setQueryId(long70k);
            mutant(bad(true, "queryId-70k", q));
            q = baseQuery();
            q.setFilter(Map.of("color", List.of("red", long70k)));
            mutant(bad(true, "filter-value-70k", q));
            if (!avro) {
                ObjectNode o = json(events.encode(baseUpsert()));
                o.put("op", "upsert" + "x".repeat(600_000));
                mutant(new Draft(false, "op-600k", Expect.BAD, text(o)));
                o.put("op", randomText(600_000));
                mutant(new Draft(false, "op-600k", Expect.BAD, text(o)));
            }
        }

        // ---------------------------------------------------------------- mutations

        private Draft mutateEvent() {
            int roll = r.nextInt(100);
            if (roll < 40) {
                return mutateBytes(false, events.encode(r.nextInt(10) == 0 ? baseDelete() : baseUpsert()));
            }
            if (roll < 60) {
                return avro ? malformedAvro(false) : mutateJson(false);
            }
            VectorEvent e = r.nextInt(10) == 0 ? baseDelete() : baseUpsert();
            String kind;
            switch (e.getOp() == Op.DELETE ? 1 + r.nextInt(3) : r.nextInt(6)) {
                case 0: {
                    ByteBuffer[] v = new ByteBuffer[1];
                    kind = badVector(v);
                    e.setVector(v[0]);
                    break;
                }
                case 1:
                    kind = r.nextBoolean() ? "key-1025-bytes" : "key-1026-utf8-bytes";
                    e.setPartitionKey(kind.equals("key-1025-bytes") ? pad("m", RecordLimits.MAX_KEY_BYTES + 1)
                            : "\u00e9".repeat(RecordLimits.MAX_KEY_BYTES / 2 + 1));
                    break;
                case 2:
                    kind = badAttributes(e);
                    break;
                case 3:
                    kind = "eventTime-far";
                    e.setEventTime(Instant.ofEpochMilli(farTime()));
                    break;
                default:
                    kind = "vector-dimension";
                    e.setVector(VectorBytes.encode(wrongDimension()));
            }
            return bad(false, kind, e);
        }

        private Draft mutateQuery() {
            int roll = r.nextInt(100);
            if (roll < 40) {
                return mutateBytes(true, queries.encode(baseQuery()));
            }
            if (roll < 60) {
                return avro ? malformedAvro(true) : mutateJson(true);
            }
            VectorQuery q = baseQuery();
            String kind;
            switch (r.nextInt(8)) {
                case 0:
                    kind = "k-out-of-range";
                    q.setK(pickInt(0, -1, Integer.MIN_VALUE, HnswSearcher.MAX_K + 1, Integer.MAX_VALUE));
                    break;
                case 1:
                    kind = "efSearch-out-of-range";
                    q.setEfSearch(pickInt(HnswSearcher.MAX_EF + 1, Integer.MAX_VALUE, -1, Integer.MIN_VALUE,
                            q.getK() > 1 ? q.getK() - 1 : -7));
                    break;
                case 2:
                    if (r.nextBoolean()) {
                        kind = "queryId-empty";
                        q.setQueryId("");
                    } else {
                        kind = "queryId-1025-bytes";
                        q.setQueryId("m" + "\u00e9".repeat(RecordLimits.MAX_KEY_BYTES / 2));
                    }
                    break;
                case 3:
                    if (r.nextBoolean()) {
                        kind = "key-missing";
                        q.setPartitionKey(null);
                    } else {
                        kind = "key-1025-bytes";
                        q.setPartitionKey(pad("m", RecordLimits.MAX_KEY_BYTES + 1));
                    }
                    break;
                case 4: {
                    ByteBuffer[] v = new ByteBuffer[1];
                    kind = badVector(v);
                    q.setVector(v[0]);
                    break;
                }
                case 5:
                    kind = badFilter(q);
                    break;
                case 6:
                    kind = "eventTime-far";
                    q.setEventTime(Instant.ofEpochMilli(farTime()));
                    break;
                default:
                    kind = "vector-dimension";
                    q.setVector(VectorBytes.encode(wrongDimension()));
            }
            return bad(true, kind, q);
        }

        /** Byte-level damage to a valid record's encoding. */
        private Draft mutateBytes(boolean query, byte[] valid) {
            int roll = r.nextInt(40);
            if (roll < 18) {
                // Distinct bits: two flips of one bit would give the valid record back.
                byte[] b = valid.clone();
                int flips = 1 + r.nextInt(3);
                long[] done = new long[flips];
                boolean headerOnly = true;
                for (int i = 0; i < flips; i++) {
                    long bit;
                    do {
                        bit = r.nextLong(b.length * 8L);
                    } while (contains(done, i, bit));
                    done[i] = bit;
                    b[(int) (bit >>> 3)] ^= (byte) (1 << (bit & 7));
                    headerOnly &= (bit >>> 3) < AVRO_HEADER_BYTES;
                }
                // In the header a flip makes an unknown magic or fingerprint (2^-64 to hit another known schema).
                return avro && headerOnly ? new Draft(query, "bitflip-header", Expect.BAD, b)
                        : new Draft(query, "bitflip", Expect.UNKNOWN, b);
            }
            if (roll < 26) {
                // Every byte of an encoding is read, so any prefix ends too early (JSON: before the closing brace).
                return new Draft(query, "truncated", Expect.BAD, Arrays.copyOf(valid, r.nextInt(valid.length)));
            }
            if (roll < 32) {
                // Anything after the record is not part of it; the first garbage byte is never JSON whitespace.
                byte[] garbage = new byte[1 + r.nextInt(64)];
                r.nextBytes(garbage);
                garbage[0] = (byte) "x}]{[,:1\"\u0000".charAt(r.nextInt(10));
                byte[] b = Arrays.copyOf(valid, valid.length + garbage.length);
                System.arraycopy(garbage, 0, b, valid.length, garbage.length);
                return new Draft(query, avro ? "trailing-bytes" : "strict-trailing-garbage", Expect.BAD, b);
            }
            if (roll < 38) {
                if (avro && r.nextBoolean()) {
                    byte[] b = Arrays.copyOf(valid, AVRO_HEADER_BYTES + r.nextInt(512));
                    byte[] body = new byte[b.length - AVRO_HEADER_BYTES];
                    r.nextBytes(body);
                    System.arraycopy(body, 0, b, AVRO_HEADER_BYTES, body.length);
                    return new Draft(query, "random-body", Expect.UNKNOWN, b);
                }
                byte[] b = new byte[1 + r.nextInt(4096)];
                r.nextBytes(b);
                return new Draft(query, "random-bytes", Expect.BAD, b);
            }
            return roll == 38 ? new Draft(query, "empty", Expect.BAD, new byte[0])
                    : new Draft(query, "tombstone", Expect.BAD, null);
        }

        /**
         * Avro bodies that break the encoding itself: a declared length or item count far beyond the bytes that
         * follow (or negative), an enum symbol or union branch that does not exist.
         */
        private Draft malformedAvro(boolean query) {
            byte[] header = Arrays.copyOf(query ? queries.encode(baseQuery()) : events.encode(baseUpsert()),
                    AVRO_HEADER_BYTES);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(header, 0, header.length);
            BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
            long huge = pickLong(1L << 20, 1L << 28, 1L << 30, Integer.MAX_VALUE - 8L, Integer.MAX_VALUE, 1L << 40,
                    Long.MAX_VALUE);
            long badCount = r.nextInt(4) == 0 ? pickLong(-(1L << 30), Long.MIN_VALUE) : huge;
            long badLength = r.nextInt(4) == 0 ? pickLong(-1L, -(1L << 31), Long.MIN_VALUE) : huge;
            String kind;
            try {
                if (!query) {
                    int target = r.nextInt(7);
                    enc.writeEnum(target == 6 ? pickInt(2, 3, 100, -1) : 0);
                    enc.writeLong(r.nextLong());
                    kind = "avro-enum-out-of-range";
                    if (target == 0) {
                        kind = "avro-length:key";
                        enc.writeLong(badLength);
                    } else {
                        enc.writeString("mk1");
                    }
                    if (target == 1) {
                        kind = "avro-length:vector";
                        enc.writeLong(badLength);
                    } else {
                        enc.writeBytes(VectorBytes.encode(vector()));
                    }
                    if (target == 2) {
                        kind = "avro-count:attributes";
                        enc.writeLong(badCount);
                    } else {
                        enc.writeLong(1);
                    }
                    if (target == 3) {
                        kind = "avro-length:attribute-name";
                        enc.writeLong(badLength);
                    } else {
                        enc.writeString("color");
                    }
                    if (target == 4) {
                        kind = "avro-length:attribute-value";
                        enc.writeLong(badLength);
                    } else {
                        enc.writeString("red");
                        enc.writeLong(0);
                    }
                    enc.writeLong(time());
                    if (target == 5) {
                        kind = "avro-union-out-of-range";
                        enc.writeIndex(pickInt(2, 7, -1));
                    } else {
                        enc.writeIndex(0);
                    }
                } else {
                    int target = r.nextInt(7);
                    kind = "avro-union-out-of-range";
                    if (target == 0) {
                        kind = "avro-length:queryId";
                        enc.writeLong(badLength);
                    } else {
                        enc.writeString(mutatedQueryId());
                    }
                    enc.writeIndex(target == 6 ? pickInt(2, 5, -1) : 1);
                    if (target == 1) {
                        kind = "avro-length:key";
                        enc.writeLong(badLength);
                    } else {
                        enc.writeString("vk1");
                    }
                    if (target == 2) {
                        kind = "avro-length:vector";
                        enc.writeLong(badLength);
                    } else {
                        enc.writeBytes(VectorBytes.encode(vector()));
                    }
                    enc.writeInt(5);
                    enc.writeIndex(0);
                    enc.writeIndex(1);
                    if (target == 3) {
                        kind = "avro-count:filter";
                        enc.writeLong(badCount);
                    } else {
                        enc.writeLong(1);
                    }
                    enc.writeString("color");
                    if (target == 4) {
                        kind = "avro-count:filter-values";
                        enc.writeLong(badCount);
                    } else {
                        enc.writeLong(1);
                    }
                    if (target == 5) {
                        kind = "avro-length:filter-value";
                        enc.writeLong(badLength);
                    } else {
                        enc.writeString("red");
                        enc.writeLong(0);
                        enc.writeLong(0);
                    }
                    enc.writeLong(time());
                }
                enc.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // A few bytes, far fewer than any declared length or count here needs.
            byte[] tail = new byte[r.nextInt(9)];
            r.nextBytes(tail);
            out.write(tail, 0, tail.length);
            return new Draft(query, kind, Expect.BAD, out.toByteArray());
        }

        /**
         * JSON of the wrong type or shape. Kinds named {@code strict-...} are accepted by a lenient reader (a
         * coercion, a default, an ignored field) and must be rejected by a strict one.
         */
        private Draft mutateJson(boolean query) {
            ObjectNode o = json(query ? queries.encode(baseQuery()) : events.encode(baseUpsert()));
            String idField = query ? "k" : "id";
            String kind;
            switch (r.nextInt(query ? 22 : 21)) {
                case 0:
                    kind = "vector-string";
                    o.put("vector", "0.1,0.2");
                    break;
                case 1:
                    kind = "vector-mixed";
                    ((ArrayNode) o.get("vector")).set(r.nextInt(DIM), o.textNode("x"));
                    break;
                case 2:
                    kind = "vector-object";
                    o.putObject("vector").put("0", 1.0);
                    break;
                case 3:
                    return new Draft(query, "vector-nan-token", Expect.BAD, raw(o, "vector",
                            vectorText().replaceFirst("^\\[[^,]*", "[" + pick("NaN", "Infinity", "-Infinity"))));
                case 4:
                    return new Draft(query, "vector-float-overflow", Expect.BAD, raw(o, "vector",
                            vectorText().replaceFirst("^\\[[^,]*", "[" + pick("1e39", "-3.5e38", "1e400"))));
                case 5:
                    return new Draft(query, "vector-nested-5000", Expect.BAD, raw(o, "vector",
                            "[".repeat(5_000) + "]".repeat(5_000)));
                case 6:
                    kind = idField + "-string";
                    o.put(idField, "7");
                    break;
                case 7:
                    kind = idField + "-bool";
                    o.put(idField, true);
                    break;
                case 8:
                    return new Draft(query, idField + "-beyond-64-bits", Expect.BAD, raw(o, idField,
                            "123456789012345678901234567890"));
                case 9:
                    kind = idField + "-missing";
                    o.remove(idField);
                    break;
                case 10:
                    kind = query ? "queryId-missing" : "op-missing";
                    o.remove(query ? "queryId" : "op");
                    break;
                case 11:
                    kind = query ? "vector-missing" : "op-unknown";
                    if (query) {
                        o.remove("vector");
                    } else {
                        o.put("op", pick("insert", "UPSERT ", "", "upsert\u0000"));
                    }
                    break;
                case 12:
                    return new Draft(query, "strict-" + idField + "-fraction", Expect.BAD, raw(o, idField,
                            query ? "1.5" : "7.5"));
                case 13:
                    kind = "strict-eventTime-missing";
                    o.remove("eventTime");
                    break;
                case 14:
                    kind = "strict-eventTime-text";
                    o.put("eventTime", "yesterday");
                    break;
                case 15:
                    return new Draft(query, "strict-eventTime-fraction", Expect.BAD, raw(o, "eventTime",
                            (NOW - 1000) + ".5"));
                case 16:
                    kind = "strict-unknown-field";
                    o.put(pick("extra", "Vector", "partition_key"), 1);
                    break;
                case 17:
                    return new Draft(query, "strict-repeated-field", Expect.BAD,
                            raw(o, idField, o.get(idField).toString() + ",\"" + idField + "\":" + o.get(idField)));
                case 18:
                    kind = "strict-partitionKey-number";
                    o.put("partitionKey", 17);
                    break;
                case 19:
                    if (query) {
                        kind = "strict-filter-array";
                        o.putArray("filter").add("red");
                    } else {
                        kind = "strict-attributes-array";
                        o.putArray("attributes").add("red");
                    }
                    break;
                case 20:
                    if (query) {
                        kind = "strict-filter-number-values";
                        o.putObject("filter").putArray("color").add(1).add(2);
                    } else {
                        kind = "strict-attribute-number-value";
                        o.putObject("attributes").put("color", 5);
                    }
                    break;
                default:
                    if (r.nextBoolean()) {
                        return new Draft(true, "strict-efSearch-beyond-32-bits", Expect.BAD,
                                raw(o, "efSearch", "4294967306"));
                    }
                    kind = "strict-efSearch-text";
                    o.put("efSearch", "abc");
            }
            return new Draft(query, kind, Expect.BAD, text(o));
        }

        /** Sets a vector that breaks a rule into {@code out[0]}; returns the kind. */
        private String badVector(ByteBuffer[] out) {
            float[] v = vector();
            switch (r.nextInt(avro ? 6 : 5)) {
                case 0:
                    v[r.nextInt(DIM)] = pickFloat(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
                    out[0] = VectorBytes.encode(v);
                    return "vector-non-finite";
                case 1:
                    v[r.nextInt(DIM)] = pickFloat(2e15f, -1e20f, Float.MAX_VALUE, -Float.MAX_VALUE);
                    out[0] = VectorBytes.encode(v);
                    return "vector-component-over-1e15";
                case 2:
                    // Every component tiny (or zero): the norm is below 1e-15, which cosine cannot normalise.
                    boolean zero = r.nextInt(4) == 0;
                    for (int i = 0; i < DIM; i++) {
                        v[i] = zero ? 0f : (r.nextBoolean() ? 1 : -1) * (float) Math.pow(10, -20 - r.nextInt(11));
                    }
                    out[0] = VectorBytes.encode(v);
                    return zero ? "vector-zero" : "vector-norm-below-1e-15";
                case 3:
                    // Every component within 1e15, their norm above it.
                    for (int i = 0; i < DIM; i++) {
                        v[i] = (r.nextBoolean() ? 1 : -1) * 9e14f;
                    }
                    out[0] = VectorBytes.encode(v);
                    return "vector-norm-over-1e15";
                case 4:
                    out[0] = VectorBytes.encode(wrongDimension());
                    return "vector-dimension";
                default:
                    byte[] ragged = new byte[DIM * Float.BYTES + 1 + r.nextInt(3)];
                    r.nextBytes(ragged);
                    out[0] = ByteBuffer.wrap(ragged);
                    return "vector-bytes-not-floats";
            }
        }

        private String badAttributes(VectorEvent e) {
            Map<String, String> a = new LinkedHashMap<>();
            switch (r.nextInt(3)) {
                case 0:
                    for (int i = 0; i <= RecordLimits.MAX_ATTRIBUTES; i++) {
                        a.put("a" + i, "x");
                    }
                    e.setAttributes(a);
                    return "attributes-65";
                case 1:
                    a.put("color", r.nextBoolean() ? pad("v", RecordLimits.MAX_ATTRIBUTE_VALUE_BYTES + 1)
                            : "\u00e9".repeat(RecordLimits.MAX_ATTRIBUTE_VALUE_BYTES / 2) + "x");
                    e.setAttributes(a);
                    return "attribute-value-4097-bytes";
                default:
                    a.put(pad("n", RecordLimits.MAX_ATTRIBUTE_NAME_BYTES + 1), "red");
                    e.setAttributes(a);
                    return "attribute-name-257-bytes";
            }
        }

        private String badFilter(VectorQuery q) {
            Map<String, List<String>> f = new LinkedHashMap<>();
            switch (r.nextInt(4)) {
                case 0:
                    for (int i = 0; i <= RecordLimits.MAX_ATTRIBUTES; i++) {
                        f.put("a" + i, List.of("x"));
                    }
                    q.setFilter(f);
                    return "filter-65-clauses";
                case 1: {
                    List<String> values = new ArrayList<>();
                    for (int i = 0; i <= RecordLimits.MAX_FILTER_VALUES; i++) {
                        values.add("x" + i);
                    }
                    f.put("color", values);
                    q.setFilter(f);
                    return "filter-1025-values";
                }
                case 2:
                    f.put("color", List.of("red", pad("v", RecordLimits.MAX_ATTRIBUTE_VALUE_BYTES + 1)));
                    q.setFilter(f);
                    return "filter-value-4097-bytes";
                default:
                    f.put(pad("n", RecordLimits.MAX_ATTRIBUTE_NAME_BYTES + 1), List.of("red"));
                    q.setFilter(f);
                    return "filter-name-257-bytes";
            }
        }

        private long farTime() {
            return pickLong(YEAR_3000, NOW + Duration.ofHours(2).toMillis(), RecordLimits.MAX_EVENT_TIME + 1, -1L, -NOW,
                    Long.MIN_VALUE, Long.MAX_VALUE);
        }

        private float[] wrongDimension() {
            int dim;
            do {
                dim = 1 + r.nextInt(20);
            } while (dim == DIM);
            float[] v = new float[dim];
            for (int i = 0; i < dim; i++) {
                v[i] = (float) r.nextDouble(-1, 1);
            }
            return v;
        }

        // ---------------------------------------------------------------- base records

        private VectorEvent baseUpsert() {
            return upsert("mk" + r.nextInt(16), r.nextLong(1_000_000_000L), vector());
        }

        private VectorEvent baseDelete() {
            return VectorProducer.delete("mk" + r.nextInt(16), r.nextLong(1_000_000_000L), time());
        }

        private VectorQuery baseQuery() {
            return query(mutatedQueryId(), r.nextBoolean() ? "vk" + r.nextInt(VALID_KEYS) : "mk" + r.nextInt(16));
        }

        private String mutatedQueryId() {
            return String.format("m%07d", mutated);
        }

        private VectorEvent upsert(String key, long id, float[] v) {
            Map<String, String> attrs = new LinkedHashMap<>();
            if (r.nextBoolean()) {
                attrs.put("color", pick("red", "green", "blue"));
            }
            if (r.nextBoolean()) {
                attrs.put("size", pick("s", "m", "l"));
            }
            return VectorProducer.upsert(key, id, v, attrs, time());
        }

        private VectorQuery query(String id, String key) {
            int k = 1 + r.nextInt(10);
            VectorQuery q = VectorProducer.query(id, key, vector(), k, time());
            if (r.nextInt(3) == 0) {
                q.setEfSearch(k + r.nextInt(100));
            }
            if (r.nextInt(4) == 0) {
                q.setFilter(Map.of("color", List.of("red", "blue")));
            }
            return q;
        }

        /** A valid vector: components in [-1, 1), norm at least 0.1. */
        private float[] vector() {
            float[] v = new float[DIM];
            double norm2;
            do {
                norm2 = 0;
                for (int i = 0; i < DIM; i++) {
                    v[i] = (float) r.nextDouble(-1, 1);
                    norm2 += v[i] * v[i];
                }
            } while (norm2 < 0.01);
            return v;
        }

        private String vectorText() {
            return Arrays.toString(vector()).replace(" ", "");
        }

        private long time() {
            return NOW - r.nextLong(Duration.ofDays(30).toMillis());
        }

        private Draft bad(boolean query, String kind, Object record) {
            byte[] value = query ? queries.encode((VectorQuery) record) : events.encode((VectorEvent) record);
            return new Draft(query, kind, Expect.BAD, value);
        }

        private String randomText(int chars) {
            StringBuilder sb = new StringBuilder(chars);
            for (int i = 0; i < chars; i++) {
                sb.append((char) ('a' + r.nextInt(26)));
            }
            return sb.toString();
        }

        @SafeVarargs
        private <T> T pick(T... choices) {
            return choices[r.nextInt(choices.length)];
        }

        private int pickInt(int... choices) {
            return choices[r.nextInt(choices.length)];
        }

        private long pickLong(long... choices) {
            return choices[r.nextInt(choices.length)];
        }

        private float pickFloat(float... choices) {
            return choices[r.nextInt(choices.length)];
        }

        private static boolean contains(long[] a, int n, long x) {
            for (int i = 0; i < n; i++) {
                if (a[i] == x) {
                    return true;
                }
            }
            return false;
        }

        /** {@code prefix} padded with 'x' to exactly {@code bytes} UTF-8 bytes (prefix is ASCII). */
        private static String pad(String prefix, int bytes) {
            return prefix + "x".repeat(bytes - prefix.length());
        }

        private static ObjectNode json(byte[] bytes) {
            try {
                return (ObjectNode) JSON.readTree(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static byte[] text(ObjectNode o) {
            try {
                return JSON.writeValueAsBytes(o);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** {@code o} with {@code field} written last as the raw JSON text {@code value} (valid JSON or not). */
        private static byte[] raw(ObjectNode o, String field, String value) {
            ObjectNode copy = o.deepCopy();
            copy.remove(field);
            String s = new String(text(copy), StandardCharsets.UTF_8);
            return (s.substring(0, s.length() - 1) + (copy.isEmpty() ? "" : ",") + "\"" + field + "\":" + value + "}")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }
}
