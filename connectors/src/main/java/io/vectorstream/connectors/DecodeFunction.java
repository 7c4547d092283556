package io.vectorstream.connectors;

import io.vectorstream.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes raw Kafka values with a {@link RecordCodec}. A value that does not decode goes to
 * {@link #DEAD_LETTERS} with the reason, its topic, partition, offset and raw bytes, and is counted in the
 * {@code vectorstream.undecodable} metric; the job never fails on it.
 *
 * <p>Threading: Flink calls it on the task thread.
 */
public final class DecodeFunction<T> extends ProcessFunction<Tuple5<String, Integer, Long, Long, byte[]>, T> {
    private static final long serialVersionUID = 1L;

    /** Undecodable records. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("vectorstream-undecodable", new AvroTypeInfo<>(DeadLetter.class));

    private final RecordCodec<T> codec;
    private transient Counter undecodable;

    public DecodeFunction(RecordCodec<T> codec) {
        this.codec = codec;
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
        undecodable = getRuntimeContext().getMetricGroup().addGroup("vectorstream").counter("undecodable");
    }

    @Override
    public void processElement(Tuple5<String, Integer, Long, Long, byte[]> r, Context ctx, Collector<T> out) {
        T value;
        try {
            value = codec.decode(r.f4);
        } catch (RecordCodec.DecodeException e) {
            undecodable.inc();
            ctx.output(DEAD_LETTERS, deadLetter(e.getMessage(), codec.name(), r));
            return;
        }
        out.collect(value);
    }

    /** The dead letter for a raw record. */
    public static DeadLetter deadLetter(String reason, String codecName, Tuple5<String, Integer, Long, Long, byte[]> r) {
        return DeadLetter.newBuilder().setReason(reason).setRecordType(codecName)
                .setRecord(r.f0 + "/" + r.f1 + "@" + r.f2).setSourceTopic(r.f0).setSourcePartition(r.f1)
                .setSourceOffset(r.f2).setPayload(r.f4 == null ? null : ByteBuffer.wrap(r.f4))
                .setTimestamp(Instant.ofEpochMilli(r.f3)).build();
    }
}
