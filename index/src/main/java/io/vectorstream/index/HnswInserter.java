package io.vectorstream.index;

import io.vectorstream.index.internal.VisitedSet;

/**
 * Links nodes into the graph of an {@link HnswIndex} and repairs it after removals. Owns its scratch
 * (a float-only searcher and one set of candidate arrays per phase, so no phase overwrites another's), so an
 * insert allocates nothing once the arrays have grown. Not thread-safe: used only by the index's writer.
 *
 * <p>Every edge stores its distance, and each list is kept sorted by it, so pruning an overflowing list
 * costs at most one distance per neighbour instead of re-running the selection heuristic.
 */
final class HnswInserter {
    private final HnswIndex index;
    private final HnswSearcher searcher;
    private final boolean innerProduct;
    private int[] candOrds;
    private float[] candDists;
    private int[] entries;
    private final int[] selOrds;
    private final float[] selDists;
    private final int[] removedList;
    private int[] extra = new int[16];

    HnswInserter(HnswIndex index) {
        this.index = index;
        this.searcher = new HnswSearcher(index);
        this.innerProduct = index.config.metric() == VectorMetric.INNER_PRODUCT;
        int cap = Math.max(index.config.beamWidth(), 4 * index.config.maxConn0()) + 2;
        candOrds = new int[cap];
        candDists = new float[cap];
        entries = new int[cap];
        selOrds = new int[index.config.maxConn0() + 1];
        selDists = new float[index.config.maxConn0() + 1];
        removedList = new int[index.config.maxConn0() + 1];
    }

    private int dupCap(int level) {
        return maxConn(level) / 2;
    }

    private int maxConn(int level) {
        return level == 0 ? index.config.maxConn0() : index.config.maxConn();
    }

    /**
     * Links the already-stored node {@code ord} (top layer {@code level}) into the graph: Algorithm 1 of the
     * paper, with the neighbour-selection heuristic (Algorithm 4) for the new node's own lists.
     */
    void insert(int ord, int level) {
        int ep = index.entryPoint;
        if (ep < 0) {
            index.entryPoint = ord;
            index.maxLevel = level;
            return;
        }
        searcher.prepareStoredQuery(ord);
        int top = index.maxLevel;
        int cur = searcher.greedyDescent(ep, top, Math.min(level, top));
        entries[0] = cur;
        int nEntries = 1;
        for (int l = Math.min(level, top); l >= 0; l--) {
            searcher.searchLayer(entries, nEntries, index.config.beamWidth(), l, null, null, Integer.MAX_VALUE);
            ensureCandidateCapacity(searcher.results.size());
            int n = searcher.drainSorted(candOrds, candDists, ord);
            int count = selectDiverse(candOrds, candDists, n, maxConn(l), selOrds, selDists);
            index.graph.set(ord, l, selOrds, selDists, count);
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
            }
        }
        index.listener.nodeChanged(ord);
        if (level > top) {
            index.entryPoint = ord;
            index.maxLevel = level;
        }
    }

    /**
     * Adds the edge {@code from -> to} (distance {@code d}) on {@code level}. A full list keeps its size: if a
     * closer neighbour already covers {@code to}'s direction, {@code to} is not added; otherwise {@code to}
     * replaces the farthest neighbour it covers (or the farthest one). This is the heuristic's rule applied to
     * one newcomer, as Lucene's NeighborArray does, at most one distance per existing neighbour.
     */
    private void linkBack(int from, int to, float d, int level) {
        index.ensureEdgeDistances(from);
        NeighborStorage graph = index.graph;
        int[] b = graph.block(from, level);
        float[] ds = graph.distances(from, level);
        int off = graph.offset(from, level) + 1;
        int cnt = b[off - 1];
        // Drop edges into removed or reused slots first: removals cannot see every in-edge.
        int w = 0;
        for (int j = 0; j < cnt; j++) {
            int x = b[off + j];
            if (index.live[x] && graph.level(x) >= level) {
                b[off + w] = x;
                ds[off + w] = ds[off + j];
                w++;
            }
        }
        boolean compacted = w != cnt;
        cnt = w;
        int p = 0;
        while (p < cnt && (ds[off + p] < d || (ds[off + p] == d && b[off + p] < to))) {
            p++;
        }
        if (cnt == maxConn(level)) {
            int copies = 0;
            for (int j = 0; j < cnt && ds[off + j] <= 0f; j++) {
                copies++;
            }
            for (int j = 0; j < p; j++) {
                float der = index.distanceBetween(to, b[off + j]);
                if (der < d || (!innerProduct && der <= 0f && !(d <= 0f && copies < dupCap(level)))) {
                    b[off - 1] = cnt;
                    if (compacted) {
                        index.listener.nodeChanged(from);
                    }
                    return; // covered by a closer neighbour: the list is unchanged (but for compaction)
                }
            }
            int victim = -1;
            for (int j = cnt - 1; j >= p; j--) {
                if (index.distanceBetween(b[off + j], to) < ds[off + j]) {
                    victim = j;
                    break;
                }
            }
            if (victim < 0) {
                if (p == cnt) {
                    b[off - 1] = cnt;
                    if (compacted) {
                        index.listener.nodeChanged(from);
                    }
                    return; // the newcomer is the farthest of a diverse, full list: it is the one to drop
                }
                victim = cnt - 1;
            }
            // Remove the victim (at or after p), then insert at p below.
            System.arraycopy(b, off + victim + 1, b, off + victim, cnt - victim - 1);
            System.arraycopy(ds, off + victim + 1, ds, off + victim, cnt - victim - 1);
            cnt--;
        }
        System.arraycopy(b, off + p, b, off + p + 1, cnt - p);
        System.arraycopy(ds, off + p, ds, off + p + 1, cnt - p);
        b[off + p] = to;
        ds[off + p] = d;
        b[off - 1] = cnt + 1;
        index.listener.nodeChanged(from);
    }

    /**
     * The neighbour-selection heuristic (paper, Algorithm 4): walk candidates from closest to farthest and
     * keep {@code e} unless an already kept {@code r} is closer to {@code e} than the base is. This keeps
     * edges pointing in diverse directions. Deviations, all for exact duplicates: equality does not prune (a
     * point as far from r as from the base is still a useful direction); a copy of an already kept node
     * (distance 0) is pruned, so duplicates never fill a list and cut the graph; except that copies of the
     * base itself may fill up to half the list, which keeps a group of identical vectors connected.
     */
    private int selectDiverse(int[] ords, float[] dists, int n, int max, int[] outOrds, float[] outDists) {
        int count = 0;
        int copies = 0;
        int copyCap = max / 2;
        for (int i = 0; i < n && count < max; i++) {
            int e = ords[i];
            float de = dists[i];
            boolean keep = true;
            for (int j = 0; j < count; j++) {
                float der = index.distanceBetween(e, outOrds[j]);
                // Exact copies of the base itself may take up to half the list: a group of identical vectors
                // then stays connected (with one copy per list it would form a star most copies can't reach).
                if (der < de || (!innerProduct && der <= 0f && !(de <= 0f && copies < copyCap))) {
                    keep = false;
                    break;
                }
            }
            if (keep) {
                if (de <= 0f) {
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
     * Repairs the graph around a node that was just marked removed: every live neighbour that linked to it
     * re-selects its list from its remaining neighbours plus the removed node's neighbours, so paths that
     * ran through the removed node survive (cf. the "local reconnect" of FreshDiskANN).
     */
    void repairAfterRemoval(int removed) {
        NeighborStorage graph = index.graph;
        VisitedSet seen = searcher.visited();
        int top = graph.level(removed);
        for (int l = 0; l <= top; l++) {
            int[] rb = graph.block(removed, l);
            int ro = graph.offset(removed, l);
            int rCount = rb[ro];
            System.arraycopy(rb, ro + 1, removedList, 0, rCount);
            for (int i = 0; i < rCount; i++) {
                int n = removedList[i];
                if (!index.live[n] || graph.level(n) < l || !contains(n, l, removed)) {
                    continue;
                }
                seen.reset(index.highWater);
                seen.visit(n);
                seen.visit(removed);
                index.ensureEdgeDistances(n);
                int[] nb = graph.block(n, l);
                float[] nd = graph.distances(n, l);
                int no = graph.offset(n, l);
                int cnt = nb[no];
                ensureCandidateCapacity(cnt + rCount);
                int m = 0;
                for (int j = 0; j < cnt; j++) {
                    int x = nb[no + 1 + j];
                    if (index.live[x] && graph.level(x) >= l && seen.visit(x)) {
                        candOrds[m] = x;
                        candDists[m] = nd[no + 1 + j];
                        m++;
                    }
                }
                for (int j = 0; j < rCount; j++) {
                    int x = removedList[j];
                    if (index.live[x] && graph.level(x) >= l && seen.visit(x)) {
                        candOrds[m] = x;
                        candDists[m] = index.distanceBetween(n, x);
                        m++;
                    }
                }
                if (m < maxConn(l) / 2) {
                    m = widenBySearch(n, removed, l, m);
                }
                sortByDistance(candOrds, candDists, m);
                int count = selectDiverse(candOrds, candDists, m, maxConn(l), selOrds, selDists);
                graph.set(n, l, selOrds, selDists, count);
                index.listener.nodeChanged(n);
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
        int cur = searcher.greedyDescent(index.entryPoint, index.maxLevel, level);
        entries[0] = cur;
        searcher.searchLayer(entries, 1, index.config.beamWidth(), level, null, null, Integer.MAX_VALUE);
        ensureCandidateCapacity(searcher.results.size() + m);
        int found = searcher.drainSorted(candOrds, candDists, n);
        VisitedSet seen = searcher.visited();
        seen.reset(index.highWater);
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
                candDists[out] = index.distanceBetween(n, extra[i]);
                out++;
            }
        }
        return out;
    }

    private boolean contains(int node, int level, int target) {
        int[] b = index.graph.block(node, level);
        int o = index.graph.offset(node, level);
        for (int j = o + 1, end = o + 1 + b[o]; j < end; j++) {
            if (b[j] == target) {
                return true;
            }
        }
        return false;
    }

    private void ensureCandidateCapacity(int n) {
        if (candOrds.length < n + 1) {
            candOrds = java.util.Arrays.copyOf(candOrds, n + 1);
            candDists = java.util.Arrays.copyOf(candDists, n + 1);
        }
    }

    /** Insertion sort by (distance, ord): lists are short (at most 4M + a beam). */
    private static void sortByDistance(int[] ords, float[] dists, int n) {
        for (int i = 1; i < n; i++) {
            int o = ords[i];
            float d = dists[i];
            int j = i - 1;
            while (j >= 0 && (dists[j] > d || (dists[j] == d && ords[j] > o))) {
                ords[j + 1] = ords[j];
                dists[j + 1] = dists[j];
                j--;
            }
            ords[j + 1] = o;
            dists[j + 1] = d;
        }
    }

    void refresh() {
        searcher.refreshData();
    }
}
