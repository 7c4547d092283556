package io.vectorstream.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorstream.schemas.DeadLetter;
import io.vectorstream.schemas.Op;
import io.vectorstream.schemas.VectorEvent;
import io.vectorstream.schemas.VectorQuery;
import io.vectorstream.schemas.codec.VectorBytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CodecsTest {
    static final VectorEvent EVENT = VectorEvent.newBuilder().setOp(Op.UPSERT).setId(42L).setPartitionKey("shop")
            .setVector(VectorBytes.encode(new float[] {0.5f, -1f})).setAttributes(Map.of("color", "red"))
            .setEventTime(Instant.ofEpochMilli(1700L)).setRoutingHash(99L).build();

    @Test
    void avroRoundTripAndSurvivesJavaSerialization() throws Exception {
        AvroSingleObjectCodec<VectorEvent> codec = AvroSingleObjectCodec.of(VectorEvent.class);
        byte[] bytes = codec.encode(EVENT);
        assertThat(codec.decode(bytes)).isEqualTo(EVENT);
        // Flink ships codecs to the cluster with Java serialization: the transient parts rebuild themselves.
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(buf)) {
            out.writeObject(codec);
        }
        @SuppressWarnings("unchecked")
        AvroSingleObjectCodec<VectorEvent> copy = (AvroSingleObjectCodec<VectorEvent>)
                new ObjectInputStream(new ByteArrayInputStream(buf.toByteArray())).readObject();
        assertThat(copy.decode(bytes)).isEqualTo(EVENT);
    }

    @Test
    void badAvroBytesAreDecodeErrorsWithReasons() {
        AvroSingleObjectCodec<VectorEvent> codec = AvroSingleObjectCodec.of(VectorEvent.class);
        assertThatThrownBy(() -> codec.decode("hello".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(RecordCodec.DecodeException.class)
                .hasMessageStartingWith("value must be Avro single-object encoded (header C3 01)");
        assertThatThrownBy(() -> codec.decode(new byte[] {(byte) 0xC3, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 5}))
                .hasMessageStartingWith("schema fingerprint must be known to this reader");
        byte[] good = codec.encode(EVENT);
        byte[] torn = java.util.Arrays.copyOf(good, good.length - 6);
        assertThatThrownBy(() -> codec.decode(torn)).hasMessageStartingWith("value must be a valid VectorEvent body");
        assertThatThrownBy(() -> codec.decode(null)).hasMessage("value must not be null (tombstone); value=null");
    }

    @Test
    void jsonEventsAndQueriesRoundTripAndNameTheirErrors() throws Exception {
        RecordCodec<VectorEvent> events = JsonCodecs.events();
        assertThat(events.decode(events.encode(EVENT))).isEqualTo(EVENT);
        VectorEvent typed = events.decode(("{\"op\":\"delete\",\"id\":7,\"partitionKey\":\"a\",\"eventTime\":5}")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(typed.getOp()).isEqualTo(Op.DELETE);
        assertThat(typed.getId()).isEqualTo(7L);
        assertThatThrownBy(() -> events.decode("{\"op\":\"merge\",\"id\":1}".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("op must be one of [upsert, delete]; op=\"merge\"");
        assertThatThrownBy(() -> events.decode("{\"op\":\"upsert\",\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("id must be an integer in [-2^63, 2^63-1]; id=\"x\"");
        assertThatThrownBy(() -> events.decode("{\"op\":\"upsert\",\"id\":1,\"vector\":[1,\"a\"]}".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("vector components must be numbers; vector[1]=\"a\"");
        assertThatThrownBy(() -> events.decode("{oops".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("value must be valid JSON");
        assertThatThrownBy(() -> events.decode("[1,2]".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("value must be a JSON object; value=[1,2]");

        RecordCodec<VectorQuery> queries = JsonCodecs.queries();
        VectorQuery q = queries.decode(("{\"queryId\":\"q1\",\"vector\":[1,2],\"k\":3,\"filter\":{\"color\":[\"red\",\"blue\"]},"
                + "\"eventTime\":9}").getBytes(StandardCharsets.UTF_8));
        assertThat(q.getFilter()).containsEntry("color", List.of("red", "blue"));
        assertThat(q.getPartitionKey()).isNull();
        assertThat(queries.decode(queries.encode(q))).isEqualTo(q);
        assertThatThrownBy(() -> queries.decode("{\"queryId\":\"q\",\"vector\":[1],\"k\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("k must be an integer in [-2^31, 2^31-1]; k=\"x\"");
    }

    @Test
    void deadLettersCarryProvenanceAndTheRawBytes() {
        byte[] raw = {1, 2, 3};
        DeadLetter d = DeadLetters.of("bad", DeadLetters.UNDECODABLE, "avro:VectorEvent", "vectors", 1, 77L, 1234L, raw);
        assertThat(d.getSourceTopic()).isEqualTo("vectors");
        assertThat(d.getSourcePartition()).isEqualTo(1);
        assertThat(d.getSourceOffset()).isEqualTo(77L);
        assertThat(d.getRecord()).isEqualTo("vectors/1@77");
        assertThat(d.getPayload().array()).containsExactly(1, 2, 3);
        assertThat(d.getTimestamp().toEpochMilli()).isEqualTo(1234L);
        assertThat(d.getReasonClass()).isEqualTo("undecodable");
        assertThat(d.getPayloadSize()).isNull();
    }

    @Test
    void deadLettersAreBoundedWhateverTheInput() {
        byte[] huge = new byte[1_048_450];
        huge[0] = 7;
        String reason = "op must be one of [upsert, delete]; op=" + "o".repeat(600_000);
        DeadLetter d = DeadLetters.of(reason, "invalid", "json:VectorEvent", "vectors", 0, 5L, 1L, huge);
        assertThat(d.getPayload().remaining()).isEqualTo(DeadLetters.MAX_PAYLOAD_BYTES);
        assertThat(d.getPayload().get(0)).isEqualTo((byte) 7);
        assertThat(d.getPayloadSize()).isEqualTo(1_048_450);
        assertThat(d.getReason()).hasSize(DeadLetters.MAX_REASON_CHARS).endsWith("... [truncated, 600039 chars]");
        // The whole dead letter, as written to Kafka, stays far below the producer's 1 MiB max.request.size.
        assertThat(AvroSingleObjectCodec.of(DeadLetter.class).encode(d).length).isLessThan(70 * 1024);
    }

    @Test
    void idleAwareWatermarksFollowTheClockOnlyWhileAPartitionIsIdle() {
        long[] now = {1_000_000L};
        long[] activity = {0L};
        java.util.List<String> emitted = new java.util.ArrayList<>();
        org.apache.flink.api.common.eventtime.WatermarkOutput out = new org.apache.flink.api.common.eventtime.WatermarkOutput() {
            @Override public void emitWatermark(org.apache.flink.api.common.eventtime.Watermark w) { emitted.add("" + w.getTimestamp()); }
            @Override public void markIdle() { emitted.add("idle"); }
            @Override public void markActive() { }
        };
        IdleAwareWatermarks<String> g = new IdleAwareWatermarks<>(IdleAwareWatermarks.Role.PARTITION, java.time.Duration.ofMillis(100),
                java.time.Duration.ofSeconds(5), () -> activity[0], () -> now[0]);
        g.onPeriodicEmit(out);
        assertThat(emitted).as("nothing seen, not idle yet").isEmpty();
        g.onEvent("a", 500L, out);
        g.onEvent("dead letter", Long.MIN_VALUE, out);
        g.onPeriodicEmit(out);
        assertThat(emitted).containsExactly("399");
        now[0] += 60_000;
        activity[0] += 4_999;
        g.onPeriodicEmit(out);
        assertThat(emitted).as("not idle for 5 s of input activity yet (back-pressure stops that clock)")
                .containsExactly("399");
        activity[0] += 1;
        g.onPeriodicEmit(out);
        assertThat(emitted).containsExactly("399", "" + (1_060_000L - 5_000 - 100 - 1));
        // A record behind the clock-based watermark does not move it back; dead letters are not activity.
        g.onEvent("b", 600L, out);
        g.onPeriodicEmit(out);
        assertThat(emitted).containsExactly("399", "" + (1_060_000L - 5_000 - 100 - 1));

        // A partition that had no record since the (re)start follows the clock once idle, like any idle one.
        java.util.List<String> other = emitted;
        other.clear();
        IdleAwareWatermarks<String> empty = new IdleAwareWatermarks<>(IdleAwareWatermarks.Role.PARTITION,
                java.time.Duration.ZERO, java.time.Duration.ofSeconds(5), () -> activity[0], () -> now[0]);
        empty.onEvent("dead letter", Long.MIN_VALUE, out);
        empty.onPeriodicEmit(out);
        assertThat(other).as("not idle yet").isEmpty();
        activity[0] += 5_000;
        empty.onPeriodicEmit(out);
        empty.onPeriodicEmit(out);
        assertThat(other).containsExactly("" + (now[0] - 5_000 - 1));

        // The reader's main output never emits a watermark (it would bypass the partitions' minimum); once idle
        // it says so, once.
        other.clear();
        IdleAwareWatermarks<String> main = new IdleAwareWatermarks<>(IdleAwareWatermarks.Role.MAIN_OUTPUT,
                java.time.Duration.ZERO, java.time.Duration.ofSeconds(5), () -> activity[0], () -> now[0]);
        main.onPeriodicEmit(out);
        assertThat(other).isEmpty();
        activity[0] += 60_000;
        main.onPeriodicEmit(out);
        main.onPeriodicEmit(out);
        assertThat(other).containsExactly("idle");
    }
}
