package io.vectorstream.operators;

import io.vectorstream.index.HnswSearcher;
import io.vectorstream.index.VectorMetric;
import java.util.Locale;

/**
 * Checks events and queries before they touch an index. Each check returns null when the record is fine, or
 * the dead-letter reason naming the field, the rule and the value. Stateless; thread-safe.
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

    /** Rules that need no index: op, id, vector presence, finite components, fixed dimension, cosine zero. */
    public String checkEvent(VectorEvent e) {
        String op = e.op() == null ? null : e.op().toLowerCase(Locale.ROOT);
        if (!VectorEvent.UPSERT.equals(op) && !VectorEvent.DELETE.equals(op)) {
            return "op must be one of [upsert, delete]; op=" + e.op();
        }
        if (e.id() == null) {
            return "id must be set; id=null";
        }
        if (VectorEvent.DELETE.equals(op)) {
            return null;
        }
        return checkVector("vector", e.vector());
    }

    /** Rules that need no index: id, vector, k, efSearch, key presence in KEYED mode. */
    public String checkQuery(VectorQuery q) {
        if (q.queryId() == null || q.queryId().isEmpty()) {
            return "queryId must be set; queryId=" + (q.queryId() == null ? "null" : "\"\"");
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
        return checkVector("vector", q.vector());
    }

    /** The key's index fixes the dimension once it exists. */
    public static String checkDimension(String field, float[] v, int expected) {
        if (v.length != expected) {
            return field + " dimension must be " + expected + " (the key's index); dimension=" + v.length;
        }
        return null;
    }

    private String checkVector(String field, float[] v) {
        if (v == null) {
            return field + " must be set; " + field + "=null";
        }
        if (v.length == 0) {
            return field + " must not be empty; dimension=0";
        }
        if (config.dimension() > 0 && v.length != config.dimension()) {
            return field + " dimension must be " + config.dimension() + "; dimension=" + v.length;
        }
        boolean zero = true;
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                return field + " components must be finite; " + field + "[" + i + "]=" + v[i];
            }
            zero &= v[i] == 0f;
        }
        if (zero && config.metric() == VectorMetric.COSINE) {
            return field + " must be non-zero for cosine; |" + field + "|=0";
        }
        return null;
    }
}
