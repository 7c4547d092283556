package io.vectorstream.index.internal;

/**
 * A tiny deterministic generator whose whole state is one long, so it can be saved with the index and a
 * restored index draws the same levels as one that never stopped. Not thread-safe.
 */
public final class SplitMix64 {
    private long state;

    /** A generator starting at {@code state} (a seed, or a saved {@link #state()}). */
    public SplitMix64(long state) {
        this.state = state;
    }

    /** The whole state: a generator set to it continues the same sequence. */
    public long state() {
        return state;
    }

    /** Continues the sequence of a generator whose {@link #state()} was {@code state}. */
    public void setState(long state) {
        this.state = state;
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in (0, 1]: never 0, so {@code -ln(u)} is finite. */
    public double nextOpenUnit() {
        return ((nextLong() >>> 11) + 1) * 0x1.0p-53;
    }
}
