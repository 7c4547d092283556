package io.vectorstream.operators;

import io.vectorstream.operators.typeutils.RecordTypeInfoFactories;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import java.util.Arrays;
import java.util.Objects;

/**
 * A k-nearest-neighbour query. With a partition key it searches that key's index; without one (global
 * mode) it fans out to every shard and the partial answers are merged. Immutable by contract; thread-safe.
 */
@TypeInfo(RecordTypeInfoFactories.Query.class)
public final class VectorQuery {
    private final String queryId;
    private final String key;
    private final float[] vector;
    private final int k;
    private final int efSearch;
    private final AttributeFilter filter;
    private final long eventTime;
    private final int shard;
    private final RecordOrigin origin;
    private final Standing standing;
    private final Float radius;
    private final Long expiresAt;
    private final Long neighborsOf;

    /** What a query asks of the index: one answer now, or an answer that follows the stream. */
    public enum Standing {
        /** One answer, against the index as it is at the query's time. */
        ONCE,
        /** Answer now, then an update ({@link QueryResult.Kind#STANDING_UPDATE}) whenever the top k changes. */
        REGISTER,
        /** Stop the standing query of this id ({@link QueryResult.Kind#STANDING_REMOVED}). */
        UNREGISTER
    }

    /**
     * @param efSearch 0 means the operator's default
     * @param filter   null means no filter
     */
    public VectorQuery(String queryId, String key, float[] vector, int k, int efSearch, AttributeFilter filter,
                       long eventTime) {
        this(queryId, key, vector, k, efSearch, filter, eventTime, -1, null);
    }

    /** @param origin where the query was read from (dead letters name it), or null */
    public VectorQuery(String queryId, String key, float[] vector, int k, int efSearch, AttributeFilter filter,
                       long eventTime, RecordOrigin origin) {
        this(queryId, key, vector, k, efSearch, filter, eventTime, -1, origin);
    }

    VectorQuery(String queryId, String key, float[] vector, int k, int efSearch, AttributeFilter filter,
                long eventTime, int shard, RecordOrigin origin) {
        this(queryId, key, vector, k, efSearch, filter, eventTime, shard, origin, Standing.ONCE, null, null, null);
    }

    VectorQuery(String queryId, String key, float[] vector, int k, int efSearch, AttributeFilter filter,
                long eventTime, int shard, RecordOrigin origin, Standing standing, Float radius, Long expiresAt,
                Long neighborsOf) {
        this.neighborsOf = neighborsOf;
        this.standing = standing == null ? Standing.ONCE : standing;
        this.radius = radius;
        this.expiresAt = expiresAt;
        this.origin = origin;
        this.queryId = queryId;
        this.key = key;
        this.vector = vector;
        this.k = k;
        this.efSearch = efSearch;
        this.filter = filter;
        this.eventTime = eventTime;
        this.shard = shard;
    }

    /** This query addressed to one shard (global mode fan-out). */
    public VectorQuery toShard(int shard) {
        return new VectorQuery(queryId, key, vector, k, efSearch, filter, eventTime, shard, origin, standing, radius,
                expiresAt, neighborsOf);
    }

    /** This query, read from {@code origin}. */
    public VectorQuery withOrigin(RecordOrigin origin) {
        return new VectorQuery(queryId, key, vector, k, efSearch, filter, eventTime, shard, origin, standing, radius,
                expiresAt, neighborsOf);
    }

    /**
     * This query as a standing one: {@link Standing#REGISTER} keeps answering it (only neighbours at a distance
     * below {@code radius} when not null, until event time {@code expiresAt} when not null);
     * {@link Standing#UNREGISTER} stops the standing query of this id (its vector is then not needed).
     */
    public VectorQuery withStanding(Standing standing, Float radius, Long expiresAt) {
        return new VectorQuery(queryId, key, vector, k, efSearch, filter, eventTime, shard, origin, standing, radius,
                expiresAt, neighborsOf);
    }

    /**
     * This query as the search for the neighbours of upsert {@code upsertId} (GLOBAL mode with several shards per
     * key sends one to each of the key's shards): each shard answers with its k nearest, the upsert's id excluded,
     * closer than {@code radius} when not null, as a partial {@link QueryResult.Kind#INSERT_NEIGHBORS} result.
     */
    public VectorQuery asNeighborsOf(long upsertId, Float radius) {
        return new VectorQuery(queryId, key, vector, k, efSearch, filter, eventTime, shard, origin, Standing.ONCE,
                radius, null, upsertId);
    }

    /** The upsert whose neighbours this query searches ({@link #asNeighborsOf}), or null for a query. */
    public Long neighborsOf() { return neighborsOf; }

    /** A standing query's registration, removal, or {@link Standing#ONCE} (the default). */
    public Standing standing() { return standing; }
    /** Only neighbours at a distance below this, or null (standing queries and neighbour searches). */
    public Float radius() { return radius; }
    /** The event time a standing query ends at, or null for never. */
    public Long expiresAt() { return expiresAt; }

    public String queryId() { return queryId; }
    /** The partition key, or null for a global query. */
    public String key() { return key; }
    public float[] vector() { return vector; }
    public int k() { return k; }
    /** efSearch, or 0 for the operator's default. */
    public int efSearch() { return efSearch; }
    /** The attribute filter, or null. */
    public AttributeFilter filter() { return filter; }
    public long eventTime() { return eventTime; }
    /** The shard this copy is addressed to in global mode, or -1. */
    public int shard() { return shard; }
    /** Where the query was read from, or null. */
    public RecordOrigin origin() { return origin; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof VectorQuery)) {
            return false;
        }
        VectorQuery q = (VectorQuery) o;
        return k == q.k && efSearch == q.efSearch && eventTime == q.eventTime && shard == q.shard
                && standing == q.standing && Objects.equals(radius, q.radius) && Objects.equals(expiresAt, q.expiresAt)
                && Objects.equals(neighborsOf, q.neighborsOf)
                && Objects.equals(queryId, q.queryId) && Objects.equals(key, q.key)
                && Arrays.equals(vector, q.vector) && Objects.equals(filter, q.filter) && Objects.equals(origin, q.origin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(queryId, key, k, efSearch, eventTime, shard) * 31 + Arrays.hashCode(vector);
    }

    @Override
    public String toString() {
        return "VectorQuery{queryId=" + queryId + ", key=" + key + ", dim=" + (vector == null ? "null" : vector.length)
                + ", k=" + k + ", efSearch=" + efSearch + ", filter=" + filter + ", eventTime=" + eventTime
                + (shard >= 0 ? ", shard=" + shard : "")
                + (standing == Standing.ONCE ? "" : ", standing=" + standing + ", radius=" + radius + ", expiresAt="
                        + expiresAt)
                + (neighborsOf == null ? "" : ", neighborsOf=" + neighborsOf + ", radius=" + radius)
                + (origin == null ? "" : ", origin=" + origin) + '}';
    }
}
