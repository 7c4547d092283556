package io.vectorstream.operators;

import io.vectorstream.operators.typeutils.RecordTypeInfoFactories;
import java.util.Locale;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A record the pipeline could not use, with the reason. Nothing is dropped silently: every rejected event
 * or query becomes one of these on the dead-letter output.
 *
 * <p>Bounded: the reason is cut to {@value #MAX_REASON_CHARS} characters and the record's description to
 * {@value #MAX_RECORD_CHARS}, each with a marker and the original length, so a dead letter always fits a Kafka
 * message and Flink's string serialization whatever the input was. Immutable; thread-safe.
 */
@TypeInfo(RecordTypeInfoFactories.Dead.class)
public final class DeadLetter {
    public static final int MAX_REASON_CHARS = 1024;
    public static final int MAX_RECORD_CHARS = 8192;

    /** Why a record was rejected, for metrics and routing; {@link #label()} is the metric and field value. */
    public enum ReasonClass {
        /** The bytes are not a record of the topic's format. */
        UNDECODABLE,
        /** A field breaks its rule or a limit ({@link RecordLimits}). */
        INVALID,
        /** The vector's dimension differs from the one its key's index fixed. */
        DIMENSION,
        /** EVENT_TIME mode: at or behind the watermark. */
        LATE,
        /** The index refused the record (an input the validators did not foresee). */
        INDEX_REJECTED,
        /** A user accessor threw while reading the record. */
        ACCESSOR,
        /** GLOBAL mode: a shard did not answer in time; the merged answer is incomplete. */
        MERGE_TIMEOUT;

        /** The lower-case, dash-separated name used in metrics and on the dead-letter topic. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The class with {@code label}, or {@code INVALID} for an unknown one (read from an older record). */
        public static ReasonClass ofLabel(String label) {
            for (ReasonClass c : values()) {
                if (c.label().equals(label)) {
                    return c;
                }
            }
            return INVALID;
        }
    }

    private final String reason;
    private final ReasonClass reasonClass;
    private final String recordType;
    private final String record;
    private final long timestamp;
    private final RecordOrigin origin;

    public DeadLetter(String reason, String recordType, String record, long timestamp) {
        this(reason, ReasonClass.INVALID, recordType, record, timestamp, null);
    }

    /**
     * @param origin where the rejected record was read from, or null when unknown (a DataStream input)
     */
    public DeadLetter(String reason, ReasonClass reasonClass, String recordType, String record, long timestamp,
                      RecordOrigin origin) {
        this.reason = bound(reason, MAX_REASON_CHARS);
        this.reasonClass = reasonClass == null ? ReasonClass.INVALID : reasonClass;
        this.recordType = bound(recordType, MAX_REASON_CHARS);
        this.record = bound(record, MAX_RECORD_CHARS);
        this.timestamp = timestamp;
        this.origin = origin;
    }

    /** {@code s} cut to {@code max} characters, with a marker naming the original length. */
    public static String bound(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        String marker = "... [truncated, " + s.length() + " chars]";
        return s.substring(0, max - marker.length()) + marker;
    }

    /** Why it was rejected: names the field, the rule and the value. */
    public String reason() { return reason; }
    /** The class of the reason. */
    public ReasonClass reasonClass() { return reasonClass; }
    /** {@code vector-event} or {@code query}, or a source name for undecodable bytes. */
    public String recordType() { return recordType; }
    /** A printable description of the record. */
    public String record() { return record; }
    /** The record's event time, or ingestion time when it has none. */
    public long timestamp() { return timestamp; }
    /** Where the record was read from, or null. */
    public RecordOrigin origin() { return origin; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeadLetter)) {
            return false;
        }
        DeadLetter d = (DeadLetter) o;
        return timestamp == d.timestamp && Objects.equals(reason, d.reason) && reasonClass == d.reasonClass
                && Objects.equals(recordType, d.recordType) && Objects.equals(record, d.record)
                && Objects.equals(origin, d.origin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, reasonClass, recordType, record, timestamp, origin);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + recordType + " " + reasonClass.label() + ": " + reason + " | " + record
                + (origin == null ? "" : " | " + origin) + '}';
    }
}
