package io.vectorstream.operators.state;

import io.vectorstream.operators.AttributeFilter;
import io.vectorstream.operators.typeutils.Fields;
import io.vectorstream.operators.typeutils.ImmutableValueSerializer;
import io.vectorstream.operators.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * State serializer of {@link StandingQuery}. Format v1: queryId, vector floats, k, efSearch, filter (nullable map
 * of attribute to allowed values), radius, expiresAt, eventTime, answer ids, answer distances.
 */
public final class StandingQuerySerializer extends ImmutableValueSerializer<StandingQuery> {
    private static final long serialVersionUID = 1L;
    public static final int VERSION = 1;
    public static final StandingQuerySerializer INSTANCE = new StandingQuerySerializer(VERSION);

    private StandingQuerySerializer(int formatVersion) {
        super(formatVersion);
    }

    @Override
    public StandingQuery createInstance() {
        return new StandingQuery("", new float[0], 1, 0, null, Float.POSITIVE_INFINITY, Long.MAX_VALUE, 0L,
                new long[0], new float[0]);
    }

    @Override
    public void serialize(StandingQuery q, DataOutputView out) throws IOException {
        Fields.writeString(out, q.queryId());
        Fields.writeFloats(out, q.vector());
        out.writeInt(q.k());
        out.writeInt(q.efSearch());
        out.writeBoolean(q.filter() != null);
        if (q.filter() != null) {
            Fields.writeStringSetMap(out, q.filter().clauses());
        }
        out.writeFloat(q.radius());
        out.writeLong(q.expiresAt());
        out.writeLong(q.eventTime());
        Fields.writeLongs(out, q.ids());
        Fields.writeFloats(out, q.distances());
    }

    @Override
    public StandingQuery deserialize(DataInputView in) throws IOException {
        String queryId = Fields.readString(in);
        float[] vector = Fields.readFloats(in);
        int k = in.readInt();
        int efSearch = in.readInt();
        AttributeFilter filter = in.readBoolean() ? AttributeFilter.of(Fields.readStringSetMap(in)) : null;
        float radius = in.readFloat();
        long expiresAt = in.readLong();
        long eventTime = in.readLong();
        long[] ids = Fields.readLongs(in);
        float[] distances = Fields.readFloats(in);
        if (queryId == null || vector == null || ids == null || distances == null || ids.length != distances.length) {
            throw new IOException("corrupt standing query: queryId, vector and an answer of equal lengths must be "
                    + "set; queryId=" + queryId);
        }
        return new StandingQuery(queryId, vector, k, efSearch, filter, radius, expiresAt, eventTime, ids, distances);
    }

    @Override
    public TypeSerializerSnapshot<StandingQuery> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Versioned snapshot; see {@link VersionedSerializerSnapshot}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<StandingQuery> {
        public Snapshot() {
            super(VERSION);
        }

        @Override
        protected TypeSerializer<StandingQuery> serializerFor(int formatVersion) {
            return formatVersion == VERSION ? INSTANCE : new StandingQuerySerializer(formatVersion);
        }
    }
}
