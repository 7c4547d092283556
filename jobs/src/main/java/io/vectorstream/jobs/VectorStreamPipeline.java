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
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The VectorStream job: Kafka vectors and queries in (Avro single-object or JSON), the index operators in
 * the middle, results and dead letters out to Kafka. Undecodable bytes, invalid records and late records all
 * end on the dead-letter topic with a reason; the job never fails on them.
 *
 * <p>Event time comes from the records' {@code eventTime}; watermarks allow {@code outOfOrderness} and mark
 * a partition idle after {@code idleness}, so an idle partition does not stall event-time answers.
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
    static void build(StreamExecutionEnvironment env, PipelineSpec spec,
                      MapFunction<io.vectorstream.schemas.VectorEvent, io.vectorstream.schemas.VectorEvent> eventTap) {
        RecordCodec<io.vectorstream.schemas.VectorEvent> eventCodec = spec.format() == PipelineSpec.Format.JSON
                ? JsonCodecs.events() : AvroSingleObjectCodec.of(io.vectorstream.schemas.VectorEvent.class);
        RecordCodec<io.vectorstream.schemas.VectorQuery> queryCodec = spec.format() == PipelineSpec.Format.JSON
                ? JsonCodecs.queries() : AvroSingleObjectCodec.of(io.vectorstream.schemas.VectorQuery.class);

        var events = VectorStreamKafka.source(env, spec.bootstrap(), spec.vectorsTopic(), spec.groupId(), eventCodec,
                io.vectorstream.schemas.VectorEvent.class, spec.bounded(), null);
        var queries = VectorStreamKafka.source(env, spec.bootstrap(), spec.queriesTopic(), spec.groupId(), queryCodec,
                io.vectorstream.schemas.VectorQuery.class, spec.bounded(), null);

        DataStream<io.vectorstream.schemas.VectorEvent> decodedEvents = eventTap == null ? events.records()
                : events.records().map(eventTap).returns(new AvroTypeInfo<>(io.vectorstream.schemas.VectorEvent.class))
                        .name("event-tap").uid("event-tap");
        DataStream<io.vectorstream.schemas.VectorEvent> timedEvents = decodedEvents.assignTimestampsAndWatermarks(
                WatermarkStrategy.<io.vectorstream.schemas.VectorEvent>forBoundedOutOfOrderness(spec.outOfOrderness())
                        .withTimestampAssigner((e, ts) -> e.getEventTime().toEpochMilli())
                        .withIdleness(spec.idleness())).name("event-time:vectors").uid("watermarks-vectors");
        DataStream<io.vectorstream.schemas.VectorQuery> timedQueries = queries.records().assignTimestampsAndWatermarks(
                WatermarkStrategy.<io.vectorstream.schemas.VectorQuery>forBoundedOutOfOrderness(spec.outOfOrderness())
                        .withTimestampAssigner((q, ts) -> q.getEventTime().toEpochMilli())
                        .withIdleness(spec.idleness())).name("event-time:queries").uid("watermarks-queries");

        VectorSearch.Output out = VectorSearch.builder(spec.search())
                .events(timedEvents, AvroRecords.EVENTS)
                .queries(timedQueries, AvroRecords.QUERIES)
                .build();

        DeliveryGuarantee guarantee = spec.exactlyOnce() ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE;
        out.results().map(new ToNeighborResult()).returns(new AvroTypeInfo<>(NeighborResult.class))
                .name("to-avro:results").uid("to-avro-results")
                .sinkTo(VectorStreamKafka.sink(spec.bootstrap(), spec.resultsTopic(),
                        AvroSingleObjectCodec.of(NeighborResult.class), NeighborResult.class, guarantee, spec.transactionalIdPrefix() + "-results"))
                .name("kafka:" + spec.resultsTopic()).uid("sink-results");

        DataStream<DeadLetter> dead = out.deadLetters().map(new ToAvroDeadLetter())
                .returns(new AvroTypeInfo<>(DeadLetter.class)).name("to-avro:dead-letters").uid("to-avro-dead-letters")
                .union(events.deadLetters(), queries.deadLetters());
        dead.sinkTo(VectorStreamKafka.sink(spec.bootstrap(), spec.deadLettersTopic(),
                        AvroSingleObjectCodec.of(DeadLetter.class), DeadLetter.class, guarantee, spec.transactionalIdPrefix() + "-dead"))
                .name("kafka:" + spec.deadLettersTopic()).uid("sink-dead-letters");
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
