package io.vectorstream.operators.internal;

import io.vectorstream.operators.GlobalRouting;
import io.vectorstream.operators.IndexMode;
import io.vectorstream.operators.state.NodeRecord;
import java.util.Map;

/**
 * The id a vector has inside its key's index. KEYED mode: the caller's id (each partition key has its own
 * index). GLOBAL mode: the routing hash of (partition key, id), so ids are scoped by partition key inside a
 * shard; the key itself is kept as the attribute {@link #KEY_ATTRIBUTE}. Immutable, thread-safe.
 */
public final class IndexIds {
    /** Attribute under which GLOBAL mode keeps a vector's partition key (queries with a key filter on it). */
    public static final String KEY_ATTRIBUTE = "_key";

    private final boolean global;

    public IndexIds(IndexMode mode) {
        this.global = mode == IndexMode.GLOBAL;
    }

    public boolean scopedByKey() {
        return global;
    }

    /** The index id of the caller's ({@code key}, {@code id}). */
    public long of(String key, long id) {
        return global ? GlobalRouting.routingHash(key, id) : id;
    }

    /** The index id of a stored vector. */
    public long of(NodeRecord rec) {
        return of(keyOf(rec), rec.id());
    }

    /**
     * The attributes to store: the event's, plus in GLOBAL mode the partition key ("" for none, the same tenant
     * as null for routing). The validator refuses a caller's own {@link #KEY_ATTRIBUTE} in GLOBAL mode.
     */
    public Map<String, String> attributesToStore(String key, Map<String, String> attributes) {
        if (!global) {
            return attributes;
        }
        Map<String, String> withKey = new java.util.HashMap<>(attributes);
        withKey.put(KEY_ATTRIBUTE, normal(key));
        return withKey;
    }

    /**
     * Whether the stored vector {@code rec} is the caller's ({@code key}, {@code id}): always in KEYED mode;
     * in GLOBAL mode only with the same id and key (two pairs may share a 64-bit routing hash).
     */
    public boolean isSame(NodeRecord rec, String key, long id) {
        return !global || (rec != null && rec.id() == id && normal(keyOf(rec)).equals(normal(key)));
    }

    private static String keyOf(NodeRecord rec) {
        return rec.attributes() == null ? null : rec.attributes().get(KEY_ATTRIBUTE);
    }

    private static String normal(String key) {
        return key == null ? "" : key;
    }
}
