package io.vectorstream.index;

import io.vectorstream.index.internal.LongHeap;
import io.vectorstream.index.internal.ScoredOrd;
import io.vectorstream.index.internal.VisitedSet;
import java.util.Arrays;

/**
 * Searches one {@link HnswIndex} with reusable scratch (visited set, candidate and result heaps, query
 * buffers, scorers), so a query allocates nothing but its {@link SearchResults}.
 *
 * <p>Reads the index's {@link HnswGraph} and {@link StoredVectors} through their methods. Distances come from
 * two scorers, each chosen once from the index's metric: a {@link FloatVectorScorer} for exact distances (at
 * construction), and for traversal once the index is quantised the scorer of its codes
 * ({@link Int8VectorScorer#forCodes}: one range, or a range per coordinate), at the first quantised search.
 *
 * <p>Threading: a searcher is used by one thread at a time. Several searchers of the same index may search
 * concurrently, but never while the index is being modified. Get one from {@link HnswIndex#newSearcher()}.
 */
public final class HnswSearcher {
    /** Largest accepted k. */
    public static final int MAX_K = 10_000;
    /** Largest accepted efSearch. */
    public static final int MAX_EF = 100_000;
    /**
     * Candidates a layer search expands per memory wave (see {@link #searchLayer}). Two: on 200k 128-d vectors
     * +4..6 % QPS at the same recall over one (in-JVM A/B, every round); on Fashion-MNIST a little more recall
     * per efSearch at about the same QPS; four visited 2..6 % more nodes for no further gain. The read-ahead of
     * the next pair's lists ({@link LongHeap#peek()}, {@link LongHeap#peekSecond()}) assumes two.
     */
    private static final int EXPANSIONS_PER_WAVE = 2;
    /** Candidates whose floats are read together beyond the first depth (see {@link #rerankResults}). */
    private static final int RERANK_CHUNK = 8;
    /**
     * How many spreads of the observed int8 error below the lowest shift a candidate's exact distance is assumed
     * to reach (see {@link #rerankResults}). On a 200k embedding-like set under cosine, recall at efSearch 160 was
     * 0.9891 with 2 k alone, 0.9980 with one spread (35 re-ranked), 0.9990 with two (52), 0.9995 re-ranking all
     * 160; on Fashion-MNIST one or two re-rank exactly 2 k, as before, at every efSearch.
     */
    private static final float RERANK_MARGIN_SPREADS = 2f;

    private final HnswIndex index;
    private final HnswConfig config;
    private final HnswGraph graph;
    private final StoredVectors vectors;
    private final int dim;
    /** Cosine: queries are scaled to unit length, as stored vectors are. */
    private final boolean normalize;
    private final VisitedSet visited;
    /** Min-heap of packed (distance, ord) still to expand. */
    private final LongHeap candidates;
    /** Max-heap (stored as {@code ~packed}) of the best accepted nodes so far. */
    private final LongHeap results;
    /** The query in stored form. */
    private final float[] query;
    /** Exact distances, from the floats on the heap (or {@link #distanceTo} for floats read from elsewhere). */
    private final FloatVectorScorer exact;
    /**
     * int8 distances: null until the index is quantised, then the scorer of its codes (uniform or per coordinate,
     * fixed once trained); see {@link #codes()}.
     */
    private VectorScorer codes;
    /** The scorer this query traverses with: {@link #codes} when quantised (or codes only), else {@link #exact}. */
    private VectorScorer traversal;
    private boolean traverseCodes;
    /** The distance at or below which two vectors are exact copies ({@link ExactCopies#maxDistance}). */
    private final float copyDistance;
    /** The metric its scorers compute: the index's, or for construction the one its graph is built with. */
    private final VectorMetric scoring;
    /**
     * Whether a layer search skips the copies of each node it expands (edges of distance 0) unless the query is
     * a copy of that node itself: for construction's searches only ({@link #prepareStoredQuery}), where a metric
     * has copies. A query's search never depends on edge distances, which a load leaves to be computed later.
     */
    private boolean skipCopies;
    private int visitedCount;
    /** Nodes whose neighbour list the last search read; see {@link #lastExpandedCount()}. */
    private int expandedCount;
    /** Exact distances the last search's re-rank computed; see {@link #lastRerankedCount()}. */
    private int rerankedCount;
    private int[] rerank = new int[64];
    /** The int8 distances of {@link #rerank}'s candidates, parallel to it. */
    private float[] rerankCodeDistances = new float[64];
    /**
     * The nodes about to be scored, after {@link VectorScorer#prefetch}: the unvisited neighbours of the (up to
     * {@link #EXPANSIONS_PER_WAVE}) nodes being expanded in a layer search, a list's neighbours in the descent.
     */
    private int[] batch = new int[64];
    /** {@link HnswConfig#upperBeamWidth()}, read once. */
    private final int upperBeamWidth;
    /** Layer 0's entries, from the descent; sized for the beam, so a query allocates nothing for them. */
    private final int[] upperEntries;
    private final float[] upperDistances;
    /** Keeps the read-ahead loads of {@link HnswGraph#touchList} alive; its value means nothing. */
    private int listTouches;
    /** A float vector read through the index's ExactVectorSource (floats off the heap). */
    private final float[] exactScratch;
    /**
     * Whether a filtered traversal gives up for an exact scan once it has scored more nodes than the filter
     * accepts. Tests switch it off to measure the graph path itself on indexes too small for it to win.
     */
    private boolean exactFallback = true;

    HnswSearcher(HnswIndex index) {
        this(index, index.config().metric());
    }

    /**
     * A searcher for construction (the inserter's): it scores under the metric the graph is built with
     * ({@link ExactCopies#buildMetric}).
     */
    static HnswSearcher forConstruction(HnswIndex index) {
        return new HnswSearcher(index, ExactCopies.buildMetric(index.config().metric()));
    }

    private HnswSearcher(HnswIndex index, VectorMetric scoring) {
        this.index = index;
        this.scoring = scoring;
        this.config = index.config();
        this.graph = index.graph();
        this.vectors = index.storedVectors();
        this.dim = config.dimension();
        this.normalize = config.metric() == VectorMetric.COSINE;
        this.copyDistance = ExactCopies.maxDistance(config);
        this.visited = new VisitedSet(Math.max(16, graph.highWater()));
        this.candidates = new LongHeap(128);
        this.results = new LongHeap(128);
        this.query = new float[dim];
        this.exactScratch = new float[dim];
        this.exact = FloatVectorScorer.create(scoring, vectors);
        this.traversal = exact;
        this.upperBeamWidth = config.upperBeamWidth();
        this.upperEntries = new int[upperBeamWidth];
        this.upperDistances = new float[upperBeamWidth];
    }

    /** Tests only: whether a filtered traversal may give up for an exact scan (see the field). */
    void setExactFallback(boolean exactFallback) {
        this.exactFallback = exactFallback;
    }

    /** The index this searcher reads. */
    public HnswIndex index() {
        return index;
    }

    /** The k nearest live vectors to {@code query}; see {@link #search(float[], int, int, IdFilter)}. */
    public SearchResults search(float[] query, int k, int efSearch) {
        return search(query, k, efSearch, (IdFilter) null);
    }

    /**
     * The k nearest live vectors whose id {@code filter} accepts (null: all), closest first.
     * Uses exact brute force when the index, or the set the filter accepts, has at most
     * {@link HnswConfig#exactSearchThreshold()} (or efSearch) members, or when a filtered graph search would
     * visit more nodes than the filter accepts; the graph otherwise. Counting the accepted set calls
     * {@code filter} once per live node; {@link #search(float[], int, int, OrdinalBitSet)} avoids that.
     *
     * @throws IllegalArgumentException for a wrong dimension, a non-finite component, a zero vector under
     *     cosine, k outside [1, 10000] or efSearch &lt; k
     */
    public SearchResults search(float[] query, int k, int efSearch, IdFilter filter) {
        checkQuery(query, k, efSearch);
        prepareQuery(query);
        int live = graph.size();
        if (live == 0) {
            return SearchResults.empty();
        }
        if (filter == null) {
            if (live <= config.exactSearchThreshold()) {
                return exact(k, efSearch, null, null, 0, SearchResults.Path.EXACT);
            }
            return graph(k, efSearch, null, null, Integer.MAX_VALUE);
        }
        return filtered(k, efSearch, filter, null, countMatches(filter));
    }

    /**
     * The k nearest live vectors whose ordinal is in {@code acceptOrds} (null: all), closest first. The same
     * choice of path as {@link #search(float[], int, int, IdFilter)}, at the cost of the filter: the accepted
     * count is the set's popcount, the graph path tests one bit per visited node, and the exact path scores
     * only the set's members, so a 1 % filter scans 1 % of the nodes.
     *
     * <p>Ordinals that are not live (removed or free slots) are never returned, whatever their bit says: the
     * search ANDs with liveness. A caller should still clear the bits of removed ordinals, because the popcount
     * is taken as the number of matches when choosing the path. {@code acceptOrds} is only read; it must not
     * change during the call.
     *
     * @throws IllegalArgumentException as {@link #search(float[], int, int, IdFilter)}
     */
    public SearchResults search(float[] query, int k, int efSearch, OrdinalBitSet acceptOrds) {
        if (acceptOrds == null) {
            return search(query, k, efSearch, (IdFilter) null);
        }
        checkQuery(query, k, efSearch);
        prepareQuery(query);
        int live = graph.size();
        if (live == 0) {
            return SearchResults.empty();
        }
        return filtered(k, efSearch, null, acceptOrds, Math.min(live, acceptOrds.cardinality()));
    }

    /** The filtered path choice; exactly one of {@code filter} and {@code acceptOrds} is non-null. */
    private SearchResults filtered(int k, int efSearch, IdFilter filter, OrdinalBitSet acceptOrds, int matches) {
        if (matches == 0) {
            return SearchResults.empty();
        }
        if (matches <= Math.max(config.exactSearchThreshold(), efSearch)) {
            return exact(k, efSearch, filter, acceptOrds, 0, SearchResults.Path.EXACT);
        }
        // A filtered traversal scores about efSearch / selectivity nodes before it holds efSearch matches
        // (selectivity = matches / live): when that exceeds the matches themselves, the graph attempt would only
        // run into the fallback below, so scan the accepted set at once.
        if (exactFallback && (long) matches * matches <= (long) efSearch * graph.size()) {
            return exact(k, efSearch, filter, acceptOrds, 0, SearchResults.Path.EXACT);
        }
        // Once the traversal has scored as many nodes as the filter accepts, brute force over the accepted
        // set is cheaper and exact (the same rule Lucene uses for restrictive filters).
        SearchResults r = graph(k, efSearch, filter, acceptOrds, exactFallback ? matches : Integer.MAX_VALUE);
        return r != null ? r
                : exact(k, efSearch, filter, acceptOrds, visitedCount, SearchResults.Path.EXACT_AFTER_GRAPH);
    }

    private void checkQuery(float[] q, int k, int efSearch) {
        if (q == null) {
            throw new IllegalArgumentException("query must not be null; query=null");
        }
        if (q.length != dim) {
            throw new IllegalArgumentException(
                    "query dimension must be " + dim + "; query.length=" + q.length);
        }
        VectorMath.checkFinite("query", q);
        if (k < 1 || k > MAX_K) {
            throw new IllegalArgumentException("k must be in [1, " + MAX_K + "]; k=" + k);
        }
        if (efSearch < k || efSearch > MAX_EF) {
            throw new IllegalArgumentException(
                    "efSearch must be in [k, " + MAX_EF + "]; efSearch=" + efSearch + ", k=" + k);
        }
    }

    private void prepareQuery(float[] q) {
        skipCopies = false;
        System.arraycopy(q, 0, query, 0, dim);
        if (normalize) {
            float n2 = FloatVectorScorer.K.dot(query, 0, query, 0, dim);
            if (n2 == 0f) {
                throw new IllegalArgumentException("query must be non-zero for cosine; |query|=0");
            }
            float inv = (float) (1.0 / Math.sqrt(n2));
            for (int i = 0; i < dim; i++) {
                query[i] *= inv;
            }
        }
        exact.setQuery(query);
        traverseCodes = vectors.quantized();
        if (traverseCodes) {
            codes().setQuery(query);
        }
        traversal = traverseCodes ? codes : exact;
    }

    /**
     * Loads a stored (already normalised) vector as the query, for construction: float traversal, or its int8
     * code once the graph is built with codes (see {@link #storedScorer()}).
     */
    void prepareStoredQuery(int ord) {
        skipCopies = copyDistance != Float.NEGATIVE_INFINITY;
        traverseCodes = buildsWithCodes();
        traversal = traverseCodes ? codes() : exact;
        traversal.setQueryToNode(ord);
    }

    /**
     * Whether the graph is built with the codes: once quantised with one range, or with the floats off the heap.
     * Codes with a range per coordinate build with the floats while they are on the heap: node-to-node distances
     * would decode both codes (no faster than reading floats), and a graph built on exact distances finds more of
     * the true neighbours when searched with the codes (embedding-like data with outlier coordinates, 50k,
     * cosine: recall 0.9888 against 0.9858 at ef 40, 0.9951 against 0.9929 at ef 80).
     */
    private boolean buildsWithCodes() {
        return vectors.quantized() && (!vectors.floatsOnHeap() || !vectors.quantizer().perCoordinate());
    }

    /**
     * The scorer of the form the graph is built in: floats until the index is quantised, its int8 codes from
     * then on (as Lucene builds its quantised graphs), except per-coordinate codes while the floats are on the
     * heap ({@link #buildsWithCodes}). A build is a stream of searches at efConstruction, bound
     * by reading vectors from memory: codes are about a quarter of the bytes, and searches traverse with them
     * anyway.
     */
    VectorScorer storedScorer() {
        return buildsWithCodes() ? codes() : exact;
    }

    /** The exact (float) scorer. */
    VectorScorer exactScorer() {
        return exact;
    }

    private int countMatches(IdFilter filter) {
        int n = 0;
        for (int ord = 0, hw = graph.highWater(); ord < hw; ord++) {
            if (graph.isLive(ord) && filter.accept(graph.id(ord))) {
                n++;
            }
        }
        return n;
    }

    /**
     * Exact float distance from the prepared query to {@code ord}: the floats read through the index's
     * {@link ExactVectorSource} when they are off the heap (its int8 distance when no source is set).
     */
    private float exactDistance(int ord) {
        if (!vectors.floatsOnHeap()) {
            ExactVectorSource source = vectors.exactSource();
            if (source == null) {
                return codes().distance(ord);
            }
            source.read(ord, graph.id(ord), exactScratch);
            return exact.distanceTo(exactScratch);
        }
        return exact.distance(ord);
    }

    /**
     * Brute force over the live nodes that pass the filter; {@code scored} counts work already done. With the
     * floats off the heap the scan scores int8 codes and re-ranks its best candidates (as many as a graph search
     * would) by exact distance, so it reads only those floats.
     */
    private SearchResults exact(int k, int efSearch, IdFilter filter, OrdinalBitSet acceptOrds, int scored,
                                SearchResults.Path path) {
        if (path == SearchResults.Path.EXACT) {
            expandedCount = 0; // after a graph attempt, its expansions stay counted
        }
        rerankedCount = 0;
        boolean codesOnly = !vectors.floatsOnHeap();
        // With the floats off the heap the scan scores codes and re-ranks; otherwise it scores exactly.
        VectorScorer scan = codesOnly ? codes() : exact;
        int keep = codesOnly ? rerankDepth(k, efSearch) : k;
        results.clear();
        int hw = graph.highWater();
        if (acceptOrds != null) {
            // Only the members are visited: the cost follows the filter, not the index.
            for (int ord = acceptOrds.nextSetBit(0); ord >= 0 && ord < hw; ord = acceptOrds.nextSetBit(ord + 1)) {
                if (graph.isLive(ord)) {
                    scored++;
                    offer(scan.distance(ord), ord, keep);
                }
            }
        } else {
            for (int ord = 0; ord < hw; ord++) {
                if (graph.isLive(ord) && (filter == null || filter.accept(graph.id(ord)))) {
                    scored++;
                    offer(scan.distance(ord), ord, keep);
                }
            }
        }
        if (codesOnly) {
            rerankResults(k, keep);
            return drain(k, scored, SearchResults.Path.CODES_SCAN);
        }
        return drain(k, scored, path);
    }

    /** How many int8-scored candidates are re-ranked; see {@link HnswConfig#rerankCandidates()}. */
    private int rerankDepth(int k, int efSearch) {
        int r = config.rerankCandidates();
        if (r == 0) {
            // Automatic: the int8 order rarely moves a true top-k member below 1.5 k (on Fashion-MNIST re-ranking
            // 1.5 k or all of ef = 32 gives the same recall, k alone loses 0.5 %). 2 k while each candidate is a
            // heap read, 1.5 k when each one is a read from outside the heap; a graph search then goes on while a
            // candidate could still beat the k-th (rerankResults).
            r = vectors.floatsOnHeap() ? 2 * k : k + (k + 1) / 2;
        }
        return Math.max(k, Math.min(r, efSearch));
    }

    /**
     * Re-scores the best {@code depth} of {@link #results} (int8 distances) exactly, keeping the best k. With the
     * automatic depth ({@link HnswConfig#rerankCandidates()} 0) it then goes on down the int8 order while the next
     * candidate could still enter the exact top k: its exact distance is taken to lie at least {@code lowShift -}
     * {@link #RERANK_MARGIN_SPREADS}{@code * (highShift - lowShift)} from its int8 one, the lowest (exact - int8)
     * shift seen so far less twice the shifts' spread, a margin for the tail that so few samples miss.
     *
     * <p>Why: 2 k is enough where the int8 error is small beside the gaps between neighbours (Fashion-MNIST,
     * SIFT), but on dense embeddings under cosine the true top 10 can sit far down the int8 order, and a fixed
     * depth then caps recall below 0.99 however large efSearch is. It stops at the first candidate that cannot
     * beat the k-th: later ones are further by int8 distance.
     */
    private void rerankResults(int k, int depth) {
        int n = results.size();
        if (rerank.length < n) {
            rerank = new int[n];
            rerankCodeDistances = new float[n];
        }
        // Popping the max-heap yields the worst first: fill from the back, so [0, n) is closest first.
        for (int i = n - 1; i >= 0; i--) {
            long packed = ~results.pop();
            rerank[i] = ScoredOrd.ord(packed);
            rerankCodeDistances[i] = ScoredOrd.distance(packed);
        }
        int m = Math.min(n, depth);
        boolean onHeap = vectors.floatsOnHeap();
        if (onHeap) {
            exact.prefetch(rerank, m); // their reads overlap, as in the traversal
        }
        int end = config.rerankCandidates() == 0 ? n : m;
        // How far exact distances fell below and rose above their int8 estimates, over the candidates re-ranked.
        float lowShift = Float.POSITIVE_INFINITY;
        float highShift = Float.NEGATIVE_INFINITY;
        int prefetchedTo = m;
        int i = 0;
        for (; i < end; i++) {
            if (i >= m) {
                float kth = results.size() < k ? Float.POSITIVE_INFINITY : ScoredOrd.distance(~results.peek());
                if (rerankCodeDistances[i] + lowShift - RERANK_MARGIN_SPREADS * (highShift - lowShift) >= kth) {
                    break;
                }
                if (onHeap && i == prefetchedTo) {
                    // A chunk's floats are read at once, so their reads overlap; a few may be read for nothing.
                    prefetchedTo = Math.min(n, i + RERANK_CHUNK);
                    ensureBatch(prefetchedTo - i);
                    System.arraycopy(rerank, i, batch, 0, prefetchedTo - i);
                    exact.prefetch(batch, prefetchedTo - i);
                }
            }
            float d = exactDistance(rerank[i]);
            float shift = d - rerankCodeDistances[i];
            lowShift = Math.min(lowShift, shift);
            highShift = Math.max(highShift, shift);
            offer(d, rerank[i], k);
        }
        rerankedCount = i;
    }

    /** Returns null when a filtered traversal hit {@code visitLimit} ({@link #visitedCount} then says how far). */
    private SearchResults graph(int k, int efSearch, IdFilter filter, OrdinalBitSet acceptOrds, int visitLimit) {
        visitedCount = 0;
        expandedCount = 0;
        rerankedCount = 0;
        int nEntries;
        float[] entryDistances = null;
        if (upperBeamWidth > 1) {
            nEntries = beamDescent(upperBeamWidth);
            // Scored by the layer above; with no layer above 0, the entry point is scored by layer 0's search.
            entryDistances = graph.maxLevel() > 0 ? upperDistances : null;
        } else {
            upperEntries[0] = greedyDescent(graph.entryPoint(), graph.maxLevel(), 0);
            nEntries = 1;
        }
        if (!searchLayer(upperEntries, entryDistances, nEntries, efSearch, 0, filter, acceptOrds, visitLimit)) {
            return null;
        }
        if (traverseCodes) {
            // Re-rank the best candidates found with int8 distances by exact float distance.
            rerankResults(k, rerankDepth(k, efSearch));
        }
        return drain(k, visitedCount, SearchResults.Path.GRAPH);
    }

    /**
     * The descent to layer 0 with a beam of {@code width} on every layer above it ({@link HnswConfig#upperBeamWidth()}):
     * each layer's best nodes are the next layer's entries, and layer 1's best are layer 0's, in
     * {@link #upperEntries} with their distances in {@link #upperDistances} (none when there is no layer above 0:
     * the entry point alone); returns their count. The filter plays no
     * part up here, as in {@link #greedyDescent}. Every node above layer 0 is live (a removal detaches its node from
     * all layers at once), so each layer keeps at least its entries.
     */
    private int beamDescent(int width) {
        upperEntries[0] = graph.entryPoint();
        int n = 1;
        for (int level = graph.maxLevel(); level >= 1; level--) {
            // The entry point is scored by the top layer's search, every later entry by the layer above.
            searchLayer(upperEntries, level == graph.maxLevel() ? null : upperDistances, n, width, level, null, null,
                    Integer.MAX_VALUE);
            n = drainSorted(upperEntries, upperDistances, -1);
            assert n > 0 : "the live entries of layer " + level + " were not kept";
        }
        return n;
    }

    /** Greedy walk (ef = 1) from {@code ep} down to layer {@code toLevel}+1; returns the entry for toLevel. */
    int greedyDescent(int ep, int fromLevel, int toLevel) {
        HnswGraph graph = this.graph;
        VectorScorer scorer = traversal;
        int cur = ep;
        float curDist = scorer.distance(cur);
        visitedCount++;
        for (int level = fromLevel; level > toLevel; level--) {
            boolean moved = true;
            while (moved) {
                moved = false;
                if (graph.level(cur) < level) {
                    break;
                }
                int[] blk = graph.block(cur, level);
                int off = graph.offset(cur, level);
                expandedCount++;
                int cnt = blk[off];
                ensureBatch(cnt);
                int m = 0;
                for (int j = off + 1, end = off + 1 + cnt; j < end; j++) {
                    int n = blk[j];
                    if (graph.level(n) >= level) { // else a stale edge into a reused slot
                        batch[m++] = n;
                    }
                }
                // As in searchLayer: all of the list's vectors are read at once, then scored.
                scorer.prefetch(batch, m);
                for (int i = 0; i < m; i++) {
                    int n = batch[i];
                    float d = scorer.distance(n);
                    visitedCount++;
                    // Strict order on (distance, ord) keeps the walk deterministic on ties.
                    if (d < curDist || (d == curDist && n < cur)) {
                        cur = n;
                        curDist = d;
                        moved = true;
                    }
                }
            }
        }
        return cur;
    }

    /**
     * Best-first search of one layer (Algorithm 2 of the paper) from {@code eps[0, nEps)}, keeping the
     * {@code ef} best <em>accepted</em> nodes (live, and passing {@code filter} and {@code acceptOrds}, either
     * may be null) in {@link #results}. Rejected nodes are still expanded, so a filter never disconnects the
     * graph.
     *
     * <p>Expands the closest {@link #EXPANSIONS_PER_WAVE} candidates together: their unvisited neighbours are read
     * from memory at once, then scored, so the search waits for memory once per pair of expansions.
     *
     * @return false if more than {@code visitLimit} nodes were scored (results are then incomplete)
     */
    boolean searchLayer(int[] eps, int nEps, int ef, int level, IdFilter filter, OrdinalBitSet acceptOrds,
                        int visitLimit) {
        return searchLayer(eps, null, nEps, ef, level, filter, acceptOrds, visitLimit);
    }

    /**
     * {@link #searchLayer(int[], int, int, int, IdFilter, OrdinalBitSet, int)} from entries whose distances the
     * layer above already computed ({@code epDistances[i]} for {@code eps[i]}, by the same scorer; null: score
     * them).
     */
    private boolean searchLayer(int[] eps, float[] epDistances, int nEps, int ef, int level, IdFilter filter,
                                OrdinalBitSet acceptOrds, int visitLimit) {
        HnswGraph graph = this.graph;
        VectorScorer scorer = traversal;
        candidates.clear();
        results.clear();
        visited.reset(graph.highWater());
        float worst = Float.POSITIVE_INFINITY;
        for (int i = 0; i < nEps; i++) {
            int ep = eps[i];
            if (graph.level(ep) < level || !visited.visit(ep)) {
                continue;
            }
            float d;
            if (epDistances != null) {
                d = epDistances[i];
            } else {
                d = scorer.distance(ep);
                visitedCount++;
            }
            candidates.push(ScoredOrd.pack(d, ep));
            if (accepted(ep, filter, acceptOrds)) {
                worst = offerBounded(d, ep, ef);
            }
        }
        // On layer 0 the only neighbours below the layer are removed slots not yet swept (free slots have no
        // edges into them), and such a node is neither kept (not live) nor expanded (checked when popped). So an
        // unbounded search scores them rather than read every new neighbour's level, a random read that cost
        // 4-8 % of the QPS at 1M nodes; they cost a distance each when reached, until the next sweep. A
        // bounded search (a filtered one with its exact fallback) still skips them: its limit counts the nodes
        // the filter could accept.
        boolean checkLevels = level > 0 || visitLimit != Integer.MAX_VALUE;
        while (!candidates.isEmpty()) {
            int m = 0;
            int taken = 0;
            boolean done = false;
            while (taken < EXPANSIONS_PER_WAVE && !candidates.isEmpty()) {
                long c = candidates.peek();
                if (results.size() >= ef && ScoredOrd.distance(c) > worst) {
                    // The closest unexpanded candidate is worse than every kept result: with nothing gathered
                    // the search ends; else the gathered neighbours are scored first (one may beat it).
                    done = taken == 0;
                    break;
                }
                candidates.pop();
                int ord = ScoredOrd.ord(c);
                if (graph.level(ord) < level) {
                    continue; // an edge into a removed slot, or into a reused slot that no longer reaches this layer
                }
                taken++;
                int[] blk = graph.block(ord, level);
                int off = graph.offset(ord, level);
                expandedCount++;
                int cnt = blk[off];
                ensureBatch(m + cnt);
                // Construction: the exact copies of the expanded node are exactly as far from the new node, and the
                // selection keeps one node of a group of copies at most (unless the new node is a copy too), so
                // they are skipped. Scored, they would fill the beam: a new node near a group of 300 copies then
                // found little else (40 such groups among 20,000 vectors: 0.85 % of the others left with no path to
                // them, against 0.07 % without the groups). The edge distances a load leaves stale are computed
                // first, so a loaded index builds as the original would have.
                float[] edges = null;
                if (skipCopies && ScoredOrd.distance(c) > copyDistance) {
                    graph.ensureEdgeDistances(ord, scorer);
                    if (graph.mayHaveCopyEdges(ord)) {
                        edges = graph.distances(ord, level);
                    }
                }
                for (int j = off + 1, end = off + 1 + cnt; j < end; j++) {
                    int n = blk[j];
                    if (edges != null && edges[j] <= copyDistance) {
                        continue;
                    }
                    // An edge may point at a removed slot (level -1) or at a reused slot that no longer reaches
                    // this layer: edges into a removed node that its removal could not see are left behind
                    // (skipped here only when checkLevels, see above). The visited bit first: most neighbours
                    // were seen already, and it is the cheaper read.
                    if (!visited.visit(n) || (checkLevels && graph.level(n) < level)) {
                        continue;
                    }
                    if (++visitedCount > visitLimit) {
                        return false;
                    }
                    batch[m++] = n;
                }
            }
            if (done) {
                break;
            }
            // The closest queued candidates are usually the next pair expanded (unless these neighbours beat
            // them): reading their lists now, with this batch's vectors, makes two memory waits one.
            int queued = candidates.size();
            if (queued > 0) {
                touchListOf(ScoredOrd.ord(candidates.peek()), level);
                if (queued > 1) {
                    touchListOf(ScoredOrd.ord(candidates.peekSecond()), level);
                }
            }
            // The unvisited neighbours first, then their distances: their reads overlap (see prefetch).
            scorer.prefetch(batch, m);
            for (int i = 0; i < m; i++) {
                int n = batch[i];
                float d = scorer.distance(n);
                if (results.size() < ef || d < worst) {
                    candidates.push(ScoredOrd.pack(d, n));
                    if (accepted(n, filter, acceptOrds)) {
                        worst = offerBounded(d, n, ef);
                    }
                }
            }
        }
        return true;
    }

    /** Reads ahead the list of {@code ord} on {@code level} (see {@link HnswGraph#touchList}) if it has one. */
    private void touchListOf(int ord, int level) {
        if (graph.level(ord) >= level) {
            listTouches += graph.touchList(ord, level);
        }
    }

    /** Grows {@link #batch} to hold {@code n} nodes, keeping those already gathered. */
    private void ensureBatch(int n) {
        if (batch.length < n) {
            batch = Arrays.copyOf(batch, n);
        }
    }

    /** Live, and passing whichever filter is set: one bit test for an ordinal set, a call for an id filter. */
    private boolean accepted(int ord, IdFilter filter, OrdinalBitSet acceptOrds) {
        if (!graph.isLive(ord)) {
            return false;
        }
        if (acceptOrds != null) {
            return acceptOrds.get(ord);
        }
        return filter == null || filter.accept(graph.id(ord));
    }

    /** Adds to the bounded result max-heap; returns the new worst kept distance. */
    private float offerBounded(float d, int ord, int ef) {
        long packed = ScoredOrd.pack(d, ord);
        if (results.size() < ef) {
            results.push(~packed);
        } else if (packed < ~results.peek()) {
            results.replaceTop(~packed);
        }
        return results.size() < ef ? Float.POSITIVE_INFINITY : ScoredOrd.distance(~results.peek());
    }

    private void offer(float d, int ord, int k) {
        long packed = ScoredOrd.pack(d, ord);
        if (results.size() < k) {
            results.push(~packed);
        } else if (packed < ~results.peek()) {
            results.replaceTop(~packed);
        }
    }

    /** Moves the best k of {@link #results} into a fresh result object, closest first. */
    private SearchResults drain(int k, int scored, SearchResults.Path path) {
        while (results.size() > k) {
            results.pop();
        }
        int n = results.size();
        long[] ids = new long[n];
        float[] dists = new float[n];
        for (int i = n - 1; i >= 0; i--) {
            long packed = ~results.pop();
            int ord = ScoredOrd.ord(packed);
            ids[i] = graph.id(ord);
            dists[i] = ScoredOrd.distance(packed);
        }
        return new SearchResults(ids, dists, n, scored, path);
    }

    /** Pops the kept results into {@code ords}/{@code dists}, closest first; returns how many. */
    int drainSorted(int[] ords, float[] dists, int excludeOrd) {
        int n = 0;
        int total = results.size();
        for (int i = total - 1; i >= 0; i--) {
            long packed = ~results.pop();
            ords[i] = ScoredOrd.ord(packed);
            dists[i] = ScoredOrd.distance(packed);
        }
        // Compact out the excluded ordinal (the node being inserted, reachable through a stale edge).
        for (int i = 0; i < total; i++) {
            if (ords[i] != excludeOrd) {
                ords[n] = ords[i];
                dists[n] = dists[i];
                n++;
            }
        }
        return n;
    }

    /**
     * How many nodes' neighbour lists the last search read (0 for an exact scan): with
     * {@link SearchResults#visitedCount()} (distances computed while traversing) and
     * {@link #lastRerankedCount()}, where a query's time went. Same thread as the search.
     */
    public int lastExpandedCount() {
        return expandedCount;
    }

    /**
     * How many exact float distances the last search computed to re-rank its int8 candidates (0 when it
     * traversed with floats). Same thread as the search.
     */
    public int lastRerankedCount() {
        return rerankedCount;
    }

    /** How many results the last {@link #searchLayer} kept. */
    int resultCount() {
        return results.size();
    }

    VisitedSet visited() {
        return visited;
    }

    /** Re-reads the stored vectors' arrays (a mutation may have replaced or released them). */
    void refresh() {
        exact.refresh();
        if (codes != null) {
            codes.refresh();
        }
    }

    /** The int8 scorer, created at the first call once the index is quantised (its codes' kind is then known). */
    private VectorScorer codes() {
        VectorScorer c = codes;
        if (c == null) {
            c = codes = Int8VectorScorer.forCodes(scoring, vectors);
        }
        return c;
    }
}
