package io.vectorstream.connectors;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * An Avro binary {@link Decoder} over one record's bytes that checks every declared length and item count against
 * the bytes left <em>before</em> anything is allocated. Avro's own decoders allocate what a length prefix declares:
 * one bit flip in a varint made a 1-2 GiB {@code byte[]} (OutOfMemoryError), and a length or count beyond 2^31
 * threw {@code UnsupportedOperationException}; both escaped the codec and failed the job. Here such a record is an
 * {@link AvroRuntimeException} (a dead letter), and no allocation exceeds the record's own size.
 *
 * <p>Primitives are read by the wrapped {@link BinaryDecoder} (which must read a byte array, so that
 * {@link BinaryDecoder#remainingBytes()} is known); strings, bytes and block counts are read here, from their
 * varint prefix. An item count is bounded by the bytes left, which holds for every schema whose array and map
 * items take at least one byte each (all of VectorStream's: no {@code null} or empty-record items).
 *
 * <p>Not thread-safe: one codec's decoder, reused by its one thread.
 */
final class LengthCheckedDecoder extends Decoder {
    private final Utf8 scratch = new Utf8();
    private BinaryDecoder in;

    /** This decoder, reading from {@code in} (a decoder of a byte array). */
    LengthCheckedDecoder reset(BinaryDecoder in) {
        this.in = in;
        return this;
    }

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = length("string");
        Utf8 s = old != null ? old : new Utf8();
        s.setByteLength(length);
        in.readFixed(s.getBytes(), 0, length);
        return s;
    }

    @Override
    public String readString() throws IOException {
        return readString(scratch).toString();
    }

    @Override
    public void skipString() throws IOException {
        in.skipFixed(length("string"));
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = length("bytes");
        ByteBuffer b = ByteBuffer.allocate(length);
        in.readFixed(b.array(), 0, length);
        return b;
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipFixed(length("bytes"));
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public long readArrayStart() throws IOException {
        return count("array");
    }

    @Override
    public long arrayNext() throws IOException {
        return count("array");
    }

    /** Returns the block's count: the caller skips its items one by one (no skipping by byte size). */
    @Override
    public long skipArray() throws IOException {
        return count("array");
    }

    @Override
    public long readMapStart() throws IOException {
        return count("map");
    }

    @Override
    public long mapNext() throws IOException {
        return count("map");
    }

    /** Returns the block's count: the caller skips its entries one by one (no skipping by byte size). */
    @Override
    public long skipMap() throws IOException {
        return count("map");
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }

    @Override
    public int remainingBytes() {
        return in.remainingBytes();
    }

    /** A string or bytes length prefix, which must fit in the bytes left. */
    private int length(String what) throws IOException {
        long length = in.readLong();
        int left = in.remainingBytes();
        if (length < 0 || length > left) {
            throw new AvroRuntimeException(what + " length must be in [0, bytes left]; length=" + length
                    + ", bytes left=" + left);
        }
        return (int) length;
    }

    /**
     * A block's item count (a negative count is followed by the block's byte size, which is read and not used),
     * which must fit in the bytes left.
     */
    private long count(String what) throws IOException {
        long count = in.readLong();
        if (count < 0) {
            in.readLong();
            count = -count; // still negative for Long.MIN_VALUE: refused below
        }
        int left = in.remainingBytes();
        if (count < 0 || count > left) {
            throw new AvroRuntimeException(what + " item count must be in [0, bytes left]; count=" + count
                    + ", bytes left=" + left);
        }
        return count;
    }
}
