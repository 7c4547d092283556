package io.vectorstream.operators.typeutils;

import io.vectorstream.operators.QueryResult;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link QueryResult}. Format v1: queryId, key, k, ids, distances, indexSize, searchMicros, shard,
 * shardsAnswered, shardCount. Format v2: v1, then the query's event time. Format v3: v2, then the kind (a byte: 0
 * answer, 1 standing update, 2 standing removed, 3 insert neighbours). Reads v1 to v3.
 */
public final class QueryResultSerializer extends ImmutableValueSerializer<QueryResult> {
    private static final long serialVersionUID = 1L;
    public static final int VERSION = 3;
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
        if (formatVersion() >= 2) {
            out.writeLong(r.queryEventTime());
        }
        if (formatVersion() >= 3) {
            out.writeByte(kindCode(r.kind()));
        }
    }

    // Stable codes, never ordinal(): reordering the enum must not change stored data.
    private static int kindCode(QueryResult.Kind kind) {
        switch (kind) {
            case ANSWER: return 0;
            case STANDING_UPDATE: return 1;
            case STANDING_REMOVED: return 2;
            case INSERT_NEIGHBORS: return 3;
            default: throw new AssertionError(kind);
        }
    }

    private static QueryResult.Kind kindOf(int code) throws IOException {
        switch (code) {
            case 0: return QueryResult.Kind.ANSWER;
            case 1: return QueryResult.Kind.STANDING_UPDATE;
            case 2: return QueryResult.Kind.STANDING_REMOVED;
            case 3: return QueryResult.Kind.INSERT_NEIGHBORS;
            default: throw new IOException("result kind code must be in [0, 3]; code=" + code);
        }
    }

    @Override
    public QueryResult deserialize(DataInputView in) throws IOException {
        String queryId = Fields.readString(in);
        String key = Fields.readString(in);
        int k = in.readInt();
        long[] ids = Fields.readLongs(in);
        float[] distances = Fields.readFloats(in);
        int indexSize = in.readInt();
        long searchMicros = in.readLong();
        int shard = in.readInt();
        int shardsAnswered = in.readInt();
        int shardCount = in.readInt();
        long queryEventTime = formatVersion() >= 2 ? in.readLong() : QueryResult.UNKNOWN_EVENT_TIME;
        QueryResult.Kind kind = formatVersion() >= 3 ? kindOf(in.readByte()) : QueryResult.Kind.ANSWER;
        return new QueryResult(queryId, key, k, ids, distances, indexSize, searchMicros, shard, shardsAnswered,
                shardCount, queryEventTime, kind);
    }

    @Override
    public TypeSerializerSnapshot<QueryResult> snapshotConfiguration() {
        // The snapshot names the format this instance writes, so data it writes is never labelled newer.
        return new Snapshot(formatVersion());
    }

    /** Versioned snapshot; see {@link VersionedSerializerSnapshot}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<QueryResult> {
        public Snapshot() {
            super(VERSION);
        }

        Snapshot(int formatVersion) {
            super(formatVersion);
        }

        @Override
        protected TypeSerializer<QueryResult> serializerFor(int formatVersion) {
            return formatVersion == VERSION ? INSTANCE : new QueryResultSerializer(formatVersion);
        }
    }
}
