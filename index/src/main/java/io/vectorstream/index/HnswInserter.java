package io.vectorstream.index;

import io.vectorstream.index.internal.VisitedSet;
import io.vectorstream.index.internal.vectorization.KernelProvider;
import io.vectorstream.index.internal.vectorization.VectorKernels;

/**
 * Links nodes into the graph of an {@link HnswIndex} and repairs it after removals. Owns its scratch
 * (a float-only searcher and candidate arrays), so an insert allocates nothing once the arrays have grown.
 * Not thread-safe: used only by the index's single writer.
 */
final class HnswInserter {
    private static final VectorKernels K = KernelProvider.kernels();

    private final HnswIndex index;
    private final HnswSearcher searcher;
    private final int dim;
    private final int metric;
    private int[] candOrds;
    private float[] candDists;
    private int[] entries;
    private final int[] selected;
    private final int[] removedList;
    private int[] extra = new int[16];

    HnswInserter(HnswIndex index) {
        this.index = index;
        this.searcher = new HnswSearcher(index);
        this.dim = index.config.dimension();
        this.metric = index.config.metric().ordinal();
        int cap = Math.max(index.config.beamWidth(), 4 * index.config.maxConn0()) + 2;
        candOrds = new int[cap];
        candDists = new float[cap];
        entries = new int[cap];
        selected = new int[index.config.maxConn0() + 1];
        removedList = new int[index.config.maxConn0() + 1];
    }

    private int maxConn(int level) {
        return level == 0 ? index.config.maxConn0() : index.config.maxConn();
    }

    /** Distance between two stored vectors (both already normalised for cosine). */
    private float distanceBetween(int a, int b) {
        float[] data = index.vectors.data();
        switch (metric) {
            case 0: return K.squareDistance(data, a * dim, data, b * dim, dim);
            case 1: return -K.dot(data, a * dim, data, b * dim, dim);
            default: return 1f - K.dot(data, a * dim, data, b * dim, dim);
        }
    }

    /**
     * Links the already-stored node {@code ord} (top layer {@code level}) into the graph: Algorithm 1 of the
     * paper, with the neighbour-selection heuristic (Algorithm 4) on both ends of each new edge.
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
            int ef = index.config.beamWidth();
            searcher.searchLayer(entries, nEntries, ef, l, null, Integer.MAX_VALUE);
            ensureCandidateCapacity(searcher.results.size());
            int n = searcher.drainSorted(candOrds, candDists, ord);
            int count = selectDiverse(candOrds, candDists, n, maxConn(l), selected);
            index.graph.set(ord, l, selected, count);
            for (int i = 0; i < count; i++) {
                linkBack(selected[i], ord, l);
            }
            // The paper feeds all of W to the next layer down as entry points.
            if (entries.length < n) {
                entries = new int[n];
            }
            System.arraycopy(candOrds, 0, entries, 0, n);
            nEntries = Math.max(n, 0);
            if (nEntries == 0) {
                entries[0] = cur;
                nEntries = 1;
            }
        }
        index.listener.nodeChanged(ord);
        if (level > top) {
            index.entryPoint = ord;
            index.maxLevel = level;
        }
    }

    /** Adds the edge {@code from -> to} on {@code level}, pruning {@code from}'s list if it overflows. */
    private void linkBack(int from, int to, int level) {
        NeighborStorage graph = index.graph;
        int[] blk = graph.block(from, level);
        int off = graph.offset(from, level);
        int cnt = blk[off];
        if (cnt < maxConn(level)) {
            blk[off + 1 + cnt] = to;
            blk[off] = cnt + 1;
        } else {
            // Overflow: re-select from the old list plus the new node. Dead (stale) edges are dropped here,
            // which is how edges into removed nodes that the removal did not see get cleaned up.
            int n = 0;
            for (int j = 0; j < cnt; j++) {
                int x = blk[off + 1 + j];
                if (index.live[x] && x != from && graph.level(x) >= level) {
                    candOrds[n] = x;
                    candDists[n] = distanceBetween(from, x);
                    n++;
                }
            }
            candOrds[n] = to;
            candDists[n] = distanceBetween(from, to);
            n++;
            sortByDistance(candOrds, candDists, n);
            int count = selectDiverse(candOrds, candDists, n, maxConn(level), selected);
            graph.set(from, level, selected, count);
        }
        index.listener.nodeChanged(from);
    }

    /**
     * The neighbour-selection heuristic (paper, Algorithm 4): walk candidates from closest to farthest and
     * keep {@code e} unless an already kept {@code r} is closer to {@code e} than the base is. This keeps
     * edges pointing in diverse directions. Two deviations, both for exact duplicates: equality does not
     * prune (a point at the same distance from r and from the base is still a useful direction), and a
     * copy of an already kept node (distance 0) is pruned, so duplicates never fill a list and cut the
     * graph.
     */
    private int selectDiverse(int[] ords, float[] dists, int n, int max, int[] out) {
        int count = 0;
        for (int i = 0; i < n && count < max; i++) {
            int e = ords[i];
            float de = dists[i];
            boolean keep = true;
            for (int j = 0; j < count; j++) {
                float der = distanceBetween(e, out[j]);
                if (der < de || (metric != 1 && der <= 0f)) {
                    keep = false;
                    break;
                }
            }
            if (keep) {
                out[count++] = e;
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
                int[] nb = graph.block(n, l);
                int no = graph.offset(n, l);
                int cnt = nb[no];
                ensureCandidateCapacity(cnt + rCount);
                int m = 0;
                for (int j = 0; j < cnt; j++) {
                    int x = nb[no + 1 + j];
                    if (index.live[x] && graph.level(x) >= l && seen.visit(x)) {
                        candOrds[m] = x;
                        candDists[m] = distanceBetween(n, x);
                        m++;
                    }
                }
                for (int j = 0; j < rCount; j++) {
                    int x = removedList[j];
                    if (index.live[x] && graph.level(x) >= l && seen.visit(x)) {
                        candOrds[m] = x;
                        candDists[m] = distanceBetween(n, x);
                        m++;
                    }
                }
                if (m < maxConn(l) / 2) {
                    m = widenBySearch(n, removed, l, m);
                }
                sortByDistance(candOrds, candDists, m);
                int count = selectDiverse(candOrds, candDists, m, maxConn(l), selected);
                graph.set(n, l, selected, count);
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
        searcher.searchLayer(entries, 1, index.config.beamWidth(), level, null, Integer.MAX_VALUE);
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
                candDists[out] = distanceBetween(n, extra[i]);
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
            candOrds = new int[n + 1];
            candDists = new float[n + 1];
        }
    }

    /** Insertion sort by (distance, ord): lists are short (at most 2M + 1 or efConstruction). */
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
