package io.vectorstream.operators.state;

import io.vectorstream.operators.AttributeFilter;
import java.util.Arrays;
import java.util.Objects;

/**
 * A registered standing query of one key and its current answer, as kept in keyed state: the query as it arrived
 * (raw vector, k, efSearch, filter, radius, expiry) and its top k, closest first with equal distances by id.
 * Immutable by contract: the arrays must not be modified after construction. Thread-safe.
 *
 * @param radius    only neighbours at a distance below this; {@link Float#POSITIVE_INFINITY} for none
 * @param expiresAt the event time it ends at; {@link Long#MAX_VALUE} for never
 */
public record StandingQuery(String queryId, float[] vector, int k, int efSearch, AttributeFilter filter, float radius,
                            long expiresAt, long eventTime, long[] ids, float[] distances) {

    /** The same query with another answer. */
    public StandingQuery withAnswer(long[] newIds, float[] newDistances) {
        return new StandingQuery(queryId, vector, k, efSearch, filter, radius, expiresAt, eventTime, newIds,
                newDistances);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StandingQuery q && k == q.k && efSearch == q.efSearch
                && Float.compare(radius, q.radius) == 0 && expiresAt == q.expiresAt && eventTime == q.eventTime
                && queryId.equals(q.queryId) && Arrays.equals(vector, q.vector) && Objects.equals(filter, q.filter)
                && Arrays.equals(ids, q.ids) && Arrays.equals(distances, q.distances);
    }

    @Override
    public int hashCode() {
        return Objects.hash(queryId, k, expiresAt) * 31 + Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return "StandingQuery{" + queryId + ", k=" + k + ", radius=" + radius + ", expiresAt=" + expiresAt + ", ids="
                + Arrays.toString(ids) + ", distances=" + Arrays.toString(distances) + '}';
    }
}
