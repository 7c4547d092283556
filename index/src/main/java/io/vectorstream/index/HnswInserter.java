package io.vectorstream.index;

import io.vectorstream.index.internal.VisitedSet;
import java.util.Arrays;

/**
 * Links nodes into the {@link HnswGraph} of an {@link HnswIndex} and repairs it after removals (the paper's
 * builder). Changes the graph only through its methods. Owns its scratch (a searcher of its own and one set of
 * candidate arrays per phase, so no phase overwrites another's), so an insert allocates nothing once the arrays
 * have grown.
 *
 * <p>Every edge stores its distance, and each list is kept sorted by it, so a new edge finds its place without a
 * distance, and re-selecting an overflowing list needs only the distances between its members. Distances between
 * stored nodes come from the scorer of the form the graph is built in (floats, or int8 codes once the floats
 * left the heap), chosen again at each {@link #refresh()}.
 *
 * <p>Threading: not thread-safe; used only by the index's single writer.
 */
final class HnswInserter {
    private final HnswGraph graph;
    private final HnswSearcher searcher;
    private final int beamWidth;
    private final int maxConn;
    private final int maxConn0;
    /**
     * The distance at or below which two vectors are exact copies ({@link ExactCopies#maxDistance}; negative
     * infinity under inner product, where the copy rules below do not apply).
     */
    private final float copyDistance;
    /** Node-to-node distances, in the form the graph is built in; see {@link #refresh()}. */
    private VectorScorer scorer;
    private int[] candOrds;
    private float[] candDists;
    private int[] entries;
    private final int[] selOrds;
    private final float[] selDists;
    private final int[] removedList;
    /** A full list plus its newcomer, and what {@link #linkBack} keeps of them. */
    private final int[] mergedOrds;
    private final float[] mergedDists;
    private final int[] keptOrds;
    private final float[] keptDists;
    private int[] extra = new int[16];
    private final int[] recentScratch = new int[HnswGraph.RECENT_INSERTS];
    /** Scratch of {@link #preferNearbyCopies}. */
    private int[] copyOrder = new int[16];

    /**
     * A candidate this many times farther (in squared distance) than the base's nearest is far: beyond the base's own
     * neighbourhood, in another cluster. Within one beam, data without such gaps never has one (Fashion-MNIST and the
     * cosine embeddings of docs/benchmarks.md build the same graphs with and without the rule).
     */
    static final float FAR_FACTOR = 64f;
    /** A far candidate is pruned only by a kept neighbour this many times closer to it (squared: ~1.1x in distance). */
    static final float FAR_ALPHA = 1.2f;
    /** Whether the build distances are squared Euclidean (L2, and cosine built under L2), so ratios mean something. */
    private final boolean squaredL2;

    HnswInserter(HnswIndex index) {
        HnswConfig config = index.config();
        this.squaredL2 = ExactCopies.buildMetric(config.metric()) == VectorMetric.L2;
        this.graph = index.graph();
        this.searcher = HnswSearcher.forConstruction(index);
        this.scorer = searcher.storedScorer();
        this.beamWidth = config.beamWidth();
        this.maxConn = config.maxConn();
        this.maxConn0 = config.maxConn0();
        this.copyDistance = ExactCopies.maxDistance(config);
        int cap = Math.max(beamWidth, 4 * maxConn0) + 2;
        candOrds = new int[cap];
        candDists = new float[cap];
        entries = new int[cap];
        selOrds = new int[maxConn0 + 1];
        selDists = new float[maxConn0 + 1];
        removedList = new int[maxConn0 + 1];
        mergedOrds = new int[maxConn0 + 1];
        mergedDists = new float[maxConn0 + 1];
        keptOrds = new int[maxConn0 + 1];
        keptDists = new float[maxConn0 + 1];
    }

    private int maxConn(int level) {
        return level == 0 ? maxConn0 : maxConn;
    }

    /**
     * Links the already-stored node {@code ord} (top layer {@code level}) into the graph: Algorithm 1 of the
     * paper, with the neighbour-selection heuristic (Algorithm 4) for the new node's own lists.
     */
    void insert(int ord, int level) {
        int ep = graph.entryPoint();
        if (ep < 0) {
            graph.setEntryPoint(ord, level);
            return;
        }
        searcher.prepareStoredQuery(ord);
        int top = graph.maxLevel();
        int cur = searcher.greedyDescent(ep, top, Math.min(level, top));
        entries[0] = cur;
        int nEntries = 1;
        float bestEntryDistance = scorer.distanceBetween(ord, cur);
        for (int l = Math.min(level, top); l >= 0; l--) {
            // Why the latest inserts too: a burst of similar vectors (one tenant, category or near-duplicate at a
            // time) forms a cluster whose only edges in, while it grows, come from the few nodes its first members
            // linked to; from the entry point alone the search often ends in a neighbouring cluster, and the new
            // node then links there, not to its own cluster, which splits into pieces only other clusters reach.
            // Well-separated clusters of 100 inserted one after another (16-d, M 16): 1,443 of 20,000 nodes were
            // unreachable inside their own cluster and recall@10 stopped at 0.88 (ef 100); with these entries
            // none was, and 0.96. Only a latest insert closer than the best entry joins, so data in random
            // order builds the same graph as without them, for a few distances per insert.
            nEntries = addCloserRecentInserts(ord, l, nEntries, bestEntryDistance);
            searcher.searchLayer(entries, nEntries, beamWidth, l, null, null, Integer.MAX_VALUE);
            int kept = searcher.resultCount();
            ensureCandidateCapacity(kept);
            int n = searcher.drainSorted(candOrds, candDists, ord);
            if (kept >= beamWidth && n > 0 && candDists[n - 1] <= copyDistance) {
                n = addNearestCopies(ord, l, n);
            }
            int count = selectDiverse(ord, candOrds, candDists, n, maxConn(l), selOrds, selDists);
            graph.setNeighbors(ord, l, selOrds, selDists, count);
            for (int i = 0; i < count; i++) {
                linkBack(selOrds[i], ord, selDists[i], l);
            }
            // The paper feeds all of W to the next layer down as entry points.
            if (n > 0) {
                if (entries.length < n) {
                    entries = new int[n];
                }
                System.arraycopy(candOrds, 0, entries, 0, n);
                nEntries = n;
                bestEntryDistance = candDists[0];
            }
        }
        graph.nodeChanged(ord);
        if (level > top) {
            graph.setEntryPoint(ord, level);
        }
    }

    /**
     * Appends to {@code entries[0, n)} the latest inserts that are live on {@code level} (not {@code ord}'s reused
     * slot) and closer to {@code ord} than {@code bestEntryDistance}, the best entry's distance.
     */
    private int addCloserRecentInserts(int ord, int level, int n, float bestEntryDistance) {
        int count = graph.copyRecentInserts(recentScratch, 0);
        for (int i = 0; i < count; i++) {
            int r = recentScratch[i];
            if (r != ord && graph.isLive(r) && graph.level(r) >= level
                    && scorer.distanceBetween(ord, r) < bestEntryDistance) {
                if (entries.length == n) {
                    entries = Arrays.copyOf(entries, n + HnswGraph.RECENT_INSERTS);
                }
                entries[n++] = r;
            }
        }
        return n;
    }

    /**
     * Adds the edge {@code from -> to} (distance {@code d}) on {@code level}. A list with room takes it in distance
     * order. A full list is selected again, as hnswlib does: the heuristic ({@link #selectDiverse}) runs over its
     * neighbours plus the newcomer, closest first, and keeps at most the list's size. That may drop the newcomer, or
     * several neighbours now covered by a closer one, and the room left is filled by later edges without a selection.
     */
    private void linkBack(int from, int to, float d, int level) {
        graph.ensureEdgeDistances(from, scorer);
        // Drop edges into removed or reused slots first: removals cannot see every in-edge.
        boolean compacted = graph.dropDeadNeighbors(from, level);
        int cnt = graph.neighborCount(from, level);
        int p = 0;
        while (p < cnt && (graph.neighborDistance(from, level, p) < d
                || (graph.neighborDistance(from, level, p) == d && graph.neighbor(from, level, p) < to))) {
            p++;
        }
        if (cnt < maxConn(level)) {
            graph.insertNeighborAt(from, level, p, to, d);
            graph.nodeChanged(from);
            return;
        }
        // Why not replace at most one neighbour (as Lucene's NeighborArray does, and this index did until session
        // 20): the neighbours that joined while the list had room never passed the heuristic, and only a selection
        // over the whole list removes the redundant ones. At 1M SIFT-like vectors, M 16, two level seeds: recall at
        // ef 256 went from 0.9511 / 0.9492 to 0.9617 / 0.9573, at ef 1,563 from 0.9889 / 0.9880 to 0.9911 / 0.9915,
        // for the same number of distances (docs/benchmarks.md, session 20).
        for (int j = 0, k = 0; j <= cnt; j++) {
            if (j == p) {
                mergedOrds[j] = to;
                mergedDists[j] = d;
            } else {
                mergedOrds[j] = graph.neighbor(from, level, k);
                mergedDists[j] = graph.neighborDistance(from, level, k);
                k++;
            }
        }
        int count = selectDiverse(from, mergedOrds, mergedDists, cnt + 1, maxConn(level), keptOrds, keptDists);
        // The selection keeps the candidates' order: with the newcomer left out and none dropped, it is the list
        // as it was (the newcomer is a new node, never already in the list).
        boolean unchanged = count == cnt;
        for (int i = 0; i < count && unchanged; i++) {
            unchanged = keptOrds[i] != to;
        }
        if (!unchanged) {
            graph.setNeighbors(from, level, keptOrds, keptDists, count);
        }
        if (!unchanged || compacted) {
            graph.nodeChanged(from);
        }
    }

    /**
     * The neighbour-selection heuristic (paper, Algorithm 4): walk candidates from closest to farthest and
     * keep {@code e} unless an already kept {@code r} is closer to {@code e} than the base is. This keeps
     * edges pointing in diverse directions. Deviations, all for exact duplicates: equality does not prune (a
     * point as far from r as from the base is still a useful direction); a copy of an already kept node
     * (distance 0) is pruned, so duplicates never fill a list and cut the graph; except that copies of the
     * base itself may fill up to half the list, the copies nearest to the base in insertion order first
     * ({@link #preferNearbyCopies}), which keeps a group of identical vectors connected. One more, for data in
     * separated clusters: a candidate {@link #FAR_FACTOR} times farther than the base's nearest (squared distances
     * only) is pruned only by a kept {@code r} {@link #FAR_ALPHA} times closer to it than the base, so a cluster
     * keeps edges out of itself. Reorders the copies at the head of {@code ords}.
     */
    private int selectDiverse(int base, int[] ords, float[] dists, int n, int max, int[] outOrds, float[] outDists) {
        int count = 0;
        int copies = 0;
        int copyCap = max / 2;
        preferNearbyCopies(base, ords, dists, n, copyCap);
        float farFrom = Float.POSITIVE_INFINITY;
        if (squaredL2) {
            for (int i = 0; i < n; i++) {
                if (dists[i] > copyDistance) {
                    farFrom = dists[i] * FAR_FACTOR;
                    break;
                }
            }
        }
        for (int i = 0; i < n && count < max; i++) {
            int e = ords[i];
            float de = dists[i];
            boolean keep;
            if (de <= copyDistance) {
                // Exact copies of the base itself may take up to half the list: a group of identical vectors
                // then stays connected (with one copy per list it would form a star most copies can't reach).
                keep = copies < copyCap;
            } else {
                keep = true;
                // Why far candidates need a clearly closer neighbour to be pruned: every node of a tight cluster is
                // about as far from another cluster as the others, so "a kept neighbour is closer to it" holds by a
                // coin flip for each, and the plain rule dropped nearly every edge out of the cluster (edges only
                // from its extreme nodes survived). Bursts of 100 well-separated 16-d vectors: recall@10 at ef 400
                // 0.976 -> 0.995; churned clusters 0.937 -> 0.997 (Vamana's alpha, for far candidates only).
                float alpha = de > farFrom ? FAR_ALPHA : 1f;
                for (int j = 0; j < count; j++) {
                    if (outDists[j] <= copyDistance) {
                        continue; // a copy of the base: e is as far from it as from the base
                    }
                    float der = scorer.distanceBetween(e, outOrds[j]);
                    if (der * alpha < de || der <= copyDistance) {
                        keep = false;
                        break;
                    }
                }
            }
            if (keep) {
                if (de <= copyDistance) {
                    copies++;
                }
                outOrds[count] = e;
                outDists[count] = de;
                count++;
            }
        }
        return count;
    }

    /**
     * The layer search kept nothing but exact copies of the new node {@code ord}: with a copy no closer than
     * another, it stopped at the first {@code beamWidth} it reached, wherever they sit in the group. Adds the
     * copies around the one nearest to {@code ord} in insertion order ({@link ExactCopies}), from which the selection
     * then takes the new node's window ({@link #preferNearbyCopies}). Without them, a group larger than the beam
     * width left later copies without an edge back from the group: 300 copies among 20,000 vectors, 40 % of them
     * unreachable. Returns the new candidate count.
     */
    private int addNearestCopies(int ord, int level, int n) {
        int start = candOrds[0];
        for (int i = 1; i < n; i++) {
            if (ExactCopies.nearer(ord, candOrds[i], start)) {
                start = candOrds[i];
            }
        }
        int near = ExactCopies.nearestCopy(graph, scorer, copyDistance, ord, start, level);
        VisitedSet seen = searcher.visited();
        seen.reset(graph.highWater());
        seen.visit(ord);
        for (int i = 0; i < n; i++) {
            seen.visit(candOrds[i]);
        }
        ensureCandidateCapacity(n + 1 + graph.neighborCount(near, level));
        if (seen.visit(near)) {
            candOrds[n] = near;
            candDists[n] = 0f;
            n++;
        }
        for (int j = 0, cnt = graph.neighborCount(near, level); j < cnt; j++) {
            int x = graph.neighbor(near, level, j);
            if (graph.neighborDistance(near, level, j) <= copyDistance && graph.isLive(x) && graph.level(x) >= level
                    && seen.visit(x)) {
                candOrds[n] = x;
                candDists[n] = 0f;
                n++;
            }
        }
        return n;
    }

    /**
     * When more exact copies of {@code base} (distance 0, at the head of the closest-first candidates) compete
     * than its list keeps, orders them so that the selection keeps the copies nearest to the base in ordinal on
     * both sides: the nearest below, the nearest above, the second nearest below, and so on, one side's rest once
     * the other runs out.
     *
     * <p>Why: ties broken by ordinal made every copy keep the same oldest copies, so a group's later copies had
     * no in-edge from their own group and a query asking for more copies than a list holds missed them (40 copies
     * among 20,000 vectors: 10 % missed; after removing half, 46 %). With both sides kept, the copies of a group
     * form a chain in ordinal (insertion) order on every layer: each copy links to its nearest copies below and
     * above, a new copy becomes its neighbours' nearest and is kept by both, and a removal's repair joins the two
     * sides of the removed copy from its list. {@link ExactCopies} walks that chain. (Nearest on either side alone is
     * not enough: a copy among dense older copies then never keeps a later one, and the chain breaks there.) The
     * copies' distances are set to exactly 0, so the list stays sorted whatever their rounding was.
     */
    private void preferNearbyCopies(int base, int[] ords, float[] dists, int n, int cap) {
        int copies = 0;
        while (copies < n && dists[copies] <= copyDistance) {
            dists[copies] = 0f;
            copies++;
        }
        if (copies <= cap) {
            return;
        }
        java.util.Arrays.sort(ords, 0, copies);
        if (copyOrder.length < copies) {
            copyOrder = new int[copies];
        }
        int above = 0;
        while (above < copies && ords[above] < base) {
            above++;
        }
        int below = above - 1;
        int out = 0;
        while (below >= 0 || above < copies) {
            if (below >= 0) {
                copyOrder[out++] = ords[below--];
            }
            if (above < copies) {
                copyOrder[out++] = ords[above++];
            }
        }
        System.arraycopy(copyOrder, 0, ords, 0, copies);
    }

    /**
     * Repairs the graph around a node that was just marked removed: every live neighbour that linked to it
     * re-selects its list from its remaining neighbours plus the removed node's neighbours, so paths that
     * ran through the removed node survive (cf. the "local reconnect" of FreshDiskANN).
     */
    void repairAfterRemoval(int removed) {
        HnswGraph graph = this.graph;
        VisitedSet seen = searcher.visited();
        int top = graph.level(removed);
        for (int l = 0; l <= top; l++) {
            int rCount = graph.copyNeighbors(removed, l, removedList);
            for (int i = 0; i < rCount; i++) {
                int n = removedList[i];
                if (!graph.isLive(n) || graph.level(n) < l || !graph.hasNeighbor(n, l, removed)) {
                    continue;
                }
                seen.reset(graph.highWater());
                seen.visit(n);
                seen.visit(removed);
                graph.ensureEdgeDistances(n, scorer);
                int[] nb = graph.block(n, l);
                float[] nd = graph.distances(n, l);
                int no = graph.offset(n, l);
                int cnt = nb[no];
                ensureCandidateCapacity(cnt + rCount);
                int m = 0;
                for (int j = 0; j < cnt; j++) {
                    int x = nb[no + 1 + j];
                    if (graph.isLive(x) && graph.level(x) >= l && seen.visit(x)) {
                        candOrds[m] = x;
                        candDists[m] = nd[no + 1 + j];
                        m++;
                    }
                }
                for (int j = 0; j < rCount; j++) {
                    int x = removedList[j];
                    if (graph.isLive(x) && graph.level(x) >= l && seen.visit(x)) {
                        candOrds[m] = x;
                        candDists[m] = scorer.distanceBetween(n, x);
                        m++;
                    }
                }
                if (m < maxConn(l) / 2) {
                    m = widenBySearch(n, removed, l, m);
                }
                HnswGraph.sortByDistance(candOrds, candDists, 0, m);
                int count = selectDiverse(n, candOrds, candDists, m, maxConn(l), selOrds, selDists);
                graph.setNeighbors(n, l, selOrds, selDists, count);
                graph.nodeChanged(n);
            }
        }
    }

    /**
     * When the local candidates of a repaired node are too few (after many removals around it), looks for
     * new neighbours with a real search of the layer from the entry point, as an insert would, so heavy
     * deletion cannot isolate nodes. Returns the new candidate count; {@code candOrds[0, m)} are kept.
     */
    private int widenBySearch(int n, int removed, int level, int m) {
        if (extra.length < m) {
            extra = new int[m];
        }
        System.arraycopy(candOrds, 0, extra, 0, m);
        searcher.prepareStoredQuery(n);
        int cur = searcher.greedyDescent(graph.entryPoint(), graph.maxLevel(), level);
        entries[0] = cur;
        searcher.searchLayer(entries, 1, beamWidth, level, null, null, Integer.MAX_VALUE);
        ensureCandidateCapacity(searcher.resultCount() + m);
        int found = searcher.drainSorted(candOrds, candDists, n);
        VisitedSet seen = searcher.visited();
        seen.reset(graph.highWater());
        seen.visit(n);
        seen.visit(removed);
        int out = 0;
        for (int i = 0; i < found; i++) {
            if (seen.visit(candOrds[i])) {
                candOrds[out] = candOrds[i];
                candDists[out] = candDists[i];
                out++;
            }
        }
        for (int i = 0; i < m; i++) {
            if (seen.visit(extra[i])) {
                candOrds[out] = extra[i];
                candDists[out] = scorer.distanceBetween(n, extra[i]);
                out++;
            }
        }
        return out;
    }

    private void ensureCandidateCapacity(int n) {
        if (candOrds.length < n + 1) {
            candOrds = java.util.Arrays.copyOf(candOrds, n + 1);
            candDists = java.util.Arrays.copyOf(candDists, n + 1);
        }
    }

    /**
     * Re-reads the stored vectors before a mutation: their arrays may have grown or been released, and the form
     * the graph is built in changes once the floats leave the heap.
     */
    void refresh() {
        searcher.refresh();
        scorer = searcher.storedScorer();
    }

    /** Node-to-node distances in the form and metric the graph is built in (edge distances are these). */
    VectorScorer buildScorer() {
        return scorer;
    }

    /** Whether the graph is built with the float vectors (not yet, or never, with the codes). */
    boolean buildsWithFloats() {
        return scorer == searcher.exactScorer();
    }
}
