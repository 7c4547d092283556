package io.vectorstream.operators.internal;

import io.vectorstream.index.VectorMath;
import io.vectorstream.index.VectorMetric;
import io.vectorstream.operators.QueryResult;
import io.vectorstream.operators.VectorQuery;
import io.vectorstream.operators.state.StandingQuery;
import io.vectorstream.operators.state.StandingQuerySerializer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.streaming.api.TimerService;

/**
 * The standing queries of each key: registered once, answered at once, then kept equal to the key's top k as
 * vectors enter and leave, emitting the whole new top k ({@link QueryResult.Kind#STANDING_UPDATE}) whenever it
 * changes (a registration emits its first answer, a re-registration only a changed one).
 *
 * <p>Keyed state ({@value #STATE}: query id to {@link StandingQuery}, answer included) is the source of truth; the
 * heap holds each touched key's queries with their vectors prepared as the index stores vectors, rebuilt from state
 * on first use after a restore. How an answer follows the stream, per change of one id under the key:
 * <ul>
 *   <li>an upsert closer than the k-th member (or while fewer than k qualify) enters, and the k-th leaves;</li>
 *   <li>a member that moved closer is re-ranked in place;</li>
 *   <li>a member that moved away, stopped matching, or was deleted or expired leaves. If the answer was full, a
 *       vector outside it may now belong in it: the query is searched again on the index, after the change.</li>
 * </ul>
 * Distances are the index's own ({@code HnswIndex#storedDistance}), equal bit for bit to a search's; equal distances
 * order by id. Queries of a key are visited in query-id order, so the updates of one change come in a fixed order.
 *
 * <p>Not thread-safe: Flink's task thread only, with the keyed state's current key set to the key passed in.
 */
public final class StandingQueries {
    /** Name of the keyed state of standing queries. */
    public static final String STATE = "vectorstream-standing";

    private final MapState<String, StandingQuery> state;
    private final TimeBuckets<String> expiries;
    private final QueryAnswerer answerer;
    private final VectorMetric metric;
    private final int indexThreshold;
    private final Shards shards;
    private final int shardsPerKey;
    // Per partition key: its queries, prepared for distances, and what finds the ones an upsert may change.
    private final Map<String, KeyQueries> cache = new HashMap<>();
    // One projection per dimension for every key's matcher: fitting one costs about a tenth of a second, and any
    // projection gives exact candidates, so the first key past the threshold fits it for all (a heap cache).
    private final Map<Integer, Projection> projections = new HashMap<>();

    /** A standing query, its vector in the index's stored form (unit length under cosine), and its handle. */
    private record Prepared(StandingQuery query, float[] vector, int handle) {}

    /**
     * One key's standing queries: by id (sorted: the fixed order updates are emitted in), by handle, which queries
     * each vector id is a member of, and, above the index threshold, a {@link StandingMatcher}.
     */
    private static final class KeyQueries {
        final TreeMap<String, Prepared> byId = new TreeMap<>();
        final Map<Integer, String> idOfHandle = new HashMap<>();
        final Map<Long, java.util.Set<String>> memberOf = new HashMap<>();
        StandingMatcher matcher;
        int nextHandle;
    }

    /**
     * @param indexThreshold a key with more standing queries than this finds the ones an upsert may change in a
     *                       graph of the queries ({@link StandingMatcher}) instead of scoring every one
     */
    public StandingQueries(RuntimeContext ctx, QueryAnswerer answerer, VectorMetric metric, int indexThreshold) {
        this(ctx, answerer, metric, indexThreshold, null, 1);
    }

    /**
     * GLOBAL mode: keys are piece keys of {@code shards}. Results carry the partition key, and with
     * {@code shardsPerKey} above 1 each is a partial answer (its shard, of {@code shardsPerKey}) that
     * {@code StandingMergeFunction} merges across the key's shards.
     *
     * @param shards null in KEYED mode
     */
    public StandingQueries(RuntimeContext ctx, QueryAnswerer answerer, VectorMetric metric, int indexThreshold,
                           Shards shards, int shardsPerKey) {
        this.shards = shards;
        this.shardsPerKey = shards == null ? 1 : shardsPerKey;
        this.indexThreshold = indexThreshold;
        this.state = ctx.getMapState(new MapStateDescriptor<>(STATE, StringSerializer.INSTANCE,
                StandingQuerySerializer.INSTANCE));
        this.expiries = new TimeBuckets<>(ctx, STATE + "-expiries", StringSerializer.INSTANCE);
        this.answerer = answerer;
        this.metric = metric;
    }

    /**
     * Registers {@code q} under {@code key} (replacing a standing query of the same id) and emits its first answer.
     *
     * @param ki the key's index, or null when it has none yet
     * @throws RecordRejected when the query does not fit the key's index
     */
    public void register(String key, VectorQuery q, KeyIndex ki, TimerService timers, Consumer<QueryResult> out)
            throws Exception {
        if (metric == VectorMetric.COSINE && VectorMath.dot(q.vector(), q.vector()) == 0f) {
            throw new RecordRejected("vector must be non-zero for cosine; |vector|=0",
                    io.vectorstream.operators.DeadLetter.ReasonClass.INDEX_REJECTED);
        }
        StandingQuery sq = new StandingQuery(q.queryId(), q.vector(), q.k(), q.efSearch(), q.filter(),
                q.radius() == null ? Float.POSITIVE_INFINITY : q.radius(),
                q.expiresAt() == null ? Long.MAX_VALUE : q.expiresAt(), q.eventTime(), new long[0], new float[0]);
        if (ki != null) {
            QueryAnswerer.Hits h = answerer.search(asQuery(key, sq), ki);
            sq = withinRadius(sq, h.ids(), h.distances());
        }
        KeyQueries kq = queries(key);
        Prepared previous = kq.byId.get(sq.queryId());
        drop(kq, sq.queryId());
        add(kq, sq);
        state.put(sq.queryId(), sq);
        if (q.expiresAt() != null) {
            expiries.add(q.expiresAt(), q.queryId());
            timers.registerEventTimeTimer(q.expiresAt());
        }
        // A changelog: registering an active query again with the same answer changes nothing downstream.
        if (previous == null || !sameAnswer(previous.query(), sq)) {
            out.accept(update(key, sq, ki, q.eventTime()));
        }
    }

    /** Ends the standing query {@code queryId} of {@code key}; emits its removal (also when none was registered). */
    public void unregister(String key, String queryId, long eventTime, Consumer<QueryResult> out) throws Exception {
        drop(queries(key), queryId);
        state.remove(queryId);
        out.accept(removed(key, queryId, eventTime));
    }

    /** Ends the standing queries of {@code key} whose expiry is {@code timestamp}, emitting their removals. */
    public void expire(String key, long timestamp, Consumer<QueryResult> out) throws Exception {
        List<String> ids = expiries.drain(timestamp);
        if (ids.isEmpty()) {
            return;
        }
        KeyQueries kq = queries(key);
        for (String id : ids.stream().sorted().distinct().toList()) {
            Prepared p = kq.byId.get(id);
            // Re-registered since with another expiry (or unregistered): not this timer's to end.
            if (p != null && p.query().expiresAt() == timestamp) {
                drop(kq, id);
                state.remove(id);
                out.accept(removed(key, id, timestamp));
            }
        }
    }

    /**
     * After {@code id} was upserted into {@code ki} (with {@code storedVector}, its stored form, and
     * {@code attributes}): updates every standing query of {@code key} whose top k changed.
     */
    public void onUpsert(String key, long id, float[] storedVector, Map<String, String> attributes, KeyIndex ki,
                         long eventTime, Consumer<QueryResult> out) throws Exception {
        KeyQueries kq = queries(key);
        if (kq.byId.isEmpty()) {
            return;
        }
        for (Prepared p : affected(kq, id, storedVector)) {
            StandingQuery q = p.query();
            boolean eligible = p.vector().length == storedVector.length
                    && (q.filter() == null || q.filter().matches(attributes));
            float d = eligible ? ki.index().storedDistance(p.vector(), storedVector) : Float.NaN;
            eligible = eligible && d < q.radius();
            int pos = indexOf(q.ids(), id);
            StandingQuery next;
            if (pos >= 0) {
                boolean full = q.ids().length == q.k();
                if (full && (!eligible || d > q.distances()[pos])) {
                    next = research(key, q, ki); // something outside the answer may now belong in it
                } else if (!eligible) {
                    next = q.withAnswer(remove(q.ids(), pos), remove(q.distances(), pos));
                } else {
                    next = insertSorted(q, remove(q.ids(), pos), remove(q.distances(), pos), id, d);
                }
            } else if (eligible && (q.ids().length < q.k() || before(d, id, q, q.ids().length - 1))) {
                next = insertSorted(q, q.ids(), q.distances(), id, d);
            } else {
                continue;
            }
            changed(kq, key, p, next, ki, eventTime, out);
        }
    }

    /** After {@code id} left {@code ki} (delete or expiry): updates the standing queries it was a member of. */
    public void onRemoved(String key, long id, KeyIndex ki, long eventTime, Consumer<QueryResult> out)
            throws Exception {
        KeyQueries kq = queries(key);
        java.util.Set<String> of = kq.memberOf.get(id);
        if (of == null) {
            return;
        }
        for (String qid : new java.util.TreeSet<>(of)) {
            Prepared p = kq.byId.get(qid);
            StandingQuery q = p.query();
            int pos = indexOf(q.ids(), id);
            StandingQuery next = q.ids().length == q.k() ? research(key, q, ki)
                    : q.withAnswer(remove(q.ids(), pos), remove(q.distances(), pos));
            changed(kq, key, p, next, ki, eventTime, out);
        }
    }

    /** Drops the heap copies (state is untouched). */
    public void close() {
        cache.clear();
    }

    /**
     * The queries an upsert of {@code id} may change, in query-id order: the ones it is a member of, and either
     * all others (few queries; no lookup per query on this per-insert path) or those the matcher finds within
     * their bound.
     */
    private java.util.Collection<Prepared> affected(KeyQueries kq, long id, float[] v) {
        if (kq.matcher == null) {
            return kq.byId.values();
        }
        java.util.TreeSet<String> ids = new java.util.TreeSet<>();
        java.util.Set<String> members = kq.memberOf.get(id);
        if (members != null) {
            ids.addAll(members);
        }
        if (kq.matcher.size() > 0 && v.length == kq.byId.firstEntry().getValue().vector().length) {
            kq.matcher.candidates(v, h -> ids.add(kq.idOfHandle.get(h)));
        }
        return ids.stream().map(kq.byId::get).toList();
    }

    private void changed(KeyQueries kq, String key, Prepared p, StandingQuery next, KeyIndex ki, long eventTime,
                         Consumer<QueryResult> out) throws Exception {
        StandingQuery before = p.query();
        if (Arrays.equals(before.ids(), next.ids()) && Arrays.equals(before.distances(), next.distances())) {
            return;
        }
        unlinkMembers(kq, before);
        Prepared np = new Prepared(next, p.vector(), p.handle());
        kq.byId.put(next.queryId(), np);
        linkMembers(kq, next);
        if (kq.matcher != null) {
            kq.matcher.setBound(np.handle(), bound(next));
        }
        state.put(next.queryId(), next);
        out.accept(update(key, next, ki, eventTime));
    }

    private void add(KeyQueries kq, StandingQuery q) {
        Prepared p = prepare(q, kq.nextHandle++);
        kq.byId.put(q.queryId(), p);
        kq.idOfHandle.put(p.handle(), q.queryId());
        linkMembers(kq, q);
        if (kq.matcher == null && kq.byId.size() > indexThreshold && sameDimension(kq)
                && p.vector().length <= StandingMatcher.MAX_DIMENSION) {
            // Past the threshold: index every query of the key (once; it then follows each change).
            int dimension = p.vector().length;
            Projection projection = projections.computeIfAbsent(dimension, d -> Projection.fit(d,
                    kq.byId.values().stream().map(Prepared::vector).toList()));
            kq.matcher = new StandingMatcher(metric, dimension, projection);
            for (Prepared e : kq.byId.values()) {
                kq.matcher.put(e.handle(), e.vector(), bound(e.query()));
            }
        } else if (kq.matcher != null) {
            if (p.vector().length == kq.byId.firstEntry().getValue().vector().length) {
                kq.matcher.put(p.handle(), p.vector(), bound(q));
            } else {
                kq.matcher = null; // a query of another dimension: score every query (its own check skips it)
            }
        }
    }

    private void drop(KeyQueries kq, String queryId) {
        Prepared p = kq.byId.remove(queryId);
        if (p == null) {
            return;
        }
        kq.idOfHandle.remove(p.handle());
        unlinkMembers(kq, p.query());
        if (kq.matcher != null) {
            kq.matcher.remove(p.handle());
        }
    }

    private static boolean sameDimension(KeyQueries kq) {
        int d = kq.byId.firstEntry().getValue().vector().length;
        return kq.byId.values().stream().allMatch(p -> p.vector().length == d);
    }

    private static boolean sameAnswer(StandingQuery a, StandingQuery b) {
        return a.k() == b.k() && Arrays.equals(a.ids(), b.ids()) && Arrays.equals(a.distances(), b.distances());
    }

    /** The distance below which (or, at the k-th distance, equal to which) an upsert may enter {@code q}. */
    private static float bound(StandingQuery q) {
        return q.ids().length == q.k() ? q.distances()[q.k() - 1] : q.radius();
    }

    private static void linkMembers(KeyQueries kq, StandingQuery q) {
        for (long id : q.ids()) {
            kq.memberOf.computeIfAbsent(id, x -> new java.util.HashSet<>()).add(q.queryId());
        }
    }

    private static void unlinkMembers(KeyQueries kq, StandingQuery q) {
        for (long id : q.ids()) {
            java.util.Set<String> of = kq.memberOf.get(id);
            if (of != null && of.remove(q.queryId()) && of.isEmpty()) {
                kq.memberOf.remove(id);
            }
        }
    }

    private StandingQuery research(String key, StandingQuery q, KeyIndex ki) throws Exception {
        try {
            QueryAnswerer.Hits h = answerer.search(asQuery(key, q), ki);
            return withinRadius(q, h.ids(), h.distances());
        } catch (RecordRejected wrongDimension) {
            return q.withAnswer(new long[0], new float[0]); // registered before the key's first vector fixed it
        }
    }

    private static StandingQuery withinRadius(StandingQuery q, long[] ids, float[] ds) {
        int n = 0;
        while (n < ids.length && ds[n] < q.radius()) {
            n++; // sorted by distance: the first at or beyond the radius ends it
        }
        return q.withAnswer(Arrays.copyOf(ids, n), Arrays.copyOf(ds, n));
    }

    private static VectorQuery asQuery(String key, StandingQuery q) {
        return new VectorQuery(q.queryId(), key, q.vector(), q.k(), q.efSearch(), q.filter(), q.eventTime());
    }

    /** The queries of {@code key} (the current key), from the heap or loaded from state. */
    private KeyQueries queries(String key) throws Exception {
        KeyQueries kq = cache.get(key);
        if (kq == null) {
            kq = new KeyQueries();
            List<StandingQuery> stored = new java.util.ArrayList<>();
            for (Map.Entry<String, StandingQuery> e : state.entries()) {
                stored.add(e.getValue());
            }
            // Handles in query-id order: the same for a key whatever the backend's iteration order.
            stored.sort(java.util.Comparator.comparing(StandingQuery::queryId));
            for (StandingQuery q : stored) {
                add(kq, q);
            }
            cache.put(key, kq);
        }
        return kq;
    }

    private Prepared prepare(StandingQuery q, int handle) {
        boolean zero = VectorMath.dot(q.vector(), q.vector()) == 0f;
        return new Prepared(q, metric == VectorMetric.COSINE && !zero ? VectorMath.normalizedCopy(q.vector())
                : q.vector(), handle);
    }

    /** An update of the query's answer: the whole answer in KEYED mode, this shard's part of it in GLOBAL. */
    private QueryResult update(String key, StandingQuery q, KeyIndex ki, long eventTime) {
        return new QueryResult(q.queryId(), partitionKey(key), q.k(), q.ids(), q.distances(),
                ki == null ? 0 : ki.index().size(), 0, shard(key), 1, shardsPerKey, eventTime,
                QueryResult.Kind.STANDING_UPDATE);
    }

    private QueryResult removed(String key, String queryId, long eventTime) {
        return new QueryResult(queryId, partitionKey(key), 0, new long[0], new float[0], 0, 0, shard(key), 1,
                shardsPerKey, eventTime, QueryResult.Kind.STANDING_REMOVED);
    }

    /** The partition key of Flink key {@code key} (GLOBAL mode keys a piece of a shard). */
    private String partitionKey(String key) {
        return shards == null ? key : Shards.partitionKeyOf(key);
    }

    private int shard(String key) {
        return shards == null ? -1 : shards.shardOfKey(key);
    }

    /** Whether (d, id) orders before member {@code i} of {@code q}'s answer. */
    private static boolean before(float d, long id, StandingQuery q, int i) {
        float di = q.distances()[i];
        return d < di || (d == di && id < q.ids()[i]);
    }

    /** {@code ids}/{@code ds} (sorted) with (id, d) inserted in order, cut to k. */
    private static StandingQuery insertSorted(StandingQuery q, long[] ids, float[] ds, long id, float d) {
        int at = 0;
        while (at < ids.length && (ds[at] < d || (ds[at] == d && ids[at] < id))) {
            at++;
        }
        int n = Math.min(q.k(), ids.length + 1);
        long[] ni = new long[n];
        float[] nd = new float[n];
        for (int i = 0, j = 0; i < n; i++) {
            if (i == at) {
                ni[i] = id;
                nd[i] = d;
            } else {
                ni[i] = ids[j];
                nd[i] = ds[j];
                j++;
            }
        }
        return q.withAnswer(ni, nd);
    }

    private static int indexOf(long[] ids, long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    private static long[] remove(long[] a, int pos) {
        long[] r = new long[a.length - 1];
        System.arraycopy(a, 0, r, 0, pos);
        System.arraycopy(a, pos + 1, r, pos, a.length - pos - 1);
        return r;
    }

    private static float[] remove(float[] a, int pos) {
        float[] r = new float[a.length - 1];
        System.arraycopy(a, 0, r, 0, pos);
        System.arraycopy(a, pos + 1, r, pos, a.length - pos - 1);
        return r;
    }
}
