package io.vectorstream.operators.typeutils;

import io.vectorstream.operators.RecordOrigin;
import io.vectorstream.operators.VectorEvent;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link VectorEvent} (stream records and buffered events in event-time mode).
 * Format v1: op (nullable string), id (nullable long), key, vector (nullable floats), attributes, eventTime, routingHash (nullable long).
 * Format v2: v1, then the origin (nullable topic, partition, offset).
 * Format v3: v2, then neighborsK (nullable int) and neighborsRadius (nullable float). Reads v1 to v3.
 */
public final class VectorEventSerializer extends ImmutableValueSerializer<VectorEvent> {
    private static final long serialVersionUID = 1L;
    public static final int VERSION = 3;
    public static final VectorEventSerializer INSTANCE = new VectorEventSerializer(VERSION);

    private VectorEventSerializer(int formatVersion) {
        super(formatVersion);
    }

    @Override
    public VectorEvent createInstance() {
        return new VectorEvent(null, null, null, null, null, 0L);
    }

    @Override
    public void serialize(VectorEvent e, DataOutputView out) throws IOException {
        Fields.writeString(out, e.op());
        out.writeBoolean(e.id() != null);
        if (e.id() != null) {
            out.writeLong(e.id());
        }
        Fields.writeString(out, e.key());
        Fields.writeFloats(out, e.vector());
        Fields.writeStringMap(out, e.attributes());
        out.writeLong(e.eventTime());
        out.writeBoolean(e.routingHash() != null);
        if (e.routingHash() != null) {
            out.writeLong(e.routingHash());
        }
        if (formatVersion() >= 2) {
            Fields.writeOrigin(out, e.origin());
        }
        if (formatVersion() >= 3) {
            out.writeBoolean(e.neighborsK() != null);
            if (e.neighborsK() != null) {
                out.writeInt(e.neighborsK());
            }
            out.writeBoolean(e.neighborsRadius() != null);
            if (e.neighborsRadius() != null) {
                out.writeFloat(e.neighborsRadius());
            }
        }
    }

    @Override
    public VectorEvent deserialize(DataInputView in) throws IOException {
        String op = Fields.readString(in);
        Long id = in.readBoolean() ? in.readLong() : null;
        String key = Fields.readString(in);
        float[] vector = Fields.readFloats(in);
        java.util.Map<String, String> attributes = Fields.readStringMap(in);
        long eventTime = in.readLong();
        Long routingHash = in.readBoolean() ? in.readLong() : null;
        RecordOrigin origin = formatVersion() >= 2 ? Fields.readOrigin(in) : null;
        Integer neighborsK = null;
        Float neighborsRadius = null;
        if (formatVersion() >= 3) {
            neighborsK = in.readBoolean() ? in.readInt() : null;
            neighborsRadius = in.readBoolean() ? in.readFloat() : null;
        }
        return new VectorEvent(op, id, key, vector, attributes, eventTime, routingHash, origin, neighborsK,
                neighborsRadius);
    }

    @Override
    public TypeSerializerSnapshot<VectorEvent> snapshotConfiguration() {
        // The snapshot names the format this instance writes, so data it writes is never labelled newer.
        return new Snapshot(formatVersion());
    }

    /** Versioned snapshot; see {@link VersionedSerializerSnapshot}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<VectorEvent> {
        public Snapshot() {
            super(VERSION);
        }

        Snapshot(int formatVersion) {
            super(formatVersion);
        }

        @Override
        protected TypeSerializer<VectorEvent> serializerFor(int formatVersion) {
            return formatVersion == VERSION ? INSTANCE : new VectorEventSerializer(formatVersion);
        }
    }
}
