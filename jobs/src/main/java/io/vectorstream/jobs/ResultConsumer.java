package io.vectorstream.jobs;

import io.vectorstream.connectors.AvroSingleObjectCodec;
import io.vectorstream.connectors.RecordCodec;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads a topic of Avro single-object records from the beginning, with the chosen isolation level, decoding
 * records written with the current schema or any released earlier one ({@code AvroSingleObjectCodec.ofReleased}:
 * the type must be one of {@link io.vectorstream.schemas.SchemaHistory#RECORD_TYPES}). Not thread-safe (as
 * KafkaConsumer).
 */
public final class ResultConsumer<T extends SpecificRecord> implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordCodec<T> codec;

    public ResultConsumer(String bootstrap, String topic, Class<T> type, boolean readCommitted) {
        this(bootstrap, topic, type, readCommitted, new Properties());
    }

    /** @param kafkaProperties client properties (TLS, SASL, ...) applied first; the reader's own win */
    public ResultConsumer(String bootstrap, String topic, Class<T> type, boolean readCommitted,
                          Properties kafkaProperties) {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "vectorstream-reader-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(p);
        this.consumer.subscribe(List.of(topic));
        // A topic may still hold records the previous release wrote.
        this.codec = AvroSingleObjectCodec.ofReleased(type);
    }

    /** What {@link #poll(Duration, TimedSink)} hands over for each record. */
    @FunctionalInterface
    public interface TimedSink<T> {
        /**
         * @param receivedNanos    {@link System#nanoTime()} when this consumer got the record
         * @param timestampMillis  the record's Kafka timestamp (the broker's append time on a LogAppendTime topic)
         */
        void accept(T record, long receivedNanos, long timestampMillis);
    }

    /** Polls once and hands each decoded record with its receive time (nanoTime) to {@code sink}. */
    public int poll(Duration timeout, BiConsumer<T, Long> sink) {
        return poll(timeout, (r, at, ts) -> sink.accept(r, at));
    }

    /** Polls once and hands each decoded record with its receive time and Kafka timestamp to {@code sink}. */
    public int poll(Duration timeout, TimedSink<T> sink) {
        int n = 0;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            long now = System.nanoTime();
            try {
                sink.accept(codec.decode(r.value()), now, r.timestamp());
                n++;
            } catch (RecordCodec.DecodeException e) {
                throw new IllegalStateException("undecodable record on " + r.topic() + "/" + r.partition() + "@"
                        + r.offset() + ": " + e.getMessage(), e);
            }
        }
        return n;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
