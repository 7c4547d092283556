package io.vectorstream.operators.state;

import io.vectorstream.operators.typeutils.Fields;
import io.vectorstream.operators.typeutils.ImmutableValueSerializer;
import io.vectorstream.operators.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * State serializer of a node's neighbour lists ({@code int[level + 1][]}, layer 0 first).
 * Format v1: layer count, then each layer's ordinals. The arrays are never mutated once stored.
 */
public final class NeighborListsSerializer extends ImmutableValueSerializer<int[][]> {
    private static final long serialVersionUID = 1L;
    public static final int VERSION = 1;
    public static final NeighborListsSerializer INSTANCE = new NeighborListsSerializer(VERSION);

    private NeighborListsSerializer(int formatVersion) {
        super(formatVersion);
    }

    @Override
    public int[][] createInstance() {
        return new int[][] {new int[0]};
    }

    @Override
    public void serialize(int[][] lists, DataOutputView out) throws IOException {
        out.writeByte(lists.length);
        for (int[] l : lists) {
            Fields.writeInts(out, l);
        }
    }

    @Override
    public int[][] deserialize(DataInputView in) throws IOException {
        int layers = in.readUnsignedByte();
        if (layers < 1 || layers > 33) {
            throw new IOException("corrupt neighbour lists: layers must be in [1, 33]; layers=" + layers);
        }
        int[][] lists = new int[layers][];
        for (int l = 0; l < layers; l++) {
            lists[l] = Fields.readInts(in);
        }
        return lists;
    }

    @Override
    public TypeSerializerSnapshot<int[][]> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Versioned snapshot; see {@link VersionedSerializerSnapshot}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<int[][]> {
        public Snapshot() {
            super(VERSION);
        }

        @Override
        protected TypeSerializer<int[][]> serializerFor(int formatVersion) {
            return formatVersion == VERSION ? INSTANCE : new NeighborListsSerializer(formatVersion);
        }
    }
}
