package io.vectorstream.operators.internal;

import io.vectorstream.index.OrdinalBitSet;
import io.vectorstream.operators.AttributeFilter;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * For one key's index, the ordinals holding each attribute value, so an {@link AttributeFilter} becomes an
 * {@link OrdinalBitSet} in a few word operations instead of a map lookup per node. Within a clause the values'
 * members are OR-ed, across clauses AND-ed; a node without the attribute fails the clause.
 *
 * <p>The caller keeps it in step with the index: {@link #set} after an upsert (replacing whatever the ordinal
 * held before), {@link #clear} when an ordinal is removed (delete, TTL expiry, or the old slot of an upsert).
 * Ordinals beyond the index's bound are never set. Each ordinal also lists the values it holds, so clearing costs
 * its own attributes, not the number of distinct values.
 *
 * <p>Threading: not thread-safe; used by its operator's task thread. {@link #matching} returns scratch that the
 * next call overwrites.
 */
public final class AttributeBitsets {
    private static final ValueOrdinals[] NONE = new ValueOrdinals[0];
    /** HashMap node + table slot, roughly, per entry. */
    private static final long MAP_ENTRY_BYTES = 48L;

    private final Map<String, Map<String, ValueOrdinals>> byName = new HashMap<>();
    /** The values each ordinal holds (null: none), to clear them without visiting every value. */
    private ValueOrdinals[][] byOrd = new ValueOrdinals[16][];
    private final OrdinalBitSet result = new OrdinalBitSet(0);
    private final OrdinalBitSet clause = new OrdinalBitSet(0);
    /** Bytes of the values, their members and the per-ordinal lists; kept current on every change. */
    private long bytes;

    /**
     * Records that the node at {@code ord} holds exactly {@code attrs} (null or empty: none), replacing what
     * it held before. {@code bound} is the index's {@code ordinalBound()}, which {@code ord} is below.
     */
    public void set(int ord, Map<String, String> attrs, int bound) {
        if (ord < 0 || ord >= bound) {
            throw new IllegalArgumentException("ord must be in [0, " + bound + "); ord=" + ord);
        }
        clear(ord, bound);
        if (attrs == null || attrs.isEmpty()) {
            return;
        }
        if (ord >= byOrd.length) {
            byOrd = Arrays.copyOf(byOrd, Math.max(ord + 1, byOrd.length + (byOrd.length >> 1)));
        }
        ValueOrdinals[] held = new ValueOrdinals[attrs.size()];
        int n = 0;
        for (Map.Entry<String, String> a : attrs.entrySet()) {
            if (a.getKey() == null || a.getValue() == null) {
                continue; // cannot match any clause
            }
            Map<String, ValueOrdinals> values = byName.computeIfAbsent(a.getKey(), k -> new HashMap<>());
            ValueOrdinals v = values.get(a.getValue());
            if (v == null) {
                v = new ValueOrdinals(a.getKey(), a.getValue());
                values.put(a.getValue(), v);
                bytes += MAP_ENTRY_BYTES + stringBytes(a.getKey()) + stringBytes(a.getValue()) + v.ramBytesUsed();
            }
            bytes -= v.ramBytesUsed();
            v.add(ord, bound);
            bytes += v.ramBytesUsed();
            held[n++] = v;
        }
        byOrd[ord] = n == held.length ? held : Arrays.copyOf(held, n);
        bytes += 16L + 8L * n;
    }

    /** Forgets every attribute of {@code ord} (a no-op for an ordinal that holds none). */
    public void clear(int ord, int bound) {
        ValueOrdinals[] held = ord >= 0 && ord < byOrd.length ? byOrd[ord] : null;
        if (held == null) {
            return;
        }
        for (ValueOrdinals v : held) {
            bytes -= v.ramBytesUsed();
            v.remove(ord, bound);
            bytes += v.ramBytesUsed();
            if (v.size() == 0) {
                // Drop a value nobody holds, so short-lived values (TTL'd ids, keys) do not pile up.
                Map<String, ValueOrdinals> values = byName.get(v.name);
                values.remove(v.value);
                bytes -= MAP_ENTRY_BYTES + stringBytes(v.name) + stringBytes(v.value) + v.ramBytesUsed();
                if (values.isEmpty()) {
                    byName.remove(v.name);
                }
            }
        }
        byOrd[ord] = null;
        bytes -= 16L + 8L * held.length;
    }

    /**
     * The ordinals whose attributes satisfy {@code filter}, or null when there is no filter (null, or no
     * clause: everything matches). The set is scratch owned by this object, valid until the next call.
     */
    public OrdinalBitSet matching(AttributeFilter filter, int bound) {
        if (filter == null || filter.clauses().isEmpty()) {
            return null;
        }
        result.ensureCapacity(bound);
        boolean first = true;
        for (Map.Entry<String, Set<String>> c : filter.clauses().entrySet()) {
            // The first clause is built in the result itself; later ones in a scratch set, then AND-ed in.
            OrdinalBitSet target = first ? result : clause;
            target.clear();
            boolean any = false;
            Map<String, ValueOrdinals> values = byName.get(c.getKey());
            if (values != null) {
                for (String value : c.getValue()) {
                    ValueOrdinals v = values.get(value);
                    if (v != null) {
                        v.orInto(target);
                        any = true;
                    }
                }
            }
            if (!any) {
                result.clear(); // a clause nothing satisfies: nothing matches
                return result;
            }
            if (!first) {
                result.and(clause);
            }
            first = false;
        }
        return result;
    }

    /** The attributes recorded for {@code ord} (empty when none); rebuilt on each call, for checks and tests. */
    public Map<String, String> attributes(int ord) {
        ValueOrdinals[] held = ord >= 0 && ord < byOrd.length ? byOrd[ord] : null;
        if (held == null) {
            return Collections.emptyMap();
        }
        Map<String, String> out = new HashMap<>();
        for (ValueOrdinals v : held) {
            out.put(v.name, v.value);
        }
        return out;
    }

    /** Number of distinct (name, value) pairs held by at least one ordinal. */
    public int valueCount() {
        int n = 0;
        for (Map<String, ValueOrdinals> values : byName.values()) {
            n += values.size();
        }
        return n;
    }

    /** How many of those values are stored as bitsets rather than ordinal lists. */
    int denseValueCount() {
        int n = 0;
        for (Map<String, ValueOrdinals> values : byName.values()) {
            for (ValueOrdinals v : values.values()) {
                n += v.isDense() ? 1 : 0;
            }
        }
        return n;
    }

    /** The incrementally kept bytes of values, members and per-ordinal lists: 0 once every ordinal is cleared. */
    long memberBytes() {
        return bytes;
    }

    /** Approximate heap bytes: values and their members, per-ordinal lists, maps, and the query scratch. */
    public long ramBytesUsed() {
        return 64L + bytes + 8L * byOrd.length + MAP_ENTRY_BYTES * byName.size() + result.ramBytesUsed()
                + clause.ramBytesUsed();
    }

    private static long stringBytes(String s) {
        // Header + length fields + Latin-1 bytes, as compact strings store ASCII.
        return 40L + s.length();
    }
}
