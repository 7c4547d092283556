package io.vectorstream.index;

/**
 * Every node's stored vector, by ordinal, in the forms the index keeps: the float vectors (in a
 * {@link VectorStorage}) while they are on the heap, and once the index is quantised the int8 codes with each
 * code's component sum (which the int8 dot-product formula needs). Once the floats leave the heap
 * ({@link HnswConfig#vectorsOnHeap()} false), exact distances read them through an {@link ExactVectorSource}.
 *
 * <p>Owns: the float storage, the quantiser, the codes and their sums, and the exact-vector source. The
 * {@link VectorScorer}s read the arrays it hands out; only this class replaces or writes them.
 *
 * <p>Threading: not thread-safe. The index's single writer mutates it; searchers read it between mutations.
 */
final class StoredVectors {
    private final int dimension;
    private final VectorStorage floats;
    /** False once the float vectors left the heap (vectorsOnHeap false and the quantiser trained). */
    private boolean floatsOnHeap = true;
    /** Null until the index is quantised. */
    private ScalarQuantizer quantizer;
    /**
     * Bytes before the first code in {@link #codes()}. An array's data starts 16 bytes into its object, and G1 puts
     * a large (humongous) array at the start of a region, so with 48 bytes in front every code starts on a 64-byte
     * cache line when the dimension is a multiple of 64 (128, 384, 768, ...): a 128-byte code is then read as two
     * lines instead of three (measured: +3..8 % QPS on 200k 128-d vectors). Where the guess is wrong it costs 48
     * bytes and nothing else. Per-coordinate codes with wide coordinates are a few bytes longer than the dimension
     * (their residuals), so they do not stay on line boundaries; {@link CodePrefetcher} then also touches each
     * code's last line.
     */
    static final int CODE_BASE = 48;

    private byte[] codes;
    /** Bytes per code ({@link ScalarQuantizer#codeLength}): the dimension, plus residuals of wide coordinates. */
    private int codeLength;
    private int[] codeSums;
    /** Where exact re-ranking reads floats that are not on the heap; null: int8 distances are returned. */
    private ExactVectorSource exactSource;

    StoredVectors(VectorStorage floats) {
        this.dimension = floats.dimension();
        this.floats = floats;
    }

    int dimension() {
        return dimension;
    }

    boolean floatsOnHeap() {
        return floatsOnHeap;
    }

    /** The quantiser, or null while the index is not quantised. */
    ScalarQuantizer quantizer() {
        return quantizer;
    }

    boolean quantized() {
        return quantizer != null;
    }

    /** The float vectors, contiguous by ordinal; re-read after any mutation (the array may be replaced). */
    float[] floatData() {
        return floats.data();
    }

    /**
     * The int8 codes, contiguous by ordinal from {@link #CODE_BASE}, {@link #codeLength()} bytes each (null while
     * not quantised); re-read after any mutation.
     */
    byte[] codes() {
        return codes;
    }

    /**
     * Bytes per code, 0 before the quantiser is installed: the dimension, plus one residual byte per wide
     * coordinate when each coordinate has its own range ({@link ScalarQuantizer#codeLength}).
     */
    int codeLength() {
        return codeLength;
    }

    /** Per ordinal, the sum of its code's components (null while not quantised). */
    int[] codeSums() {
        return codeSums;
    }

    ExactVectorSource exactSource() {
        return exactSource;
    }

    void setExactSource(ExactVectorSource source) {
        this.exactSource = source;
    }

    /** Stores {@code vector} (in stored form) at {@code ord}: its floats while on the heap, its code once quantised. */
    void set(int ord, float[] vector) {
        if (floatsOnHeap) {
            floats.set(ord, vector);
        }
        if (quantizer != null) {
            codeSums[ord] = quantizer.encode(vector, 0, codes, CODE_BASE + ord * codeLength, dimension);
        }
    }

    /**
     * Copies the stored vector at {@code ord} (external id {@code id}) into {@code dst}: from the heap, or through
     * the {@link ExactVectorSource} once the floats left it.
     *
     * @throws IllegalStateException when the floats are off the heap and no source is set
     */
    void copyTo(int ord, long id, float[] dst) {
        if (floatsOnHeap) {
            floats.copyTo(ord, dst);
        } else if (exactSource != null) {
            exactSource.read(ord, id, dst);
        } else {
            throw new IllegalStateException("vectorAt needs the float vectors: they are off the heap "
                    + "(vectorsOnHeap=false) and no ExactVectorSource is set");
        }
    }

    /** Makes room for ordinals below {@code ords}; the codes take {@code slotCapacity} slots (the graph's). */
    void ensureCapacity(int ords, int slotCapacity) {
        if (codes != null && codeSums.length < slotCapacity) {
            codes = java.util.Arrays.copyOf(codes, codeArrayLength(slotCapacity));
            codeSums = java.util.Arrays.copyOf(codeSums, slotCapacity);
        }
        if (floatsOnHeap) {
            floats.ensureCapacity(ords);
        }
    }

    /** Trains a quantiser on the float vectors of {@code ords[0, count)}. */
    ScalarQuantizer train(int[] ords, int count) {
        return ScalarQuantizer.train(floats.data(), dimension, ords, count);
    }

    /**
     * Installs {@code q} with code room for {@code slotCapacity} slots, and encodes the float vectors of the
     * slots below {@code encodeBelow} (0: encode nothing, the codes arrive one by one).
     */
    void installQuantizer(ScalarQuantizer q, int slotCapacity, int encodeBelow) {
        quantizer = q;
        codeLength = q.codeLength(dimension);
        codes = new byte[codeArrayLength(slotCapacity)];
        codeSums = new int[slotCapacity];
        float[] data = floats.data();
        for (int ord = 0; ord < encodeBelow; ord++) {
            codeSums[ord] = q.encode(data, ord * dimension, codes, CODE_BASE + ord * codeLength, dimension);
        }
    }

    /** The codes array's length for {@code slots} codes; fails clearly where an array cannot be that long. */
    private int codeArrayLength(int slots) {
        long length = CODE_BASE + (long) slots * codeLength;
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("int8 code storage full: " + slots + " codes of " + codeLength + " bytes");
        }
        return (int) length;
    }

    /** Drops the float vectors: from now on the codes are the heap copy (needs a quantiser). */
    void releaseFloats() {
        assert quantizer != null || codes == null;
        floatsOnHeap = false;
        floats.release();
    }

    /** Heap bytes of the floats (while on the heap) and the codes. */
    long ramBytesUsed() {
        long bytes = floatsOnHeap ? floats.ramBytesUsed() : 0L;
        if (codes != null) {
            bytes += codes.length + 4L * codeSums.length;
        }
        return bytes;
    }
}
