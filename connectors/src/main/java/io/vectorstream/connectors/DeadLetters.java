package io.vectorstream.connectors;

import io.vectorstream.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/**
 * Builds bounded Avro dead letters for records rejected in a Kafka source: reason and description cut with a
 * marker, the raw value kept up to {@value #MAX_PAYLOAD_BYTES} bytes with its full size in {@code payloadSize}.
 * So a dead letter always fits in a Kafka message whatever the input was. Stateless; thread-safe.
 */
public final class DeadLetters {
    public static final int MAX_REASON_CHARS = 1024;
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;
    /** The reason class of bytes that are not a record of the topic's format. */
    public static final String UNDECODABLE = "undecodable";

    private DeadLetters() {}

    /** The dead letter of a raw Kafka value that was rejected with {@code reason}. */
    public static DeadLetter of(String reason, String reasonClass, String recordType, String topic, int partition,
                                long offset, long kafkaTimestamp, byte[] value) {
        DeadLetter.Builder b = DeadLetter.newBuilder().setReason(bound(reason, MAX_REASON_CHARS))
                .setReasonClass(reasonClass).setRecordType(recordType)
                .setRecord(topic + "/" + partition + "@" + offset).setSourceTopic(topic).setSourcePartition(partition)
                .setSourceOffset(offset).setTimestamp(Instant.ofEpochMilli(Math.max(0, kafkaTimestamp)));
        if (value != null) {
            if (value.length > MAX_PAYLOAD_BYTES) {
                b.setPayload(ByteBuffer.wrap(Arrays.copyOf(value, MAX_PAYLOAD_BYTES))).setPayloadSize(value.length);
            } else {
                b.setPayload(ByteBuffer.wrap(value));
            }
        }
        return b.build();
    }

    /** {@code s} cut to {@code max} characters, with a marker naming the original length. */
    public static String bound(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        String marker = "... [truncated, " + s.length() + " chars]";
        return s.substring(0, max - marker.length()) + marker;
    }
}
