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
 * State serializer of {@link KeyIndexMeta}. Format v2: dimension, highWater, liveCount, entryPoint, maxLevel,
 * level-generator state, free ordinals, pending ordinals, quantised flag, then the quantiser's ranges: their count
 * (0 when not quantised, 1, or the dimension for a range per coordinate), the mids, the scales.
 *
 * <p>Format v1 (still read) ended with the quantised flag, one mid and one scale (written even when not
 * quantised).
 */
public final class KeyIndexMetaSerializer extends ImmutableValueSerializer<KeyIndexMeta> {
    private static final long serialVersionUID = 1L;
    public static final int VERSION = 2;
    /** The first format: one quantiser range. Still read. */
    static final int VERSION_1 = 1;
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
        if (formatVersion() == VERSION_1) {
            // A serializer restored for v1 data writes v1 (Flink may copy state with it before migrating).
            float[] mids = i.quantizerMids();
            float[] scales = i.quantizerScales();
            if (mids.length > 1) {
                throw new IllegalStateException("format v1 holds one quantizer range; ranges=" + mids.length);
            }
            out.writeFloat(mids.length == 0 ? 0f : mids[0]);
            out.writeFloat(scales.length == 0 ? 0f : scales[0]);
            return;
        }
        Fields.writeFloats(out, i.quantizerMids());
        Fields.writeFloats(out, i.quantizerScales());
    }

    @Override
    public KeyIndexMeta deserialize(DataInputView in) throws IOException {
        int dimension = in.readInt();
        int highWater = in.readInt();
        int liveCount = in.readInt();
        int entryPoint = in.readInt();
        int maxLevel = in.readInt();
        long levelGeneratorState = in.readLong();
        int[] free = Fields.readInts(in);
        int[] pending = Fields.readInts(in);
        boolean quantized = in.readBoolean();
        IndexMetadata i;
        if (formatVersion() == VERSION_1) {
            i = new IndexMetadata(highWater, liveCount, entryPoint, maxLevel, levelGeneratorState, free, pending,
                    quantized, in.readFloat(), in.readFloat());
        } else {
            float[] mids = Fields.readFloats(in);
            float[] scales = Fields.readFloats(in);
            if (mids == null || scales == null) {
                throw new IOException("quantizer mids and scales must be present (length >= 0); mids="
                        + (mids == null ? "null" : mids.length) + ", scales=" + (scales == null ? "null" : scales.length));
            }
            i = new IndexMetadata(highWater, liveCount, entryPoint, maxLevel, levelGeneratorState, free, pending,
                    quantized, mids, scales);
        }
        return new KeyIndexMeta(dimension, i);
    }

    @Override
    public TypeSerializerSnapshot<KeyIndexMeta> snapshotConfiguration() {
        // The snapshot names the format this instance writes, so data it writes is never labelled newer.
        return new Snapshot(formatVersion());
    }

    /** Versioned snapshot; see {@link VersionedSerializerSnapshot}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<KeyIndexMeta> {
        public Snapshot() {
            super(VERSION);
        }

        Snapshot(int formatVersion) {
            super(formatVersion);
        }

        @Override
        protected TypeSerializer<KeyIndexMeta> serializerFor(int formatVersion) {
            return formatVersion == VERSION ? INSTANCE : new KeyIndexMetaSerializer(formatVersion);
        }
    }
}
