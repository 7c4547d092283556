package io.vectorstream.operators;

import io.vectorstream.operators.typeutils.RecordTypeInfoFactories;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import java.util.Objects;

/**
 * A record the pipeline could not use, with the reason. Nothing is dropped silently: every rejected event
 * or query becomes one of these on the dead-letter output. Immutable; thread-safe.
 */
@TypeInfo(RecordTypeInfoFactories.Dead.class)
public final class DeadLetter {
    private final String reason;
    private final String recordType;
    private final String record;
    private final long timestamp;

    public DeadLetter(String reason, String recordType, String record, long timestamp) {
        this.reason = reason;
        this.recordType = recordType;
        this.record = record;
        this.timestamp = timestamp;
    }

    /** Why it was rejected: names the field, the rule and the value. */
    public String reason() { return reason; }
    /** {@code vector-event} or {@code query}, or a source name for undecodable bytes. */
    public String recordType() { return recordType; }
    /** A printable description of the record. */
    public String record() { return record; }
    /** The record's event time, or ingestion time when it has none. */
    public long timestamp() { return timestamp; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeadLetter)) {
            return false;
        }
        DeadLetter d = (DeadLetter) o;
        return timestamp == d.timestamp && Objects.equals(reason, d.reason) && Objects.equals(recordType, d.recordType)
                && Objects.equals(record, d.record);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, recordType, record, timestamp);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + recordType + ": " + reason + " | " + record + '}';
    }
}
