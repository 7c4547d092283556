package io.vectorstream.operators;

import io.vectorstream.operators.internal.DeadLetterCounters;
import io.vectorstream.operators.internal.KeyIndex;
import io.vectorstream.operators.internal.KeyIndexStore;
import io.vectorstream.operators.internal.LegacyTimeBuffers;
import io.vectorstream.operators.internal.QueryAnswerer;
import io.vectorstream.operators.internal.RecordRejected;
import io.vectorstream.operators.internal.RestoredKeysLoader;
import io.vectorstream.operators.internal.ShardPieces;
import io.vectorstream.operators.internal.Shards;
import io.vectorstream.operators.internal.StandingQueries;
import io.vectorstream.operators.internal.TimeBuckets;
import io.vectorstream.operators.state.NodeRecord;
import io.vectorstream.operators.typeutils.VectorEventSerializer;
import io.vectorstream.operators.typeutils.VectorQuerySerializer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keeps one HNSW index per key in Flink managed keyed state and answers queries from it.
 *
 * <p>Input 1 is {@link VectorEvent}s (upsert/delete), input 2 is {@link VectorQuery}s; both keyed by the
 * partition key (KEYED mode) or the shard key (GLOBAL mode; see {@link VectorSearch}). Output is one
 * {@link QueryResult} per valid query; rejected records go to {@link #DEAD_LETTERS} with a reason.
 *
 * <p>A thin function over four parts, each with its own state: the per-key index store ({@link KeyIndexStore}:
 * nodes, neighbour lists, metadata, heap cache), the EVENT_TIME buffers of events and queries and the TTL index
 * ({@link TimeBuckets}: one state entry per record or per (expiry, id)), and the {@link QueryAnswerer}. GLOBAL
 * mode also keeps its shard layout in operator state and refuses a restore under another one.
 *
 * <p>GLOBAL mode keeps one index per (shard, partition key), each under its own Flink key pinned to the shard's key
 * group ({@link Shards#pieceKey}): a keyed query searches its key's graph in each shard the key owns, and a query
 * without a key, sent to the shard's own key, searches every graph of its shard ({@link ShardPieces}) and merges
 * them. That search switches the keyed state's current key, which only an operator can do, so GLOBAL mode needs
 * the {@link VectorIndexOperator}.
 *
 * <p>Run it in a {@link VectorIndexOperator}: after a restore, that operator rebuilds the keys' indexes before the
 * first record. In a plain {@code KeyedCoProcessOperator} every key's index is rebuilt on its first record.
 *
 * <p>Threading: Flink calls every method on the task thread; instances are not shared.
 */
public class VectorIndexFunction extends KeyedCoProcessFunction<String, VectorEvent, VectorQuery, QueryResult>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** Side output of rejected events and queries. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("vectorstream-dead-letters", VectorStreamTypes.DEAD_LETTER);

    /**
     * Side output of the answers that follow the stream: standing queries' updates and removals, and upserts'
     * neighbours ({@link QueryResult#kind()}). Complete as emitted (never merged across shards).
     */
    public static final OutputTag<QueryResult> UPDATES =
            new OutputTag<>("vectorstream-updates", VectorStreamTypes.RESULT);

    // The order in which the records of one timestamp apply: a function of the records alone, so EVENT_TIME
    // answers do not depend on arrival order.
    private static final Comparator<VectorEvent> EVENT_ORDER = Comparator
            .comparing((VectorEvent e) -> e.id())
            .thenComparing(e -> e.key() == null ? "" : e.key())
            .thenComparing(e -> e.op().toLowerCase(java.util.Locale.ROOT))
            .thenComparing(e -> e.vector() == null ? new float[0] : e.vector(), Arrays::compare)
            .thenComparing(e -> new java.util.TreeMap<>(e.attributes()).toString());
    private static final Comparator<VectorQuery> QUERY_ORDER =
            Comparator.comparing(VectorQuery::queryId).thenComparingInt(VectorQuery::shard);

    private static final String PENDING_EVENTS = "vectorstream-buffered-events";
    // Version of the GLOBAL placement: 2 = one index per (shard, partition key). Release 1 kept one index per
    // shard with the key as an attribute, and wrote no placement.
    private static final int PLACEMENT_VERSION = 2;

    private final VectorSearchConfig config;

    private transient KeyIndexStore store;
    private transient TimeBuckets<VectorEvent> pendingEvents;
    private transient TimeBuckets<VectorQuery> pendingQueries;
    private transient TimeBuckets<Long> expirations;
    private transient LegacyTimeBuffers legacy;
    private transient ListState<Long> globalLayout;
    private transient ListState<Long> globalPlacement;
    private transient boolean restoredWithoutLayout;
    private transient ShardPieces pieces;
    private transient Consumer<String> keySwitcher;
    private transient QueryAnswerer answerer;
    private transient StandingQueries standing;
    private transient RecordValidator validator;

    private transient Counter inserts;
    private transient Counter updates;
    private transient Counter deletes;
    private transient Counter deletesOfUnknownIds;
    private transient Counter expired;
    private transient Counter queries;
    private transient DeadLetterCounters deadLetters;
    private transient Histogram searchLatencyMicros;

    public VectorIndexFunction(VectorSearchConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("vectorstream");
        store = new KeyIndexStore(getRuntimeContext(), config::hnswConfig, config.cacheMaxBytes(), g);
        Shards shards = config.mode() == IndexMode.GLOBAL ? new Shards(config.shards(), config.maxParallelism()) : null;
        pieces = shards == null ? null : new ShardPieces(shards);
        pendingEvents = new TimeBuckets<>(getRuntimeContext(), PENDING_EVENTS,
                VectorEventSerializer.INSTANCE);
        pendingQueries = new TimeBuckets<>(getRuntimeContext(), "vectorstream-buffered-queries",
                VectorQuerySerializer.INSTANCE);
        expirations = new TimeBuckets<>(getRuntimeContext(), "vectorstream-ttl", LongSerializer.INSTANCE);
        legacy = new LegacyTimeBuffers(getRuntimeContext());
        answerer = new QueryAnswerer(config);
        standing = new StandingQueries(getRuntimeContext(), answerer, config.metric(),
                config.standingIndexThreshold(), shards, config.shardsPerKey());
        validator = new RecordValidator(config);

        inserts = g.counter("inserts");
        updates = g.counter("updates");
        deletes = g.counter("deletes");
        deletesOfUnknownIds = g.counter("deletesOfUnknownIds");
        expired = g.counter("ttlExpirations");
        queries = g.counter("queries");
        deadLetters = new DeadLetterCounters(g);
        searchLatencyMicros = g.histogram("searchLatencyMicros", new DescriptiveStatisticsHistogram(1024));
    }

    /**
     * Rebuilds the indexes of the restored {@code keys} into the cache, up to its budget; called by
     * {@link VectorIndexOperator#open()} after {@link #open}, on the task thread.
     *
     * @param setCurrentKey makes a key the keyed state's current key
     */
    RestoredKeysLoader.Result loadRestoredKeys(Iterator<String> keys, Consumer<String> setCurrentKey)
            throws Exception {
        return RestoredKeysLoader.load(keys, setCurrentKey, store);
    }

    /**
     * GLOBAL mode, called by {@link VectorIndexOperator#open()} after {@link #open}: how to make a key the keyed
     * state's current key (for queries without a key, which search every index of their shard).
     */
    void setKeySwitcher(Consumer<String> switcher) {
        this.keySwitcher = switcher;
    }

    /**
     * GLOBAL mode, called by {@link VectorIndexOperator#open()} after a restore with every key of this subtask
     * that holds an index or buffered events, so queries without a key find them all.
     */
    void registerRestoredKeys(Iterator<String> keys) {
        if (pieces != null) {
            keys.forEachRemaining(pieces::add);
        }
    }

    /** The state names whose keys {@link #registerRestoredKeys} needs. */
    static List<String> keyedStatesOfIndexes() {
        return List.of(KeyIndexStore.META_STATE, PENDING_EVENTS + TimeBuckets.COUNTS_SUFFIX);
    }

    /** The index store (its cache's keys, bytes and loads); for tests. Task thread. */
    KeyIndexStore store() {
        return store;
    }

    // ------------------------------------------------------------------ GLOBAL layout

    /**
     * GLOBAL mode keeps (shards, maxParallelism) in operator state and refuses to restore under another layout:
     * the shard of a vector is a function of the shard count, so a changed count would route upserts, deletes
     * and queries away from the vectors already stored, silently.
     */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        globalLayout = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("vectorstream-global-layout", LongSerializer.INSTANCE));
        globalPlacement = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("vectorstream-global-placement", LongSerializer.INSTANCE));
        boolean hasLayout = false;
        for (Long stored : globalLayout.get()) {
            hasLayout = true;
            int storedShards = (int) (stored >>> 32);
            int storedMaxParallelism = (int) (long) stored;
            if (config.mode() != IndexMode.GLOBAL) {
                throw new IllegalStateException("mode must stay as it was when the state was written: the restored "
                        + "state is a GLOBAL index (shards=" + storedShards + "), the job runs mode="
                        + config.mode() + ". Restore with --mode GLOBAL, or rebuild the index in a new job.");
            }
            if (storedShards != config.shards() || storedMaxParallelism != config.maxParallelism()) {
                throw new IllegalStateException("shards must stay as they were when the state was written: the "
                        + "restored state has shards=" + storedShards + " (maxParallelism=" + storedMaxParallelism
                        + "), the job has shards=" + config.shards() + " (maxParallelism="
                        + config.maxParallelism() + "). Changing the shard count strands the stored vectors; "
                        + "restore with the old value, or rebuild the index in a new job (replay the vectors topic).");
            }
        }
        boolean hasPlacement = false;
        for (Long stored : globalPlacement.get()) {
            hasPlacement = true;
            int storedShardsPerKey = (int) (stored >>> 32);
            int storedVersion = (int) (long) stored;
            if (storedVersion != PLACEMENT_VERSION) {
                throw new IllegalStateException("GLOBAL placement version must be " + PLACEMENT_VERSION + " (one graph "
                        + "per shard and key), the version this release reads; placementVersion=" + storedVersion
                        + ". Restore with the release that wrote the state.");
            }
            if (storedShardsPerKey != config.shardsPerKey()) {
                throw new IllegalStateException("shardsPerKey must stay as it was when the state was written: the "
                        + "restored state has shardsPerKey=" + storedShardsPerKey + ", the job has shardsPerKey="
                        + config.shardsPerKey() + " (of shards=" + config.shards() + "). It decides the shard of every "
                        + "(key, id); restore with the old value, or rebuild the index in a new job (replay the "
                        + "vectors topic).");
            }
        }
        if (hasLayout && !hasPlacement) {
            throw new IllegalStateException("state must have been written by a GLOBAL index of this release: the "
                    + "restored GLOBAL index keeps all keys of a shard in one graph (written by an earlier release). "
                    + "Restore it with the release that wrote it, or rebuild the index in a new job (replay the "
                    + "vectors topic).");
        }
        restoredWithoutLayout = context.isRestored() && !hasLayout;
    }

    /**
     * Called by {@link VectorIndexOperator#open()} after a restore with whether any key holds an index: a GLOBAL
     * job refuses keyed indexes restored without a GLOBAL layout (a KEYED index, or a GLOBAL index of a release
     * that routed by id alone under other shard keys): their vectors are not where this job looks for them.
     */
    void refuseIndexesWithoutLayout(boolean anyIndexedKey) {
        if (restoredWithoutLayout && anyIndexedKey && config.mode() == IndexMode.GLOBAL) {
            throw new IllegalStateException("state must have been written by a GLOBAL index of this release: the "
                    + "restored indexes have no GLOBAL layout (a KEYED index, or a GLOBAL index of a release before "
                    + "routing by (key, id)). Restore with the mode it was written with, or rebuild the index in a "
                    + "new job (replay the vectors topic).");
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        globalLayout.clear();
        if (config.mode() == IndexMode.GLOBAL && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            globalLayout.add(((long) config.shards() << 32) | config.maxParallelism());
        }
        globalPlacement.clear();
        if (config.mode() == IndexMode.GLOBAL && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            globalPlacement.add(((long) config.shardsPerKey() << 32) | PLACEMENT_VERSION);
        }
    }

    // ------------------------------------------------------------------ events

    @Override
    public void processElement1(VectorEvent event, Context ctx, Collector<QueryResult> out) throws Exception {
        String reason = validator.checkEvent(event);
        if (reason != null) {
            deadLetter(ctx, reason, DeadLetter.ReasonClass.INVALID, "vector-event", event.toString(),
                    event.eventTime(), event.origin());
            return;
        }
        if (config.consistency() == ConsistencyMode.EVENT_TIME) {
            if (isLate(event.eventTime(), "vector-event", event.toString(), event.origin(), ctx)) {
                return;
            }
            pendingEvents.add(event.eventTime(), event);
            ctx.timerService().registerEventTimeTimer(event.eventTime());
            if (pieces != null) {
                // A query without a key at this time must find the buffered event (see answerAcrossKeys).
                pieces.add(ctx.getCurrentKey());
            }
            return;
        }
        apply(event, ctx.getCurrentKey(), ctx.timerService(), ctx);
    }

    /** Applies {@code event} to the index of {@code key}, the keyed state's current key. */
    private void apply(VectorEvent event, String key, TimerService timers, Context ctx) throws Exception {
        try {
            if (RecordValidator.isUpsert(event)) {
                upsert(event, key, timers, r -> ctx.output(UPDATES, r));
            } else {
                delete(event, key, r -> ctx.output(UPDATES, r));
            }
        } catch (RecordRejected rejected) {
            deadLetter(ctx, rejected.getMessage(), rejected.reasonClass(), "vector-event", event.toString(),
                    event.eventTime(), event.origin());
        }
    }

    private void delete(VectorEvent event, String key, Consumer<QueryResult> emit) throws Exception {
        KeyIndex ki = store.load(key);
        long id = event.id();
        if (ki == null || !ki.index().contains(id)) {
            deletesOfUnknownIds.inc();
            return;
        }
        store.beginMutation();
        ki.index().remove(id);
        deletes.inc();
        persistRemoval(key, ki);
        standing.onRemoved(key, id, ki, event.eventTime(), emit);
    }

    private void upsert(VectorEvent event, String key, TimerService timers, Consumer<QueryResult> emit)
            throws Exception {
        KeyIndex ki = store.load(key);
        long id = event.id();
        if (ki == null) {
            ki = store.create(event.vector().length);
            if (pieces != null) {
                pieces.add(key);
            }
        } else {
            String reason = RecordValidator.checkDimension("vector", event.vector(), ki.dimension());
            if (reason != null) {
                throw new RecordRejected(reason, DeadLetter.ReasonClass.DIMENSION);
            }
        }
        try {
            // The index's own input check, before anything mutates: what it refuses is the record's fault. An
            // exception from add itself is then a bug, and fails the job loudly.
            ki.index().checkVector(event.vector());
        } catch (IllegalArgumentException rejected) {
            throw new RecordRejected("vector must be accepted by the index; error=" + rejected.getMessage(),
                    DeadLetter.ReasonClass.INDEX_REJECTED);
        }
        int neighborsK = event.neighborsK() != null ? event.neighborsK() : config.insertNeighborsK();
        if (neighborsK > 0 && config.oneGraphPerKey()) {
            // Else the key is spread over shards: VectorSearch sent a neighbour search to each (answerNeighbors).
            Float r = event.neighborsRadius() != null ? event.neighborsRadius() : config.insertNeighborsRadius();
            emit.accept(neighbors(id, pieces == null ? key : event.key(), event.vector(), r, event.eventTime(), ki,
                    neighborsK, -1, 1));
        }
        store.beginMutation();
        boolean isNew = ki.index().add(id, event.vector());
        (isNew ? inserts : updates).inc();
        int ord = ki.index().ordinalOf(id);
        ki.setAttributes(ord, event.attributes());
        float[] stored = ki.index().storedVector(event.vector());
        store.persist(key, ki, ord, new NodeRecord(event.id(), stored, event.attributes(), event.eventTime()));
        standing.onUpsert(key, id, stored, event.attributes(), ki, event.eventTime(), emit);
        if (config.ttlMillis() > 0) {
            long expiry = event.eventTime() + config.ttlMillis();
            expirations.add(expiry, id);
            timers.registerEventTimeTimer(expiry);
        }
    }

    /**
     * kNN on insert: the upsert's k nearest among the vectors indexed under its key before it (itself excluded,
     * when it replaces a vector of the same id), below {@code radius} (null: no bound); searched at the job's
     * efSearch (at least k + 1). {@code shard}/{@code shardCount}: -1/1 for a whole key, else this shard's part.
     */
    private QueryResult neighbors(long id, String partitionKey, float[] vector, Float radius, long eventTime,
                                  KeyIndex ki, int k, int shard, int shardCount) throws Exception {
        float bound = radius == null ? Float.POSITIVE_INFINITY : radius;
        long[] ids = new long[0];
        float[] ds = new float[0];
        int size = 0;
        if (ki != null && ki.index().size() > 0 && ki.dimension() == vector.length) {
            size = ki.index().size() - (ki.index().contains(id) ? 1 : 0);
            int want = Math.min(k + 1, io.vectorstream.index.HnswSearcher.MAX_K);
            VectorQuery probe = new VectorQuery(String.valueOf(id), partitionKey, vector, want,
                    Math.max(config.efSearch(), want), null, eventTime);
            QueryAnswerer.Hits h = answerer.search(probe, ki);
            int n = 0;
            ids = new long[Math.min(k, h.ids().length)];
            ds = new float[ids.length];
            for (int i = 0; i < h.ids().length && n < k; i++) {
                if (h.ids()[i] != id && h.distances()[i] < bound) {
                    ids[n] = h.ids()[i];
                    ds[n] = h.distances()[i];
                    n++;
                }
            }
            ids = Arrays.copyOf(ids, n);
            ds = Arrays.copyOf(ds, n);
        }
        return new QueryResult(String.valueOf(id), partitionKey, k, ids, ds, size, 0, shard, 1, shardCount,
                eventTime, QueryResult.Kind.INSERT_NEIGHBORS);
    }

    /** Persists a removal; a key left without vectors (and without buffered events) leaves its shard's list. */
    private void persistRemoval(String key, KeyIndex ki) throws Exception {
        store.persist(key, ki, -1, null);
        if (pieces != null && ki.index().size() == 0 && pendingEvents.isEmpty()) {
            pieces.remove(key);
        }
    }

    // ------------------------------------------------------------------ queries

    @Override
    public void processElement2(VectorQuery query, Context ctx, Collector<QueryResult> out) throws Exception {
        String reason = validator.checkQuery(query);
        if (reason != null) {
            deadLetter(ctx, reason, DeadLetter.ReasonClass.INVALID, "query", query.toString(), query.eventTime(),
                    query.origin());
            return;
        }
        if (config.consistency() == ConsistencyMode.EVENT_TIME) {
            if (isLate(query.eventTime(), "query", query.toString(), query.origin(), ctx)) {
                return;
            }
            pendingQueries.add(query.eventTime(), query);
            ctx.timerService().registerEventTimeTimer(query.eventTime());
            return;
        }
        answer(query, ctx, out, Long.MIN_VALUE);
    }

    /**
     * Answers {@code query}; {@code dueTime} is the EVENT_TIME timer's time it is answered at, or
     * {@link Long#MIN_VALUE} when answered on arrival.
     */
    private void answer(VectorQuery query, Context ctx, Collector<QueryResult> out, long dueTime) throws Exception {
        if (query.neighborsOf() != null) {
            // This shard's part of an upsert's neighbours (a key spread over shards); an index of another dimension
            // has none: the upsert itself is refused where it is indexed, if anywhere.
            out.collect(neighbors(query.neighborsOf(), query.key(), query.vector(), query.radius(), query.eventTime(),
                    store.load(ctx.getCurrentKey()), query.k(), query.shard(), answerer.fanOut(query)));
            return;
        }
        if (query.standing() != VectorQuery.Standing.ONCE) {
            try {
                String key = ctx.getCurrentKey();
                if (query.standing() == VectorQuery.Standing.REGISTER) {
                    standing.register(key, query, store.load(key), ctx.timerService(), r -> ctx.output(UPDATES, r));
                } else {
                    standing.unregister(key, query.queryId(), query.eventTime(), r -> ctx.output(UPDATES, r));
                }
                queries.inc();
            } catch (RecordRejected rejected) {
                deadLetter(ctx, rejected.getMessage(), rejected.reasonClass(), "query", query.toString(),
                        query.eventTime(), query.origin());
            }
            return;
        }
        QueryResult result;
        try {
            result = pieces != null && query.key() == null
                    ? answerAcrossKeys(query, ctx, dueTime)
                    : answerer.answer(query, store.load(ctx.getCurrentKey()));
        } catch (RecordRejected rejected) {
            deadLetter(ctx, rejected.getMessage(), rejected.reasonClass(), "query", query.toString(),
                    query.eventTime(), query.origin());
            return;
        }
        queries.inc();
        if (result.indexSize() > 0) {
            searchLatencyMicros.update(result.searchMicros());
        }
        out.collect(result);
    }

    /**
     * GLOBAL mode, a query without a key at its shard's own key: the top k over every index of the shard, each id
     * once. In EVENT_TIME mode each other key's events and expiries of {@code dueTime} are applied first: timers of
     * one time fire in no fixed order across keys, and the answer must see exactly the vectors of times up to its
     * own, as a keyed query does.
     */
    private QueryResult answerAcrossKeys(VectorQuery query, Context ctx, long dueTime) throws Exception {
        if (keySwitcher == null) {
            throw new IllegalStateException("GLOBAL mode must run in a VectorIndexOperator (it searches every index of "
                    + "a shard for a query without a key); the function runs in another operator");
        }
        String shardKey = ctx.getCurrentKey();
        QueryResult merged = null;
        long micros = 0;
        try {
            for (String key : pieces.keysOf(query.shard())) {
                keySwitcher.accept(key);
                if (dueTime != Long.MIN_VALUE && !key.equals(shardKey)) {
                    applyDue(dueTime, key, ctx);
                }
                KeyIndex ki = store.load(key);
                if (ki == null) {
                    if (pendingEvents.isEmpty()) {
                        pieces.remove(key); // registered for events that never built an index (deletes, dead letters)
                    }
                    continue;
                }
                QueryAnswerer.Hits r = answerer.search(query, ki);
                micros += answerer.lastSearchMicros();
                QueryResult part = new QueryResult(query.queryId(), null, query.k(), r.ids(), r.distances(),
                        ki.index().size(), 0, -1, 1, 1, query.eventTime());
                merged = merged == null ? TopKMergeOperator.asMerged(part) : TopKMergeOperator.merge(merged, part);
            }
        } finally {
            keySwitcher.accept(shardKey);
        }
        if (merged == null) {
            return answerer.empty(query);
        }
        return new QueryResult(query.queryId(), query.key(), query.k(), merged.ids(), merged.distances(),
                merged.indexSize(), micros, query.shard(), 1, answerer.fanOut(query), query.eventTime());
    }

    // ------------------------------------------------------------------ timers

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<QueryResult> out) throws Exception {
        if (ctx.timeDomain() != TimeDomain.EVENT_TIME) {
            return;
        }
        // At one timestamp: first the events of that time, then TTL expiries, then the queries, so a query
        // sees exactly the vectors with eventTime <= its own and not yet expired.
        applyDue(timestamp, ctx.getCurrentKey(), ctx);
        List<VectorQuery> qs = concat(pendingQueries.drain(timestamp), legacy.drainQueries(timestamp));
        qs.sort(QUERY_ORDER);
        for (VectorQuery q : qs) {
            answer(q, ctx, out, timestamp);
        }
        // Standing queries end after the records of their expiry time: a vector entering at that time is seen.
        standing.expire(ctx.getCurrentKey(), timestamp, r -> ctx.output(UPDATES, r));
    }

    /** Applies the buffered events, then the expiries, of {@code timestamp} to {@code key} (the current key). */
    private void applyDue(long timestamp, String key, Context ctx) throws Exception {
        List<VectorEvent> events = concat(pendingEvents.drain(timestamp), legacy.drainEvents(timestamp));
        events.sort(EVENT_ORDER);
        for (VectorEvent e : events) {
            apply(e, key, ctx.timerService(), ctx);
        }
        List<Long> expiring = concat(expirations.drain(timestamp), legacy.drainExpirations(timestamp));
        if (!expiring.isEmpty()) {
            expire(expiring, timestamp, key, r -> ctx.output(UPDATES, r));
        }
    }

    private void expire(List<Long> indexIds, long timestamp, String key, Consumer<QueryResult> emit)
            throws Exception {
        for (long id : indexIds) {
            KeyIndex ki = store.load(key);
            if (ki == null) {
                return;
            }
            int ord = ki.index().ordinalOf(id);
            if (ord < 0) {
                continue; // deleted meanwhile
            }
            NodeRecord rec = store.record(ord);
            // An upsert after the one that scheduled this expiry moved the deadline: keep the vector.
            if (rec == null || rec.eventTime() + config.ttlMillis() > timestamp) {
                continue;
            }
            store.beginMutation();
            ki.index().remove(id);
            expired.inc();
            persistRemoval(key, ki);
            standing.onRemoved(key, id, ki, timestamp, emit);
        }
    }

    /**
     * EVENT_TIME mode: a record at or behind the watermark is a dead letter (applying it would make answers
     * depend on arrival order).
     */
    private boolean isLate(long eventTime, String type, String record, RecordOrigin origin, Context ctx) {
        long wm = ctx.timerService().currentWatermark();
        if (eventTime > wm) {
            return false;
        }
        deadLetter(ctx, "eventTime must be after the watermark in EVENT_TIME mode; eventTime=" + eventTime
                + ", watermark=" + wm, DeadLetter.ReasonClass.LATE, type, record, eventTime, origin);
        return true;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return all;
    }

    private void deadLetter(Context ctx, String reason, DeadLetter.ReasonClass reasonClass, String type,
                            String record, long timestamp, RecordOrigin origin) {
        ctx.output(DEAD_LETTERS, deadLetters.count(new DeadLetter(reason, reasonClass, type, record, timestamp,
                origin)));
    }

    @Override
    public void close() throws Exception {
        if (store != null) {
            store.close();
        }
        if (standing != null) {
            standing.close();
        }
        super.close();
    }
}
