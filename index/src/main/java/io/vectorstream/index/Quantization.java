package io.vectorstream.index;

/** How the graph is traversed at query time. Final candidates are always re-ranked with exact float distances. */
public enum Quantization {
    /** Traverse with float32 distances. */
    NONE,
    /**
     * Traverse with int8 scalar-quantised vectors (4x fewer bytes per distance), then re-rank the
     * {@code efSearch} best candidates with exact float distances. The quantiser is trained on the first
     * {@link HnswConfig#quantizationTrainingSize()} vectors; until then traversal uses floats.
     */
    INT8
}
