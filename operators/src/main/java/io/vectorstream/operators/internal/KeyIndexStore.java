package io.vectorstream.operators.internal;

import io.vectorstream.index.HnswConfig;
import io.vectorstream.index.ExactVectorSource;
import io.vectorstream.index.HnswIndex;
import io.vectorstream.index.IndexMetadata;
import io.vectorstream.operators.state.KeyIndexMeta;
import io.vectorstream.operators.state.KeyIndexMetaSerializer;
import io.vectorstream.operators.state.KeyQuantizer;
import io.vectorstream.operators.state.KeyQuantizerSerializer;
import io.vectorstream.operators.state.NeighborListsSerializer;
import io.vectorstream.operators.state.NodeRecord;
import io.vectorstream.operators.state.NodeRecordSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.ObjLongConsumer;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The per-key index in keyed state, with its heap cache. Keyed state is the source of truth:
 * <ul>
 *   <li>{@code vectorstream-nodes}: {@code MapState<ordinal, NodeRecord>} (caller's id, stored vector,
 *       attributes, event time), written once per upsert;</li>
 *   <li>{@code vectorstream-links}: {@code MapState<ordinal, int[][]>}, the node's neighbour lists, rewritten
 *       for every node whose lists a mutation changed;</li>
 *   <li>{@code vectorstream-meta}: {@code ValueState<KeyIndexMeta>} (dimension, entry point, level-generator
 *       state, free slots, quantiser kind and its one range), rewritten after every mutation;</li>
 *   <li>{@code vectorstream-quantizer}: {@code ValueState<KeyQuantizer>}, the ranges of a quantiser with a range
 *       per coordinate, written once when the index trains it (absent otherwise).</li>
 * </ul>
 * An upsert costs 1 node write + about M..2M link writes + 1 metadata write; a delete 2 removals + the repaired
 * neighbours' links + 1 metadata write. The searchable graph lives in an {@link IndexCache}, rebuilt from
 * state after a restore, a rescale or an eviction; a search never reads the state backend per visited node.
 *
 * <p>Use: {@link #load} (or {@link #create}), {@link #beginMutation}, mutate the index, {@link #persist}. After a
 * restore, {@link #preload} fills the cache ahead of the first record ({@link RestoredKeysLoader}).
 * Not thread-safe: Flink's task thread only, with the current key set by the caller's context.
 */
public final class KeyIndexStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KeyIndexStore.class);

    /** Name of the per-key metadata state: exactly the keys that hold vectors have an entry. */
    public static final String META_STATE = "vectorstream-meta";
    /** The per-key ranges of a quantiser with a range per coordinate ({@link KeyQuantizer}). */
    public static final String QUANTIZER_STATE = "vectorstream-quantizer";
    private static final float[] NO_RANGES = new float[0];

    private final MapState<Integer, NodeRecord> nodes;
    private final MapState<Integer, int[][]> links;
    private final ValueState<KeyIndexMeta> meta;
    private final ValueState<KeyQuantizer> quantizer;
    private final IndexCache cache;
    private final ChangeTracker tracker = new ChangeTracker();
    private final IntFunction<HnswConfig> hnswConfig;
    private final long cacheMaxBytes;
    private final Counter cacheLoads;
    private final Counter cacheEvictions;
    private final FirstReloadLog reloads = new FirstReloadLog();
    private final ObjLongConsumer<String> onEvicted = reloads::evicted; // one instance: persist runs per record
    // Reads the current key's stored vectors, for indexes whose floats are off the heap (vectorsOnHeap false):
    // the keyed state's current key is always the key whose index is searched or changed.
    private final ExactVectorSource storedVectors = this::readStoredVector;
    private long lastThrashWarning;

    /**
     * @param hnswConfig the index configuration for a dimension
     * @param metrics    where {@code cacheLoads}, {@code cacheEvictions} and the cache gauges ({@code vectorsHeld},
     *                   {@code keysCached}, {@code cacheBytes}, {@code heapBytesPerVector}) go
     */
    public KeyIndexStore(RuntimeContext ctx, IntFunction<HnswConfig> hnswConfig, long cacheMaxBytes,
                         MetricGroup metrics) {
        this.nodes = ctx.getMapState(new MapStateDescriptor<>("vectorstream-nodes", IntSerializer.INSTANCE,
                NodeRecordSerializer.INSTANCE));
        this.links = ctx.getMapState(new MapStateDescriptor<>("vectorstream-links", IntSerializer.INSTANCE,
                NeighborListsSerializer.INSTANCE));
        this.meta = ctx.getState(new ValueStateDescriptor<>(META_STATE, KeyIndexMetaSerializer.INSTANCE));
        this.quantizer = ctx.getState(new ValueStateDescriptor<>(QUANTIZER_STATE, KeyQuantizerSerializer.INSTANCE));
        this.hnswConfig = hnswConfig;
        this.cacheMaxBytes = cacheMaxBytes;
        this.cache = new IndexCache(cacheMaxBytes);
        this.cacheLoads = metrics.counter("cacheLoads");
        this.cacheEvictions = metrics.counter("cacheEvictions");
        metrics.gauge("vectorsHeld", cache::vectors);
        metrics.gauge("keysCached", cache::keys);
        metrics.gauge("cacheBytes", cache::bytes);
        // What one vector costs on the heap, graph and attribute index included: the figure to size
        // cacheMaxBytes by (budget = vectors to keep hot x this).
        metrics.gauge("heapBytesPerVector", this::heapBytesPerVector);
    }

    /** The current key's index from the heap cache, or rebuilt from state; null when the key has no vectors. */
    public KeyIndex load(String key) throws Exception {
        KeyIndex ki = cache.get(key);
        if (ki == null) {
            ki = rebuild(key);
            if (ki == null) {
                return null;
            }
            cache.put(key, ki);
            cacheLoads.inc();
            cacheEvictions.inc(cache.evictOver(key, onEvicted));
            reloads.reloaded(key, ki, cache, cacheMaxBytes);
            warnIfThrashing(key, ki);
        }
        return ki;
    }

    /**
     * Rebuilds the current key's index into the cache if it fits the budget beside the keys cached already,
     * evicting nothing: the restore-time counterpart of {@link #load}, which always caches the key it loads.
     *
     * @return false, with nothing cached, when the key's index does not fit; true when it is cached (or has no
     *         vectors)
     */
    public boolean preload(String key) throws Exception {
        if (cache.get(key) != null) {
            return true;
        }
        KeyIndexMeta m = meta.value();
        if (m == null) {
            return true;
        }
        // The vectors' heap copies alone (floats, or int8 codes with vectorsOnHeap false) are a lower bound of the
        // rebuilt index: skip a build that cannot fit.
        int bytesPerComponent = m.index().quantized() && !hnswConfig.apply(m.dimension()).vectorsOnHeap()
                ? 1 : Float.BYTES;
        if (!cache.fits((long) m.index().liveCount() * m.dimension() * bytesPerComponent)) {
            return false;
        }
        KeyIndex ki = rebuild(key, m);
        if (!cache.fits(ki.ramBytesUsed())) {
            return false;
        }
        cache.put(key, ki);
        cacheLoads.inc();
        return true;
    }

    /** A new, empty index for the current key (cached by the first {@link #persist}). */
    public KeyIndex create(int dimension) {
        HnswIndex index = new HnswIndex(hnswConfig.apply(dimension));
        index.setChangeListener(tracker);
        index.setExactVectorSource(storedVectors);
        return new KeyIndex(index, dimension);
    }

    /** The stored record of the current key's node {@code ord}, or null. */
    public NodeRecord record(int ord) throws Exception {
        return nodes.get(ord);
    }

    /**
     * Starts recording which ordinals the next mutation touches. Every index this store hands out reports to
     * one tracker for its whole life; mutations are sequential, so clearing it here is all a mutation needs.
     */
    public void beginMutation() {
        tracker.clear();
    }

    /**
     * Writes what the mutation since {@link #beginMutation} touched to keyed state: the new or replaced node
     * {@code newRecord} at {@code newOrd} (or -1 for a removal), the changed neighbour lists, removed nodes and
     * the metadata. A key left empty has all of its state dropped.
     */
    public void persist(String key, KeyIndex ki, int newOrd, NodeRecord newRecord) throws Exception {
        HnswIndex index = ki.index();
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
            quantizer.clear();
            cache.remove(key);
            return;
        }
        IndexMetadata md = index.metadata();
        if (md.quantizerRanges() > 1) {
            // Ranges per coordinate never change once trained: written once, not with every update's metadata.
            if (!ki.quantizerPersisted()) {
                quantizer.update(new KeyQuantizer(md.quantizerMids(), md.quantizerScales()));
                ki.markQuantizerPersisted();
            }
            md = md.withQuantizerRanges(NO_RANGES, NO_RANGES);
        }
        meta.update(new KeyIndexMeta(ki.dimension(), md));
        if (cache.get(key) == null) {
            cache.put(key, ki);
        } else {
            cache.resize(key, ki);
        }
        cacheEvictions.inc(cache.evictOver(key, onEvicted));
    }

    /** Drops the heap cache (state is untouched). */
    public void close() {
        cache.clear();
    }

    /** The keys whose indexes are on the heap now (a copy). */
    public Set<String> cachedKeys() {
        return cache.keySet();
    }

    /** Indexes rebuilt from state so far (the {@code cacheLoads} counter). */
    public long cacheLoads() {
        return cacheLoads.getCount();
    }

    /** The heap budget of the cache. */
    public long cacheMaxBytes() {
        return cacheMaxBytes;
    }

    /** Heap bytes of the cached indexes. */
    public long cacheBytes() {
        return cache.bytes();
    }

    /** The cache's heap bytes per live vector it holds, rounded down; 0 when it holds none. */
    public long heapBytesPerVector() {
        long vectors = cache.vectors();
        return vectors == 0 ? 0 : cache.bytes() / vectors;
    }

    private KeyIndex rebuild(String key) throws Exception {
        KeyIndexMeta m = meta.value();
        return m == null ? null : rebuild(key, m);
    }

    private KeyIndex rebuild(String key, KeyIndexMeta m) throws Exception {
        IndexMetadata md = m.index();
        boolean perCoordinate = md.quantized() && md.quantizerRanges() == 0;
        if (perCoordinate) {
            KeyQuantizer q = quantizer.value();
            if (q == null) {
                throw new IllegalStateException("state is inconsistent: key " + key + " has an index quantised per "
                        + "coordinate but no " + QUANTIZER_STATE + " state");
            }
            md = md.withQuantizerRanges(q.mids(), q.scales());
        }
        HnswIndex.Restorer r = HnswIndex.restorer(hnswConfig.apply(m.dimension()), md);
        // One scan of each state, not a point read of the lists per node: on RocksDB a scan reads the blocks in
        // order, where 60k point reads cost as much as the rest of the rebuild.
        int[][][] lists = new int[m.index().highWater()][][];
        for (Map.Entry<Integer, int[][]> e : links.entries()) {
            int ord = e.getKey();
            if (ord < 0 || ord >= lists.length) {
                throw new IllegalStateException("state is inconsistent: key " + key + " has neighbour lists for node "
                        + ord + " beyond its " + lists.length + " slots");
            }
            lists[ord] = e.getValue();
        }
        // Only the attributes wait for the index to exist; the vectors go into it at once (holding every record
        // would hold every float vector, which an index with its vectors off the heap must not).
        List<Map.Entry<Integer, Map<String, String>>> attributes = new ArrayList<>();
        for (Map.Entry<Integer, NodeRecord> e : nodes.entries()) {
            NodeRecord rec = e.getValue();
            int[][] nl = e.getKey() < lists.length ? lists[e.getKey()] : null;
            if (nl == null) {
                throw new IllegalStateException("state is inconsistent: node " + e.getKey() + " of key " + key
                        + " has no neighbour lists");
            }
            r.node(e.getKey(), rec.id(), rec.vector(), nl);
            if (rec.attributes() != null && !rec.attributes().isEmpty()) {
                attributes.add(Map.entry(e.getKey(), rec.attributes()));
            }
        }
        HnswIndex index = r.build();
        index.setChangeListener(tracker);
        index.setExactVectorSource(storedVectors);
        KeyIndex ki = new KeyIndex(index, m.dimension());
        if (perCoordinate) {
            ki.markQuantizerPersisted();
        }
        for (Map.Entry<Integer, Map<String, String>> e : attributes) {
            ki.setAttributes(e.getKey(), e.getValue());
        }
        return ki;
    }

    private void readStoredVector(int ord, long id, float[] dst) {
        NodeRecord rec;
        try {
            rec = nodes.get(ord);
        } catch (Exception e) {
            throw new IllegalStateException("the stored vector of node " + ord + " (id " + id + ") must be readable "
                    + "from keyed state", e);
        }
        if (rec == null || rec.id() != id) {
            throw new IllegalStateException("state is inconsistent: node " + ord + " must hold id " + id + "; stored="
                    + (rec == null ? "nothing" : "id " + rec.id()));
        }
        System.arraycopy(rec.vector(), 0, dst, 0, dst.length);
    }

    /**
     * A load once the cache has evicted means the budget is below the working set: every access may now rebuild
     * a whole key index from state. Say so (at most once a minute), naming the setting to raise. (The key loaded
     * need not be one that was evicted; {@link FirstReloadLog} reports the first one that was.)
     */
    private void warnIfThrashing(String key, KeyIndex loaded) {
        long now = System.currentTimeMillis();
        if (cache.evictions() > 0 && now - lastThrashWarning >= 60_000) {
            lastThrashWarning = now;
            LOG.warn("index cache rebuilds keys from state after evicting others: key {} rebuilt ({} vectors, {} "
                            + "bytes); the cache holds {} bytes in {} keys and its budget cacheMaxBytes={} is below the working set. "
                            + "Raise cacheMaxBytes (CLI --cache-max-bytes) or spread the keys over more subtasks.",
                    key, loaded.index().size(), loaded.ramBytesUsed(), cache.bytes(), cache.keys(), cacheMaxBytes);
        }
    }
}
