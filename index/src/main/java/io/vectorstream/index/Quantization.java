package io.vectorstream.index;

/**
 * How the graph is traversed at query time. Final candidates are always re-ranked with exact float distances.
 *
 * <p>Saved indexes store a quantization by its {@link #code()}, never by {@code ordinal()}: the codes are frozen
 * (they equal the ordinals that format version 1 wrote). Thread-safe (immutable).
 */
public enum Quantization {
    /** Traverse with float32 distances. Code 0. */
    NONE(0),
    /**
     * Traverse with int8 scalar-quantised vectors (4x fewer bytes per distance), then re-rank the
     * {@code efSearch} best candidates with exact float distances. The quantiser is trained on the first
     * {@link HnswConfig#quantizationTrainingSize()} vectors; until then traversal uses floats. From then on the
     * graph is also built with the codes (inserts are searches at efConstruction: a quarter of the bytes read).
     * Training gives every coordinate one shared range, or, when a few coordinates are far wider than the rest
     * (the outlier dimensions of some transformer embeddings), a range per coordinate, and the widest of those a
     * second byte; searches then score the int8 codes against the float query. Code 1.
     */
    INT8(1);

    private final int code;

    Quantization(int code) {
        this.code = code;
    }

    /** The stable code this quantization is persisted as. Frozen: never change or reuse one. */
    public int code() {
        return code;
    }

    /**
     * The quantization persisted as {@code code}.
     *
     * @throws IllegalArgumentException for a code no quantization has, naming the known ones
     */
    public static Quantization fromCode(int code) {
        for (Quantization q : values()) {
            if (q.code == code) {
                return q;
            }
        }
        throw new IllegalArgumentException("quantization code must be one of [0 (NONE), 1 (INT8)]; code=" + code);
    }
}
