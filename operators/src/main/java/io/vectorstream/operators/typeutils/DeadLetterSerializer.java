package io.vectorstream.operators.typeutils;

import io.vectorstream.operators.DeadLetter;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link DeadLetter}. Format v1: reason, recordType, record, timestamp. Format v2: v1, then the
 * reason class's label and the origin (nullable topic, partition, offset). Reads v1 and v2.
 */
public final class DeadLetterSerializer extends ImmutableValueSerializer<DeadLetter> {
    private static final long serialVersionUID = 1L;
    public static final int VERSION = 2;
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
        if (formatVersion() >= 2) {
            out.writeUTF(d.reasonClass().label());
            Fields.writeOrigin(out, d.origin());
        }
    }

    @Override
    public DeadLetter deserialize(DataInputView in) throws IOException {
        String reason = Fields.readString(in);
        String recordType = Fields.readString(in);
        String record = Fields.readString(in);
        long timestamp = in.readLong();
        if (formatVersion() < 2) {
            return new DeadLetter(reason, recordType, record, timestamp);
        }
        DeadLetter.ReasonClass reasonClass = DeadLetter.ReasonClass.ofLabel(in.readUTF());
        return new DeadLetter(reason, reasonClass, recordType, record, timestamp, Fields.readOrigin(in));
    }

    @Override
    public TypeSerializerSnapshot<DeadLetter> snapshotConfiguration() {
        // The snapshot names the format this instance writes, so data it writes is never labelled newer.
        return new Snapshot(formatVersion());
    }

    /** Versioned snapshot; see {@link VersionedSerializerSnapshot}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<DeadLetter> {
        public Snapshot() {
            super(VERSION);
        }

        Snapshot(int formatVersion) {
            super(formatVersion);
        }

        @Override
        protected TypeSerializer<DeadLetter> serializerFor(int formatVersion) {
            return formatVersion == VERSION ? INSTANCE : new DeadLetterSerializer(formatVersion);
        }
    }
}
