package io.vectorstream.operators.typeutils;

import io.vectorstream.operators.AttributeFilter;
import io.vectorstream.operators.RecordOrigin;
import io.vectorstream.operators.VectorQuery;
import io.vectorstream.operators.internal.QueryAccess;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link VectorQuery}. Format v1: queryId, key, vector, k, efSearch, filter (nullable map of
 * attribute to allowed values), eventTime, shard. Format v2: v1, then the origin (nullable topic, partition,
 * offset). Format v3: v2, then standing (a byte: 0 once, 1 register, 2 unregister), radius (nullable float) and
 * expiresAt (nullable long). Format v4: v3, then neighborsOf (nullable long: the upsert a neighbour search is for).
 * Reads v1 to v4.
 */
public final class VectorQuerySerializer extends ImmutableValueSerializer<VectorQuery> {
    private static final long serialVersionUID = 1L;
    public static final int VERSION = 4;
    public static final VectorQuerySerializer INSTANCE = new VectorQuerySerializer(VERSION);

    private VectorQuerySerializer(int formatVersion) {
        super(formatVersion);
    }

    @Override
    public VectorQuery createInstance() {
        return new VectorQuery(null, null, null, 0, 0, null, 0L);
    }

    @Override
    public void serialize(VectorQuery q, DataOutputView out) throws IOException {
        Fields.writeString(out, q.queryId());
        Fields.writeString(out, q.key());
        Fields.writeFloats(out, q.vector());
        out.writeInt(q.k());
        out.writeInt(q.efSearch());
        out.writeBoolean(q.filter() != null);
        if (q.filter() != null) {
            Fields.writeStringSetMap(out, q.filter().clauses());
        }
        out.writeLong(q.eventTime());
        out.writeInt(q.shard());
        if (formatVersion() >= 2) {
            Fields.writeOrigin(out, q.origin());
        }
        if (formatVersion() >= 3) {
            out.writeByte(standingCode(q.standing()));
            out.writeBoolean(q.radius() != null);
            if (q.radius() != null) {
                out.writeFloat(q.radius());
            }
            out.writeBoolean(q.expiresAt() != null);
            if (q.expiresAt() != null) {
                out.writeLong(q.expiresAt());
            }
        }
        if (formatVersion() >= 4) {
            out.writeBoolean(q.neighborsOf() != null);
            if (q.neighborsOf() != null) {
                out.writeLong(q.neighborsOf());
            }
        }
    }

    // Stable codes, never ordinal(): reordering the enum must not change stored data.
    private static int standingCode(VectorQuery.Standing s) {
        switch (s) {
            case ONCE: return 0;
            case REGISTER: return 1;
            case UNREGISTER: return 2;
            default: throw new AssertionError(s);
        }
    }

    private static VectorQuery.Standing standingOf(int code) throws IOException {
        switch (code) {
            case 0: return VectorQuery.Standing.ONCE;
            case 1: return VectorQuery.Standing.REGISTER;
            case 2: return VectorQuery.Standing.UNREGISTER;
            default: throw new IOException("standing code must be 0, 1 or 2; code=" + code);
        }
    }

    @Override
    public VectorQuery deserialize(DataInputView in) throws IOException {
        String queryId = Fields.readString(in);
        String key = Fields.readString(in);
        float[] vector = Fields.readFloats(in);
        int k = in.readInt();
        int ef = in.readInt();
        AttributeFilter filter = in.readBoolean() ? AttributeFilter.of(Fields.readStringSetMap(in)) : null;
        long eventTime = in.readLong();
        int shard = in.readInt();
        VectorQuery q = QueryAccess.create(queryId, key, vector, k, ef, filter, eventTime, shard);
        RecordOrigin origin = formatVersion() >= 2 ? Fields.readOrigin(in) : null;
        q = origin == null ? q : q.withOrigin(origin);
        if (formatVersion() >= 3) {
            VectorQuery.Standing standing = standingOf(in.readByte());
            Float radius = in.readBoolean() ? in.readFloat() : null;
            Long expiresAt = in.readBoolean() ? in.readLong() : null;
            Long neighborsOf = formatVersion() >= 4 && in.readBoolean() ? in.readLong() : null;
            if (neighborsOf != null) {
                q = q.asNeighborsOf(neighborsOf, radius);
            } else if (standing != VectorQuery.Standing.ONCE || radius != null || expiresAt != null) {
                q = q.withStanding(standing, radius, expiresAt);
            }
        }
        return q;
    }

    @Override
    public TypeSerializerSnapshot<VectorQuery> snapshotConfiguration() {
        // The snapshot names the format this instance writes, so data it writes is never labelled newer.
        return new Snapshot(formatVersion());
    }

    /** Versioned snapshot; see {@link VersionedSerializerSnapshot}. */
    public static final class Snapshot extends VersionedSerializerSnapshot<VectorQuery> {
        public Snapshot() {
            super(VERSION);
        }

        Snapshot(int formatVersion) {
            super(formatVersion);
        }

        @Override
        protected TypeSerializer<VectorQuery> serializerFor(int formatVersion) {
            return formatVersion == VERSION ? INSTANCE : new VectorQuerySerializer(formatVersion);
        }
    }
}
