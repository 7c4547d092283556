package io.vectorstream.index;

import io.vectorstream.index.internal.LongIntHashMap;
import io.vectorstream.index.internal.SplitMix64;
import io.vectorstream.index.internal.vectorization.KernelProvider;
import io.vectorstream.index.internal.vectorization.VectorKernels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

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
 * <p>Threading: one writer. {@link #add}, {@link #remove} and {@link #search} (which uses a shared internal
 * searcher) must not run concurrently. For concurrent reads without writers, give each thread its own
 * {@link #newSearcher()}, or use {@link #searchBatch}.
 */
public final class HnswIndex {
    final HnswConfig config;
    final VectorStorage vectors;
    final NeighborStorage graph;
    final LongIntHashMap idToOrd;
    final SplitMix64 levels;
    long[] ids;
    boolean[] live;
    /** Per ordinal: edge distances not yet computed since a restore (null: none are stale). */
    private boolean[] staleEdgeDistances;
    int highWater;
    int liveCount;
    int[] freeOrds = new int[8];
    int freeCount;
    /** Removed slots that may still have edges pointing at them; reusable only after {@link #sweepPending()}. */
    int[] pendingOrds = new int[8];
    int pendingCount;
    int entryPoint = -1;
    int maxLevel = -1;
    ScalarQuantizer quantizer;
    byte[] codes;
    int[] codeSums;
    /** False once the float vectors left the heap (vectorsOnHeap false and the quantiser trained). */
    boolean floatsOnHeap = true;
    /** Where exact re-ranking reads floats that are not on the heap; null: int8 distances are returned. */
    ExactVectorSource exactVectors;
    IndexChangeListener listener = IndexChangeListener.NONE;

    private final HnswInserter inserter;
    private final VectorKernels kernels = KernelProvider.kernels();
    private final int metricCode;
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
        this.vectors = vectors;
        this.graph = graph;
        this.idToOrd = new LongIntHashMap(16);
        this.levels = new SplitMix64(config.seed());
        this.ids = new long[16];
        this.live = new boolean[16];
        this.scratchVector = new float[config.dimension()];
        this.metricCode = config.metric().ordinal();
        this.inserter = new HnswInserter(this);
        this.searcher = new HnswSearcher(this);
    }

    public HnswConfig config() {
        return config;
    }

    /** Number of live vectors. */
    public int size() {
        return liveCount;
    }

    /** Whether {@code id} is in the index. */
    public boolean contains(long id) {
        return idToOrd.get(id) >= 0;
    }

    /** Registers the listener told about each touched node (replaces the previous one; null clears). */
    public void setChangeListener(IndexChangeListener listener) {
        this.listener = listener == null ? IndexChangeListener.NONE : listener;
    }

    /**
     * Inserts {@code vector} under {@code id}, or replaces the vector of an existing id (the old node is
     * removed with repair, then the new one inserted). The vector is copied.
     *
     * @return true if the id was new, false if it replaced an existing vector
     * @throws IllegalArgumentException for a wrong dimension, a non-finite component, or a zero vector under
     *     cosine
     */
    public boolean add(long id, float[] vector) {
        checkVector(vector);
        float[] v = scratchVector;
        System.arraycopy(vector, 0, v, 0, v.length);
        if (config.metric() == VectorMetric.COSINE) {
            VectorMath.normalize(v);
        }
        boolean existed = remove(id);
        int ord = allocate();
        int level = randomLevel();
        ids[ord] = id;
        if (floatsOnHeap) {
            vectors.set(ord, v);
        }
        graph.initNode(ord, level);
        if (quantizer != null) {
            codeSums[ord] = quantizer.encode(v, 0, codes, ord * config.dimension(), config.dimension());
        }
        inserter.refresh();
        inserter.insert(ord, level);
        live[ord] = true;
        idToOrd.put(id, ord);
        liveCount++;
        listener.nodeChanged(ord);
        listener.metadataChanged();
        maybeTrainQuantizer();
        return !existed;
    }

    /**
     * Removes {@code id}: the node stops being returned at once, its neighbours are reconnected, and its
     * slot is reused by a later add.
     *
     * @return false if the id was not in the index
     */
    public boolean remove(long id) {
        int ord = idToOrd.remove(id);
        if (ord < 0) {
            return false;
        }
        live[ord] = false;
        liveCount--;
        inserter.refresh();
        inserter.repairAfterRemoval(ord);
        // Detach the node completely: a graph rebuilt from persisted state (where a removed node has no entry)
        // must be identical to this one, so removed nodes are not kept as routes.
        graph.clearNode(ord);
        if (ord == entryPoint) {
            chooseNewEntryPoint();
        }
        // Not reusable yet: nodes that linked to it without being its neighbours still hold edges to it.
        if (pendingCount == pendingOrds.length) {
            pendingOrds = Arrays.copyOf(pendingOrds, pendingCount * 2);
        }
        pendingOrds[pendingCount++] = ord;
        listener.nodeRemoved(ord);
        listener.metadataChanged();
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
     * Answers many queries on {@code threads} threads, each with its own searcher. The index must not be
     * modified meanwhile. Returns results in query order.
     */
    public SearchResults[] searchBatch(float[][] queries, int k, int efSearch, IdFilter filter, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1; threads=" + threads);
        }
        SearchResults[] out = new SearchResults[queries.length];
        if (threads == 1 || queries.length < 2) {
            HnswSearcher s = newSearcher();
            for (int i = 0; i < queries.length; i++) {
                out[i] = s.search(queries[i], k, efSearch, filter);
            }
            return out;
        }
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "vectorstream-search");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    HnswSearcher s = newSearcher();
                    for (int i = next.getAndIncrement(); i < queries.length; i = next.getAndIncrement()) {
                        out[i] = s.search(queries[i], k, efSearch, filter);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("searchBatch interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IllegalStateException("searchBatch failed", cause);
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    /**
     * Sets where exact re-ranking reads the float vectors once they are off the heap (see
     * {@link HnswConfig#vectorsOnHeap()}); null returns int8 distances. Ignored while the floats are on the heap.
     */
    public void setExactVectorSource(ExactVectorSource source) {
        this.exactVectors = source;
    }

    /** Whether the float vectors are on the heap (false once an index with vectorsOnHeap false is quantised). */
    public boolean vectorsOnHeap() {
        return floatsOnHeap;
    }

    /**
     * The exact distance this index's searches report between two vectors in their stored form
     * ({@link #storedVector}): the same kernel and formula as a search's exact scoring, so a distance computed
     * here equals, bit for bit, the one a search returns for the same pair. Lower is closer. Thread-safe.
     */
    public float storedDistance(float[] a, float[] b) {
        int dim = config.dimension();
        switch (config.metric()) {
            case L2: return kernels.squareDistance(a, 0, b, 0, dim);
            case INNER_PRODUCT: return -kernels.dot(a, 0, b, 0, dim);
            default: return 1f - kernels.dot(a, 0, b, 0, dim);
        }
    }

    /** {@code vector} as the index stores it: a copy, scaled to unit length under cosine. */
    public float[] storedVector(float[] vector) {
        float[] v = vector.clone();
        if (config.metric() == VectorMetric.COSINE) {
            VectorMath.normalize(v);
        }
        return v;
    }

    /** Approximate heap bytes held by this index (vectors, graph, ids, codes, maps). */
    public long ramBytesUsed() {
        long bytes = 128L + (floatsOnHeap ? vectors.ramBytesUsed() : 0L) + graph.ramBytesUsed() + idToOrd.ramBytesUsed()
                + 8L * ids.length + live.length + 4L * freeOrds.length;
        if (codes != null) {
            bytes += codes.length + 4L * codeSums.length;
        }
        return bytes;
    }

    /**
     * Writes the whole index in the versioned, checksummed format read by {@link #load(InputStream)}. The format
     * holds the graph's configuration but not the search-time {@link HnswConfig#rerankCandidates()}, which a
     * loaded index takes at its default (0); an index whose floats are off the heap cannot be saved.
     */
    public void save(OutputStream out) throws IOException {
        IndexCodec.write(this, out);
    }

    /** Writes the index to {@code file}, replacing it. */
    public void save(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            save(out);
        }
    }

    /**
     * Reads an index written by {@link #save(OutputStream)}. The whole payload is checked (length, version,
     * CRC32C) before anything is built, so a damaged file never yields a half-loaded index.
     *
     * @throws IndexFormatException if the data is truncated, corrupted, or of an unknown version
     */
    public static HnswIndex load(InputStream in) throws IOException {
        return IndexCodec.read(in);
    }

    /** Reads an index from {@code file}. */
    public static HnswIndex load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return load(in);
        }
    }

    // ---- node-level access, for callers that persist the index node by node (the Flink operators) ----

    /** One past the highest ordinal ever used; ordinals below it are live or free. */
    public int ordinalBound() {
        return highWater;
    }

    /** Whether the slot {@code ord} holds a live vector. */
    public boolean isLive(int ord) {
        return ord >= 0 && ord < highWater && live[ord];
    }

    /** The external id stored at {@code ord} (meaningful for live slots). */
    public long idAt(int ord) {
        return ids[ord];
    }

    /** The ordinal of {@code id}, or -1. */
    public int ordinalOf(long id) {
        return idToOrd.get(id);
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
        if (floatsOnHeap) {
            vectors.copyTo(ord, v);
        } else if (exactVectors != null) {
            exactVectors.read(ord, ids[ord], v);
        } else {
            throw new IllegalStateException("vectorAt needs the float vectors: they are off the heap "
                    + "(vectorsOnHeap=false) and no ExactVectorSource is set");
        }
        return v;
    }

    /** A copy of the node's neighbour lists, one array per layer 0..level (empty for a free slot). */
    public int[][] neighborsAt(int ord) {
        int level = graph.level(ord);
        int[][] out = new int[level + 1][];
        for (int l = 0; l <= level; l++) {
            int[] b = graph.block(ord, l);
            int o = graph.offset(ord, l);
            out[l] = Arrays.copyOfRange(b, o + 1, o + 1 + b[o]);
        }
        return out;
    }

    /** The index-wide state needed, with every live node, to rebuild this index exactly. */
    public IndexMetadata metadata() {
        return new IndexMetadata(highWater, liveCount, entryPoint, maxLevel, levels.state(),
                Arrays.copyOf(freeOrds, freeCount), Arrays.copyOf(pendingOrds, pendingCount), quantizer != null,
                quantizer == null ? 0f : quantizer.mid, quantizer == null ? 0f : quantizer.scale);
    }

    /**
     * Starts rebuilding an index from persisted parts: the metadata plus every live node. The result is
     * identical (same graph, same answers, same future levels) to the index they were taken from.
     */
    public static Restorer restorer(HnswConfig config, IndexMetadata metadata) {
        return new Restorer(config, metadata);
    }

    /** Rebuilds an index node by node; see {@link #restorer}. Not thread-safe; use once. */
    public static final class Restorer {
        private final HnswIndex index;
        private final IndexMetadata meta;
        private int restored;

        private Restorer(HnswConfig config, IndexMetadata meta) {
            this.meta = meta;
            boolean codesOnly = meta.quantized() && !config.vectorsOnHeap();
            // Codes only: no float storage at all (a 60k x 784 index would allocate 188 MB only to drop it).
            this.index = new HnswIndex(config, new OnHeapVectorStorage(config.dimension(),
                    codesOnly ? 1 : Math.max(1, meta.highWater())),
                    new OnHeapNeighborStorage(config.maxConn(), Math.max(1, meta.highWater())));
            if (codesOnly) {
                index.floatsOnHeap = false;
                index.vectors.release();
                index.installQuantizer(new ScalarQuantizer(meta.quantizerMid(), meta.quantizerScale()), false);
            }
            index.ensureCapacity(meta.highWater());
        }

        /** Adds a live node with its stored vector and its neighbour lists (layers 0..level). */
        public Restorer node(int ord, long id, float[] storedVector, int[][] neighbors) {
            if (ord < 0 || ord >= meta.highWater()) {
                throw new IllegalArgumentException("ord must be in [0, " + meta.highWater() + "); ord=" + ord);
            }
            if (storedVector.length != index.config.dimension()) {
                throw new IllegalArgumentException("vector dimension must be " + index.config.dimension()
                        + "; vector.length=" + storedVector.length);
            }
            if (index.live[ord]) {
                throw new IllegalArgumentException("ord must be restored once; ord=" + ord);
            }
            int level = neighbors.length - 1;
            if (index.floatsOnHeap) {
                index.vectors.set(ord, storedVector);
            } else {
                int dim = index.config.dimension();
                index.codeSums[ord] = index.quantizer.encode(storedVector, 0, index.codes, ord * dim, dim);
            }
            index.graph.initNode(ord, level);
            for (int l = 0; l <= level; l++) {
                // Distances are filled in build(), once every vector is in place.
                index.graph.set(ord, l, neighbors[l], new float[neighbors[l].length], neighbors[l].length);
            }
            index.ids[ord] = id;
            index.live[ord] = true;
            if (index.idToOrd.put(id, ord) >= 0) {
                throw new IllegalArgumentException("id must be unique; id=" + id);
            }
            restored++;
            return this;
        }

        /** Checks that every live node arrived and returns the index. */
        public HnswIndex build() {
            if (restored != meta.liveCount()) {
                throw new IllegalStateException("restored nodes must equal the live count; restored="
                        + restored + ", liveCount=" + meta.liveCount());
            }
            index.highWater = meta.highWater();
            index.liveCount = restored;
            index.entryPoint = meta.entryPoint();
            index.maxLevel = meta.maxLevel();
            index.levels.setState(meta.levelGeneratorState());
            int[] free = meta.freeOrdinals();
            index.freeOrds = Arrays.copyOf(free, Math.max(8, free.length));
            index.freeCount = free.length;
            int[] pending = meta.pendingOrdinals();
            index.pendingOrds = Arrays.copyOf(pending, Math.max(8, pending.length));
            index.pendingCount = pending.length;
            if (meta.quantized() && index.floatsOnHeap) {
                index.setQuantizer(new ScalarQuantizer(meta.quantizerMid(), meta.quantizerScale()));
            }
            index.markEdgeDistancesStale();
            return index;
        }
    }

    /** Checks a vector for this index: dimension, finite components, non-zero under cosine. */
    public void checkVector(float[] vector) {
        if (vector == null) {
            throw new IllegalArgumentException("vector must not be null; vector=null");
        }
        if (vector.length != config.dimension()) {
            throw new IllegalArgumentException("vector dimension must be " + config.dimension()
                    + "; vector.length=" + vector.length);
        }
        VectorMath.checkFinite("vector", vector);
        if (config.metric() == VectorMetric.COSINE && VectorMath.dot(vector, vector) == 0f) {
            throw new IllegalArgumentException("vector must be non-zero for cosine; |vector|=0");
        }
    }

    /**
     * Removes every edge into a pending (removed) slot, then makes those slots reusable. One pass over all
     * lists, run once at least n/64 slots are pending, so about 64*M reads per removal. Without it an edge left
     * behind would point at whatever later reuses the slot, with a distance to the old vector.
     */
    void sweepPending() {
        boolean[] dead = new boolean[highWater];
        for (int i = 0; i < pendingCount; i++) {
            dead[pendingOrds[i]] = true;
        }
        for (int ord = 0; ord < highWater; ord++) {
            if (!live[ord]) {
                continue;
            }
            boolean changed = false;
            for (int l = 0; l <= graph.level(ord); l++) {
                int[] b = graph.block(ord, l);
                float[] d = graph.distances(ord, l);
                int o = graph.offset(ord, l);
                int w = o + 1;
                for (int j = o + 1, end = o + 1 + b[o]; j < end; j++) {
                    if (!dead[b[j]]) {
                        b[w] = b[j];
                        d[w] = d[j];
                        w++;
                    }
                }
                if (w - o - 1 != b[o]) {
                    b[o] = w - o - 1;
                    changed = true;
                }
            }
            if (changed) {
                listener.nodeChanged(ord);
            }
        }
        if (freeOrds.length < freeCount + pendingCount) {
            freeOrds = Arrays.copyOf(freeOrds, freeCount + pendingCount);
        }
        System.arraycopy(pendingOrds, 0, freeOrds, freeCount, pendingCount);
        freeCount += pendingCount;
        pendingCount = 0;
        listener.metadataChanged();
    }

    /**
     * Distance between two stored vectors (both already normalised under cosine); from their int8 codes once
     * the floats are off the heap.
     */
    float distanceBetween(int a, int b) {
        int dim = config.dimension();
        if (!floatsOnHeap) {
            return codeDistance(codes, a * dim, codeSums[a], b);
        }
        float[] data = vectors.data();
        switch (metricCode) {
            case 0: return kernels.squareDistance(data, a * dim, data, b * dim, dim);
            case 1: return -kernels.dot(data, a * dim, data, b * dim, dim);
            default: return 1f - kernels.dot(data, a * dim, data, b * dim, dim);
        }
    }

    /** Fills the stored edge distances from the vectors, after a load or restore wrote the lists only. */
    /**
     * After a restore or a load the neighbour lists arrive without their distances. They are needed only when a
     * list is next changed (an insert's back-link, a removal's repair), so each node's are computed then
     * ({@link #ensureEdgeDistances}), not all up front: a rebuild then costs no distance at all, where computing
     * every edge's took about a third of a 60k x 784 rebuild. Single-threaded, like every mutation.
     */
    void markEdgeDistancesStale() {
        staleEdgeDistances = new boolean[highWater];
        for (int ord = 0; ord < highWater; ord++) {
            staleEdgeDistances[ord] = live[ord];
        }
    }

    /** Computes {@code ord}'s edge distances on every level if they are still stale (see above). */
    void ensureEdgeDistances(int ord) {
        if (staleEdgeDistances == null || ord >= staleEdgeDistances.length || !staleEdgeDistances[ord]) {
            return;
        }
        staleEdgeDistances[ord] = false;
        for (int l = 0; l <= graph.level(ord); l++) {
            int[] b = graph.block(ord, l);
            float[] d = graph.distances(ord, l);
            int o = graph.offset(ord, l);
            for (int j = o + 1, end = o + 1 + b[o]; j < end; j++) {
                d[j] = distanceBetween(ord, b[j]);
            }
        }
    }

    /** The int8 distance between the code at {@code code[off, off + dim)} (sum {@code sum}) and node {@code b}'s. */
    float codeDistance(byte[] code, int off, int sum, int b) {
        ScalarQuantizer sq = quantizer;
        int dim = config.dimension();
        float s = sq.scale;
        if (metricCode == 0) {
            return s * s * kernels.squareDistanceInt8(code, off, codes, b * dim, dim);
        }
        // dot(a, b) ~= sum (m + s*qa)(m + s*qb) = d*m^2 + m*s*(sum qa + sum qb) + s^2 * sum qa*qb
        float m = sq.mid;
        float dot = dim * m * m + m * s * (sum + codeSums[b]) + s * s * kernels.dotInt8(code, off, codes, b * dim, dim);
        return metricCode == 1 ? -dot : 1f - dot;
    }

    private int allocate() {
        int ord;
        if (freeCount == 0 && pendingCount > 0 && pendingCount >= (highWater >> 6)) {
            sweepPending();
        }
        if (freeCount > 0) {
            ord = freeOrds[--freeCount];
        } else {
            ord = highWater++;
            ensureCapacity(highWater);
        }
        return ord;
    }

    void ensureCapacity(int n) {
        if (n > ids.length) {
            // Codes only: the codes are most of the heap, so grow by an eighth, not a half (the copies cost little
            // next to the inserts, and the slack is what the mode exists to save).
            int cap = Math.max(n, ids.length + (ids.length >> (floatsOnHeap ? 1 : 3)));
            ids = Arrays.copyOf(ids, cap);
            live = Arrays.copyOf(live, cap);
            if (codes != null) {
                codes = Arrays.copyOf(codes, cap * config.dimension());
                codeSums = Arrays.copyOf(codeSums, cap);
            }
        }
        if (floatsOnHeap) {
            vectors.ensureCapacity(n);
        }
        graph.ensureCapacity(n);
    }

    private int randomLevel() {
        // floor(-ln(U) * mL): the exponentially decaying layer distribution of the paper, section 4.1.
        double level = -Math.log(levels.nextOpenUnit()) * config.levelMultiplier();
        return (int) Math.min(level, 32);
    }

    private void chooseNewEntryPoint() {
        int best = -1;
        int bestLevel = -1;
        for (int ord = 0; ord < highWater; ord++) {
            if (live[ord] && graph.level(ord) > bestLevel) {
                best = ord;
                bestLevel = graph.level(ord);
            }
        }
        entryPoint = best;
        maxLevel = bestLevel;
    }

    private void maybeTrainQuantizer() {
        if (config.quantization() != Quantization.INT8 || quantizer != null
                || liveCount < config.quantizationTrainingSize()) {
            return;
        }
        int[] sample = new int[liveCount];
        int n = 0;
        for (int ord = 0; ord < highWater; ord++) {
            if (live[ord]) {
                sample[n++] = ord;
            }
        }
        setQuantizer(ScalarQuantizer.train(vectors.data(), config.dimension(), sample, n));
        if (!config.vectorsOnHeap()) {
            // From now on the codes are the heap copy; exact distances come from the ExactVectorSource. Edge
            // distances were float ones: recomputed from the codes when each list next changes.
            floatsOnHeap = false;
            vectors.release();
            // The searchers still hold the released array: drop their references so it can be collected.
            inserter.refresh();
            searcher.refreshData();
            markEdgeDistancesStale();
        }
    }

    /** Installs a quantiser and encodes every stored slot with it. */
    void setQuantizer(ScalarQuantizer q) {
        installQuantizer(q, true);
        listener.metadataChanged();
    }

    /** Installs a quantiser with room for every slot; {@code encode}: encode the stored float vectors. */
    private void installQuantizer(ScalarQuantizer q, boolean encode) {
        int dim = config.dimension();
        quantizer = q;
        codes = new byte[ids.length * dim];
        codeSums = new int[ids.length];
        if (encode) {
            float[] data = vectors.data();
            for (int ord = 0; ord < highWater; ord++) {
                codeSums[ord] = q.encode(data, ord * dim, codes, ord * dim, dim);
            }
        }
    }
}
