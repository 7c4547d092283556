package io.vectorstream.connectors;

import io.vectorstream.schemas.DeadLetter;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Kafka sources and sinks for VectorStream's Avro records, on the Flink Kafka connector.
 * <ul>
 *   <li>{@link #source}: reads a topic, decodes every value with a {@link RecordCodec} (Avro single-object
 *       or JSON) and splits undecodable values into dead letters with their topic, partition and offset.</li>
 *   <li>{@link #sink}: writes records with a codec; {@link DeliveryGuarantee#EXACTLY_ONCE} uses Kafka
 *       transactions committed on checkpoints (read the topic with {@code isolation.level=read_committed}).</li>
 * </ul>
 * Not thread-safe; used while building the job graph.
 */
public final class VectorStreamKafka {
    private VectorStreamKafka() {}

    /** A decoded stream and its undecodable records. */
    public static final class Decoded<T> {
        private final DataStream<T> records;
        private final DataStream<DeadLetter> deadLetters;

        Decoded(DataStream<T> records, DataStream<DeadLetter> deadLetters) {
            this.records = records;
            this.deadLetters = deadLetters;
        }

        public DataStream<T> records() {
            return records;
        }

        public DataStream<DeadLetter> deadLetters() {
            return deadLetters;
        }
    }

    /**
     * Reads {@code topic} from the earliest offset (or the group's committed one), unbounded unless
     * {@code bounded}, in which case it stops at the offsets that are latest when the job starts.
     */
    public static <T extends SpecificRecordBase> Decoded<T> source(StreamExecutionEnvironment env, String bootstrap,
            String topic, String groupId, RecordCodec<T> codec, Class<T> type, boolean bounded, Properties extra) {
        KafkaSourceBuilder<Tuple5<String, Integer, Long, Long, byte[]>> b = KafkaSource
                .<Tuple5<String, Integer, Long, Long, byte[]>>builder()
                .setBootstrapServers(bootstrap).setTopics(topic).setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(
                        org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST))
                .setDeserializer(new KafkaRecordBytes())
                .setProperty("isolation.level", "read_committed");
        if (extra != null) {
            b.setProperties(extra);
        }
        if (bounded) {
            b.setBounded(OffsetsInitializer.latest());
        }
        DataStream<Tuple5<String, Integer, Long, Long, byte[]>> raw =
                env.fromSource(b.build(), WatermarkStrategy.noWatermarks(), "kafka:" + topic).uid("source-" + topic);
        TypeInformation<T> typeInfo = new AvroTypeInfo<>(type);
        SingleOutputStreamOperator<T> decoded = raw.process(new DecodeFunction<>(codec), typeInfo)
                .name("decode:" + topic).uid("decode-" + topic);
        return new Decoded<>(decoded, decoded.getSideOutput(DecodeFunction.DEAD_LETTERS));
    }

    /**
     * A Kafka sink writing {@code codec}-encoded values, with {@code linger.ms=0}. EXACTLY_ONCE needs a
     * transactional id prefix.
     */
    public static <T extends SpecificRecordBase> KafkaSink<T> sink(String bootstrap, String topic,
            RecordCodec<T> codec, Class<T> type, DeliveryGuarantee guarantee, String transactionalIdPrefix) {
        SerializationSchema<T> value = new CodecSerializationSchema<>(codec, new AvroTypeInfo<>(type));
        var builder = KafkaSink.<T>builder().setBootstrapServers(bootstrap)
                .setRecordSerializer(KafkaRecordSerializationSchema.<T>builder().setTopic(topic)
                        .setValueSerializationSchema(value).build())
                .setDeliveryGuarantee(guarantee)
                // Answers are latency-sensitive: send at once instead of lingering (Kafka 4 defaults to 5 ms).
                // Under load the producer still batches whatever queues while a request is in flight.
                .setProperty("linger.ms", "0");
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            if (transactionalIdPrefix == null || transactionalIdPrefix.isEmpty()) {
                throw new IllegalArgumentException("transactionalIdPrefix must be set for EXACTLY_ONCE; "
                        + "transactionalIdPrefix=" + transactionalIdPrefix);
            }
            builder.setTransactionalIdPrefix(transactionalIdPrefix)
                    // Below the broker's transaction.max.timeout.ms (15 min by default).
                    .setProperty("transaction.timeout.ms", "600000");
        }
        return builder.build();
    }
}
