package io.vectorstream.index.internal;

/**
 * Packs a distance and an ordinal into one long whose natural order is (distance, ordinal): the float's bits
 * are made order-preserving as a signed int in the high half, the ordinal sits in the low half. Ties are
 * therefore broken by ordinal, which keeps search and construction deterministic. Stateless; thread-safe.
 */
public final class ScoredOrd {
    private ScoredOrd() {}

    /** {@code (distance, ord)} as one long ordered by distance, then ordinal. */
    public static long pack(float distance, int ord) {
        int bits = Float.floatToRawIntBits(distance);
        // Flip the magnitude bits of negatives so that signed-int order equals float order.
        int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) sortable << 32) | (ord & 0xffffffffL);
    }

    /** The distance of a packed value. */
    public static float distance(long packed) {
        int sortable = (int) (packed >> 32);
        return Float.intBitsToFloat(sortable ^ ((sortable >> 31) & 0x7fffffff));
    }

    /** The ordinal of a packed value. */
    public static int ord(long packed) {
        return (int) packed;
    }
}
