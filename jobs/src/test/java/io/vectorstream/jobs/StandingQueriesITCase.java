package io.vectorstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.connectors.AvroSingleObjectCodec;
import io.vectorstream.index.VectorMath;
import io.vectorstream.operators.ConsistencyMode;
import io.vectorstream.operators.IndexMode;
import io.vectorstream.operators.VectorSearchConfig;
import io.vectorstream.schemas.DeadLetter;
import io.vectorstream.schemas.Neighbor;
import io.vectorstream.schemas.NeighborResult;
import io.vectorstream.schemas.ResultKind;
import io.vectorstream.schemas.Standing;
import io.vectorstream.schemas.VectorEvent;
import io.vectorstream.schemas.VectorQuery;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Standing queries and kNN on insert through the whole job on a real broker: registrations and an unregistration
 * on the queries topic, upserts (some asking for their neighbours) and deletes on the vectors topic over two
 * partitions, EVENT_TIME consistency. On the results topic (read_committed) every record is keyed by its query id;
 * each standing query's last update equals the brute-force top k of its key at the end (or its removal), no update
 * repeats the one before it, and every upsert that asked has its brute-force neighbours.
 */
class StandingQueriesITCase {
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

    private record Expected(String key, long id, float[] vector, Map<Long, float[]> before) {}

    /** KEYED, and GLOBAL with each key over two of four shards (parts merged per query id and per upsert). */
    @ParameterizedTest
    @EnumSource(IndexMode.class)
    void standingUpdatesAndInsertNeighboursReachTheResultsTopicKeyedByQueryId(IndexMode mode) throws Exception {
        String p = "standing-" + mode.name().toLowerCase(java.util.Locale.ROOT);
        long seed = 29;
        System.out.println("StandingQueriesITCase seed=" + seed);
        kafka.createTopics(2, p + "-vectors", p + "-queries", p + "-results", p + "-dead");
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Map<Long, float[]>> state = new HashMap<>();
        Map<String, Expected> neighbourRequests = new HashMap<>();
        float[] q0 = CrashRecoveryITCase.vector(r);
        float[] q1 = CrashRecoveryITCase.vector(r);
        try (VectorProducer producer = new VectorProducer(kafka.bootstrapServers(), PipelineSpec.Format.AVRO)) {
            VectorQuery reg0 = VectorProducer.query("sq-0", "key-0", q0, 3, 1);
            reg0.setStanding(Standing.REGISTER);
            VectorQuery reg1 = VectorProducer.query("sq-1", "key-1", q1, 3, 1);
            reg1.setStanding(Standing.REGISTER);
            producer.send(p + "-queries", reg0);
            producer.send(p + "-queries", reg1);
            for (long t = 2; t <= 400; t++) {
                String key = "key-" + r.nextInt(2);
                long id = r.nextInt(60);
                Map<Long, float[]> m = state.computeIfAbsent(key, k -> new HashMap<>());
                if (r.nextInt(10) == 0) {
                    producer.send(p + "-vectors", VectorProducer.delete(key, id, t));
                    m.remove(id);
                    continue;
                }
                float[] v = CrashRecoveryITCase.vector(r);
                VectorEvent e = VectorProducer.upsert(key, id, v, Map.of(), t);
                if (t % 7 == 0) {
                    e.setNeighborsK(2);
                    neighbourRequests.put(key + "/" + id + "/" + t, new Expected(key, id, v, new HashMap<>(m)));
                }
                producer.send(p + "-vectors", e);
                m.put(id, v);
            }
            VectorQuery unreg = VectorProducer.query("sq-1", "key-1", new float[0], 1, 401);
            unreg.setStanding(Standing.UNREGISTER);
            producer.send(p + "-queries", unreg);
            producer.flush();
        }
        PipelineSpec spec = PipelineSpec.builder(kafka.bootstrapServers())
                .topics(p + "-vectors", p + "-queries", p + "-results", p + "-dead").groupId(p)
                .transactionalIdPrefix(p).bounded(true)
                .search(VectorSearchConfig.builder().mode(mode).shards(4).shardsPerKey(2).dimension(CrashRecoveryITCase.DIM)
                        .consistency(ConsistencyMode.EVENT_TIME).exactThreshold(1_000_000).build())
                // Historical event times: a partition idle for this long would hold the watermark at the wall clock
                // and make the rest late. The bounded run ends with a final watermark, so none need go idle.
                .idleness(Duration.ofMinutes(10)).build();
        StreamExecutionEnvironment env = LocalFlink.environment(2, "rocksdb", null, Duration.ofMillis(500), 0,
                Duration.ZERO);
        VectorStreamPipeline.build(env, spec);
        env.execute(p);

        assertThat(VectorStreamPipelineITCase.readAllFrom(kafka, p + "-dead", DeadLetter.class, 0)).isEmpty();
        // At least one result per neighbour request, and sq-1's first answer and removal.
        List<ConsumerRecord<byte[], byte[]>> records = readCommitted(p + "-results", neighbourRequests.size() + 2);
        AvroSingleObjectCodec<NeighborResult> codec = AvroSingleObjectCodec.ofReleased(NeighborResult.class);
        Map<String, List<NeighborResult>> byQuery = new HashMap<>();
        int neighbourResults = 0;
        for (ConsumerRecord<byte[], byte[]> rec : records) {
            NeighborResult res = codec.decode(rec.value());
            assertThat(new String(rec.key(), StandardCharsets.UTF_8)).as("record key").isEqualTo(res.getQueryId());
            if (res.getKind() == ResultKind.INSERT_NEIGHBORS) {
                neighbourResults++;
                long t = res.getQueryEventTime().toEpochMilli();
                Expected x = neighbourRequests.get(res.getPartitionKey() + "/" + res.getQueryId() + "/" + t);
                assertThat(x).as("neighbours of an upsert that asked for them: %s", res).isNotNull();
                assertThat(ids(res)).as("neighbours of upsert %s at %d", res.getQueryId(), t)
                        .containsExactly(topK(x.before(), x.vector(), 2, x.id()));
            } else {
                // One query id lives on one partition (the record key), so its records are in the order emitted.
                byQuery.computeIfAbsent(res.getQueryId(), k -> new ArrayList<>()).add(res);
            }
        }
        assertThat(neighbourResults).isEqualTo(neighbourRequests.size());

        List<NeighborResult> sq0 = byQuery.get("sq-0");
        assertThat(sq0.size()).as("sq-0 followed the stream").isGreaterThan(5);
        for (int i = 1; i < sq0.size(); i++) {
            assertThat(ids(sq0.get(i))).as("update %d of sq-0 repeats the one before", i)
                    .isNotEqualTo(ids(sq0.get(i - 1)));
        }
        NeighborResult last0 = sq0.get(sq0.size() - 1);
        assertThat(last0.getKind()).isEqualTo(ResultKind.STANDING_UPDATE);
        assertThat(ids(last0)).containsExactly(topK(state.get("key-0"), q0, 3, null));
        List<NeighborResult> sq1 = byQuery.get("sq-1");
        assertThat(sq1.get(sq1.size() - 1).getKind()).isEqualTo(ResultKind.STANDING_REMOVED);
        assertThat(sq1).filteredOn(x -> x.getKind() == ResultKind.STANDING_REMOVED).hasSize(1);
    }

    private static long[] ids(NeighborResult r) {
        return r.getNeighbors().stream().mapToLong(Neighbor::getId).toArray();
    }

    private static long[] topK(Map<Long, float[]> m, float[] q, int k, Long skip) {
        return m.entrySet().stream().filter(e -> !e.getKey().equals(skip))
                .sorted(Comparator.<Map.Entry<Long, float[]>>comparingDouble(
                        e -> VectorMath.squareDistance(q, e.getValue())).thenComparing(Map.Entry::getKey))
                .limit(k).mapToLong(Map.Entry::getKey).toArray();
    }

    /**
     * Every committed record of {@code topic}: read until at least {@code atLeast} arrived and two more seconds
     * brought nothing (the job's last transaction may commit just after the job reports it finished), or 60 s.
     */
    private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int atLeast) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < deadline && (out.size() < atLeast || System.nanoTime() < quietUntil)) {
                int before = out.size();
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                if (out.size() > before) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return out;
    }
}
