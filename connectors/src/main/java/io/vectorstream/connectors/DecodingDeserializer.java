package io.vectorstream.connectors;

import io.vectorstream.schemas.DeadLetter;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes and checks Kafka values inside the source: each value becomes either a record of the job's type
 * ({@code Right}) or a bounded dead letter with its topic, partition, offset and raw bytes ({@code Left}). Because
 * this runs in the source, the watermark strategy sits in the source too and tracks each partition, and a bad
 * record never throws out of the reader (which would fail the job).
 *
 * <p>Metrics ({@code vectorstream} group of the source): {@code undecodable}, {@code rejected}.
 * Threading: one source reader thread.
 */
public final class DecodingDeserializer<T, O> implements KafkaRecordDeserializationSchema<Either<DeadLetter, O>> {
    private static final long serialVersionUID = 1L;

    private final RecordCodec<T> codec;
    private final RecordConverter<T, O> converter;
    private final TypeInformation<O> type;
    private transient Counter undecodable;
    private transient Counter rejected;

    public DecodingDeserializer(RecordCodec<T> codec, RecordConverter<T, O> converter, TypeInformation<O> type) {
        this.codec = codec;
        this.converter = converter;
        this.type = type;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        MetricGroup g = context.getMetricGroup().addGroup("vectorstream");
        undecodable = g.counter("undecodable");
        rejected = g.counter("rejected");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<Either<DeadLetter, O>> out) {
        T value;
        try {
            value = codec.decode(r.value());
        } catch (RecordCodec.DecodeException e) {
            count(undecodable);
            out.collect(Either.Left(DeadLetters.of(e.getMessage(), DeadLetters.UNDECODABLE, codec.name(), r.topic(),
                    r.partition(), r.offset(), r.timestamp(), r.value())));
            return;
        }
        O converted;
        try {
            converted = converter.convert(value, r.topic(), r.partition(), r.offset());
        } catch (RejectedRecordException e) {
            count(rejected);
            out.collect(Either.Left(DeadLetters.of(e.getMessage(), e.reasonClass(), codec.name(), r.topic(),
                    r.partition(), r.offset(), r.timestamp(), r.value())));
            return;
        }
        out.collect(Either.Right(converted));
    }

    private static void count(Counter c) {
        if (c != null) {
            c.inc();
        }
    }

    @Override
    public TypeInformation<Either<DeadLetter, O>> getProducedType() {
        return new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), type);
    }
}
