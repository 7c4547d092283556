package io.vectorstream.operators;

import java.util.Objects;

/**
 * Where a record came from (Kafka topic, partition, offset), carried with events and queries so that a dead
 * letter raised deep in the job still names the input record. Immutable; thread-safe.
 */
public final class RecordOrigin {
    private final String topic;
    private final int partition;
    private final long offset;

    public RecordOrigin(String topic, int partition, long offset) {
        if (topic == null) {
            throw new IllegalArgumentException("topic must not be null; topic=null");
        }
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
    }

    public String topic() { return topic; }
    public int partition() { return partition; }
    public long offset() { return offset; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RecordOrigin)) {
            return false;
        }
        RecordOrigin r = (RecordOrigin) o;
        return partition == r.partition && offset == r.offset && topic.equals(r.topic);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset;
    }
}
