package io.vectorstream.operators.state;

import io.vectorstream.operators.typeutils.Fields;
import io.vectorstream.operators.typeutils.ImmutableValueSerializer;
import io.vectorstream.operators.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import java.util.Collections;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** State serializer of {@link NodeRecord}. Format v1: id, vector floats, attributes, eventTime. */
public final class NodeRecordSerializer extends ImmutableValueSerializer<NodeRecord> {
    private static final long serialVersionUID = 1L;
    public static final int VERSION = 1;
    public static final NodeRecordSerializer INSTANCE = new NodeRecordSerializer(VERSION);

    private NodeRecordSerializer(int formatVersion) {
        super(formatVersion);
    }

    @Override
    public NodeRecord createInstance() {
        return new NodeRecord(0L, new float[0], Collections.emptyMap(), 0L);
    }

    @Override
    public void serialize(NodeRecord r, DataOutputView out) throws IOException {
        out.writeLong(r.id());
        Fields.writeFloats(out, r.vector());
        Fields.writeStringMap(out, r.attributes());
        out.writeLong(r.eventTime());
    }

    @Override
    public NodeRecord deserialize(DataInputView in) throws IOException {
        long id = in.readLong();
        float[] v = Fields.readFloats(in);
        if (v == null) {
            throw new IOException("corrupt node record: vector must not be null; id=" + id);
        }
        return new NodeRecord(id, v, Fields.readStringMap(in), in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<NodeRecord> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Versioned snapshot; see {@link VersionedSerializerSnapshot}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<NodeRecord> {
        public Snapshot() {
            super(VERSION);
        }

        @Override
        protected TypeSerializer<NodeRecord> serializerFor(int formatVersion) {
            return formatVersion == VERSION ? INSTANCE : new NodeRecordSerializer(formatVersion);
        }
    }
}
