package io.vectorstream.jobs;

import io.vectorstream.connectors.AvroSingleObjectCodec;
import io.vectorstream.connectors.JsonCodecs;
import io.vectorstream.connectors.RecordCodec;
import io.vectorstream.connectors.VectorStreamKafka;
import io.vectorstream.operators.QueryResult;
import io.vectorstream.operators.VectorSearch;
import io.vectorstream.operators.avro.AvroRecords;
import io.vectorstream.schemas.DeadLetter;
import io.vectorstream.schemas.NeighborResult;
import io.vectorstream.connectors.DecodingDeserializer;
import io.vectorstream.connectors.IdleAwareWatermarks;
import io.vectorstream.operators.VectorEvent;
import io.vectorstream.operators.VectorQuery;
import io.vectorstream.operators.VectorStreamTypes;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.types.Either;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The VectorStream job: Kafka vectors and queries in (Avro single-object or JSON), the index operators in
 * the middle, results and dead letters out to Kafka. Avro input may be written with the current schema, any
 * released earlier one ({@link io.vectorstream.schemas.SchemaHistory}) or one {@link PipelineSpec#eventWriterSchemas}
 * adds; any other fingerprint is a dead letter naming it. Undecodable bytes, invalid records and late records all
 * end on the dead-letter topic with a reason; the job never fails on them.
 *
 * <p>Records are decoded and checked inside the Kafka sources, so watermarks are generated per partition
 * ({@link IdleAwareWatermarks}: the records' {@code eventTime} minus {@code outOfOrderness}, and for a partition
 * idle for {@code idleness}, the clock minus {@code idleness}). Outputs carry no Kafka timestamp of their own: event
 * times stay in the records' fields.
 */
public final class VectorStreamPipeline {
    private VectorStreamPipeline() {}

    /** Adds the job to {@code env}; call {@code env.execute(...)} afterwards. */
    public static void build(StreamExecutionEnvironment env, PipelineSpec spec) {
        build(env, spec, null);
    }

    /**
     * As {@link #build(StreamExecutionEnvironment, PipelineSpec)}, with {@code eventTap} applied to the decoded
     * events before the index (tests use it to inject a failure mid-stream); null for none.
     */
    static void build(StreamExecutionEnvironment env, PipelineSpec spec, MapFunction<VectorEvent, VectorEvent> eventTap) {
        // Avro input written with the current schema, any released one, or one the spec adds: a producer of the
        // previous release keeps working across an upgrade of the job.
        RecordCodec<io.vectorstream.schemas.VectorEvent> eventCodec = spec.format() == PipelineSpec.Format.JSON
                ? JsonCodecs.events()
                : AvroSingleObjectCodec.ofReleased(io.vectorstream.schemas.VectorEvent.class)
                        .withWriterSchemas(spec.eventWriterSchemas());
        RecordCodec<io.vectorstream.schemas.VectorQuery> queryCodec = spec.format() == PipelineSpec.Format.JSON
                ? JsonCodecs.queries()
                : AvroSingleObjectCodec.ofReleased(io.vectorstream.schemas.VectorQuery.class)
                        .withWriterSchemas(spec.queryWriterSchemas());

        // The vectors topic is the source of truth: without a checkpoint the index is rebuilt from its start.
        // Queries resume at the group's committed offsets, so old queries are not answered again.
        var events = VectorStreamKafka.source(env, spec.bootstrap(), spec.vectorsTopic(), spec.groupId(),
                VectorStreamKafka.StartFrom.EARLIEST,
                new DecodingDeserializer<>(eventCodec, new InputConverters.Events(spec.search(), spec.maxEventTimeAhead()),
                        VectorStreamTypes.EVENT),
                VectorStreamTypes.EVENT,
                IdleAwareWatermarks.strategy(spec.outOfOrderness(), spec.idleness(), new EventTimes<VectorEvent>(true)),
                spec.bounded(), spec.kafkaProperties());
        var queries = VectorStreamKafka.source(env, spec.bootstrap(), spec.queriesTopic(), spec.groupId(),
                VectorStreamKafka.StartFrom.COMMITTED_OR_EARLIEST,
                new DecodingDeserializer<>(queryCodec, new InputConverters.Queries(spec.search(), spec.maxEventTimeAhead()),
                        VectorStreamTypes.QUERY),
                VectorStreamTypes.QUERY,
                IdleAwareWatermarks.strategy(spec.outOfOrderness(), spec.idleness(), new EventTimes<VectorQuery>(false)),
                spec.bounded(), spec.kafkaProperties());

        DataStream<VectorEvent> decodedEvents = eventTap == null ? events.records()
                : events.records().map(eventTap).returns(VectorStreamTypes.EVENT).name("event-tap").uid("event-tap");

        VectorSearch.Output out = VectorSearch.builder(spec.search())
                .events(decodedEvents)
                .queries(queries.records())
                .build();

        DeliveryGuarantee guarantee = spec.exactlyOnce() ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE;
        // Answers, standing-query updates and upserts' neighbours share the results topic (the kind field tells
        // them apart), keyed by query id: per query in order, and a compacted topic keeps each standing query's
        // current answer.
        out.results().union(out.updates()).map(new ToNeighborResult()).returns(new AvroTypeInfo<>(NeighborResult.class))
                .name("to-avro:results").uid("to-avro-results")
                .sinkTo(VectorStreamKafka.sink(spec.bootstrap(), spec.resultsTopic(),
                        AvroSingleObjectCodec.of(NeighborResult.class), new AvroTypeInfo<>(NeighborResult.class), guarantee,
                        spec.transactionalIdPrefix() + "-results", spec.kafkaProperties(),
                        r -> r.getQueryId().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .name("kafka:" + spec.resultsTopic()).uid("sink-results");

        DataStream<DeadLetter> dead = out.deadLetters().map(new ToAvroDeadLetter())
                .returns(new AvroTypeInfo<>(DeadLetter.class)).name("to-avro:dead-letters").uid("to-avro-dead-letters")
                .union(events.deadLetters(), queries.deadLetters());
        dead.sinkTo(VectorStreamKafka.sink(spec.bootstrap(), spec.deadLettersTopic(),
                        AvroSingleObjectCodec.of(DeadLetter.class), new AvroTypeInfo<>(DeadLetter.class), guarantee,
                        spec.transactionalIdPrefix() + "-dead", spec.kafkaProperties()))
                .name("kafka:" + spec.deadLettersTopic()).uid("sink-dead-letters");
    }

    /** Event time of a source record; dead letters get {@link Long#MIN_VALUE} so no watermark moves for them. */
    static final class EventTimes<O> implements SerializableTimestampAssigner<Either<DeadLetter, O>> {
        private static final long serialVersionUID = 1L;
        private final boolean events;

        EventTimes(boolean events) {
            this.events = events;
        }

        @Override
        public long extractTimestamp(Either<DeadLetter, O> r, long kafkaTimestamp) {
            if (r.isLeft()) {
                return Long.MIN_VALUE;
            }
            return events ? ((VectorEvent) r.right()).eventTime() : ((VectorQuery) r.right()).eventTime();
        }
    }

    static final class ToNeighborResult implements MapFunction<QueryResult, NeighborResult> {
        private static final long serialVersionUID = 1L;

        @Override
        public NeighborResult map(QueryResult r) {
            return AvroRecords.toAvro(r);
        }
    }

    static final class ToAvroDeadLetter implements MapFunction<io.vectorstream.operators.DeadLetter, DeadLetter> {
        private static final long serialVersionUID = 1L;

        @Override
        public DeadLetter map(io.vectorstream.operators.DeadLetter d) {
            return AvroRecords.toAvro(d);
        }
    }

}
