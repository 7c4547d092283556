package io.vectorstream.operators.typeutils;

import io.vectorstream.operators.QueryResult;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link QueryResult}. Format v1: queryId, key, k, ids, distances, indexSize, searchMicros, shard,
 * shardsAnswered, shardCount.
 */
public final class QueryResultSerializer extends ImmutableValueSerializer<QueryResult> {
    private static final long serialVersionUID = 1L;
    public static final int VERSION = 1;
    public static final QueryResultSerializer INSTANCE = new QueryResultSerializer(VERSION);

    private QueryResultSerializer(int formatVersion) {
        super(formatVersion);
    }

    @Override
    public QueryResult createInstance() {
        return new QueryResult(null, null, 1, new long[0], new float[0], 0, 0, -1, 1, 1);
    }

    @Override
    public void serialize(QueryResult r, DataOutputView out) throws IOException {
        Fields.writeString(out, r.queryId());
        Fields.writeString(out, r.key());
        out.writeInt(r.k());
        Fields.writeLongs(out, r.ids());
        Fields.writeFloats(out, r.distances());
        out.writeInt(r.indexSize());
        out.writeLong(r.searchMicros());
        out.writeInt(r.shard());
        out.writeInt(r.shardsAnswered());
        out.writeInt(r.shardCount());
    }

    @Override
    public QueryResult deserialize(DataInputView in) throws IOException {
        return new QueryResult(Fields.readString(in), Fields.readString(in), in.readInt(), Fields.readLongs(in),
                Fields.readFloats(in), in.readInt(), in.readLong(), in.readInt(), in.readInt(), in.readInt());
    }

    @Override
    public TypeSerializerSnapshot<QueryResult> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Versioned snapshot; see {@link VersionedSerializerSnapshot}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<QueryResult> {
        public Snapshot() {
            super(VERSION);
        }

        @Override
        protected TypeSerializer<QueryResult> serializerFor(int formatVersion) {
            return formatVersion == VERSION ? INSTANCE : new QueryResultSerializer(formatVersion);
        }
    }
}
