package io.vectorstream.operators.state;

import java.util.Arrays;

/**
 * The per-key value state of an index whose int8 quantiser has a range per coordinate: the ranges' mids and
 * scales (one each per coordinate). Written once, when the index trains its quantiser, and read when the index is
 * rebuilt; the metadata written at every change ({@link KeyIndexMeta}) only says that the ranges are here, so an
 * update does not rewrite {@code 8 x dimension} bytes. Immutable (the arrays are copied in and out).
 */
public final class KeyQuantizer {
    private final float[] mids;
    private final float[] scales;

    public KeyQuantizer(float[] mids, float[] scales) {
        this.mids = mids.clone();
        this.scales = scales.clone();
    }

    public float[] mids() { return mids.clone(); }
    public float[] scales() { return scales.clone(); }

    /** How many ranges (the dimension). */
    public int ranges() { return mids.length; }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyQuantizer && Arrays.equals(mids, ((KeyQuantizer) o).mids)
                && Arrays.equals(scales, ((KeyQuantizer) o).scales);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(mids) * 31 + Arrays.hashCode(scales);
    }

    @Override
    public String toString() {
        return "KeyQuantizer{ranges=" + mids.length + '}';
    }
}
