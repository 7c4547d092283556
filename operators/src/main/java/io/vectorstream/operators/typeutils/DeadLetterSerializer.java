package io.vectorstream.operators.typeutils;

import io.vectorstream.operators.DeadLetter;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Serializer of {@link DeadLetter}. Format v1: reason, recordType, record, timestamp. */
public final class DeadLetterSerializer extends ImmutableValueSerializer<DeadLetter> {
    private static final long serialVersionUID = 1L;
    public static final int VERSION = 1;
    public static final DeadLetterSerializer INSTANCE = new DeadLetterSerializer(VERSION);

    private DeadLetterSerializer(int formatVersion) {
        super(formatVersion);
    }

    @Override
    public DeadLetter createInstance() {
        return new DeadLetter(null, null, null, 0L);
    }

    @Override
    public void serialize(DeadLetter d, DataOutputView out) throws IOException {
        Fields.writeString(out, d.reason());
        Fields.writeString(out, d.recordType());
        Fields.writeString(out, d.record());
        out.writeLong(d.timestamp());
    }

    @Override
    public DeadLetter deserialize(DataInputView in) throws IOException {
        return new DeadLetter(Fields.readString(in), Fields.readString(in), Fields.readString(in), in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<DeadLetter> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Versioned snapshot; see {@link VersionedSerializerSnapshot}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<DeadLetter> {
        public Snapshot() {
            super(VERSION);
        }

        @Override
        protected TypeSerializer<DeadLetter> serializerFor(int formatVersion) {
            return formatVersion == VERSION ? INSTANCE : new DeadLetterSerializer(formatVersion);
        }
    }
}
