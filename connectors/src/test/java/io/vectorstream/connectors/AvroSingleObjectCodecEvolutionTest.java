package io.vectorstream.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorstream.schemas.DeadLetter;
import io.vectorstream.schemas.Neighbor;
import io.vectorstream.schemas.NeighborResult;
import io.vectorstream.schemas.Op;
import io.vectorstream.schemas.SchemaHistory;
import io.vectorstream.schemas.VectorEvent;
import io.vectorstream.schemas.VectorQuery;
import io.vectorstream.schemas.codec.VectorBytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * Records written with another version of their schema: the released history ({@link SchemaHistory}) decodes with
 * {@link AvroSingleObjectCodec#ofReleased}, any other registered writer schema once registered, and an unknown
 * fingerprint is a decode error that names it. VectorEvent and VectorQuery have had one release only, so their
 * earlier versions here are synthetic: the current schema without an optional field that has a default.
 */
class AvroSingleObjectCodecEvolutionTest {
    static final VectorEvent EVENT = VectorEvent.newBuilder().setOp(Op.UPSERT).setId(42L).setPartitionKey("shop")
            .setVector(VectorBytes.encode(new float[] {0.5f, -1f})).setAttributes(Map.of("color", "red"))
            .setEventTime(Instant.ofEpochMilli(1700L)).setRoutingHash(99L).build();
    static final VectorQuery QUERY = VectorQuery.newBuilder().setQueryId("q").setPartitionKey("shop")
            .setVector(VectorBytes.encode(new float[] {1, 2})).setK(3).setEfSearch(40)
            .setFilter(Map.of("color", List.of("red"))).setEventTime(Instant.ofEpochMilli(9)).build();

    /** {@code current} without {@code field}: an earlier version, from before the field was added. */
    static Schema without(Schema current, String field) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : current.getFields()) {
            if (!f.name().equals(field)) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        assertThat(fields).as("%s has a field %s", current.getName(), field).hasSize(current.getFields().size() - 1);
        return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

    /** {@code current} plus a string field with a default: a later version this reader was not told about. */
    static Schema withExtraField(Schema current, String field) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : current.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field(field, Schema.create(Schema.Type.STRING), null, "unknown"));
        return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

    /** {@code record}'s fields that {@code writer} has, single-object encoded with {@code writer}. */
    static byte[] encodeAs(SpecificRecord record, Schema writer) throws Exception {
        // The record's own model: it knows its enums and logical types (Instant for timestamp-millis).
        SpecificData model = SpecificData.getForClass(record.getClass());
        GenericRecord g = new GenericData.Record(writer);
        for (Schema.Field f : writer.getFields()) {
            Schema.Field own = record.getSchema().getField(f.name());
            g.put(f.pos(), own == null ? model.getDefaultValue(f) : record.get(own.pos()));
        }
        ByteBuffer b = new BinaryMessageEncoder<GenericRecord>(model, writer).encode(g);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static String hex(Schema s) {
        return String.format("0x%016X", SchemaNormalization.parsingFingerprint64(s));
    }

    @Test
    void thePreviousNeighborResultAndDeadLetterDecodeWithTheAddedFieldsDefaults() throws Exception {
        Schema resultV1 = SchemaHistory.earlierVersions(NeighborResult.class).get(0);
        GenericRecord neighbor = new GenericData.Record(resultV1.getField("neighbors").schema().getElementType());
        neighbor.put("id", 7L);
        neighbor.put("distance", 0.5f);
        GenericRecord result = new GenericData.Record(resultV1);
        result.put("queryId", "q1");
        result.put("partitionKey", null);
        result.put("neighbors", List.of(neighbor));
        result.put("indexSize", 3);
        result.put("searchMicros", 12L);
        result.put("shardsAnswered", 1);
        result.put("shardCount", 1);
        byte[] resultBytes = bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), resultV1).encode(result));

        NeighborResult r = AvroSingleObjectCodec.ofReleased(NeighborResult.class).decode(resultBytes);
        assertThat(r.getQueryId()).isEqualTo("q1");
        assertThat(r.getNeighbors()).extracting(Neighbor::getId).containsExactly(7L);
        assertThat(r.getQueryEventTime()).isNull();
        assertThatThrownBy(() -> AvroSingleObjectCodec.of(NeighborResult.class).decode(resultBytes))
                .isInstanceOf(RecordCodec.DecodeException.class).hasMessageEndingWith("fingerprint=0x40801FEE6EB5FCCA");

        Schema deadV1 = SchemaHistory.earlierVersions(DeadLetter.class).get(0);
        GenericRecord dead = new GenericData.Record(deadV1);
        dead.put("reason", "k must be in [1, 10000]; k=0");
        dead.put("recordType", "query");
        dead.put("record", "queries/0@5");
        dead.put("sourceTopic", "queries");
        dead.put("sourcePartition", 0);
        dead.put("sourceOffset", 5L);
        dead.put("payload", null);
        dead.put("timestamp", 1234L);
        DeadLetter d = AvroSingleObjectCodec.ofReleased(DeadLetter.class)
                .decode(bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), deadV1).encode(dead)));
        assertThat(d.getReason()).isEqualTo("k must be in [1, 10000]; k=0");
        assertThat(d.getTimestamp()).isEqualTo(Instant.ofEpochMilli(1234L));
        assertThat(d.getReasonClass()).as("added with default \"invalid\"").isEqualTo("invalid");
        assertThat(d.getPayloadSize()).isNull();
    }

    @Test
    void earlierEventsAndQueriesDecodeOnceTheirWriterSchemaIsRegistered() throws Exception {
        Schema eventV0 = without(VectorEvent.getClassSchema(), "routingHash");
        Schema queryV0 = without(VectorQuery.getClassSchema(), "efSearch");
        byte[] event = encodeAs(EVENT, eventV0);
        byte[] query = encodeAs(QUERY, queryV0);

        AvroSingleObjectCodec<VectorEvent> events = AvroSingleObjectCodec.ofReleased(VectorEvent.class);
        assertThatThrownBy(() -> events.decode(event)).isInstanceOf(RecordCodec.DecodeException.class)
                .hasMessage("schema fingerprint must be known to this reader (avro:VectorEvent knows "
                        + hex(VectorEvent.getClassSchema()) + " (current), " + hex(io.vectorstream.schemas.SchemaHistory
                        .earlierVersions(VectorEvent.class).get(0)) + "); fingerprint=" + hex(eventV0));

        VectorEvent e = events.withWriterSchemas(List.of(eventV0.toString())).decode(event);
        VectorEvent expected = VectorEvent.newBuilder(EVENT).setRoutingHash(null).build();
        assertThat(e).as("every field but routingHash, which takes its default").isEqualTo(expected);
        VectorQuery q = AvroSingleObjectCodec.ofReleased(VectorQuery.class).withWriterSchemas(List.of(queryV0.toString()))
                .decode(query);
        assertThat(q).isEqualTo(VectorQuery.newBuilder(QUERY).setEfSearch(null).build());
        // The current schema still decodes alongside.
        assertThat(events.withWriterSchemas(List.of(eventV0.toString())).decode(events.encode(EVENT))).isEqualTo(EVENT);
    }

    @Test
    void aNewerWriterIsReadOnceRegisteredAndItsExtraFieldIgnored() throws Exception {
        Schema newer = withExtraField(VectorEvent.getClassSchema(), "source");
        byte[] bytes = encodeAs(EVENT, newer);
        assertThatThrownBy(() -> AvroSingleObjectCodec.ofReleased(VectorEvent.class).decode(bytes))
                .hasMessageEndingWith("fingerprint=" + hex(newer));
        assertThat(AvroSingleObjectCodec.ofReleased(VectorEvent.class).withWriterSchemas(List.of(newer.toString()))
                .decode(bytes)).isEqualTo(EVENT);
    }

    @Test
    void aWriterSchemaTheReaderCannotReadIsRefusedWhenRegistered() {
        AvroSingleObjectCodec<VectorEvent> events = AvroSingleObjectCodec.of(VectorEvent.class);
        // eventTime has no default: a writer without it cannot be read.
        Schema noTime = without(VectorEvent.getClassSchema(), "eventTime");
        assertThatThrownBy(() -> events.withWriterSchemas(List.of(noTime.toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("writer schema must be readable with the current VectorEvent schema; "
                        + "writer=io.vectorstream.schemas.VectorEvent " + hex(noTime) + ", incompatibilities=")
                .hasMessageContaining("incompatibilities=[READER_FIELD_MISSING_DEFAULT_VALUE at /fields/5: eventTime]");
        assertThatThrownBy(() -> events.withWriterSchemas(List.of(VectorQuery.getClassSchema().toString())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NAME_MISMATCH");
        assertThatThrownBy(() -> events.withWriterSchemas(List.of("{\"type\": \"record\"")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("writer schema must be Avro schema JSON");
        assertThatThrownBy(() -> events.withWriterSchemas(java.util.Collections.singletonList(null)))
                .hasMessage("writer schema must not be null; schema=null");
        assertThatThrownBy(() -> AvroSingleObjectCodec.ofReleased(Neighbor.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("type must be one of");
    }

    @Test
    void theRegisteredSchemasSurviveJavaSerialization() throws Exception {
        Schema eventV0 = without(VectorEvent.getClassSchema(), "routingHash");
        AvroSingleObjectCodec<VectorEvent> codec =
                AvroSingleObjectCodec.ofReleased(VectorEvent.class).withWriterSchemas(List.of(eventV0.toString()));
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(buf)) {
            out.writeObject(codec);
        }
        @SuppressWarnings("unchecked")
        AvroSingleObjectCodec<VectorEvent> copy = (AvroSingleObjectCodec<VectorEvent>)
                new ObjectInputStream(new ByteArrayInputStream(buf.toByteArray())).readObject();
        assertThat(copy.decode(encodeAs(EVENT, eventV0)).getId()).isEqualTo(42L);
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
