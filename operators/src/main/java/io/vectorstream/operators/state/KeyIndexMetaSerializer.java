package io.vectorstream.operators.state;

import io.vectorstream.index.IndexMetadata;
import io.vectorstream.operators.typeutils.Fields;
import io.vectorstream.operators.typeutils.ImmutableValueSerializer;
import io.vectorstream.operators.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * State serializer of {@link KeyIndexMeta}. Format v1: dimension, highWater, liveCount, entryPoint, maxLevel,
 * level-generator state, free ordinals, pending ordinals, quantised flag with mid and scale.
 */
public final class KeyIndexMetaSerializer extends ImmutableValueSerializer<KeyIndexMeta> {
    private static final long serialVersionUID = 1L;
    public static final int VERSION = 1;
    public static final KeyIndexMetaSerializer INSTANCE = new KeyIndexMetaSerializer(VERSION);

    private KeyIndexMetaSerializer(int formatVersion) {
        super(formatVersion);
    }

    @Override
    public KeyIndexMeta createInstance() {
        return new KeyIndexMeta(1, new IndexMetadata(0, 0, -1, -1, 0L, new int[0], new int[0], false, 0f, 0f));
    }

    @Override
    public void serialize(KeyIndexMeta m, DataOutputView out) throws IOException {
        IndexMetadata i = m.index();
        out.writeInt(m.dimension());
        out.writeInt(i.highWater());
        out.writeInt(i.liveCount());
        out.writeInt(i.entryPoint());
        out.writeInt(i.maxLevel());
        out.writeLong(i.levelGeneratorState());
        Fields.writeInts(out, i.freeOrdinals());
        Fields.writeInts(out, i.pendingOrdinals());
        out.writeBoolean(i.quantized());
        out.writeFloat(i.quantizerMid());
        out.writeFloat(i.quantizerScale());
    }

    @Override
    public KeyIndexMeta deserialize(DataInputView in) throws IOException {
        int dimension = in.readInt();
        IndexMetadata i = new IndexMetadata(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readLong(),
                Fields.readInts(in), Fields.readInts(in), in.readBoolean(), in.readFloat(), in.readFloat());
        return new KeyIndexMeta(dimension, i);
    }

    @Override
    public TypeSerializerSnapshot<KeyIndexMeta> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Versioned snapshot; see {@link VersionedSerializerSnapshot}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<KeyIndexMeta> {
        public Snapshot() {
            super(VERSION);
        }

        @Override
        protected TypeSerializer<KeyIndexMeta> serializerFor(int formatVersion) {
            return formatVersion == VERSION ? INSTANCE : new KeyIndexMetaSerializer(formatVersion);
        }
    }
}
