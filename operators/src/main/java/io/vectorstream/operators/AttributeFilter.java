package io.vectorstream.operators;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A conjunction of clauses on string attributes: each clause says "attribute {@code name} is one of
 * {@code values}" (a single value is equality). A vector matches when every clause holds. Immutable and
 * thread-safe.
 */
public final class AttributeFilter {
    private final Map<String, Set<String>> clauses;

    private AttributeFilter(Map<String, Set<String>> clauses) {
        this.clauses = clauses;
    }

    /** A filter from clauses (copied). */
    public static AttributeFilter of(Map<String, ? extends Iterable<String>> clauses) {
        Map<String, Set<String>> copy = new LinkedHashMap<>();
        for (Map.Entry<String, ? extends Iterable<String>> e : clauses.entrySet()) {
            Set<String> values = new LinkedHashSet<>();
            e.getValue().forEach(values::add);
            copy.put(e.getKey(), Collections.unmodifiableSet(values));
        }
        return new AttributeFilter(Collections.unmodifiableMap(copy));
    }

    /** {@code name == value}. */
    public static AttributeFilter eq(String name, String value) {
        return of(Map.of(name, Set.of(value)));
    }

    /** {@code name in values}. */
    public static AttributeFilter in(String name, Set<String> values) {
        return of(Map.of(name, values));
    }

    /** This filter plus the clause {@code name in values}. */
    public AttributeFilter and(String name, Set<String> values) {
        Map<String, Set<String>> copy = new LinkedHashMap<>(clauses);
        copy.put(name, Set.copyOf(values));
        return of(copy);
    }

    public Map<String, Set<String>> clauses() {
        return clauses;
    }

    /** Whether {@code attributes} satisfies every clause (a missing attribute fails its clause). */
    public boolean matches(Map<String, String> attributes) {
        for (Map.Entry<String, Set<String>> c : clauses.entrySet()) {
            String v = attributes == null ? null : attributes.get(c.getKey());
            if (v == null || !c.getValue().contains(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttributeFilter && clauses.equals(((AttributeFilter) o).clauses);
    }

    @Override
    public int hashCode() {
        return clauses.hashCode();
    }

    @Override
    public String toString() {
        return "AttributeFilter" + clauses;
    }
}
