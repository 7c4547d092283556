package io.vectorstream.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorstream.schemas.Op;
import io.vectorstream.schemas.VectorEvent;
import io.vectorstream.schemas.VectorQuery;
import io.vectorstream.schemas.codec.VectorBytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * Avro bodies whose length prefixes lie: found by {@code PipelineFuzzITCase}, where one bit flip in a varint made
 * Avro allocate gigabytes (OutOfMemoryError) or throw {@code UnsupportedOperationException}, and the job failed.
 */
class AvroSingleObjectCodecTest {
    static final VectorEvent EVENT = VectorEvent.newBuilder().setOp(Op.UPSERT).setId(42L).setPartitionKey("shop")
            .setVector(VectorBytes.encode(new float[] {0.5f, -1f})).setAttributes(Map.of("color", "red"))
            .setEventTime(Instant.ofEpochMilli(1700L)).build();
    static final long[] LENGTHS = {1L << 20, 1L << 30, Integer.MAX_VALUE - 8L, Integer.MAX_VALUE, 1L << 40,
            Long.MAX_VALUE, -1L, -(1L << 31), Long.MIN_VALUE};

    final AvroSingleObjectCodec<VectorEvent> events = AvroSingleObjectCodec.of(VectorEvent.class);

    /** The event's header, op and id, then {@code prefix} where the partition key's length belongs, then "abc". */
    byte[] eventWithKeyLength(long prefix) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(events.encode(EVENT), 0, 10);
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        enc.writeEnum(0);
        enc.writeLong(7);
        enc.writeLong(prefix);
        enc.writeFixed(new byte[] {'a', 'b', 'c'});
        enc.flush();
        return out.toByteArray();
    }

    @Test
    void aStringOrBytesLengthBeyondTheBodyIsADecodeErrorNotAnAllocation() throws IOException {
        for (long length : LENGTHS) {
            byte[] bytes = eventWithKeyLength(length);
            assertThatThrownBy(() -> events.decode(bytes)).as("length %d", length)
                    .isInstanceOf(RecordCodec.DecodeException.class)
                    .hasMessageStartingWith("value must be a valid VectorEvent body; error=")
                    .hasMessageContaining("string length must be in [0, bytes left]; length=" + length);
        }
        // The vector (Avro bytes) likewise.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(events.encode(EVENT), 0, 10);
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        enc.writeEnum(0);
        enc.writeLong(7);
        enc.writeString("k");
        enc.writeLong(Integer.MAX_VALUE - 8L);
        enc.flush();
        assertThatThrownBy(() -> events.decode(out.toByteArray()))
                .hasMessageContaining("bytes length must be in [0, bytes left]; length=2147483639, bytes left=0");
    }

    @Test
    void anItemCountBeyondTheBodyIsADecodeError() throws IOException {
        // Long.MIN_VALUE: a negative block count whose absolute value overflows, which Avro read as "no items".
        for (long count : new long[] {1L << 20, Integer.MAX_VALUE, 1L << 40, -(1L << 30), Long.MIN_VALUE}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(events.encode(EVENT), 0, 10);
            BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
            enc.writeEnum(0);
            enc.writeLong(7);
            enc.writeString("k");
            enc.writeBytes(VectorBytes.encode(new float[] {1, 2}));
            enc.writeLong(count);
            enc.writeLong(3); // the block size of a negative count
            enc.writeString("c");
            enc.writeString("r");
            enc.writeLong(0);
            enc.writeLong(1700);
            enc.writeIndex(0);
            enc.flush();
            assertThatThrownBy(() -> events.decode(out.toByteArray())).as("count %d", count)
                    .isInstanceOf(RecordCodec.DecodeException.class)
                    .hasMessageContaining("map item count must be in [0, bytes left]");
        }
    }

    @Test
    void validRecordsStillDecodeIncludingBlocksWithByteSizes() throws Exception {
        assertThat(events.decode(events.encode(EVENT))).isEqualTo(EVENT);
        AvroSingleObjectCodec<VectorQuery> queries = AvroSingleObjectCodec.of(VectorQuery.class);
        VectorQuery q = VectorQuery.newBuilder().setQueryId("q").setPartitionKey(null)
                .setVector(VectorBytes.encode(new float[] {1, 2, 3})).setK(3).setEfSearch(40)
                .setFilter(Map.of("color", List.of("red", "blue"), "size", List.of()))
                .setEventTime(Instant.ofEpochMilli(9)).build();
        assertThat(queries.decode(queries.encode(q))).isEqualTo(q);
        // A writer may use blocks with a negative count followed by their byte size (the Avro spec allows it).
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(events.encode(EVENT), 0, 10);
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        enc.writeEnum(0);
        enc.writeLong(42);
        enc.writeString("shop");
        enc.writeBytes(VectorBytes.encode(new float[] {0.5f, -1f}));
        enc.writeLong(-1);
        enc.writeLong(10); // "color" and "red" with their length bytes
        enc.writeString("color");
        enc.writeString("red");
        enc.writeLong(0);
        enc.writeLong(1700);
        enc.writeIndex(0); // routingHash null
        enc.writeIndex(0); // neighborsK null
        enc.writeIndex(0); // neighborsRadius null
        enc.flush();
        assertThat(events.decode(out.toByteArray())).isEqualTo(EVENT);
    }

    @Test
    void bytesAfterTheBodyAreADecodeError() {
        byte[] good = events.encode(EVENT);
        byte[] glued = new byte[good.length * 2];
        System.arraycopy(good, 0, glued, 0, good.length);
        System.arraycopy(good, 0, glued, good.length, good.length);
        assertThatThrownBy(() -> events.decode(glued)).isInstanceOf(RecordCodec.DecodeException.class)
                .hasMessage("value must end with its VectorEvent body; trailing bytes=" + good.length + ", length="
                        + glued.length);
        byte[] padded = java.util.Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> events.decode(padded))
                .hasMessage("value must end with its VectorEvent body; trailing bytes=1, length=" + padded.length);
    }

    @Test
    void unknownEnumSymbolsAndUnionBranchesAreDecodeErrors() {
        byte[] good = events.encode(EVENT);
        byte[] badOp = good.clone();
        badOp[10] = 2 * 5; // zig-zag varint 5: no such Op
        assertThatThrownBy(() -> events.decode(badOp)).isInstanceOf(RecordCodec.DecodeException.class);
        byte[] badUnion = good.clone();
        badUnion[badUnion.length - 1] = 2 * 3; // routingHash's union branch 3 of 2
        assertThatThrownBy(() -> events.decode(badUnion)).isInstanceOf(RecordCodec.DecodeException.class);
    }
}
