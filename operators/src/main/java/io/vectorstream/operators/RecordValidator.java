package io.vectorstream.operators;

import io.vectorstream.index.HnswSearcher;
import io.vectorstream.index.VectorMetric;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks events and queries before they touch an index or a serializer. Each check returns null when the record
 * is fine, or the dead-letter reason naming the field, the rule and the value (values quoted through
 * {@link RecordLimits#quote}, so a reason stays short whatever the input). Every limit is in
 * {@link RecordLimits}. Stateless; thread-safe.
 */
public final class RecordValidator {
    private final VectorSearchConfig config;

    public RecordValidator(VectorSearchConfig config) {
        this.config = config;
    }

    /** Whether {@code op} is an upsert (after {@link #checkEvent} accepted it). */
    public static boolean isUpsert(VectorEvent e) {
        return VectorEvent.UPSERT.equals(e.op().toLowerCase(Locale.ROOT));
    }

    /** Rules that need no index: op, id, key, attributes, event time, and for upserts the vector. */
    public String checkEvent(VectorEvent e) {
        String op = e.op() == null ? null : e.op().toLowerCase(Locale.ROOT);
        if (!VectorEvent.UPSERT.equals(op) && !VectorEvent.DELETE.equals(op)) {
            return "op must be one of [upsert, delete]; op=" + RecordLimits.quote(e.op());
        }
        if (e.id() == null) {
            return "id must be set; id=null";
        }
        String reason = RecordLimits.checkBytes("key", e.key(), RecordLimits.MAX_KEY_BYTES);
        if (reason == null) {
            reason = checkEventTime(e.eventTime());
        }
        if (reason == null) {
            reason = checkAttributes(e.attributes());
        }
        if (reason == null && config.mode() == IndexMode.GLOBAL && e.routingHash() != null
                && e.routingHash() != GlobalRouting.routingHash(e.key(), e.id())) {
            // GLOBAL mode routes by (key, id) alone; a producer whose hash says otherwise partitions differently
            // from the job, and silently accepting it would hide that.
            reason = "routingHash must equal GlobalRouting.routingHash(key, id) = "
                    + GlobalRouting.routingHash(e.key(), e.id()) + " (or be absent); routingHash=" + e.routingHash();
        }
        if (reason != null || VectorEvent.DELETE.equals(op)) {
            return reason;
        }
        reason = checkNeighborsRequest(e);
        return reason != null ? reason : checkVector("vector", e.vector());
    }

    /** An upsert's kNN-on-insert request: k in range and a finite radius. */
    private String checkNeighborsRequest(VectorEvent e) {
        if (e.neighborsK() != null && (e.neighborsK() < 0 || e.neighborsK() > HnswSearcher.MAX_K)) {
            return "neighborsK must be in [0, " + HnswSearcher.MAX_K + "]; neighborsK=" + e.neighborsK();
        }
        if (e.neighborsRadius() != null && !Float.isFinite(e.neighborsRadius())) {
            return "neighborsRadius must be finite; neighborsRadius=" + e.neighborsRadius();
        }
        return null;
    }

    /** A standing query's own rules (after the query id): a key, radius and expiry. */
    private String checkStanding(VectorQuery q) {
        if (q.key() == null) {
            return "key must be set for a standing query (it follows one key's vectors); key=null, standing="
                    + q.standing();
        }
        if (q.radius() != null && !Float.isFinite(q.radius())) {
            return "radius must be finite; radius=" + q.radius();
        }
        if (q.expiresAt() != null && q.expiresAt() <= q.eventTime()) {
            return "expiresAt must be after eventTime; expiresAt=" + q.expiresAt() + ", eventTime=" + q.eventTime();
        }
        return null;
    }

    /** Rules that need no index: id, key, k, efSearch, filter, event time, vector, key presence in KEYED mode. */
    public String checkQuery(VectorQuery q) {
        if (q.queryId() == null || q.queryId().isEmpty()) {
            return "queryId must be set; queryId=" + (q.queryId() == null ? "null" : "\"\"");
        }
        String reason = RecordLimits.checkBytes("queryId", q.queryId(), RecordLimits.MAX_KEY_BYTES);
        if (reason != null) {
            return reason;
        }
        if (q.standing() != VectorQuery.Standing.ONCE) {
            reason = checkStanding(q);
            if (reason == null) {
                reason = RecordLimits.checkBytes("key", q.key(), RecordLimits.MAX_KEY_BYTES);
            }
            if (reason == null) {
                reason = checkEventTime(q.eventTime());
            }
            if (reason != null || q.standing() == VectorQuery.Standing.UNREGISTER) {
                return reason; // an unregistration needs no vector, k or filter
            }
        } else if (q.neighborsOf() != null) {
            if (q.radius() != null && !Float.isFinite(q.radius())) {
                return "radius must be finite; radius=" + q.radius();
            }
        } else if (q.radius() != null || q.expiresAt() != null) {
            return "radius and expiresAt apply to standing queries only; standing=ONCE, radius=" + q.radius()
                    + ", expiresAt=" + q.expiresAt();
        }
        if (q.k() < 1 || q.k() > HnswSearcher.MAX_K) {
            return "k must be in [1, " + HnswSearcher.MAX_K + "]; k=" + q.k();
        }
        if (q.efSearch() != 0 && (q.efSearch() < q.k() || q.efSearch() > HnswSearcher.MAX_EF)) {
            return "efSearch must be 0 (default) or in [k, " + HnswSearcher.MAX_EF + "]; efSearch=" + q.efSearch()
                    + ", k=" + q.k();
        }
        if (config.mode() == IndexMode.KEYED && q.key() == null) {
            return "key must be set in KEYED mode (global queries need mode GLOBAL); key=null";
        }
        reason = RecordLimits.checkBytes("key", q.key(), RecordLimits.MAX_KEY_BYTES);
        if (reason == null) {
            reason = checkEventTime(q.eventTime());
        }
        if (reason == null && q.filter() != null) {
            reason = checkFilter(q.filter().clauses());
        }
        return reason != null ? reason : checkVector("vector", q.vector());
    }

    /** The key's index fixes the dimension once it exists. */
    public static String checkDimension(String field, float[] v, int expected) {
        if (v.length != expected) {
            return field + " dimension must be " + expected + " (the key's index); dimension=" + v.length;
        }
        return null;
    }

    /** Event time must lie in {@link RecordLimits#MIN_EVENT_TIME}..{@link RecordLimits#MAX_EVENT_TIME}. */
    public static String checkEventTime(long eventTime) {
        if (eventTime < RecordLimits.MIN_EVENT_TIME || eventTime > RecordLimits.MAX_EVENT_TIME) {
            return "eventTime must be in [" + RecordLimits.MIN_EVENT_TIME + ", " + RecordLimits.MAX_EVENT_TIME
                    + "] (epoch ms, 1970 to 9999); eventTime=" + eventTime;
        }
        return null;
    }

    private static String checkAttributes(Map<String, String> attributes) {
        if (attributes.size() > RecordLimits.MAX_ATTRIBUTES) {
            return "attributes must have at most " + RecordLimits.MAX_ATTRIBUTES + " entries; entries="
                    + attributes.size();
        }
        for (Map.Entry<String, String> a : attributes.entrySet()) {
            String reason = checkAttributeName("attributes", a.getKey());
            if (reason != null) {
                return reason;
            }
            if (a.getValue() == null) {
                return "attributes values must be set; attributes[" + RecordLimits.quote(a.getKey()) + "]=null";
            }
            reason = RecordLimits.checkBytes("attributes[" + RecordLimits.quote(a.getKey()) + "]", a.getValue(),
                    RecordLimits.MAX_ATTRIBUTE_VALUE_BYTES);
            if (reason != null) {
                return reason;
            }
        }
        return null;
    }

    private static String checkFilter(Map<String, Set<String>> clauses) {
        if (clauses.size() > RecordLimits.MAX_ATTRIBUTES) {
            return "filter must have at most " + RecordLimits.MAX_ATTRIBUTES + " clauses; clauses=" + clauses.size();
        }
        for (Map.Entry<String, Set<String>> c : clauses.entrySet()) {
            String reason = checkAttributeName("filter", c.getKey());
            if (reason != null) {
                return reason;
            }
            String field = "filter[" + RecordLimits.quote(c.getKey()) + "]";
            if (c.getValue().size() > RecordLimits.MAX_FILTER_VALUES) {
                return field + " must have at most " + RecordLimits.MAX_FILTER_VALUES + " values; values="
                        + c.getValue().size();
            }
            for (String v : c.getValue()) {
                if (v == null) {
                    return field + " values must be set; value=null";
                }
                reason = RecordLimits.checkBytes(field, v, RecordLimits.MAX_ATTRIBUTE_VALUE_BYTES);
                if (reason != null) {
                    return reason;
                }
            }
        }
        return null;
    }

    private static String checkAttributeName(String field, String name) {
        if (name == null) {
            return field + " names must be set; name=null";
        }
        return RecordLimits.checkBytes(field + " name", name, RecordLimits.MAX_ATTRIBUTE_NAME_BYTES);
    }

    private String checkVector(String field, float[] v) {
        if (v == null) {
            return field + " must be set; " + field + "=null";
        }
        if (v.length == 0) {
            return field + " must not be empty; dimension=0";
        }
        if (v.length > RecordLimits.MAX_DIMENSION) {
            return field + " dimension must be in [1, " + RecordLimits.MAX_DIMENSION + "]; dimension=" + v.length;
        }
        if (config.dimension() > 0 && v.length != config.dimension()) {
            return field + " dimension must be " + config.dimension() + "; dimension=" + v.length;
        }
        double norm2 = 0;
        for (int i = 0; i < v.length; i++) {
            float x = v[i];
            if (!Float.isFinite(x)) {
                return field + " components must be finite; " + field + "[" + i + "]=" + x;
            }
            if (Math.abs(x) > RecordLimits.MAX_COMPONENT) {
                return field + " components must be in [-" + RecordLimits.MAX_COMPONENT + ", "
                        + RecordLimits.MAX_COMPONENT + "]; " + field + "[" + i + "]=" + x;
            }
            norm2 += (double) x * x;
        }
        if (config.metric() == VectorMetric.COSINE) {
            if (norm2 == 0) {
                return field + " must be non-zero for cosine; |" + field + "|=0";
            }
            // The index normalises in float: a norm outside this range underflows or overflows there.
            double norm = Math.sqrt(norm2);
            if (norm < RecordLimits.MIN_COSINE_NORM || norm > RecordLimits.MAX_COSINE_NORM) {
                return "|" + field + "| must be in [" + RecordLimits.MIN_COSINE_NORM + ", "
                        + RecordLimits.MAX_COSINE_NORM + "] for cosine; |" + field + "|=" + norm;
            }
        }
        return null;
    }
}
