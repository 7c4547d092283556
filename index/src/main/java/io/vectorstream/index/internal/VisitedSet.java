package io.vectorstream.index.internal;

import java.util.Arrays;

/**
 * Marks visited ordinals with a generation stamp, so clearing between queries is O(1) instead of O(n).
 * Not thread-safe: one per searcher.
 */
public final class VisitedSet {
    private int[] stamps;
    private int generation = 1;

    /** A set for ordinals below {@code capacity} (it grows on {@link #reset(int)}). */
    public VisitedSet(int capacity) {
        stamps = new int[Math.max(16, capacity)];
    }

    /** Starts a new query; grows to hold ordinals below {@code capacity}. */
    public void reset(int capacity) {
        if (capacity > stamps.length) {
            stamps = new int[Math.max(capacity, stamps.length + (stamps.length >> 1))];
            generation = 1;
            return;
        }
        if (++generation == 0) {
            // Wrapped after 2^32 queries: old stamps could collide, so really clear once.
            Arrays.fill(stamps, 0);
            generation = 1;
        }
    }

    /** Marks {@code ord}; returns true when it was not yet visited in this query. */
    public boolean visit(int ord) {
        if (stamps[ord] == generation) {
            return false;
        }
        stamps[ord] = generation;
        return true;
    }

    /** Approximate heap bytes. */
    public long ramBytesUsed() {
        return 16L + 4L * stamps.length;
    }
}
