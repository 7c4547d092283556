package io.vectorstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorstream.schemas.codec.VectorBytes;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/** The evolution rules: an old reader reads a newer writer's records once it knows the writer schema. */
class SchemaEvolutionTest {

    static Schema v2() throws Exception {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream("/avro-v2/VectorEvent.avsc")) {
            return new Schema.Parser().parse(in);
        }
    }

    @Test
    void roundTripsWithSingleObjectEncoding() throws Exception {
        VectorEvent e = VectorEvent.newBuilder().setOp(Op.UPSERT).setId(7L).setPartitionKey("t")
                .setVector(VectorBytes.encode(new float[] {1.5f, -2f})).setAttributes(Map.of("c", "red"))
                .setEventTime(Instant.ofEpochMilli(5)).build();
        ByteBuffer bytes = e.toByteBuffer();
        assertThat(bytes.get(0)).isEqualTo((byte) 0xC3);
        assertThat(bytes.get(1)).isEqualTo((byte) 0x01);
        VectorEvent back = VectorEvent.fromByteBuffer(bytes);
        assertThat(back).isEqualTo(e);
        assertThat(VectorBytes.decode(back.getVector())).containsExactly(1.5f, -2f);
    }

    @Test
    void everyV2ChangeIsBackwardCompatibleForTheV1Reader() throws Exception {
        SchemaCompatibility.SchemaPairCompatibility c =
                SchemaCompatibility.checkReaderWriterCompatibility(VectorEvent.getClassSchema(), v2());
        assertThat(c.getType()).isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        // And the v2 reader reads v1 data (the new field takes its default).
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(v2(), VectorEvent.getClassSchema()).getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void oldReaderReadsNewerWriterOnceTheWriterSchemaIsRegistered() throws Exception {
        Schema v2 = v2();
        GenericRecord r = new GenericData.Record(v2);
        r.put("op", new GenericData.EnumSymbol(v2.getField("op").schema(), "DELETE"));
        r.put("id", 99L);
        r.put("partitionKey", "p");
        r.put("vector", ByteBuffer.allocate(0));
        r.put("attributes", Map.of());
        r.put("eventTime", 12L);
        r.put("routingHash", null);
        r.put("source", "producer-v2");
        ByteBuffer written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(r);

        // Without the writer schema the reader refuses (the connectors turn this into a dead letter).
        assertThatThrownBy(() -> VectorEvent.getDecoder().decode(written.duplicate()))
                .isInstanceOf(MissingSchemaException.class);

        SchemaStore.Cache known = new SchemaStore.Cache();
        known.addSchema(v2);
        BinaryMessageDecoder<VectorEvent> decoder =
                new BinaryMessageDecoder<>(SpecificData.getForClass(VectorEvent.class), VectorEvent.getClassSchema(), known);
        VectorEvent old = decoder.decode(written.duplicate());
        assertThat(old.getOp()).isEqualTo(Op.DELETE);
        assertThat(old.getId()).isEqualTo(99L);
        assertThat(old.getPartitionKey()).isEqualTo("p");
        assertThat(old.getRoutingHash()).isNull();
    }

    @Test
    void vectorBytesRejectATornLength() {
        assertThatThrownBy(() -> VectorBytes.decode(ByteBuffer.wrap(new byte[] {1, 2, 3})))
                .hasMessage("vector bytes must be a multiple of 4 (float32); length=3");
    }
}
