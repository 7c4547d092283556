package io.vectorstream.operators.state;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One indexed vector as kept in keyed state (map entry ordinal -> record): the external id, the vector as
 * the index stores it (unit length under cosine), its attributes and event time (for TTL). Written once per
 * upsert; neighbour lists live in a separate map so edge changes do not rewrite vectors.
 * Immutable by contract.
 */
public final class NodeRecord {
    private final long id;
    private final float[] vector;
    private final Map<String, String> attributes;
    private final long eventTime;

    public NodeRecord(long id, float[] vector, Map<String, String> attributes, long eventTime) {
        this.id = id;
        this.vector = vector;
        this.attributes = attributes;
        this.eventTime = eventTime;
    }

    public long id() { return id; }
    public float[] vector() { return vector; }
    public Map<String, String> attributes() { return attributes; }
    public long eventTime() { return eventTime; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NodeRecord)) {
            return false;
        }
        NodeRecord r = (NodeRecord) o;
        return id == r.id && eventTime == r.eventTime && Arrays.equals(vector, r.vector)
                && Objects.equals(attributes, r.attributes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + Arrays.hashCode(vector);
    }

    @Override
    public String toString() {
        return "NodeRecord{id=" + id + ", dim=" + vector.length + ", attributes=" + attributes + ", eventTime=" + eventTime + '}';
    }
}
