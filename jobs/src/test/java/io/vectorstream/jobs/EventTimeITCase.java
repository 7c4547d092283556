package io.vectorstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.connectors.AvroSingleObjectCodec;
import io.vectorstream.operators.ConsistencyMode;
import io.vectorstream.operators.VectorSearchConfig;
import io.vectorstream.schemas.DeadLetter;
import io.vectorstream.schemas.Neighbor;
import io.vectorstream.schemas.NeighborResult;
import io.vectorstream.schemas.VectorEvent;
import io.vectorstream.schemas.VectorQuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import org.apache.flink.core.execution.JobClient;
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
 * Event time that holds across partitions: watermarks are generated per Kafka partition inside the source, so a
 * partition far behind another (here 30x fewer records over the same event-time span, all read as one backlog)
 * makes no record late and every answer equals the oracle; and a lone query, with no other traffic to move the
 * watermark, is answered once its partitions have been idle for the idleness span.
 */
class EventTimeITCase {
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

    static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // As VectorProducer: one request in flight (retried batches out of sequence expired unsent here).
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p);
    }

    @Test
    void partitionsWithVeryDifferentLagGiveOracleAnswersAndNoLateRecords() throws Exception {
        String p = "lag";
        kafka.createTopics(2, p + "-vectors", p + "-queries", p + "-results", p + "-dead");
        SplittableRandom r = new SplittableRandom(11);
        List<VectorEvent> events = new ArrayList<>();
        List<VectorQuery> queries = new ArrayList<>();
        AvroSingleObjectCodec<VectorEvent> ec = AvroSingleObjectCodec.of(VectorEvent.class);
        AvroSingleObjectCodec<VectorQuery> qc = AvroSingleObjectCodec.of(VectorQuery.class);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            // Partition 0: one event per time unit. Partition 1: one per 30 units, same span. Both keys' events go
            // to both partitions, so an answer depends on records of both.
            for (long t = 1; t <= 3_000; t++) {
                int partition = t % 30 == 0 ? 1 : 0;
                VectorEvent e = VectorProducer.upsert("key-" + (t % 2), t, CrashRecoveryITCase.vector(r), Map.of(), t);
                events.add(e);
                sent.add(producer.send(new ProducerRecord<>(p + "-vectors", partition, null, ec.encode(e))));
                if (t % 50 == 25) {
                    VectorQuery q = VectorProducer.query("q" + t, "key-" + (t % 2), CrashRecoveryITCase.vector(r), 5, t);
                    queries.add(q);
                    // Queries too: most on partition 0, a few on partition 1.
                    sent.add(producer.send(new ProducerRecord<>(p + "-queries", t % 150 == 25 ? 1 : 0, null,
                            qc.encode(q))));
                }
            }
            producer.flush();
        }
        for (Future<RecordMetadata> f : sent) {
            f.get();
        }
        VectorSearchConfig search = VectorSearchConfig.builder().consistency(ConsistencyMode.EVENT_TIME)
                .exactThreshold(1_000_000).build();
        PipelineSpec spec = PipelineSpec.builder(kafka.bootstrapServers())
                .topics(p + "-vectors", p + "-queries", p + "-results", p + "-dead").groupId(p)
                // A short idleness over a backlog of event times far behind the clock: exhausted partitions
                // follow the clock, the others alone decide, nothing is late.
                .transactionalIdPrefix(p).bounded(true).search(search).idleness(Duration.ofSeconds(1)).build();
        // Parallelism 1: one reader holds both partitions, so only per-partition watermarks keep them apart.
        StreamExecutionEnvironment env = LocalFlink.environment(1, "rocksdb", null, Duration.ofMillis(500), 0,
                Duration.ZERO);
        VectorStreamPipeline.build(env, spec);
        env.execute(p);

        List<DeadLetter> dead = VectorStreamPipelineITCase.readAllFrom(kafka, p + "-dead", DeadLetter.class, 0);
        assertThat(dead).as("no record is late").isEmpty();
        List<NeighborResult> results = VectorStreamPipelineITCase.readAllFrom(kafka, p + "-results",
                NeighborResult.class, queries.size());
        Map<String, long[]> expected = CrashRecoveryITCase.oracle(events, queries);
        Map<String, Integer> count = new HashMap<>();
        for (NeighborResult res : results) {
            count.merge(res.getQueryId(), 1, Integer::sum);
            assertThat(res.getNeighbors().stream().mapToLong(Neighbor::getId).toArray())
                    .as("answer of %s", res.getQueryId()).containsExactly(expected.get(res.getQueryId()));
            assertThat(res.getQueryEventTime()).as("the event time is a field").isNotNull();
        }
        assertThat(count).hasSize(queries.size()).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
    }

    @Test
    void theCliQueryIsAnsweredInEventTimeModeWhenItIsTheOnlyTraffic() throws Exception {
        String p = "lone";
        kafka.createTopics(2, p + "-vectors", p + "-queries", p + "-results", p + "-dead");
        long now = System.currentTimeMillis();
        try (VectorProducer producer = new VectorProducer(kafka.bootstrapServers(), PipelineSpec.Format.AVRO)) {
            producer.send(p + "-vectors", VectorProducer.upsert("shop-1", 7L, new float[] {1f, 0f}, Map.of(), now)).get();
            producer.send(p + "-vectors", VectorProducer.upsert("shop-1", 8L, new float[] {0f, 1f}, Map.of(), now + 1)).get();
        }
        PipelineSpec spec = PipelineSpec.builder(kafka.bootstrapServers())
                .topics(p + "-vectors", p + "-queries", p + "-results", p + "-dead").groupId(p)
                .transactionalIdPrefix(p)
                .search(VectorSearchConfig.builder().consistency(ConsistencyMode.EVENT_TIME).build())
                .idleness(Duration.ofSeconds(2)).build();
        StreamExecutionEnvironment env = LocalFlink.environment(1, "rocksdb", null, Duration.ofMillis(500), 0,
                Duration.ZERO);
        VectorStreamPipeline.build(env, spec);
        JobClient job = env.executeAsync(p);
        try {
            // The CLI stamps the query with the clock; nothing else flows, so only idleness can move the watermark.
            int exit = VectorStreamCli.execute("query", "--bootstrap", kafka.bootstrapServers(), "--queries-topic",
                    p + "-queries", "--results-topic", p + "-results", "--key", "shop-1", "--vector", "0.9,0.1",
                    "--k", "1", "--timeout", "PT90S");
            assertThat(exit).as("the query was answered").isZero();
            List<NeighborResult> results = VectorStreamPipelineITCase.readAllFrom(kafka, p + "-results",
                    NeighborResult.class, 1);
            assertThat(results).hasSize(1);
            assertThat(results.get(0).getNeighbors()).extracting(Neighbor::getId).containsExactly(7L);
        } finally {
            job.cancel().get();
        }
    }
}
