package io.vectorstream.connectors;

import java.io.Serializable;

/**
 * Turns Kafka record values into records and back. Implementations are serializable (shipped to the
 * cluster), build their heavy parts lazily, and are used by one task thread at a time.
 */
public interface RecordCodec<T> extends Serializable {

    /**
     * Decodes one record value.
     *
     * @throws DecodeException with a reason naming what was wrong, for bytes that are not a valid record
     */
    T decode(byte[] bytes) throws DecodeException;

    byte[] encode(T record);

    /** A short name for dead letters and logs, e.g. {@code avro:VectorEvent}. */
    String name();

    /** Bytes that are not a valid record. */
    final class DecodeException extends Exception {
        private static final long serialVersionUID = 1L;

        public DecodeException(String reason) {
            super(reason);
        }

        public DecodeException(String reason, Throwable cause) {
            super(reason, cause);
        }
    }
}
