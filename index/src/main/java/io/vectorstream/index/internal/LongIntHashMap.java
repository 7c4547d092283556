package io.vectorstream.index.internal;

import java.util.Arrays;

/**
 * Open-addressing map from {@code long} keys to non-negative {@code int} values with linear probing and
 * backward-shift deletion (no tombstones). No boxing. Not thread-safe.
 */
public final class LongIntHashMap {
    private static final int EMPTY = -1;
    private long[] keys;
    private int[] values;
    private int size;
    private int mask;

    /** An empty map sized for {@code expected} entries before it grows. */
    public LongIntHashMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new int[cap];
        Arrays.fill(values, EMPTY);
        mask = cap - 1;
    }

    /** Number of entries. */
    public int size() {
        return size;
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /** The value for {@code key}, or -1. */
    public int get(long key) {
        int i = mix(key) & mask;
        while (values[i] != EMPTY) {
            if (keys[i] == key) {
                return values[i];
            }
            i = (i + 1) & mask;
        }
        return EMPTY;
    }

    /** Puts {@code value} (>= 0); returns the previous value or -1. */
    public int put(long key, int value) {
        assert value >= 0;
        if ((size + 1) * 4 > keys.length * 3) {
            grow();
        }
        int i = mix(key) & mask;
        while (values[i] != EMPTY) {
            if (keys[i] == key) {
                int old = values[i];
                values[i] = value;
                return old;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = value;
        size++;
        return EMPTY;
    }

    /** Removes {@code key}; returns its value or -1. */
    public int remove(long key) {
        int i = mix(key) & mask;
        while (values[i] != EMPTY) {
            if (keys[i] == key) {
                int old = values[i];
                shiftBack(i);
                size--;
                return old;
            }
            i = (i + 1) & mask;
        }
        return EMPTY;
    }

    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    private void shiftBack(int hole) {
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            if (values[i] == EMPTY) {
                break;
            }
            int home = mix(keys[i]) & mask;
            // Move entry i into the hole if its home is not cyclically in (hole, i].
            boolean between = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
            if (!between) {
                keys[hole] = keys[i];
                values[hole] = values[i];
                hole = i;
            }
        }
        values[hole] = EMPTY;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        Arrays.fill(values, EMPTY);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != EMPTY) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    /** Approximate heap bytes. */
    public long ramBytesUsed() {
        return 32L + 12L * keys.length;
    }
}
