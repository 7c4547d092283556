package io.vectorstream.operators;

/** When a query is answered, and against which vectors. */
public enum ConsistencyMode {
    /** On arrival, against every event that arrived before it (lowest latency). */
    PROCESSING,
    /**
     * Once the watermark passes the query's timestamp, against exactly the vectors whose event time is at or
     * before it. Events of one timestamp are applied in a fixed order, so a replay in any arrival order gives
     * identical answers. Records behind the watermark are dead letters.
     */
    EVENT_TIME
}
