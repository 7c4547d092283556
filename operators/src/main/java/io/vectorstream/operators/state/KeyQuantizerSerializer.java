package io.vectorstream.operators.state;

import io.vectorstream.operators.typeutils.Fields;
import io.vectorstream.operators.typeutils.ImmutableValueSerializer;
import io.vectorstream.operators.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** State serializer of {@link KeyQuantizer}. Format v1: the mids, then the scales, each a float array. */
public final class KeyQuantizerSerializer extends ImmutableValueSerializer<KeyQuantizer> {
    private static final long serialVersionUID = 1L;
    public static final int VERSION = 1;
    public static final KeyQuantizerSerializer INSTANCE = new KeyQuantizerSerializer(VERSION);

    private KeyQuantizerSerializer(int formatVersion) {
        super(formatVersion);
    }

    @Override
    public KeyQuantizer createInstance() {
        return new KeyQuantizer(new float[0], new float[0]);
    }

    @Override
    public void serialize(KeyQuantizer q, DataOutputView out) throws IOException {
        Fields.writeFloats(out, q.mids());
        Fields.writeFloats(out, q.scales());
    }

    @Override
    public KeyQuantizer deserialize(DataInputView in) throws IOException {
        float[] mids = Fields.readFloats(in);
        float[] scales = Fields.readFloats(in);
        if (mids == null || scales == null || mids.length != scales.length) {
            throw new IOException("corrupt quantizer state: mids and scales must be present and of one length; mids="
                    + (mids == null ? "null" : mids.length) + ", scales=" + (scales == null ? "null" : scales.length));
        }
        return new KeyQuantizer(mids, scales);
    }

    @Override
    public TypeSerializerSnapshot<KeyQuantizer> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Versioned snapshot; see {@link VersionedSerializerSnapshot}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<KeyQuantizer> {
        public Snapshot() {
            super(VERSION);
        }

        @Override
        protected TypeSerializer<KeyQuantizer> serializerFor(int formatVersion) {
            return formatVersion == VERSION ? INSTANCE : new KeyQuantizerSerializer(formatVersion);
        }
    }
}
