package io.vectorstream.jobs;

import io.vectorstream.connectors.RecordConverter;
import io.vectorstream.connectors.RejectedRecordException;
import io.vectorstream.operators.DeadLetter;
import io.vectorstream.operators.RecordOrigin;
import io.vectorstream.operators.RecordValidator;
import io.vectorstream.operators.VectorEvent;
import io.vectorstream.operators.VectorQuery;
import io.vectorstream.operators.VectorSearchConfig;
import io.vectorstream.operators.avro.AvroRecords;
import java.time.Duration;

/**
 * The job's input checks, run inside the Kafka sources: Avro records become the operators' records with their
 * origin, and a record that breaks a field rule or limit, or whose event time lies more than
 * {@code maxEventTimeAhead} ahead of the clock, is rejected there (a dead letter) before it can move a watermark
 * or reach a serializer. Serializable; one source thread each.
 */
final class InputConverters {
    private InputConverters() {}

    /**
     * The conversion and the checks, shared by events and queries: convert with the origin, then the field rules
     * and limits, then the clock check. A record that cannot even be converted is rejected too.
     */
    abstract static class Checked<A, R> implements RecordConverter<A, R> {
        private static final long serialVersionUID = 1L;
        private final VectorSearchConfig config;
        private final long maxAheadMillis;
        private transient RecordValidator validator;

        Checked(VectorSearchConfig config, Duration maxEventTimeAhead) {
            this.config = config;
            this.maxAheadMillis = maxEventTimeAhead.toMillis();
        }

        abstract R toRecord(A value, RecordOrigin origin);

        abstract String check(RecordValidator validator, R record);

        abstract long eventTime(R record);

        abstract String recordType();

        @Override
        public final R convert(A value, String topic, int partition, long offset) throws RejectedRecordException {
            if (validator == null) {
                validator = new RecordValidator(config);
            }
            R r;
            try {
                r = toRecord(value, new RecordOrigin(topic, partition, offset));
            } catch (RuntimeException malformed) {
                throw new RejectedRecordException(recordType() + " must be readable; error=" + malformed.getMessage(),
                        DeadLetter.ReasonClass.INVALID.label());
            }
            reject(check(validator, r));
            reject(checkAhead(eventTime(r), maxAheadMillis));
            return r;
        }
    }

    /** Avro vector events. */
    static final class Events extends Checked<io.vectorstream.schemas.VectorEvent, VectorEvent> {
        private static final long serialVersionUID = 1L;

        Events(VectorSearchConfig config, Duration maxEventTimeAhead) {
            super(config, maxEventTimeAhead);
        }

        @Override
        VectorEvent toRecord(io.vectorstream.schemas.VectorEvent value, RecordOrigin origin) {
            return AvroRecords.toEvent(value).withOrigin(origin);
        }

        @Override
        String check(RecordValidator validator, VectorEvent e) {
            return validator.checkEvent(e);
        }

        @Override
        long eventTime(VectorEvent e) {
            return e.eventTime();
        }

        @Override
        String recordType() {
            return "vector-event";
        }
    }

    /** Avro queries. */
    static final class Queries extends Checked<io.vectorstream.schemas.VectorQuery, VectorQuery> {
        private static final long serialVersionUID = 1L;

        Queries(VectorSearchConfig config, Duration maxEventTimeAhead) {
            super(config, maxEventTimeAhead);
        }

        @Override
        VectorQuery toRecord(io.vectorstream.schemas.VectorQuery value, RecordOrigin origin) {
            return AvroRecords.toQuery(value).withOrigin(origin);
        }

        @Override
        String check(RecordValidator validator, VectorQuery q) {
            return validator.checkQuery(q);
        }

        @Override
        long eventTime(VectorQuery q) {
            return q.eventTime();
        }

        @Override
        String recordType() {
            return "query";
        }
    }

    private static void reject(String reason) throws RejectedRecordException {
        if (reason != null) {
            throw new RejectedRecordException(reason, DeadLetter.ReasonClass.INVALID.label());
        }
    }

    /**
     * A record far in the future would carry its partition's watermark with it, making every later record of
     * that partition late; {@code maxAheadMillis <= 0} turns the check off.
     */
    static String checkAhead(long eventTime, long maxAheadMillis) {
        if (maxAheadMillis <= 0) {
            return null;
        }
        long limit = System.currentTimeMillis() + maxAheadMillis;
        if (eventTime > limit) {
            return "eventTime must be at most " + Duration.ofMillis(maxAheadMillis)
                    + " ahead of the job's clock (--max-event-time-ahead); eventTime=" + eventTime + ", limit=" + limit;
        }
        return null;
    }
}
