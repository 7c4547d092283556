package io.vectorstream.index;

/**
 * Starts reading int8 codes before they are scored ({@link VectorScorer#prefetch}): one load per cache line of
 * each code. A search scores a node's unvisited neighbours one after another, each a random read; touching them
 * all first lets the memory system fetch them at once instead of one latency after the other.
 *
 * <p>Threading: not thread-safe (one per scorer).
 */
final class CodePrefetcher {
    /** Bytes per cache line on the CPUs this runs on (x86-64 and most ARM cores). */
    private static final int CACHE_LINE = 64;
    /** Where the codes start in their array ({@link StoredVectors#CODE_BASE}). */
    private static final int BASE = StoredVectors.CODE_BASE;

    /** Bytes per code ({@link StoredVectors#codeLength()}). */
    private final int codeLength;
    /**
     * Whether each code's last byte is loaded too. A code that does not start on a cache line (its length is
     * not a multiple of 64, or the array is not where {@link StoredVectors#CODE_BASE} assumes) spans one line
     * more than stepping 64 bytes from its start reads, and that line then misses while scoring. For an aligned
     * code the extra load hits a line just read. Long codes do not need it: the CPU's stream prefetcher follows a
     * run of lines on its own (measured before the codes were aligned: +2..5 % QPS on 128-d codes, no gain on
     * 784-d).
     */
    private final boolean touchLastLine;
    /** Keeps the loads alive: the JIT drops loads whose values are never used. */
    private int sink;

    CodePrefetcher(int codeLength) {
        this.codeLength = codeLength;
        this.touchLastLine = codeLength <= 4 * CACHE_LINE;
    }

    /** Loads one byte per cache line of the codes of {@code ords[0, count)} in {@code codes}. */
    void touch(byte[] codes, int[] ords, int count) {
        int d = codeLength;
        int acc = 0;
        for (int i = 0; i < count; i++) {
            int base = BASE + ords[i] * d;
            for (int j = base, end = base + d; j < end; j += CACHE_LINE) {
                acc += codes[j];
            }
            if (touchLastLine) {
                acc += codes[base + d - 1];
            }
        }
        sink += acc;
    }
}
