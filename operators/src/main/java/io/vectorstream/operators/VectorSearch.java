package io.vectorstream.operators;

import java.io.Serializable;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import io.vectorstream.operators.internal.DeadLetterCounters;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Wires the VectorStream operators into a job, like a connector builder:
 * <pre>{@code
 * VectorSearch.Output out = VectorSearch.builder(config)
 *         .events(myEvents, MyEventAccessor.INSTANCE)   // or .events(DataStream<VectorEvent>)
 *         .queries(myQueries, MyQueryAccessor.INSTANCE)
 *         .build();
 * out.results().sinkTo(...);  out.deadLetters().sinkTo(...);
 * }</pre>
 * KEYED mode keys both inputs by partition key. GLOBAL mode keys events by the shard of (partition key, id)
 * ({@link GlobalRouting}), with one graph per (shard, partition key); it fans a keyed query out to its key's
 * shards and a query without a key to all shards, and merges the partial top-k in a {@link TopKMergeOperator}
 * partitioned by query id; with more than one shard per key, standing queries' per-shard updates are merged by a
 * {@link StandingMergeFunction} keyed by query id. The shards are spread evenly over the subtasks at every
 * parallelism (see {@link VectorSearchConfig#maxParallelism()}).
 *
 * <p>Not thread-safe; used while building the job graph.
 */
public final class VectorSearch {
    private final VectorSearchConfig config;
    private DataStream<VectorEvent> events;
    private DataStream<VectorQuery> queries;
    private String uidPrefix = "vectorstream";
    private final List<DataStream<DeadLetter>> upstreamDeadLetters = new ArrayList<>();

    private VectorSearch(VectorSearchConfig config) {
        this.config = config;
    }

    public static VectorSearch builder(VectorSearchConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null; config=null");
        }
        return new VectorSearch(config);
    }

    /** Vector events already in VectorStream's type. */
    public VectorSearch events(DataStream<VectorEvent> events) {
        this.events = events;
        return this;
    }

    /** Vector events of your own type, read through {@code accessor}. */
    public <E> VectorSearch events(DataStream<E> source, EventAccessor<E> accessor) {
        SingleOutputStreamOperator<VectorEvent> mapped = source.process(new AccessorMapper<E, VectorEvent>(e -> toEvent(accessor, e), "vector-event"))
                .returns(VectorStreamTypes.EVENT).name("to-vector-events");
        upstreamDeadLetters.add(mapped.getSideOutput(VectorIndexFunction.DEAD_LETTERS));
        this.events = mapped;
        return this;
    }

    /** Queries already in VectorStream's type. */
    public VectorSearch queries(DataStream<VectorQuery> queries) {
        this.queries = queries;
        return this;
    }

    /** Queries of your own type, read through {@code accessor}. */
    public <Q> VectorSearch queries(DataStream<Q> source, QueryAccessor<Q> accessor) {
        SingleOutputStreamOperator<VectorQuery> mapped = source.process(new AccessorMapper<Q, VectorQuery>(q -> toQuery(accessor, q), "query"))
                .returns(VectorStreamTypes.QUERY).name("to-vector-queries");
        upstreamDeadLetters.add(mapped.getSideOutput(VectorIndexFunction.DEAD_LETTERS));
        this.queries = mapped;
        return this;
    }

    /** Prefix of the operators' uids (stable uids let savepoints restore after job changes). */
    public VectorSearch uidPrefix(String prefix) {
        this.uidPrefix = prefix;
        return this;
    }

    /** Builds the operators. */
    public Output build() {
        if (events == null || queries == null) {
            throw new IllegalStateException("events and queries must both be set before build()");
        }
        DataStream<VectorQuery> routed = queries;
        List<DataStream<DeadLetter>> dead = new ArrayList<>(upstreamDeadLetters);
        if (config.mode() == IndexMode.GLOBAL) {
            DataStream<VectorQuery> toFanOut = queries;
            if (!config.oneGraphPerKey()) {
                // A key spans several shards: an upsert's neighbours are searched on each of them and merged.
                toFanOut = queries.union(events.process(new NeighborSearches(config))
                        .returns(VectorStreamTypes.QUERY).name("neighbor-searches").uid(uidPrefix + "-neighbor-searches"));
            }
            SingleOutputStreamOperator<VectorQuery> fanned = toFanOut.process(new FanOut(config))
                    .returns(VectorStreamTypes.QUERY).name("fan-out-queries").uid(uidPrefix + "-fan-out");
            dead.add(fanned.getSideOutput(VectorIndexFunction.DEAD_LETTERS));
            routed = fanned;
        }
        SingleOutputStreamOperator<QueryResult> answered = events
                .keyBy(new VectorEventKeySelector(config))
                .connect(routed.keyBy(new VectorQueryKeySelector(config)))
                .transform("vector-index", VectorStreamTypes.RESULT, new VectorIndexOperator(config))
                .uid(uidPrefix + "-index");
        if (config.mode() == IndexMode.GLOBAL) {
            // The shard keys are pinned to key groups of this max parallelism (internal.Shards).
            answered.setMaxParallelism(config.maxParallelism());
        }
        dead.add(answered.getSideOutput(VectorIndexFunction.DEAD_LETTERS));
        DataStream<QueryResult> results = answered;
        DataStream<QueryResult> updates = answered.getSideOutput(VectorIndexFunction.UPDATES);
        if (config.mode() == IndexMode.GLOBAL) {
            SingleOutputStreamOperator<QueryResult> merged = answered
                    .partitionCustom(QueryIdPartitioner.INSTANCE, new ResultQueryIdSelector())
                    .transform("merge-top-k", VectorStreamTypes.RESULT,
                            new TopKMergeOperator(config.mergeTimeoutMillis()))
                    .uid(uidPrefix + "-merge");
            dead.add(merged.getSideOutput(VectorIndexFunction.DEAD_LETTERS));
            results = merged;
            if (!config.oneGraphPerKey()) {
                updates = updates.union(merged.getSideOutput(VectorIndexFunction.UPDATES));
            }
        }
        DataStream<DeadLetter> all = dead.get(0);
        for (int i = 1; i < dead.size(); i++) {
            all = all.union(dead.get(i));
        }
        if (config.mode() == IndexMode.GLOBAL && config.shardsPerKey() > 1) {
            // Each shard of a key answers its standing queries over its part of the key: merged per query id.
            updates = updates.keyBy(new ResultQueryIdSelector())
                    .process(new StandingMergeFunction(config.shardsPerKey(),
                            config.consistency() == ConsistencyMode.EVENT_TIME))
                    .returns(VectorStreamTypes.RESULT).name("merge-standing").uid(uidPrefix + "-standing-merge");
        }
        return new Output(results, updates, all);
    }

    static final class ResultQueryIdSelector implements org.apache.flink.api.java.functions.KeySelector<QueryResult, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(QueryResult r) {
            return r.queryId();
        }
    }

    /**
     * The outputs: one result per valid query, the updates that follow the stream (standing queries, neighbours of
     * upserts), and the dead letters.
     */
    public static final class Output {
        private final DataStream<QueryResult> results;
        private final DataStream<QueryResult> updates;
        private final DataStream<DeadLetter> deadLetters;

        Output(DataStream<QueryResult> results, DataStream<QueryResult> updates, DataStream<DeadLetter> deadLetters) {
            this.results = results;
            this.updates = updates;
            this.deadLetters = deadLetters;
        }

        /** One {@link QueryResult.Kind#ANSWER} per valid query (merged over shards in GLOBAL mode). */
        public DataStream<QueryResult> results() {
            return results;
        }

        /**
         * Standing queries' updates and removals and upserts' neighbours ({@link QueryResult#kind()}), each complete
         * as emitted, in the order their records applied per key. A changelog by query id: with the query id as the
         * Kafka record key, a compacted topic keeps each standing query's current answer.
         */
        public DataStream<QueryResult> updates() {
            return updates;
        }

        public DataStream<DeadLetter> deadLetters() {
            return deadLetters;
        }
    }

    /** Reads a VectorEvent's fields from your own event type. Must be serializable and stateless. */
    public interface EventAccessor<E> extends Serializable {
        /** {@code upsert} or {@code delete}. */
        String op(E e);
        /** The 64-bit id, or null when missing. */
        Long id(E e);
        String key(E e);
        float[] vector(E e);
        default Map<String, String> attributes(E e) {
            return Map.of();
        }
        long eventTime(E e);
        /** GLOBAL mode: the producer's routing hash, checked against {@link GlobalRouting#routingHash}; or null. */
        default Long routingHash(E e) {
            return null;
        }
        /** Upserts: the k nearest neighbours to report ({@link VectorEvent#neighborsK()}); null for the default. */
        default Integer neighborsK(E e) {
            return null;
        }
        /** Their distance bound ({@link VectorEvent#neighborsRadius()}); null for the default. */
        default Float neighborsRadius(E e) {
            return null;
        }
    }

    /** Reads a VectorQuery's fields from your own query type. Must be serializable and stateless. */
    public interface QueryAccessor<Q> extends Serializable {
        String queryId(Q q);
        /** The partition key, or null for a global query. */
        String key(Q q);
        float[] vector(Q q);
        int k(Q q);
        /** efSearch, or 0 for the default. */
        default int efSearch(Q q) {
            return 0;
        }
        /** The attribute filter, or null. */
        default AttributeFilter filter(Q q) {
            return null;
        }
        long eventTime(Q q);
        /** One answer, or a standing query's registration or removal ({@link VectorQuery#standing()}). */
        default VectorQuery.Standing standing(Q q) {
            return VectorQuery.Standing.ONCE;
        }
        /** A standing query's distance bound, or null. */
        default Float radius(Q q) {
            return null;
        }
        /** A standing query's end (event time, epoch ms), or null. */
        default Long expiresAt(Q q) {
            return null;
        }
    }

    /** Reads one of the user's records into one of ours; must be serializable (shipped to the cluster). */
    interface Conversion<I, O> extends java.io.Serializable {
        O apply(I in);
    }

    /**
     * Applies an accessor-based conversion; an accessor that throws turns the record into a dead letter (reason,
     * record, timestamp), not a job failure.
     */
    static final class AccessorMapper<I, O> extends ProcessFunction<I, O> {
        private static final long serialVersionUID = 1L;
        private final Conversion<I, O> conversion;
        private final String recordType;
        private transient DeadLetterCounters deadLetters;

        AccessorMapper(Conversion<I, O> conversion, String recordType) {
            this.conversion = conversion;
            this.recordType = recordType;
        }

        @Override
        public void open(OpenContext ctx) {
            deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup().addGroup("vectorstream"));
        }

        @Override
        public void processElement(I in, Context ctx, Collector<O> out) {
            O mapped;
            try {
                mapped = conversion.apply(in);
            } catch (RuntimeException ex) {
                ctx.output(VectorIndexFunction.DEAD_LETTERS, deadLetters.count(new DeadLetter(recordType
                        + " accessor must read the record; error=" + RecordLimits.quote(String.valueOf(ex)),
                        DeadLetter.ReasonClass.ACCESSOR, recordType, String.valueOf(in),
                        ctx.timestamp() == null ? 0 : ctx.timestamp(), null)));
                return;
            }
            out.collect(mapped);
        }
    }

    /** Reads one of your events through its accessor (as {@link #events(DataStream, EventAccessor)} does). */
    public static <E> VectorEvent toEvent(EventAccessor<E> a, E e) {
        VectorEvent ev = new VectorEvent(a.op(e), a.id(e), a.key(e), a.vector(e), a.attributes(e), a.eventTime(e),
                a.routingHash(e));
        Integer k = a.neighborsK(e);
        Float radius = a.neighborsRadius(e);
        return k == null && radius == null ? ev : ev.withNeighbors(k, radius);
    }

    /** Reads one of your queries through its accessor (as {@link #queries(DataStream, QueryAccessor)} does). */
    public static <Q> VectorQuery toQuery(QueryAccessor<Q> a, Q q) {
        VectorQuery query = new VectorQuery(a.queryId(q), a.key(q), a.vector(q), a.k(q), a.efSearch(q), a.filter(q),
                a.eventTime(q));
        VectorQuery.Standing standing = a.standing(q);
        Float radius = a.radius(q);
        Long expiresAt = a.expiresAt(q);
        return (standing == null || standing == VectorQuery.Standing.ONCE) && radius == null && expiresAt == null
                ? query : query.withStanding(standing, radius, expiresAt);
    }

    /**
     * GLOBAL mode with several shards per key: for each valid upsert that asks for its neighbours
     * ({@link VectorEvent#neighborsK()}, or the job default), a search for them ({@link VectorQuery#asNeighborsOf}),
     * which {@link FanOut} sends to the key's shards. An invalid event gives none: the index operator dead-letters
     * it.
     */
    static final class NeighborSearches extends ProcessFunction<VectorEvent, VectorQuery> {
        private static final long serialVersionUID = 1L;
        private final VectorSearchConfig config;
        private transient RecordValidator validator;

        NeighborSearches(VectorSearchConfig config) {
            this.config = config;
        }

        @Override
        public void open(OpenContext ctx) {
            validator = new RecordValidator(config);
        }

        @Override
        public void processElement(VectorEvent e, Context ctx, Collector<VectorQuery> out) {
            if (validator.checkEvent(e) != null || !RecordValidator.isUpsert(e)) {
                return;
            }
            int k = e.neighborsK() != null ? e.neighborsK() : config.insertNeighborsK();
            if (k > 0) {
                Float radius = e.neighborsRadius() != null ? e.neighborsRadius() : config.insertNeighborsRadius();
                out.collect(new VectorQuery(String.valueOf(e.id()), e.key(), e.vector(), k, 0, null, e.eventTime())
                        .asNeighborsOf(e.id(), radius));
            }
        }
    }

    /**
     * Copies each valid query to the shards that can hold its answer: every shard for a query without a key, the
     * key's {@link VectorSearchConfig#shardsPerKey()} shards for a keyed one. An invalid query becomes a single
     * dead letter here.
     */
    static final class FanOut extends ProcessFunction<VectorQuery, VectorQuery> {
        private static final long serialVersionUID = 1L;
        private final VectorSearchConfig config;
        private transient RecordValidator validator;
        private transient DeadLetterCounters deadLetters;

        FanOut(VectorSearchConfig config) {
            this.config = config;
        }

        @Override
        public void open(OpenContext ctx) {
            validator = new RecordValidator(config);
            deadLetters = new DeadLetterCounters(getRuntimeContext().getMetricGroup().addGroup("vectorstream"));
        }

        @Override
        public void processElement(VectorQuery q, Context ctx, Collector<VectorQuery> out) {
            String reason = validator.checkQuery(q);
            if (reason != null) {
                ctx.output(VectorIndexFunction.DEAD_LETTERS, deadLetters.count(new DeadLetter(reason,
                        DeadLetter.ReasonClass.INVALID, "query", q.toString(), q.eventTime(), q.origin())));
                return;
            }
            if (q.key() == null) {
                for (int s = 0; s < config.shards(); s++) {
                    out.collect(q.toShard(s));
                }
                return;
            }
            // A keyed query reaches only the shards its key owns (GlobalRouting).
            int first = GlobalRouting.firstShardOf(q.key(), config.shards());
            for (int j = 0; j < config.shardsPerKey(); j++) {
                out.collect(q.toShard((first + j) % config.shards()));
            }
        }
    }
}
