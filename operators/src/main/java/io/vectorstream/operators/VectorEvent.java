package io.vectorstream.operators;

import io.vectorstream.operators.typeutils.RecordTypeInfoFactories;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;

/**
 * A vector change: upsert or delete of one id under one partition key. Fields may be missing or invalid as
 * they arrive; the operator validates them and sends bad events to the dead-letter output with a reason.
 *
 * <p>Immutable by contract: the arrays and maps handed in must not be modified afterwards. Thread-safe.
 */
@TypeInfo(RecordTypeInfoFactories.Event.class)
public final class VectorEvent {
    /** The op names understood by the operator. */
    public static final String UPSERT = "upsert";
    public static final String DELETE = "delete";

    private final String op;
    private final Long id;
    private final String key;
    private final float[] vector;
    private final Map<String, String> attributes;
    private final long eventTime;
    private final Long routingHash;
    private final RecordOrigin origin;
    private final Integer neighborsK;
    private final Float neighborsRadius;

    public VectorEvent(String op, Long id, String key, float[] vector, Map<String, String> attributes, long eventTime) {
        this(op, id, key, vector, attributes, eventTime, null);
    }

    /** @param routingHash a producer-supplied 64-bit hash that picks the shard in GLOBAL mode (null: the id's) */
    public VectorEvent(String op, Long id, String key, float[] vector, Map<String, String> attributes, long eventTime,
                       Long routingHash) {
        this(op, id, key, vector, attributes, eventTime, routingHash, null);
    }

    /** @param origin where the event was read from (dead letters name it), or null */
    public VectorEvent(String op, Long id, String key, float[] vector, Map<String, String> attributes, long eventTime,
                       Long routingHash, RecordOrigin origin) {
        this(op, id, key, vector, attributes, eventTime, routingHash, origin, null, null);
    }

    /**
     * @param neighborsK      an upsert's request for its own k nearest neighbours among the vectors already
     *                        indexed under its key ({@link QueryResult.Kind#INSERT_NEIGHBORS}); 0 asks for none,
     *                        null leaves it to the job's default
     * @param neighborsRadius only neighbours at a distance below this; null for the job's default (none)
     */
    public VectorEvent(String op, Long id, String key, float[] vector, Map<String, String> attributes, long eventTime,
                       Long routingHash, RecordOrigin origin, Integer neighborsK, Float neighborsRadius) {
        this.neighborsK = neighborsK;
        this.neighborsRadius = neighborsRadius;
        this.origin = origin;
        this.routingHash = routingHash;
        this.op = op;
        this.id = id;
        this.key = key;
        this.vector = vector;
        this.attributes = attributes == null ? Collections.emptyMap() : attributes;
        this.eventTime = eventTime;
    }

    public static VectorEvent upsert(String key, long id, float[] vector, long eventTime) {
        return new VectorEvent(UPSERT, id, key, vector, null, eventTime);
    }

    public static VectorEvent upsert(String key, long id, float[] vector, Map<String, String> attributes, long eventTime) {
        return new VectorEvent(UPSERT, id, key, vector, attributes, eventTime);
    }

    public static VectorEvent delete(String key, long id, long eventTime) {
        return new VectorEvent(DELETE, id, key, null, null, eventTime);
    }

    /** {@code upsert} or {@code delete} (case-insensitive); anything else is a dead letter. */
    public String op() { return op; }
    /** The 64-bit vector id; null when missing (a dead letter). */
    public Long id() { return id; }
    /** The partition key; null or empty means the default partition. */
    public String key() { return key; }
    public float[] vector() { return vector; }
    /** String attributes for filtering; never null. */
    public Map<String, String> attributes() { return attributes; }
    /** Event time in epoch milliseconds. */
    public long eventTime() { return eventTime; }
    /** The producer-supplied routing hash, or null to route by id. */
    public Long routingHash() { return routingHash; }
    /** Where the event was read from, or null. */
    public RecordOrigin origin() { return origin; }

    /** The neighbours this upsert asks for: k (0 none), or null for the job's default. */
    public Integer neighborsK() { return neighborsK; }
    /** The distance its neighbours must be below, or null for the job's default (none). */
    public Float neighborsRadius() { return neighborsRadius; }

    /** This event, read from {@code origin}. */
    public VectorEvent withOrigin(RecordOrigin origin) {
        return new VectorEvent(op, id, key, vector, attributes, eventTime, routingHash, origin, neighborsK,
                neighborsRadius);
    }

    /** This event asking for its {@code k} nearest neighbours below {@code radius} (null: none / the default). */
    public VectorEvent withNeighbors(Integer k, Float radius) {
        return new VectorEvent(op, id, key, vector, attributes, eventTime, routingHash, origin, k, radius);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof VectorEvent)) {
            return false;
        }
        VectorEvent e = (VectorEvent) o;
        return eventTime == e.eventTime && Objects.equals(neighborsK, e.neighborsK)
                && Objects.equals(neighborsRadius, e.neighborsRadius) && Objects.equals(routingHash, e.routingHash) && Objects.equals(origin, e.origin) && Objects.equals(op, e.op) && Objects.equals(id, e.id)
                && Objects.equals(key, e.key) && Arrays.equals(vector, e.vector) && attributes.equals(e.attributes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, id, key, eventTime) * 31 + Arrays.hashCode(vector);
    }

    @Override
    public String toString() {
        return "VectorEvent{op=" + op + ", id=" + id + ", key=" + key + ", dim="
                + (vector == null ? "null" : vector.length) + ", attributes=" + attributes + ", eventTime=" + eventTime
                + (neighborsK == null ? "" : ", neighborsK=" + neighborsK)
                + (neighborsRadius == null ? "" : ", neighborsRadius=" + neighborsRadius)
                + (origin == null ? "" : ", origin=" + origin) + '}';
    }
}
