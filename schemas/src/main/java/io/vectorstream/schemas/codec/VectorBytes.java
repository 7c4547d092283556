package io.vectorstream.schemas.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The wire encoding of vectors in VectorStream's Avro records: float32 components, little-endian, in an Avro
 * {@code bytes} field. Decoding is one bulk copy out of the record's buffer (no per-component Avro call and no
 * boxing, unlike {@code array<float>}, which Avro decodes into a {@code List<Float>}). Stateless; thread-safe.
 */
public final class VectorBytes {
    private VectorBytes() {}

    /** Encodes {@code v} into a new little-endian buffer, positioned at 0. */
    public static ByteBuffer encode(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b;
    }

    /**
     * Decodes the remaining bytes of {@code b} (its position is not moved).
     *
     * @throws IllegalArgumentException when the length is not a multiple of 4
     */
    public static float[] decode(ByteBuffer b) {
        int n = b.remaining();
        if (n % Float.BYTES != 0) {
            throw new IllegalArgumentException("vector bytes must be a multiple of 4 (float32); length=" + n);
        }
        FloatBuffer fb = b.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] v = new float[fb.remaining()];
        fb.get(v);
        return v;
    }
}
