package io.vectorstream.index.internal;

import java.util.Arrays;

/**
 * The ordinals a search has visited: one bit per ordinal, plus the list of words set since the last reset,
 * so a reset clears only those.
 *
 * <p>Why bits: every searcher holds one, sized to its index. One bit per ordinal is 125 KiB at 1M nodes, where
 * an {@code int} stamp per ordinal was 4 MiB (no speed difference was measurable at 200k nodes).
 *
 * <p>Not thread-safe: one per searcher.
 */
public final class VisitedSet {
    private long[] words;
    /** Indices of the words made non-zero since the last reset. */
    private int[] dirty = new int[64];
    private int dirtyCount;

    /** A set for ordinals below {@code capacity} (it grows on {@link #reset(int)}). */
    public VisitedSet(int capacity) {
        words = new long[wordsFor(Math.max(16, capacity))];
    }

    private static int wordsFor(int capacity) {
        return (capacity + 63) >>> 6;
    }

    /** Starts a new query; grows to hold ordinals below {@code capacity}. */
    public void reset(int capacity) {
        int need = wordsFor(capacity);
        if (need > words.length) {
            words = new long[Math.max(need, words.length + (words.length >> 1))];
        } else if (dirtyCount > words.length >>> 4) {
            // More than one word in 16 touched: one sequential fill beats that many scattered stores.
            Arrays.fill(words, 0L);
        } else {
            for (int i = 0; i < dirtyCount; i++) {
                words[dirty[i]] = 0L;
            }
        }
        dirtyCount = 0;
    }

    /** Marks {@code ord}; returns true when it was not yet visited since the last reset. */
    public boolean visit(int ord) {
        int w = ord >>> 6;
        long bit = 1L << ord; // the shift distance is taken mod 64: the bit within the word
        long word = words[w];
        if ((word & bit) != 0) {
            return false;
        }
        if (word == 0L) {
            if (dirtyCount == dirty.length) {
                dirty = Arrays.copyOf(dirty, dirtyCount * 2);
            }
            dirty[dirtyCount++] = w;
        }
        words[w] = word | bit;
        return true;
    }

    /** Approximate heap bytes. */
    public long ramBytesUsed() {
        return 48L + 8L * words.length + 4L * dirty.length;
    }
}
