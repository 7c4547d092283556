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
 * <p>Metrics ({@code vectorstream} group of the source): {@code undecodable}, {@code rejected}, and
 * {@code deadLettersByReason.<reason class>}.
 * Threading: one source reader thread.
 */
public final class DecodingDeserializer<T, O> implements KafkaRecordDeserializationSchema<Either<DeadLetter, O>> {
    private static final long serialVersionUID = 1L;

    private final RecordCodec<T> codec;
    private final RecordConverter<T, O> converter;
    private final TypeInformation<O> type;
    private transient Counter undecodable;
    private transient Counter rejected;
    private transient MetricGroup reasonGroup;
    private transient java.util.Map<String, Counter> reasons;

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
        reasonGroup = g.addGroup("deadLettersByReason");
        reasons = new java.util.HashMap<>();
        reasons.put(DeadLetters.UNDECODABLE, undecodable);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<Either<DeadLetter, O>> out) {
        T value;
        try {
            value = codec.decode(r.value());
        } catch (RecordCodec.DecodeException | RuntimeException e) {
            // A runtime exception from a codec on arbitrary bytes (a library's own limit check, an unforeseen
            // parser state) is still the record's fault: it must not fail the reader.
            count(undecodable);
            String reason = e instanceof RecordCodec.DecodeException ? e.getMessage()
                    : "value must be a valid " + codec.name() + " record; error=" + e;
            out.collect(Either.Left(DeadLetters.of(reason, DeadLetters.UNDECODABLE, codec.name(), r.topic(),
                    r.partition(), r.offset(), r.timestamp(), r.value())));
            return;
        }
        O converted;
        try {
            converted = converter.convert(value, r.topic(), r.partition(), r.offset());
        } catch (RejectedRecordException e) {
            count(rejected);
            count(byReason(e.reasonClass()));
            out.collect(Either.Left(DeadLetters.of(e.getMessage(), e.reasonClass(), codec.name(), r.topic(),
                    r.partition(), r.offset(), r.timestamp(), r.value())));
            return;
        }
        out.collect(Either.Right(converted));
    }

    private Counter byReason(String reasonClass) {
        return reasons == null ? null : reasons.computeIfAbsent(reasonClass, rc -> reasonGroup.counter(rc));
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
