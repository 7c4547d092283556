package io.vectorstream.connectors;

import io.vectorstream.schemas.DeadLetter;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Kafka sources and sinks for VectorStream's records, on the Flink Kafka connector.
 * <ul>
 *   <li>{@link #source}: reads a topic, decodes and checks every value inside the source (a
 *       {@link DecodingDeserializer}), so the watermark strategy runs per partition and a bad value becomes a
 *       bounded dead letter with its topic, partition, offset and raw bytes instead of a failure.</li>
 *   <li>{@link #sink}: writes records with a codec and no Kafka timestamp of their own (see
 *       {@link TimestampFreeSerializer}); {@link DeliveryGuarantee#EXACTLY_ONCE} uses Kafka transactions committed
 *       on checkpoints (read the topic with {@code isolation.level=read_committed}).</li>
 * </ul>
 * Both take any Kafka client property (TLS, SASL, ...) in {@code extra}. Not thread-safe; used while building the
 * job graph.
 */
public final class VectorStreamKafka {
    private VectorStreamKafka() {}

    /** Where a source starts when the job has no checkpoint to restore its offsets from. */
    public enum StartFrom {
        /** The earliest offset: the whole topic (the vectors topic, from which the index is rebuilt). */
        EARLIEST,
        /** The consumer group's committed offsets, else the earliest (queries already answered are skipped). */
        COMMITTED_OR_EARLIEST
    }

    /** A decoded stream and the records rejected in its source. */
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
     * Reads {@code topic}, unbounded unless {@code bounded} (then it stops at the offsets that are latest when the
     * job first starts). {@code watermarks} must give dead letters ({@code Left}) the timestamp
     * {@link Long#MIN_VALUE} so they do not move a partition's watermark.
     */
    public static <T, O> Decoded<O> source(StreamExecutionEnvironment env, String bootstrap, String topic,
            String groupId, StartFrom startFrom, DecodingDeserializer<T, O> deserializer, TypeInformation<O> type,
            WatermarkStrategy<Either<DeadLetter, O>> watermarks, boolean bounded, Properties extra) {
        KafkaSourceBuilder<Either<DeadLetter, O>> b = KafkaSource.<Either<DeadLetter, O>>builder()
                .setBootstrapServers(bootstrap).setTopics(topic).setGroupId(groupId)
                .setStartingOffsets(startFrom == StartFrom.EARLIEST ? OffsetsInitializer.earliest()
                        : OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(deserializer)
                .setProperty("isolation.level", "read_committed");
        if (extra != null) {
            b.setProperties(extra);
        }
        if (bounded) {
            b.setBounded(OffsetsInitializer.latest());
        }
        SingleOutputStreamOperator<O> split = env.fromSource(b.build(), watermarks, "kafka:" + topic)
                .uid("source-" + topic)
                .process(new SplitDeadLetters<O>(), type).name("split:" + topic).uid("split-" + topic);
        return new Decoded<>(split, split.getSideOutput(SplitDeadLetters.DEAD_LETTERS));
    }

    /**
     * A Kafka sink writing {@code codec}-encoded values, with {@code linger.ms=0} and no Kafka timestamp of their
     * own. EXACTLY_ONCE needs a transactional id prefix.
     */
    public static <T> KafkaSink<T> sink(String bootstrap, String topic, RecordCodec<T> codec, TypeInformation<T> type,
            DeliveryGuarantee guarantee, String transactionalIdPrefix, Properties extra) {
        return sink(bootstrap, topic, codec, type, guarantee, transactionalIdPrefix, extra, null);
    }

    /** As above, each record keyed by {@code key} (for example a result's query id, for compacted topics). */
    public static <T> KafkaSink<T> sink(String bootstrap, String topic, RecordCodec<T> codec, TypeInformation<T> type,
            DeliveryGuarantee guarantee, String transactionalIdPrefix, Properties extra,
            TimestampFreeSerializer.RecordKey<T> key) {
        SerializationSchema<T> value = new CodecSerializationSchema<>(codec, type);
        var builder = KafkaSink.<T>builder().setBootstrapServers(bootstrap)
                .setRecordSerializer(new TimestampFreeSerializer<>(topic, value, key))
                .setDeliveryGuarantee(guarantee)
                // Answers are latency-sensitive: send at once instead of lingering (Kafka 4 defaults to 5 ms).
                // Under load the producer still batches whatever queues while a request is in flight.
                .setProperty("linger.ms", "0");
        if (extra != null) {
            builder.setKafkaProducerConfig(extra);
        }
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            if (transactionalIdPrefix == null || transactionalIdPrefix.isEmpty()) {
                throw new IllegalArgumentException("transactionalIdPrefix must be set for EXACTLY_ONCE; "
                        + "transactionalIdPrefix=" + transactionalIdPrefix);
            }
            builder.setTransactionalIdPrefix(transactionalIdPrefix)
                    // POOLING reuses a small pool of transactional ids instead of a new one per checkpoint, and
                    // knows that a restored checkpoint's committables may already be committed: under Kafka
                    // transactions V2 their repeated commit is refused as "fenced" (KafkaRecommitITCase), which
                    // INCREMENTING logs as an ERROR claiming data loss on every restore, POOLING as an expected WARN.
                    .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
                    // Below the broker's transaction.max.timeout.ms (15 min by default).
                    .setProperty("transaction.timeout.ms", "600000");
        }
        return builder.build();
    }
}
