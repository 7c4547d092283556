package io.vectorstream.index;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An incremental HNSW index (Malkov &amp; Yashunin) over float32 vectors with 64-bit external ids.
 *
 * <p>Paper names: {@code maxConn} = M (2M on layer 0), {@code beamWidth} = efConstruction,
 * {@code levelMultiplier} = m<sub>L</sub>, {@code efSearch} = ef. Internally every vector has an {@code int}
 * ordinal; the external {@code long id} maps to it. Vectors are stored contiguously
 * ({@link VectorStorage}), neighbour lists in primitive arrays ({@link NeighborStorage}).
 *
 * <ul>
 *   <li>{@link #add(long, float[])} is an upsert: re-adding an id replaces its vector and repairs edges.</li>
 *   <li>{@link #remove(long)} tombstones the node, reconnects its neighbours so recall holds, and frees its
 *       slot for reuse.</li>
 *   <li>Search is exact brute force when the index (or a filter's accepted set) is small, graph search
 *       otherwise; an optional int8 quantisation speeds traversal, with exact float re-ranking.</li>
 *   <li>Deterministic: the same operations in the same order with the same seed give the same graph and the
 *       same answers (levels come from a seeded generator whose state is part of the index; ties are broken
 *       by ordinal).</li>
 * </ul>
 *
 * <p>Structure (the shape of Lucene's {@code util/hnsw}): this class is a facade that validates and delegates.
 * {@link HnswGraph} owns the graph state (slots, liveness, ids, lists, entry point, free slots),
 * {@link StoredVectors} the vectors and int8 codes, {@link HnswInserter} links and repairs nodes,
 * {@link HnswSearcher} searches, and a {@link VectorScorer} per metric, chosen once, computes distances.
 * Saved state is rebuilt through {@link Restorer}, by the Flink operators and by {@link #load} alike.
 *
 * <p>Threading: one writer. {@link #add}, {@link #remove} and {@link #search} (which uses a shared internal
 * searcher) must not run concurrently. For concurrent reads without writers, give each thread its own
 * {@link #newSearcher()}, or use {@link #searchBatch}.
 */
public final class HnswIndex {
    private final HnswConfig config;
    private final HnswGraph graph;
    private final StoredVectors vectors;
    /** Cosine: vectors are stored (and queries searched) at unit length. */
    private final boolean normalize;
    /** The metric's float formula, for {@link #storedDistance} (its stateless method only: thread-safe). */
    private final FloatVectorScorer formula;
    private final HnswInserter inserter;
    private final HnswSearcher searcher;
    private final float[] scratchVector;

    /** An empty on-heap index. */
    public HnswIndex(HnswConfig config) {
        this(config, 16);
    }

    /** An empty on-heap index with room for {@code initialCapacity} vectors before it grows. */
    public HnswIndex(HnswConfig config, int initialCapacity) {
        this(config, new OnHeapVectorStorage(config.dimension(), initialCapacity),
                new OnHeapNeighborStorage(config.maxConn(), initialCapacity));
    }

    /** An empty index over the given (empty) storages. */
    public HnswIndex(HnswConfig config, VectorStorage vectors, NeighborStorage graph) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null; config=null");
        }
        if (vectors.dimension() != config.dimension()) {
            throw new IllegalArgumentException("vectors.dimension must equal config.dimension; vectors.dimension="
                    + vectors.dimension() + ", config.dimension=" + config.dimension());
        }
        this.config = config;
        this.graph = new HnswGraph(graph, config.seed(), config.levelMultiplier(),
                ExactCopies.maxDistance(config));
        this.vectors = new StoredVectors(vectors);
        this.normalize = config.metric() == VectorMetric.COSINE;
        this.formula = FloatVectorScorer.create(config.metric(), this.vectors);
        this.scratchVector = new float[config.dimension()];
        this.inserter = new HnswInserter(this);
        this.searcher = new HnswSearcher(this);
    }

    /** The configuration this index was built with. Thread-safe. */
    public HnswConfig config() {
        return config;
    }

    /** The graph state, for the inserter, searchers and codec of this package. */
    HnswGraph graph() {
        return graph;
    }

    /** The stored vectors, for the searchers and codec of this package. */
    StoredVectors storedVectors() {
        return vectors;
    }

    /** Number of live vectors. */
    public int size() {
        return graph.size();
    }

    /** Whether {@code id} is in the index. */
    public boolean contains(long id) {
        return graph.ordinalOf(id) >= 0;
    }

    /**
     * Registers the listener told about each touched node (replaces the previous one; null clears). Threading:
     * the writer only; the listener is called on the writer's thread.
     */
    public void setChangeListener(IndexChangeListener listener) {
        graph.setListener(listener);
    }

    /**
     * Inserts {@code vector} under {@code id}, or replaces the vector of an existing id (the old node is
     * removed with repair, then the new one inserted). The vector is copied. Threading: the writer only; the
     * {@link IndexChangeListener} is told about every touched node on this thread before it returns.
     *
     * @return true if the id was new, false if it replaced an existing vector
     * @throws IllegalArgumentException for a wrong dimension, a non-finite component, or a zero vector under
     *     cosine
     */
    public boolean add(long id, float[] vector) {
        checkVector(vector);
        float[] v = scratchVector;
        System.arraycopy(vector, 0, v, 0, v.length);
        if (normalize) {
            VectorMath.normalize(v);
        }
        boolean existed = remove(id);
        int ord = graph.allocate();
        ensureCapacity(graph.highWater()); // a no-op unless the slot is new
        int level = graph.randomLevel();
        graph.initNode(ord, id, level);
        vectors.set(ord, v);
        inserter.refresh();
        inserter.insert(ord, level);
        // Live only once linked: until then no search can return it.
        graph.markInserted(ord, id);
        graph.noteInserted(ord);
        graph.nodeChanged(ord);
        graph.metadataChanged();
        maybeTrainQuantizer();
        return !existed;
    }

    /**
     * Removes {@code id}: the node stops being returned at once, its neighbours are reconnected, and its
     * slot is reused by a later add. Threading: the writer only, as {@link #add}.
     *
     * @return false if the id was not in the index
     */
    public boolean remove(long id) {
        int ord = graph.markRemoved(id);
        if (ord < 0) {
            return false;
        }
        inserter.refresh();
        inserter.repairAfterRemoval(ord);
        // Not reusable yet: nodes that linked to it without being its neighbours still hold edges to it.
        graph.detach(ord);
        return true;
    }

    /** The k nearest live vectors; uses a shared searcher, so single-threaded with writes (see class doc). */
    public SearchResults search(float[] query, int k, int efSearch) {
        return searcher.search(query, k, efSearch, (IdFilter) null);
    }

    /**
     * The k nearest live vectors whose id passes {@code filter}, which is applied during traversal; see
     * {@link HnswSearcher#search(float[], int, int, IdFilter)}. Shared searcher, as {@link #search(float[], int, int)}.
     */
    public SearchResults search(float[] query, int k, int efSearch, IdFilter filter) {
        return searcher.search(query, k, efSearch, filter);
    }

    /**
     * The k nearest live vectors whose ordinal is in {@code acceptOrds} (null: all): a bit test per visited
     * node, and an exact scan of the members only; see {@link HnswSearcher#search(float[], int, int,
     * OrdinalBitSet)}. Shared searcher, as {@link #search(float[], int, int)}.
     */
    public SearchResults search(float[] query, int k, int efSearch, OrdinalBitSet acceptOrds) {
        return searcher.search(query, k, efSearch, acceptOrds);
    }

    /** A new searcher with its own scratch, for a thread of its own (see {@link HnswSearcher}). */
    public HnswSearcher newSearcher() {
        return new HnswSearcher(this);
    }

    /**
     * Answers many queries in parallel on the caller's {@code executor} and returns the results in query order.
     * {@code parallelism} workers share the queries: the calling thread is one of them, and
     * {@code parallelism - 1} are submitted to {@code executor} (so a busy or same-thread executor still makes
     * progress; a worker the executor starts only after the batch is done returns at once, so a saturated executor
     * cannot deadlock). Each worker searches with one {@link HnswSearcher} of its own, reused for all its queries. The
     * call returns when every worker has finished; no thread is created and the executor is not shut down.
     *
     * <p>Threading: the index must not be modified meanwhile. {@code filter}, and an {@link ExactVectorSource}
     * when the floats are off the heap, are called from several threads at once and must be thread-safe.
     *
     * @throws IllegalArgumentException for a null {@code queries} or {@code executor}, {@code parallelism < 1},
     *     or any query {@link #search(float[], int, int, IdFilter)} rejects (the first failure is rethrown
     *     once every worker stopped)
     * @throws java.util.concurrent.RejectedExecutionException when {@code executor} refuses a worker
     * @throws IllegalStateException when the calling thread is interrupted while waiting for the workers
     */
    public SearchResults[] searchBatch(float[][] queries, int k, int efSearch, IdFilter filter, Executor executor,
                                       int parallelism) {
        if (queries == null) {
            throw new IllegalArgumentException("queries must not be null; queries=null");
        }
        if (executor == null) {
            throw new IllegalArgumentException("executor must not be null; executor=null");
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1; parallelism=" + parallelism);
        }
        SearchResults[] out = new SearchResults[queries.length];
        int n = queries.length;
        int helpers = Math.min(parallelism, n) - 1;
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> {
            try {
                HnswSearcher s = newSearcher();
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    out[i] = s.search(queries[i], k, efSearch, filter);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                next.set(n); // the others stop after their current query
            }
        };
        // The caller waits only for helpers that started: one the executor has not run yet finds the batch closed
        // and returns at once (its queries were taken by the others), so a saturated executor cannot deadlock.
        HelperGate gate = new HelperGate();
        RuntimeException rejected = null;
        for (int t = 0; t < helpers; t++) {
            try {
                executor.execute(() -> {
                    if (gate.enter()) {
                        try {
                            worker.run();
                        } finally {
                            gate.leave();
                        }
                    }
                });
            } catch (RuntimeException e) {
                rejected = e;
                next.set(n);
                break;
            }
        }
        worker.run();
        try {
            gate.closeAndAwait();
        } catch (InterruptedException e) {
            next.set(n);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("searchBatch interrupted while waiting for its workers", e);
        }
        if (rejected != null) {
            throw rejected;
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        if (t != null) {
            throw new IllegalStateException("searchBatch failed", t);
        }
        return out;
    }

    /**
     * Sets where exact re-ranking reads the float vectors once they are off the heap (see
     * {@link HnswConfig#vectorsOnHeap()}); null returns int8 distances. Ignored while the floats are on the heap.
     */
    public void setExactVectorSource(ExactVectorSource source) {
        vectors.setExactSource(source);
    }

    /** Whether the float vectors are on the heap (false once an index with vectorsOnHeap false is quantised). */
    public boolean vectorsOnHeap() {
        return vectors.floatsOnHeap();
    }

    /**
     * The exact distance this index's searches report between two vectors in their stored form
     * ({@link #storedVector}): the same kernel and formula as a search's exact scoring, so a distance computed
     * here equals, bit for bit, the one a search returns for the same pair. Lower is closer. Thread-safe.
     */
    public float storedDistance(float[] a, float[] b) {
        return formula.distance(a, 0, b, 0);
    }

    /** {@code vector} as the index stores it: a copy, scaled to unit length under cosine. */
    public float[] storedVector(float[] vector) {
        float[] v = vector.clone();
        if (normalize) {
            VectorMath.normalize(v);
        }
        return v;
    }

    /** Approximate heap bytes held by this index (vectors, graph, ids, codes, maps). */
    public long ramBytesUsed() {
        return 128L + vectors.ramBytesUsed() + graph.ramBytesUsed();
    }

    /**
     * Writes the whole index to {@code out} in the current format (version 4, see {@code IndexCodec}), streamed
     * through a small buffer (the index is never copied into memory) and ended by a CRC32C footer over every
     * byte before it. Does not close {@code out}. The format holds the whole configuration except
     * {@link HnswConfig#vectorsOnHeap()}, which is always true for an index that can be saved.
     *
     * <p>Threading: reads the index, so no writer may run meanwhile (searchers may).
     *
     * @throws IllegalStateException when the float vectors are off the heap (persist such an index node by node:
     *     {@link #metadata()}, {@link #neighborsAt}, the stored vectors)
     */
    public void save(OutputStream out) throws IOException {
        IndexCodec.write(this, out);
    }

    /** Writes the index to {@code file}, replacing it; as {@link #save(OutputStream)}. */
    public void save(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            save(out);
        }
    }

    /**
     * Reads an index written by {@link #save(OutputStream)}, in the current format (6) or any earlier one; the
     * configuration is the file's, and a setting newer than the file takes its default. The
     * index is rebuilt through a {@link Restorer} while the data streams in, and returned only after the
     * checksum matched, so a damaged file never yields an index. Reads no byte past the index's end.
     *
     * <p>Threading: the returned index is new and owned by the caller.
     *
     * @throws IndexFormatException if the data is truncated, corrupted (the message says which, e.g.
     *     {@code "checksum mismatch: stored 0x..., computed 0x..."}), or of an unknown version
     */
    public static HnswIndex load(InputStream in) throws IOException {
        return IndexCodec.read(in);
    }

    /** Reads an index from {@code file}; as {@link #load(InputStream)}. */
    public static HnswIndex load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return load(in);
        }
    }

    // ---- node-level access, for callers that persist the index node by node (the Flink operators) ----
    // These read the index: any thread, but no writer may run meanwhile.

    /** One past the highest ordinal ever used; ordinals below it are live or free. */
    public int ordinalBound() {
        return graph.highWater();
    }

    /** Whether the slot {@code ord} holds a live vector. */
    public boolean isLive(int ord) {
        return ord >= 0 && ord < graph.highWater() && graph.isLive(ord);
    }

    /** The external id stored at {@code ord} (meaningful for live slots). */
    public long idAt(int ord) {
        return graph.id(ord);
    }

    /** The ordinal of {@code id}, or -1. */
    public int ordinalOf(long id) {
        return graph.ordinalOf(id);
    }

    /** The node's top layer, or -1 for a free slot. */
    public int levelAt(int ord) {
        return graph.level(ord);
    }

    /**
     * A copy of the stored vector at {@code ord} (unit length under cosine); read through the
     * {@link ExactVectorSource} when the floats are off the heap.
     *
     * @throws IllegalStateException when the floats are off the heap and no source is set
     */
    public float[] vectorAt(int ord) {
        float[] v = new float[config.dimension()];
        vectors.copyTo(ord, graph.id(ord), v);
        return v;
    }

    /** A copy of the node's neighbour lists, one array per layer 0..level (empty for a free slot). */
    public int[][] neighborsAt(int ord) {
        int level = graph.level(ord);
        int[][] out = new int[level + 1][];
        for (int l = 0; l <= level; l++) {
            out[l] = new int[graph.neighborCount(ord, l)];
            graph.copyNeighbors(ord, l, out[l]);
        }
        return out;
    }

    /** The index-wide state needed, with every live node, to rebuild this index exactly. */
    public IndexMetadata metadata() {
        ScalarQuantizer q = vectors.quantizer();
        return new IndexMetadata(graph.highWater(), graph.size(), graph.entryPoint(), graph.maxLevel(),
                graph.levelGeneratorState(), graph.freeOrdinals(), graph.pendingOrdinals(), q != null,
                q == null ? new float[0] : q.mids(), q == null ? new float[0] : q.scales(), graph.recentInserts());
    }

    /** Admission of {@link #searchBatch}'s helpers: those that start after the caller closed it do nothing. */
    private static final class HelperGate {
        private int active;
        private boolean closed;

        synchronized boolean enter() {
            if (closed) {
                return false;
            }
            active++;
            return true;
        }

        synchronized void leave() {
            if (--active == 0) {
                notifyAll();
            }
        }

        synchronized void closeAndAwait() throws InterruptedException {
            closed = true;
            while (active > 0) {
                wait();
            }
        }
    }

    /**
     * Starts rebuilding an index from persisted parts: the metadata plus every live node. The result is
     * identical (same graph, same answers, same future levels) to the index they were taken from.
     */
    public static Restorer restorer(HnswConfig config, IndexMetadata metadata) {
        return new Restorer(config, metadata);
    }

    /**
     * Rebuilds an index node by node from persisted parts: the metadata first, then every live node (in any
     * order), then {@link #build()}. This is the one way an index is rebuilt from saved state: the Flink
     * operators use it on restore and {@link HnswIndex#load} uses it on a file. Every part is checked as it
     * arrives, so inconsistent parts fail with an {@link IllegalArgumentException} naming the rule.
     *
     * <p>Threading: not thread-safe; use once, on one thread.
     */
    public static final class Restorer {
        private final HnswIndex index;
        private final IndexMetadata meta;
        private int restored;

        private Restorer(HnswConfig config, IndexMetadata meta) {
            if (config == null || meta == null) {
                throw new IllegalArgumentException("config and metadata must not be null; config=" + config
                        + ", metadata=" + meta);
            }
            checkMetadata(meta, config.dimension());
            this.meta = meta;
            boolean codesOnly = meta.quantized() && !config.vectorsOnHeap();
            // Codes only: no float storage at all (a 60k x 784 index would allocate 188 MB only to drop it).
            this.index = new HnswIndex(config, new OnHeapVectorStorage(config.dimension(),
                    codesOnly ? 1 : Math.max(1, meta.highWater())),
                    new OnHeapNeighborStorage(config.maxConn(), Math.max(1, meta.highWater())));
            if (codesOnly) {
                index.vectors.releaseFloats();
                index.vectors.installQuantizer(new ScalarQuantizer(meta.quantizerMids(), meta.quantizerScales()),
                        index.graph.capacity(), 0);
            }
            index.ensureCapacity(meta.highWater());
        }

        private static void checkMetadata(IndexMetadata m, int dimension) {
            int ranges = m.quantizerRanges();
            if (m.quantizerScales().length != ranges) {
                throw new IllegalArgumentException("quantizer mids and scales must have the same length; mids.length="
                        + ranges + ", scales.length=" + m.quantizerScales().length);
            }
            if (m.quantized() ? ranges != 1 && ranges != dimension : ranges != 0) {
                throw new IllegalArgumentException("quantizer ranges must be " + (m.quantized()
                        ? "1 or the dimension " + dimension : "0 when not quantized") + "; ranges=" + ranges);
            }
            float[] mids = m.quantizerMids();
            float[] scales = m.quantizerScales();
            for (int i = 0; i < ranges; i++) {
                if (!Float.isFinite(mids[i]) || !(scales[i] > 0f) || !Float.isFinite(1f / scales[i])) {
                    throw new IllegalArgumentException("quantizer ranges must have a finite mid and a positive scale "
                            + "with a finite inverse; range " + i + ": mid=" + mids[i] + ", scale=" + scales[i]);
                }
            }
            int hw = m.highWater();
            if (hw < 0) {
                throw new IllegalArgumentException("highWater must be >= 0; highWater=" + hw);
            }
            if (m.liveCount() < 0 || m.liveCount() > hw) {
                throw new IllegalArgumentException("liveCount must be in [0, highWater=" + hw + "]; liveCount="
                        + m.liveCount());
            }
            if (m.entryPoint() < -1 || m.entryPoint() >= hw) {
                throw new IllegalArgumentException("entryPoint must be in [-1, " + hw + "); entryPoint="
                        + m.entryPoint());
            }
            if (m.maxLevel() < -1 || m.maxLevel() > HnswGraph.MAX_LEVEL) {
                throw new IllegalArgumentException("maxLevel must be in [-1, " + HnswGraph.MAX_LEVEL + "]; maxLevel="
                        + m.maxLevel());
            }
            for (int ord : m.freeOrdinals()) {
                if (ord < 0 || ord >= hw) {
                    throw new IllegalArgumentException("free ordinals must be in [0, " + hw + "); free ordinal=" + ord);
                }
            }
            for (int ord : m.pendingOrdinals()) {
                if (ord < 0 || ord >= hw) {
                    throw new IllegalArgumentException("pending ordinals must be in [0, " + hw + "); pending ordinal="
                            + ord);
                }
            }
            int[] recent = m.recentInserts();
            if (recent.length > IndexMetadata.MAX_RECENT_INSERTS) {
                throw new IllegalArgumentException("recent inserts must be at most " + IndexMetadata.MAX_RECENT_INSERTS
                        + "; recent inserts=" + recent.length);
            }
            for (int ord : recent) {
                if (ord < 0 || ord >= hw) {
                    throw new IllegalArgumentException("recent insert ordinals must be in [0, " + hw
                            + "); recent insert=" + ord);
                }
            }
        }

        /**
         * Adds a live node with its stored vector (unit length under cosine) and its neighbour lists, one per
         * layer 0..level.
         *
         * @throws IllegalArgumentException for an ordinal out of range or seen before, a wrong dimension, a
         *     duplicate id, a level out of range, or a list too long or naming an ordinal out of range
         */
        public Restorer node(int ord, long id, float[] storedVector, int[][] neighbors) {
            HnswConfig config = index.config;
            if (ord < 0 || ord >= meta.highWater()) {
                throw new IllegalArgumentException("ord must be in [0, " + meta.highWater() + "); ord=" + ord);
            }
            if (storedVector.length != config.dimension()) {
                throw new IllegalArgumentException("vector dimension must be " + config.dimension()
                        + "; vector.length=" + storedVector.length);
            }
            if (index.graph.isLive(ord)) {
                throw new IllegalArgumentException("ord must be restored once; ord=" + ord);
            }
            if (neighbors.length < 1 || neighbors.length > HnswGraph.MAX_LEVEL + 1) {
                throw new IllegalArgumentException("neighbors must hold one list per layer 0..level, level in [0, "
                        + HnswGraph.MAX_LEVEL + "]; neighbors.length=" + neighbors.length + ", ord=" + ord);
            }
            for (int l = 0; l < neighbors.length; l++) {
                int max = l == 0 ? config.maxConn0() : config.maxConn();
                if (neighbors[l].length > max) {
                    throw new IllegalArgumentException("neighbour list of layer " + l + " must hold at most " + max
                            + " ordinals; length=" + neighbors[l].length + ", ord=" + ord);
                }
                for (int n : neighbors[l]) {
                    if (n < 0 || n >= meta.highWater()) {
                        throw new IllegalArgumentException("neighbour ordinals must be in [0, " + meta.highWater()
                                + "); neighbour=" + n + ", ord=" + ord + ", layer=" + l);
                    }
                }
            }
            index.vectors.set(ord, storedVector); // the floats, or the code when they are not kept on the heap
            // Distances are computed when a list next changes (see HnswGraph.markEdgeDistancesStale).
            index.graph.restoreNode(ord, id, neighbors);
            restored++;
            return this;
        }

        /**
         * Checks that every live node arrived and returns the index.
         *
         * @throws IllegalStateException when the number of restored nodes is not the metadata's live count
         */
        public HnswIndex build() {
            if (restored != meta.liveCount()) {
                throw new IllegalStateException("restored nodes must equal the live count; restored="
                        + restored + ", liveCount=" + meta.liveCount());
            }
            index.graph.restoreState(meta, restored);
            if (meta.quantized() && index.vectors.floatsOnHeap()) {
                index.vectors.installQuantizer(new ScalarQuantizer(meta.quantizerMids(), meta.quantizerScales()),
                        index.graph.capacity(), index.graph.highWater());
            }
            index.graph.markEdgeDistancesStale();
            return index;
        }
    }

    /**
     * Checks a vector for this index: dimension, finite components, non-zero under cosine. Thread-safe.
     *
     * @throws IllegalArgumentException naming the rule and the value
     */
    public void checkVector(float[] vector) {
        if (vector == null) {
            throw new IllegalArgumentException("vector must not be null; vector=null");
        }
        if (vector.length != config.dimension()) {
            throw new IllegalArgumentException("vector dimension must be " + config.dimension()
                    + "; vector.length=" + vector.length);
        }
        VectorMath.checkFinite("vector", vector);
        if (normalize && VectorMath.dot(vector, vector) == 0f) {
            throw new IllegalArgumentException("vector must be non-zero for cosine; |vector|=0");
        }
    }

    /** Makes room for ordinals below {@code n} in the graph and the stored vectors. */
    private void ensureCapacity(int n) {
        graph.ensureCapacity(n, !vectors.floatsOnHeap());
        vectors.ensureCapacity(n, graph.capacity());
    }

    /**
     * Trains the int8 quantiser once {@code quantizationTrainingSize} vectors are in (INT8 only), on all of
     * them, and encodes every slot. With {@code vectorsOnHeap} false the floats then leave the heap.
     */
    private void maybeTrainQuantizer() {
        if (config.quantization() != Quantization.INT8 || vectors.quantized()
                || graph.size() < config.quantizationTrainingSize()) {
            return;
        }
        int[] sample = new int[graph.size()];
        int n = graph.liveOrdinals(sample);
        vectors.installQuantizer(vectors.train(sample, n), graph.capacity(), graph.highWater());
        graph.metadataChanged();
        if (!config.vectorsOnHeap()) {
            // From now on the codes are the heap copy; exact distances come from the ExactVectorSource.
            vectors.releaseFloats();
            // The searchers still hold the released array: drop their references so it can be collected.
            searcher.refresh();
        }
        // The graph is built with the codes from now on (HnswSearcher.storedScorer; per-coordinate codes only once
        // the floats are off the heap): edge distances were float ones, recomputed in the build's form now and
        // each list sorted by them, so a list compares like with like.
        inserter.refresh();
        if (!inserter.buildsWithFloats()) {
            graph.recomputeEdgeDistances(inserter.buildScorer());
        }
    }
}
