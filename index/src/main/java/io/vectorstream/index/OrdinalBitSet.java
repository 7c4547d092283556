package io.vectorstream.index;

import java.util.Arrays;

/**
 * A set of internal ordinals as a bitset over {@code long} words: the filter form that
 * {@link HnswIndex#search(float[], int, int, OrdinalBitSet)} tests with one bit per visited node (Lucene's
 * {@code FixedBitSet} as {@code acceptOrds}, jvector's {@code Bits}). An ordinal at or beyond
 * {@link #capacity()} is simply absent; {@link #set(int)} grows the words as needed.
 *
 * <p>Threading: not thread-safe. Any number of threads may read a set that no thread modifies (e.g. one
 * filter shared by several searchers).
 */
public final class OrdinalBitSet {
    private static final long[] NO_WORDS = new long[0];

    /** Bit {@code ord & 63} of {@code words[ord >>> 6]}. */
    private long[] words;

    /** An empty set with room for ordinals below {@code capacity} before it grows. */
    public OrdinalBitSet(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0; capacity=" + capacity);
        }
        words = capacity == 0 ? NO_WORDS : new long[wordsFor(capacity)];
    }

    private static int wordsFor(int bits) {
        return (int) (((long) bits + 63) >>> 6);
    }

    /** How many ordinals fit without growing (a multiple of 64). */
    public int capacity() {
        return words.length << 6;
    }

    /** Grows, keeping the members, so that ordinals below {@code capacity} fit. */
    public void ensureCapacity(int capacity) {
        int need = wordsFor(capacity);
        if (need > words.length) {
            // 1.5x growth: an index grows one ordinal at a time.
            words = Arrays.copyOf(words, Math.max(need, words.length + (words.length >> 1)));
        }
    }

    /** Whether {@code ord} is in the set; false for a negative ordinal or one beyond the capacity. */
    public boolean get(int ord) {
        // ord >>> 6 of a negative ord is huge, so one bounds check covers both ends.
        int i = ord >>> 6;
        return i < words.length && (words[i] & (1L << ord)) != 0;
    }

    /** Adds {@code ord} (&gt;= 0), growing when needed. */
    public void set(int ord) {
        if (ord < 0) {
            throw new IllegalArgumentException("ord must be >= 0; ord=" + ord);
        }
        int i = ord >>> 6;
        if (i >= words.length) {
            ensureCapacity(ord + 1);
        }
        words[i] |= 1L << ord;
    }

    /** Removes {@code ord}; no-op when it is absent or out of range. */
    public void clear(int ord) {
        int i = ord >>> 6;
        if (i < words.length) {
            words[i] &= ~(1L << ord);
        }
    }

    /** Removes every member; keeps the capacity. */
    public void clear() {
        Arrays.fill(words, 0L);
    }

    /** Number of members: a popcount over the words. */
    public int cardinality() {
        int n = 0;
        for (long w : words) {
            n += Long.bitCount(w);
        }
        return n;
    }

    /** The smallest member &gt;= {@code from} (&gt;= 0), or -1 when there is none. */
    public int nextSetBit(int from) {
        if (from < 0) {
            throw new IllegalArgumentException("from must be >= 0; from=" + from);
        }
        int i = from >>> 6;
        if (i >= words.length) {
            return -1;
        }
        // Bits below from in its own word are shifted out (Java shifts by from & 63).
        long w = words[i] & (-1L << from);
        while (w == 0) {
            if (++i == words.length) {
                return -1;
            }
            w = words[i];
        }
        return (i << 6) + Long.numberOfTrailingZeros(w);
    }

    /** Makes this set a copy of {@code other}, growing when needed. */
    public void copyFrom(OrdinalBitSet other) {
        long[] o = other.words;
        ensureCapacity(o.length << 6);
        System.arraycopy(o, 0, words, 0, o.length);
        Arrays.fill(words, o.length, words.length, 0L);
    }

    /** This set becomes the union with {@code other}, growing when needed. */
    public void or(OrdinalBitSet other) {
        long[] o = other.words;
        int n = o.length;
        while (n > 0 && o[n - 1] == 0) {
            n--; // trailing empty words need no room here
        }
        ensureCapacity(n << 6);
        long[] w = words;
        for (int i = 0; i < n; i++) {
            w[i] |= o[i];
        }
    }

    /** This set becomes the intersection with {@code other}. */
    public void and(OrdinalBitSet other) {
        long[] o = other.words;
        long[] w = words;
        int n = Math.min(w.length, o.length);
        for (int i = 0; i < n; i++) {
            w[i] &= o[i];
        }
        Arrays.fill(w, n, w.length, 0L);
    }

    /** This set loses every member of {@code other}. */
    public void andNot(OrdinalBitSet other) {
        long[] o = other.words;
        long[] w = words;
        for (int i = 0, n = Math.min(w.length, o.length); i < n; i++) {
            w[i] &= ~o[i];
        }
    }

    /** Approximate heap bytes: object header plus the word array. */
    public long ramBytesUsed() {
        return 32L + 8L * words.length;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OrdinalBitSet)) {
            return false;
        }
        long[] a = words;
        long[] b = ((OrdinalBitSet) o).words;
        int n = Math.max(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if ((i < a.length ? a[i] : 0L) != (i < b.length ? b[i] : 0L)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int n = words.length;
        while (n > 0 && words[n - 1] == 0) {
            n--; // equal sets of different capacity hash alike
        }
        return Arrays.hashCode(Arrays.copyOf(words, n));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("OrdinalBitSet{");
        for (int o = nextSetBit(0), shown = 0; o >= 0; o = nextSetBit(o + 1), shown++) {
            if (shown == 32) {
                sb.append(", ...");
                break;
            }
            sb.append(shown == 0 ? "" : ", ").append(o);
        }
        return sb.append('}').toString();
    }
}
