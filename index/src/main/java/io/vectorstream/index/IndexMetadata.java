package io.vectorstream.index;

import java.util.Arrays;

/**
 * The index-wide part of an {@link HnswIndex}'s state: together with its live nodes, enough to rebuild it
 * exactly ({@link HnswIndex#restorer}). Immutable value; thread-safe.
 */
public final class IndexMetadata {
    /** The most recent inserts metadata holds. */
    public static final int MAX_RECENT_INSERTS = HnswGraph.RECENT_INSERTS;
    private final int highWater;
    private final int liveCount;
    private final int entryPoint;
    private final int maxLevel;
    private final long levelGeneratorState;
    private final int[] freeOrdinals;
    private final int[] pendingOrdinals;
    private final boolean quantized;
    private final float[] quantizerMids;
    private final float[] quantizerScales;
    private final int[] recentInserts;

    /**
     * The parts, with one quantisation range for every coordinate (a {@code quantized} index's {@code mid} and
     * {@code scale}; ignored when not quantised).
     */
    public IndexMetadata(int highWater, int liveCount, int entryPoint, int maxLevel, long levelGeneratorState,
                         int[] freeOrdinals, int[] pendingOrdinals, boolean quantized, float quantizerMid,
                         float quantizerScale) {
        this(highWater, liveCount, entryPoint, maxLevel, levelGeneratorState, freeOrdinals, pendingOrdinals, quantized,
                quantized ? new float[] {quantizerMid} : new float[0],
                quantized ? new float[] {quantizerScale} : new float[0]);
    }

    /**
     * The parts, as {@link HnswIndex#metadata()} reports them; the arrays are copied. A quantised index has one
     * range ({@code quantizerMids} and {@code quantizerScales} of length 1) or one per coordinate (length
     * {@code dimension}); {@link HnswIndex#restorer} checks which. Not quantised: both empty.
     */
    public IndexMetadata(int highWater, int liveCount, int entryPoint, int maxLevel, long levelGeneratorState,
                         int[] freeOrdinals, int[] pendingOrdinals, boolean quantized, float[] quantizerMids,
                         float[] quantizerScales) {
        this(highWater, liveCount, entryPoint, maxLevel, levelGeneratorState, freeOrdinals, pendingOrdinals, quantized,
                quantizerMids, quantizerScales, new int[0]);
    }

    /**
     * The parts, as {@link HnswIndex#metadata()} reports them, with the latest inserts' ordinals (most recent
     * first, at most {@link #MAX_RECENT_INSERTS}), which the next inserts also search from; the arrays are copied.
     * Metadata saved before they were kept has none: the restored index then builds as if nothing was inserted
     * just before.
     */
    public IndexMetadata(int highWater, int liveCount, int entryPoint, int maxLevel, long levelGeneratorState,
                         int[] freeOrdinals, int[] pendingOrdinals, boolean quantized, float[] quantizerMids,
                         float[] quantizerScales, int[] recentInserts) {
        this.recentInserts = recentInserts.clone();
        this.highWater = highWater;
        this.liveCount = liveCount;
        this.entryPoint = entryPoint;
        this.maxLevel = maxLevel;
        this.levelGeneratorState = levelGeneratorState;
        this.freeOrdinals = freeOrdinals.clone();
        this.pendingOrdinals = pendingOrdinals.clone();
        this.quantized = quantized;
        this.quantizerMids = quantizerMids.clone();
        this.quantizerScales = quantizerScales.clone();
    }

    /** One past the highest ordinal ever used. */
    public int highWater() { return highWater; }
    /** Number of live nodes. */
    public int liveCount() { return liveCount; }
    /** Where searches start, or -1 when the index is empty. */
    public int entryPoint() { return entryPoint; }
    /** The entry point's top layer, or -1 when the index is empty. */
    public int maxLevel() { return maxLevel; }
    /** The level generator's state: a restored index draws the same future levels. */
    public long levelGeneratorState() { return levelGeneratorState; }
    /** Free slots, in the order they will be reused (last first). */
    public int[] freeOrdinals() { return freeOrdinals.clone(); }
    /** Removed slots not yet reusable (edges may still point at them), in removal order. */
    public int[] pendingOrdinals() { return pendingOrdinals.clone(); }
    /** Whether the int8 quantiser is trained. */
    public boolean quantized() { return quantized; }
    /**
     * The quantiser's offsets ({@code x[i] ~= mid + scale * q[i]}): one for every coordinate, or one per
     * coordinate; empty when not quantised.
     */
    public float[] quantizerMids() { return quantizerMids.clone(); }
    /** The quantiser's scales, parallel to {@link #quantizerMids()}. */
    public float[] quantizerScales() { return quantizerScales.clone(); }
    /** The latest inserts' ordinals, most recent first; some may have been removed or reused since. */
    public int[] recentInserts() { return recentInserts.clone(); }
    /** How many quantisation ranges: 0 (not quantised), 1 (every coordinate shares one) or the dimension. */
    public int quantizerRanges() { return quantizerMids.length; }

    /**
     * This metadata with the quantiser ranges {@code mids} and {@code scales} instead of its own (the arrays are
     * copied): for a store that keeps the ranges, which never change once trained, apart from the metadata.
     */
    public IndexMetadata withQuantizerRanges(float[] mids, float[] scales) {
        return new IndexMetadata(highWater, liveCount, entryPoint, maxLevel, levelGeneratorState, freeOrdinals,
                pendingOrdinals, quantized, mids, scales, recentInserts);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof IndexMetadata)) {
            return false;
        }
        IndexMetadata m = (IndexMetadata) o;
        return highWater == m.highWater && liveCount == m.liveCount && entryPoint == m.entryPoint
                && maxLevel == m.maxLevel && levelGeneratorState == m.levelGeneratorState
                && Arrays.equals(freeOrdinals, m.freeOrdinals) && Arrays.equals(pendingOrdinals, m.pendingOrdinals)
                && quantized == m.quantized
                && Arrays.equals(quantizerMids, m.quantizerMids)
                && Arrays.equals(quantizerScales, m.quantizerScales)
                && Arrays.equals(recentInserts, m.recentInserts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(freeOrdinals) * 31 + Long.hashCode(levelGeneratorState) + highWater;
    }

    @Override
    public String toString() {
        return "IndexMetadata{highWater=" + highWater + ", live=" + liveCount + ", entryPoint=" + entryPoint
                + ", maxLevel=" + maxLevel + ", free=" + freeOrdinals.length + ", pending=" + pendingOrdinals.length + ", quantized=" + quantized + '}';
    }
}
