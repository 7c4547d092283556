package io.vectorstream.jobs;

import io.vectorstream.connectors.AvroSingleObjectCodec;
import io.vectorstream.connectors.JsonCodecs;
import io.vectorstream.connectors.RecordCodec;
import io.vectorstream.schemas.Op;
import io.vectorstream.schemas.VectorEvent;
import io.vectorstream.schemas.VectorQuery;
import io.vectorstream.schemas.codec.VectorBytes;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writes VectorStream events and queries to Kafka in the job's wire format. Thread-safe (as KafkaProducer). */
public final class VectorProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final RecordCodec<VectorEvent> events;
    private final RecordCodec<VectorQuery> queries;

    /** A producer tuned for bulk loads (batches of up to 256 KiB, 5 ms linger). */
    public VectorProducer(String bootstrap, PipelineSpec.Format format) {
        this(bootstrap, format, false);
    }

    /**
     * @param lowLatency send each record at once (no linger, as for queries timed end to end) instead of
     *                   batching for throughput
     */
    public VectorProducer(String bootstrap, PipelineSpec.Format format, boolean lowLatency) {
        this(bootstrap, format, lowLatency, new Properties());
    }

    /** @param kafkaProperties client properties (TLS, SASL, ...) applied first; the producer's own settings win */
    public VectorProducer(String bootstrap, PipelineSpec.Format format, boolean lowLatency, Properties kafkaProperties) {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, lowLatency ? "0" : "5");
        // A 784-d vector is ~3 KiB: the 16 KiB default batch would hold five, one request in flight at a time.
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, lowLatency ? "16384" : "262144");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // One request in flight: a retried batch is then always the newest, which the broker's duplicate
        // window absorbs. With several in flight we saw a retried first batch rejected as out of sequence
        // (OutOfOrderSequenceException) after later batches had landed, and records expired unsent.
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        this.producer = new KafkaProducer<>(p);
        this.events = format == PipelineSpec.Format.JSON ? JsonCodecs.events() : AvroSingleObjectCodec.of(VectorEvent.class);
        this.queries = format == PipelineSpec.Format.JSON ? JsonCodecs.queries() : AvroSingleObjectCodec.of(VectorQuery.class);
    }

    public static VectorEvent upsert(String key, long id, float[] v, Map<String, String> attrs, long eventTime) {
        return VectorEvent.newBuilder().setOp(Op.UPSERT).setId(id).setPartitionKey(key).setVector(VectorBytes.encode(v))
                .setAttributes(attrs).setEventTime(Instant.ofEpochMilli(eventTime)).build();
    }

    public static VectorEvent delete(String key, long id, long eventTime) {
        return VectorEvent.newBuilder().setOp(Op.DELETE).setId(id).setPartitionKey(key)
                .setVector(java.nio.ByteBuffer.allocate(0)).setAttributes(Map.of())
                .setEventTime(Instant.ofEpochMilli(eventTime)).build();
    }

    public static VectorQuery query(String queryId, String key, float[] v, int k, long eventTime) {
        return VectorQuery.newBuilder().setQueryId(queryId).setPartitionKey(key).setVector(VectorBytes.encode(v))
                .setK(k).setEventTime(Instant.ofEpochMilli(eventTime)).build();
    }

    /** Sends an event keyed by its partition key (so one key's events stay in order). */
    public Future<RecordMetadata> send(String topic, VectorEvent e) {
        return producer.send(new ProducerRecord<>(topic, bytes(e.getPartitionKey()), events.encode(e)));
    }

    public Future<RecordMetadata> send(String topic, VectorQuery q) {
        return send(topic, q, null);
    }

    /** Sends a query keyed by its id; {@code callback} (may be null) hears of its delivery or failure. */
    public Future<RecordMetadata> send(String topic, VectorQuery q, org.apache.kafka.clients.producer.Callback callback) {
        return producer.send(new ProducerRecord<>(topic, bytes(q.getQueryId()), queries.encode(q)), callback);
    }

    /** Sends raw bytes (for testing how the job handles garbage). */
    public Future<RecordMetadata> sendRaw(String topic, byte[] value) {
        return producer.send(new ProducerRecord<>(topic, null, value));
    }

    public void flush() {
        producer.flush();
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close();
    }
}
