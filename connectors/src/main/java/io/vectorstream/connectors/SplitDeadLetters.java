package io.vectorstream.connectors;

import io.vectorstream.schemas.DeadLetter;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits a source's {@code Either<DeadLetter, O>} into its records (main output) and its dead letters
 * ({@link #DEAD_LETTERS}), keeping each record's timestamp. Stateless; task thread only.
 */
public final class SplitDeadLetters<O> extends ProcessFunction<Either<DeadLetter, O>, O> {
    private static final long serialVersionUID = 1L;

    /** Records rejected in the source. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("vectorstream-source-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    @Override
    public void processElement(Either<DeadLetter, O> in, Context ctx, Collector<O> out) {
        if (in.isRight()) {
            out.collect(in.right());
        } else {
            ctx.output(DEAD_LETTERS, in.left());
        }
    }
}
