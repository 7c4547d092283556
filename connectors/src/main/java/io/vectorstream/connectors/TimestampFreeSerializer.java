package io.vectorstream.connectors;

import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes each element to one topic with no Kafka timestamp of its own, so the producer stamps the time of
 * writing. Why: the connector's default stamps the Flink record timestamp, which is the input's event time; the
 * broker refuses times too far in the future ({@code InvalidTimestampException} failed the job) and deletes
 * records whose time is older than the retention (answers vanished minutes after they were committed). Event
 * times stay in the records' own fields. It names its topic to the sink ({@link KafkaDatasetFacetProvider}), which
 * the sink's POOLING transaction naming needs. Stateless apart from the value schema; one sink thread.
 */
public final class TimestampFreeSerializer<T> implements KafkaRecordSerializationSchema<T>, KafkaDatasetFacetProvider {
    private static final long serialVersionUID = 1L;
    private final String topic;
    private final SerializationSchema<T> value;
    private final RecordKey<T> key;

    /** The record key of an element, or null for none. Serializable: it ships with the sink. */
    @FunctionalInterface
    public interface RecordKey<T> extends java.io.Serializable {
        byte[] of(T element);
    }

    public TimestampFreeSerializer(String topic, SerializationSchema<T> value) {
        this(topic, value, null);
    }

    /** @param key each record's Kafka key (null: unkeyed records) */
    public TimestampFreeSerializer(String topic, SerializationSchema<T> value, RecordKey<T> key) {
        this.topic = topic;
        this.value = value;
        this.key = key;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) throws Exception {
        value.open(context);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, null, key == null ? null : key.of(element),
                value.serialize(element));
    }

    @Override
    public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
        return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(List.of(topic))));
    }
}
