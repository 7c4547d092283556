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

    /** Avro vector events. */
    static final class Events implements RecordConverter<io.vectorstream.schemas.VectorEvent, VectorEvent> {
        private static final long serialVersionUID = 1L;
        private final VectorSearchConfig config;
        private final long maxAheadMillis;
        private transient RecordValidator validator;

        Events(VectorSearchConfig config, Duration maxEventTimeAhead) {
            this.config = config;
            this.maxAheadMillis = maxEventTimeAhead.toMillis();
        }

        @Override
        public VectorEvent convert(io.vectorstream.schemas.VectorEvent value, String topic, int partition, long offset)
                throws RejectedRecordException {
            if (validator == null) {
                validator = new RecordValidator(config);
            }
            VectorEvent e;
            try {
                e = AvroRecords.toEvent(value).withOrigin(new RecordOrigin(topic, partition, offset));
            } catch (RuntimeException malformed) {
                throw new RejectedRecordException("vector-event must be readable; error=" + malformed.getMessage(),
                        DeadLetter.ReasonClass.INVALID.label());
            }
            check(validator.checkEvent(e));
            check(checkAhead(e.eventTime(), maxAheadMillis));
            return e;
        }
    }

    /** Avro queries. */
    static final class Queries implements RecordConverter<io.vectorstream.schemas.VectorQuery, VectorQuery> {
        private static final long serialVersionUID = 1L;
        private final VectorSearchConfig config;
        private final long maxAheadMillis;
        private transient RecordValidator validator;

        Queries(VectorSearchConfig config, Duration maxEventTimeAhead) {
            this.config = config;
            this.maxAheadMillis = maxEventTimeAhead.toMillis();
        }

        @Override
        public VectorQuery convert(io.vectorstream.schemas.VectorQuery value, String topic, int partition, long offset)
                throws RejectedRecordException {
            if (validator == null) {
                validator = new RecordValidator(config);
            }
            VectorQuery q;
            try {
                q = AvroRecords.toQuery(value).withOrigin(new RecordOrigin(topic, partition, offset));
            } catch (RuntimeException malformed) {
                throw new RejectedRecordException("query must be readable; error=" + malformed.getMessage(),
                        DeadLetter.ReasonClass.INVALID.label());
            }
            check(validator.checkQuery(q));
            check(checkAhead(q.eventTime(), maxAheadMillis));
            return q;
        }
    }

    private static void check(String reason) throws RejectedRecordException {
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
