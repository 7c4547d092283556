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
 * State serializer of {@link KeyIndexMeta}. Format v3: dimension, highWater, liveCount, entryPoint, maxLevel,
 * level-generator state, free ordinals, pending ordinals, then the quantiser as one byte: 0 not quantised, 1 one
 * range (float mid and scale follow), 2 a range per coordinate, kept in its own state ({@link KeyQuantizer}) and
 * absent from the metadata, which holds it as quantised with no ranges; then the latest inserts' ordinals
 * ({@link IndexMetadata#recentInserts()}), which the next inserts also search from.
 *
 * <p>Format v2 (still read) is v3 without the latest inserts: its indexes restore as if nothing had been inserted
 * just before the checkpoint.
 *
 * <p>Format v1 (still read) ended with the quantised flag, one mid and one scale (written even when not
 * quantised).
 */
public final class KeyIndexMetaSerializer extends ImmutableValueSerializer<KeyIndexMeta> {
    private static final long serialVersionUID = 1L;
    public static final int VERSION = 3;
    /** The format without the latest inserts. Still read. */
    static final int VERSION_2 = 2;
    /** The first format: one quantiser range. Still read. */
    static final int VERSION_1 = 1;
    private static final int NOT_QUANTIZED = 0;
    private static final int ONE_RANGE = 1;
    private static final int PER_COORDINATE = 2;
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
        int ranges = i.quantizerRanges();
        if (ranges > 1) {
            throw new IllegalStateException("a range per coordinate is kept in its own state (KeyQuantizer), not "
                    + "in the metadata; ranges=" + ranges);
        }
        float[] mids = i.quantizerMids();
        float[] scales = i.quantizerScales();
        if (formatVersion() == VERSION_1) {
            // A serializer restored for v1 data writes v1 (Flink may copy state with it before migrating).
            if (i.quantized() && ranges == 0) {
                throw new IllegalStateException("format v1 holds one quantizer range; the ranges are per coordinate");
            }
            out.writeBoolean(i.quantized());
            out.writeFloat(ranges == 0 ? 0f : mids[0]);
            out.writeFloat(ranges == 0 ? 0f : scales[0]);
            return;
        }
        if (!i.quantized()) {
            out.writeByte(NOT_QUANTIZED);
        } else if (ranges == 1) {
            out.writeByte(ONE_RANGE);
            out.writeFloat(mids[0]);
            out.writeFloat(scales[0]);
        } else {
            out.writeByte(PER_COORDINATE);
        }
        if (formatVersion() > VERSION_2) {
            Fields.writeInts(out, i.recentInserts());
        }
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
        boolean quantized;
        float[] mids = new float[0];
        float[] scales = new float[0];
        if (formatVersion() == VERSION_1) {
            quantized = in.readBoolean();
            float mid = in.readFloat();
            float scale = in.readFloat();
            if (quantized) {
                mids = new float[] {mid};
                scales = new float[] {scale};
            }
        } else {
            int kind = in.readByte();
            switch (kind) {
                case NOT_QUANTIZED:
                    quantized = false;
                    break;
                case ONE_RANGE:
                    quantized = true;
                    mids = new float[] {in.readFloat()};
                    scales = new float[] {in.readFloat()};
                    break;
                case PER_COORDINATE:
                    quantized = true;
                    break;
                default:
                    throw new IOException("corrupt index metadata: quantizer kind must be one of [0, 1, 2]; kind=" + kind);
            }
        }
        int[] recent = formatVersion() > VERSION_2 ? Fields.readInts(in) : new int[0];
        IndexMetadata i = new IndexMetadata(highWater, liveCount, entryPoint, maxLevel, levelGeneratorState, free,
                pending, quantized, mids, scales, recent);
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
