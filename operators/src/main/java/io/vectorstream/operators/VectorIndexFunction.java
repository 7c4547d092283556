package io.vectorstream.operators;

import io.vectorstream.index.HnswIndex;
import io.vectorstream.index.SearchResults;
import io.vectorstream.operators.internal.ChangeTracker;
import io.vectorstream.operators.internal.DeadLetterCounters;
import io.vectorstream.operators.internal.IndexCache;
import io.vectorstream.operators.internal.KeyIndex;
import io.vectorstream.operators.state.KeyIndexMeta;
import io.vectorstream.operators.state.KeyIndexMetaSerializer;
import io.vectorstream.operators.state.NeighborListsSerializer;
import io.vectorstream.operators.state.NodeRecord;
import io.vectorstream.operators.state.NodeRecordSerializer;
import io.vectorstream.operators.typeutils.VectorEventSerializer;
import io.vectorstream.operators.typeutils.VectorQuerySerializer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.array.LongPrimitiveArraySerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimeDomain;
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
 * <p><b>State</b> (per key; keyed state is the source of truth):
 * <ul>
 *   <li>{@code nodes}: {@code MapState<ordinal, NodeRecord>} (id, stored vector, attributes, event time),
 *       written once per upsert;</li>
 *   <li>{@code links}: {@code MapState<ordinal, int[][]>}, the node's neighbour lists, rewritten for every node
 *       whose lists a mutation changed;</li>
 *   <li>{@code meta}: {@code ValueState<KeyIndexMeta>} (dimension, entry point, level-generator state, free
 *       slots, quantiser), rewritten after every mutation.</li>
 * </ul>
 * So an upsert costs 1 node write + about M..2M link writes (the new node and the neighbours that got a
 * back-link) + 1 metadata write; a delete costs 2 removals + the repaired neighbours' links + 1 metadata write.
 * The searchable graph lives on the heap in an {@link IndexCache}, rebuilt from state after a restore, a
 * rescale or an eviction; a search never reads the state backend per visited node.
 *
 * <p>Threading: Flink calls every method on the task thread; instances are not shared.
 */
public class VectorIndexFunction extends KeyedCoProcessFunction<String, VectorEvent, VectorQuery, QueryResult>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** Side output of rejected events and queries. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("vectorstream-dead-letters", VectorStreamTypes.DEAD_LETTER);

    /** Attribute under which GLOBAL mode keeps a vector's partition key, for keyed queries. */
    public static final String KEY_ATTRIBUTE = "_key";

    private static final Comparator<VectorEvent> EVENT_ORDER = Comparator
            .comparing((VectorEvent e) -> e.id())
            .thenComparing(e -> e.op().toLowerCase(java.util.Locale.ROOT))
            .thenComparing(e -> e.vector() == null ? new float[0] : e.vector(), Arrays::compare)
            .thenComparing(e -> new java.util.TreeMap<>(e.attributes()).toString());
    private static final Comparator<VectorQuery> QUERY_ORDER =
            Comparator.comparing(VectorQuery::queryId).thenComparingInt(VectorQuery::shard);

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VectorIndexFunction.class);

    private final VectorSearchConfig config;

    private transient MapState<Integer, NodeRecord> nodes;
    private transient MapState<Integer, int[][]> links;
    private transient ValueState<KeyIndexMeta> meta;
    private transient MapState<Long, List<VectorEvent>> pendingEvents;
    private transient MapState<Long, List<VectorQuery>> pendingQueries;
    private transient MapState<Long, long[]> expirations;
    private transient ListState<Long> globalLayout;

    private transient IndexCache cache;
    private transient long lastThrashWarning;
    private transient ChangeTracker tracker;
    private transient RecordValidator validator;

    private transient Counter inserts;
    private transient Counter updates;
    private transient Counter deletes;
    private transient Counter deletesOfUnknownIds;
    private transient Counter expired;
    private transient Counter queries;
    private transient DeadLetterCounters deadLetters;
    private transient Counter cacheLoads;
    private transient Counter cacheEvictions;
    private transient Histogram searchLatencyMicros;

    public VectorIndexFunction(VectorSearchConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        nodes = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("vectorstream-nodes", IntSerializer.INSTANCE, NodeRecordSerializer.INSTANCE));
        links = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("vectorstream-links", IntSerializer.INSTANCE, NeighborListsSerializer.INSTANCE));
        meta = getRuntimeContext().getState(new ValueStateDescriptor<>("vectorstream-meta", KeyIndexMetaSerializer.INSTANCE));
        pendingEvents = getRuntimeContext().getMapState(new MapStateDescriptor<>("vectorstream-pending-events",
                LongSerializer.INSTANCE, new ListSerializer<>(VectorEventSerializer.INSTANCE)));
        pendingQueries = getRuntimeContext().getMapState(new MapStateDescriptor<>("vectorstream-pending-queries",
                LongSerializer.INSTANCE, new ListSerializer<>(VectorQuerySerializer.INSTANCE)));
        expirations = getRuntimeContext().getMapState(new MapStateDescriptor<>("vectorstream-expirations",
                LongSerializer.INSTANCE, LongPrimitiveArraySerializer.INSTANCE));

        cache = new IndexCache(config.cacheMaxBytes());
        tracker = new ChangeTracker();
        validator = new RecordValidator(config);

        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("vectorstream");
        inserts = g.counter("inserts");
        updates = g.counter("updates");
        deletes = g.counter("deletes");
        deletesOfUnknownIds = g.counter("deletesOfUnknownIds");
        expired = g.counter("ttlExpirations");
        queries = g.counter("queries");
        deadLetters = new DeadLetterCounters(g);
        cacheLoads = g.counter("cacheLoads");
        cacheEvictions = g.counter("cacheEvictions");
        g.gauge("vectorsHeld", () -> cache.vectors());
        g.gauge("keysCached", () -> cache.keys());
        g.gauge("cacheBytes", () -> cache.bytes());
        searchLatencyMicros = g.histogram("searchLatencyMicros", new DescriptiveStatisticsHistogram(1024));
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
        if (config.mode() != IndexMode.GLOBAL) {
            return;
        }
        for (Long stored : globalLayout.get()) {
            int storedShards = (int) (stored >>> 32);
            int storedMaxParallelism = (int) (long) stored;
            if (storedShards != config.shards() || storedMaxParallelism != config.maxParallelism()) {
                throw new IllegalStateException("shards must stay as they were when the state was written: the "
                        + "restored state has shards=" + storedShards + " (maxParallelism=" + storedMaxParallelism
                        + "), the job has shards=" + config.shards() + " (maxParallelism="
                        + config.maxParallelism() + "). Changing the shard count strands the stored vectors; "
                        + "restore with the old value, or rebuild the index in a new job (replay the vectors topic).");
            }
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        globalLayout.clear();
        if (config.mode() == IndexMode.GLOBAL
                && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            globalLayout.add(((long) config.shards() << 32) | config.maxParallelism());
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
            bufferUntilWatermark(pendingEvents, event, event.eventTime(), "vector-event", event.origin(), ctx);
            return;
        }
        apply(event, ctx);
    }

    private void apply(VectorEvent event, Context ctx) throws Exception {
        String key = ctx.getCurrentKey();
        KeyIndex ki = indexFor(key);
        long id = indexId(event.key(), event.id());
        if (!RecordValidator.isUpsert(event)) {
            if (ki == null || !ki.index().contains(id) || !isSameVector(ki.index().ordinalOf(id), event)) {
                deletesOfUnknownIds.inc();
                return;
            }
            tracker.clear();
            ki.index().remove(id);
            deletes.inc();
            persist(key, ki, -1, null);
            return;
        }
        boolean created = ki == null;
        if (created) {
            int dim = event.vector().length;
            ki = new KeyIndex(newIndex(dim), dim);
            ki.index().setChangeListener(tracker);
        } else {
            String reason = RecordValidator.checkDimension("vector", event.vector(), ki.dimension());
            if (reason != null) {
                deadLetter(ctx, reason, DeadLetter.ReasonClass.DIMENSION, "vector-event", event.toString(),
                        event.eventTime(), event.origin());
                return;
            }
        }
        if (!created && ki.index().contains(id) && !isSameVector(ki.index().ordinalOf(id), event)) {
            // Two (key, id) pairs with one 64-bit routing hash in one shard: refuse rather than overwrite.
            deadLetter(ctx, "(key, id) must have a routing hash no other vector in its shard has; key="
                            + RecordLimits.quote(event.key()) + ", id=" + event.id() + ", routingHash=" + id,
                    DeadLetter.ReasonClass.INDEX_REJECTED, "vector-event", event.toString(), event.eventTime(),
                    event.origin());
            return;
        }
        Map<String, String> attrs = event.attributes();
        if (config.mode() == IndexMode.GLOBAL && event.key() != null) {
            attrs = new HashMap<>(attrs);
            attrs.put(KEY_ATTRIBUTE, event.key());
        }
        try {
            // The index's own input check, before anything mutates: what it refuses is the record's fault. An
            // exception from add itself is then a bug, and fails the job loudly.
            ki.index().checkVector(event.vector());
        } catch (IllegalArgumentException rejected) {
            deadLetter(ctx, "vector must be accepted by the index; error=" + rejected.getMessage(),
                    DeadLetter.ReasonClass.INDEX_REJECTED, "vector-event", event.toString(), event.eventTime(),
                    event.origin());
            return;
        }
        tracker.clear();
        boolean isNew = ki.index().add(id, event.vector());
        if (created) {
            cache.put(key, ki);
        }
        (isNew ? inserts : updates).inc();
        int ord = ki.index().ordinalOf(id);
        ki.setAttributes(ord, attrs);
        ki.setExternalId(ord, event.id());
        persist(key, ki, ord, new NodeRecord(event.id(), ki.index().vectorAt(ord), attrs, event.eventTime()));
        if (config.ttlMillis() > 0) {
            long expiry = event.eventTime() + config.ttlMillis();
            long[] ids = expirations.get(expiry);
            long[] grown = ids == null ? new long[1] : Arrays.copyOf(ids, ids.length + 1);
            grown[grown.length - 1] = id;
            expirations.put(expiry, grown);
            ctx.timerService().registerEventTimeTimer(expiry);
        }
    }

    /** Writes what the last mutation touched to keyed state (see the class javadoc for the write count). */
    private void persist(String key, KeyIndex ki, int newOrd, NodeRecord newRecord) throws Exception {
        HnswIndex index = ki.index();
        ki.index().setChangeListener(null);
        for (int i = 0; i < tracker.removedCount(); i++) {
            int ord = tracker.removed(i);
            if (!index.isLive(ord)) {
                nodes.remove(ord);
                links.remove(ord);
                ki.setAttributes(ord, null);
            }
        }
        if (newOrd >= 0) {
            nodes.put(newOrd, newRecord);
        }
        for (int i = 0, n = tracker.distinctChanged(); i < n; i++) {
            int ord = tracker.changed(i);
            if (index.isLive(ord)) {
                links.put(ord, index.neighborsAt(ord));
            }
        }
        if (index.size() == 0) {
            // Nothing left under this key: drop all of its state, so deletes leave no entries behind.
            nodes.clear();
            links.clear();
            meta.clear();
            cache.remove(key);
            return;
        }
        meta.update(new KeyIndexMeta(ki.dimension(), index.metadata()));
        cache.resize(key, ki);
        cacheEvictions.inc(cache.evictOver(key));
    }

    /**
     * The id a vector has inside its index: its own id in KEYED mode; in GLOBAL mode its routing hash, which
     * scopes ids by partition key (tenant A's id 7 and tenant B's id 7 are two vectors of one shard).
     */
    private long indexId(String key, long id) {
        return config.mode() == IndexMode.GLOBAL ? GlobalRouting.routingHash(key, id) : id;
    }

    /** The partition key a stored vector was upserted with (GLOBAL mode keeps it as an attribute). */
    private static String keyOf(NodeRecord rec) {
        return rec.attributes() == null ? null : rec.attributes().get(KEY_ATTRIBUTE);
    }

    /** Whether the vector stored at {@code ord} is {@code event}'s (same id and, in GLOBAL mode, same key). */
    private boolean isSameVector(int ord, VectorEvent event) throws Exception {
        if (config.mode() != IndexMode.GLOBAL) {
            return true;
        }
        NodeRecord rec = nodes.get(ord);
        String stored = rec == null ? null : keyOf(rec);
        return rec != null && rec.id() == event.id()
                && normalKey(stored).equals(normalKey(event.key()));
    }

    private static String normalKey(String key) {
        return key == null ? "" : key;
    }

    private HnswIndex newIndex(int dim) {
        return new HnswIndex(config.hnswConfig(dim));
    }

    /** The key's index from the heap cache, or rebuilt from state, or null when the key has no vectors. */
    private KeyIndex indexFor(String key) throws Exception {
        KeyIndex ki = cache.get(key);
        if (ki == null) {
            KeyIndexMeta m = meta.value();
            if (m == null) {
                return null;
            }
            HnswIndex.Restorer r = HnswIndex.restorer(config.hnswConfig(m.dimension()), m.index());
            List<Map.Entry<Integer, Map<String, String>>> attrs = new ArrayList<>();
            List<long[]> externalIds = new ArrayList<>();
            for (Map.Entry<Integer, NodeRecord> e : nodes.entries()) {
                NodeRecord rec = e.getValue();
                int[][] nl = links.get(e.getKey());
                if (nl == null) {
                    throw new IllegalStateException("state is inconsistent: node " + e.getKey() + " of key " + key
                            + " has no neighbour lists");
                }
                r.node(e.getKey(), indexId(keyOf(rec), rec.id()), rec.vector(), nl);
                attrs.add(Map.entry(e.getKey(), rec.attributes()));
                externalIds.add(new long[] {e.getKey(), rec.id()});
            }
            ki = new KeyIndex(r.build(), m.dimension());
            for (Map.Entry<Integer, Map<String, String>> a : attrs) {
                ki.setAttributes(a.getKey(), a.getValue());
            }
            for (long[] ordAndId : externalIds) {
                ki.setExternalId((int) ordAndId[0], ordAndId[1]);
            }
            cache.put(key, ki);
            cacheLoads.inc();
            cacheEvictions.inc(cache.evictOver(key));
            warnIfThrashing(key, ki);
        }
        ki.index().setChangeListener(tracker);
        return ki;
    }

    /**
     * A reload after an eviction means the budget is below the working set: every access may now rebuild a
     * whole key index from state. Say so (at most once a minute), naming the setting to raise.
     */
    private void warnIfThrashing(String key, KeyIndex loaded) {
        long now = System.currentTimeMillis();
        if (cache.evictions() > 0 && now - lastThrashWarning >= 60_000) {
            lastThrashWarning = now;
            LOG.warn("index cache reloads evicted keys: key {} rebuilt from state ({} vectors, {} bytes); the "
                            + "cache holds {} bytes in {} keys and its budget cacheMaxBytes={} is below the working set. "
                            + "Raise cacheMaxBytes (CLI --cache-max-bytes) or spread the keys over more subtasks.",
                    key, loaded.index().size(), loaded.ramBytesUsed(), cache.bytes(), cache.keys(),
                    config.cacheMaxBytes());
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
            bufferUntilWatermark(pendingQueries, query, query.eventTime(), "query", query.origin(), ctx);
            return;
        }
        answer(query, ctx, out);
    }

    private void answer(VectorQuery query, Context ctx, Collector<QueryResult> out) throws Exception {
        KeyIndex ki = indexFor(ctx.getCurrentKey());
        int shard = query.shard();
        int shardCount = shard >= 0 ? config.shards() : 1;
        queries.inc();
        if (ki == null) {
            out.collect(new QueryResult(query.queryId(), query.key(), query.k(), new long[0], new float[0], 0, 0,
                    shard, 1, shardCount, query.eventTime()));
            return;
        }
        String reason = RecordValidator.checkDimension("vector", query.vector(), ki.dimension());
        if (reason != null) {
            queries.dec();
            deadLetter(ctx, reason, DeadLetter.ReasonClass.DIMENSION, "query", query.toString(), query.eventTime(),
                    query.origin());
            return;
        }
        AttributeFilter filter = query.filter();
        if (config.mode() == IndexMode.GLOBAL && query.key() != null) {
            filter = filter == null ? AttributeFilter.eq(KEY_ATTRIBUTE, query.key())
                    : filter.and(KEY_ATTRIBUTE, java.util.Set.of(query.key()));
        }
        int ef = query.efSearch() > 0 ? query.efSearch() : Math.max(config.efSearch(), query.k());
        try {
            ki.index().checkVector(query.vector());
        } catch (IllegalArgumentException rejected) {
            queries.dec();
            deadLetter(ctx, "query must be accepted by the index; error=" + rejected.getMessage(),
                    DeadLetter.ReasonClass.INDEX_REJECTED, "query", query.toString(), query.eventTime(),
                    query.origin());
            return;
        }
        long t0 = System.nanoTime();
        SearchResults r = ki.index().search(query.vector(), query.k(), ef, ki.idFilter(filter));
        long micros = (System.nanoTime() - t0) / 1_000;
        searchLatencyMicros.update(micros);
        out.collect(new QueryResult(query.queryId(), query.key(), query.k(), ki.externalIds(r.ids()), r.distances(),
                ki.index().size(), micros, shard, 1, shardCount, query.eventTime()));
    }

    // ------------------------------------------------------------------ timers

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<QueryResult> out) throws Exception {
        if (ctx.timeDomain() != TimeDomain.EVENT_TIME) {
            return;
        }
        // At one timestamp: first the events of that time, then TTL expiries, then the queries, so a query
        // sees exactly the vectors with eventTime <= its own and not yet expired.
        List<VectorEvent> events = pendingEvents.get(timestamp);
        if (events != null) {
            pendingEvents.remove(timestamp);
            List<VectorEvent> ordered = new ArrayList<>(events);
            ordered.sort(EVENT_ORDER);
            for (VectorEvent e : ordered) {
                apply(e, ctx);
            }
        }
        long[] expiring = expirations.get(timestamp);
        if (expiring != null) {
            expirations.remove(timestamp);
            expire(expiring, timestamp, ctx);
        }
        List<VectorQuery> qs = pendingQueries.get(timestamp);
        if (qs != null) {
            pendingQueries.remove(timestamp);
            List<VectorQuery> ordered = new ArrayList<>(qs);
            ordered.sort(QUERY_ORDER);
            for (VectorQuery q : ordered) {
                answer(q, ctx, out);
            }
        }
    }

    private void expire(long[] ids, long timestamp, Context ctx) throws Exception {
        String key = ctx.getCurrentKey();
        KeyIndex ki = indexFor(key);
        if (ki == null) {
            return;
        }
        for (long id : ids) {
            int ord = ki.index().ordinalOf(id);
            if (ord < 0) {
                continue; // deleted meanwhile
            }
            NodeRecord rec = nodes.get(ord);
            // An upsert after the one that scheduled this expiry moved the deadline: keep the vector.
            if (rec == null || rec.eventTime() + config.ttlMillis() > timestamp) {
                continue;
            }
            tracker.clear();
            ki.index().remove(id);
            expired.inc();
            persist(key, ki, -1, null);
            if (ki.index().size() == 0) {
                return;
            }
            ki.index().setChangeListener(tracker);
        }
    }

    /**
     * EVENT_TIME mode: keeps {@code record} in keyed state until the watermark passes its timestamp (the timer
     * then applies or answers it). A record at or behind the watermark is a dead letter: applying it would make
     * answers depend on arrival order.
     */
    private <T> void bufferUntilWatermark(MapState<Long, List<T>> pending, T record, long eventTime, String type,
                                          RecordOrigin origin, Context ctx) throws Exception {
        long wm = ctx.timerService().currentWatermark();
        if (eventTime <= wm) {
            deadLetter(ctx, "eventTime must be after the watermark in EVENT_TIME mode; eventTime=" + eventTime
                    + ", watermark=" + wm, DeadLetter.ReasonClass.LATE, type, record.toString(), eventTime, origin);
            return;
        }
        List<T> list = pending.get(eventTime);
        list = list == null ? new ArrayList<>() : new ArrayList<>(list);
        list.add(record);
        pending.put(eventTime, list);
        ctx.timerService().registerEventTimeTimer(eventTime);
    }

    private void deadLetter(Context ctx, String reason, DeadLetter.ReasonClass reasonClass, String type,
                            String record, long timestamp, RecordOrigin origin) {
        ctx.output(DEAD_LETTERS, deadLetters.count(new DeadLetter(reason, reasonClass, type, record, timestamp,
                origin)));
    }

    @Override
    public void close() throws Exception {
        if (cache != null) {
            cache.clear();
        }
        super.close();
    }
}
