package io.vectorstream.connectors;

import java.io.Serializable;

/**
 * Turns a decoded record into the job's own type inside the Kafka source, where its origin is known, and checks
 * it there: a record rejected here never reaches a watermark, a serializer or an operator. Serializable (shipped
 * to the cluster); called by one source thread at a time.
 */
@FunctionalInterface
public interface RecordConverter<T, O> extends Serializable {

    /**
     * @throws RejectedRecordException for a record that breaks a rule (it becomes a dead letter)
     */
    O convert(T value, String topic, int partition, long offset) throws RejectedRecordException;
}
