package io.vectorstream.index;

import io.vectorstream.index.internal.LongIntHashMap;
import io.vectorstream.index.internal.SplitMix64;
import java.util.Arrays;

/**
 * The graph state of an {@link HnswIndex}: slots (internal {@code int} ordinals) and their liveness, the
 * {@code long id <-> ordinal} map, each node's top layer and neighbour lists (with the distance of every edge,
 * each list sorted by it), the entry point, the level generator, and the slots waiting for reuse. Every change to
 * this state goes through a method here; the inserter, searcher and codec never write its fields.
 *
 * <p>Slot life cycle: {@link #allocate()} hands out a free slot or a new one at the high-water mark;
 * {@link #initNode} gives it a top layer and empty lists; {@link #markInserted} makes it live once linked. A
 * removal ({@link #markRemoved}, then {@link #detach}) leaves the slot <em>pending</em>: nodes that linked to it
 * without being its neighbours still hold edges to it, so it becomes <em>free</em> only after
 * {@link #sweepPending()} has removed those edges.
 *
 * <p>Tells the {@link IndexChangeListener} about every node and metadata change it makes, and forwards the
 * callers' own notifications ({@link #nodeChanged}).
 *
 * <p>Threading: not thread-safe. One writer mutates it; searchers read it (lists, levels, liveness, ids) only
 * while no writer runs.
 */
final class HnswGraph {
    /** Top layers are capped here; a saved level above it is corrupt. */
    static final int MAX_LEVEL = 32;
    /**
     * How many of the latest inserts an insert also starts its layer searches from ({@link HnswInserter#insert}).
     * A stream often brings similar vectors together (a burst of one tenant, category or near-duplicate); a
     * new cluster then has few edges in from the rest of the graph yet, and a search from the entry point alone
     * often misses it. Eight covers that many interleaved bursts; each costs one distance per insert.
     */
    static final int RECENT_INSERTS = 8;
    /** 64-byte cache lines (x86-64 and most ARM cores), in list entries. */
    private static final int INTS_PER_CACHE_LINE = 16;

    private final NeighborStorage lists;
    private final LongIntHashMap idToOrd;
    private final SplitMix64 levelGenerator;
    private final double levelMultiplier;
    private long[] ids;
    private boolean[] live;
    /**
     * Per ordinal: whether a list of the node may hold an edge between exact copies (set when such an edge is
     * written, kept until the slot is reused; never under inner product). Searches read
     * edge distances only for such nodes ({@link HnswSearcher}), so an index without copies pays nothing.
     */
    private boolean[] copyEdges;
    /** The distance at or below which an edge joins exact copies ({@link ExactCopies#maxDistance}). */
    private final float copyDistance;
    private int highWater;
    private int liveCount;
    private int[] freeOrds = new int[8];
    private int freeCount;
    /** Removed slots that may still have edges pointing at them; reusable only after {@link #sweepPending()}. */
    private int[] pendingOrds = new int[8];
    private int pendingCount;
    private int entryPoint = -1;
    private int maxLevel = -1;
    /** The latest inserts, most recent first ({@link #noteInserted}); persisted, as they steer the next inserts. */
    private final int[] recentInserts = new int[RECENT_INSERTS];
    private int recentCount;
    /** Per ordinal: edge distances not yet computed since a restore (null: none are stale). */
    private boolean[] staleEdgeDistances;
    private IndexChangeListener listener = IndexChangeListener.NONE;

    HnswGraph(NeighborStorage lists, long seed, double levelMultiplier, float copyDistance) {
        this.lists = lists;
        this.copyDistance = copyDistance;
        this.idToOrd = new LongIntHashMap(16);
        this.levelGenerator = new SplitMix64(seed);
        this.levelMultiplier = levelMultiplier;
        this.ids = new long[16];
        this.live = new boolean[16];
        this.copyEdges = new boolean[16];
    }

    // ---- reads: cheap, allocation-free, used by the search loops ----

    /** Number of live nodes. */
    int size() {
        return liveCount;
    }

    /** One past the highest ordinal ever used. */
    int highWater() {
        return highWater;
    }

    /** How many slots the per-slot arrays hold before they grow. */
    int capacity() {
        return ids.length;
    }

    /** Whether slot {@code ord} (in [0, capacity)) holds a live node. */
    boolean isLive(int ord) {
        return live[ord];
    }

    /** The external id at {@code ord} (meaningful for live slots and for a slot being inserted). */
    long id(int ord) {
        return ids[ord];
    }

    /** The ordinal of {@code id}, or -1. */
    int ordinalOf(long id) {
        return idToOrd.get(id);
    }

    /** The node's top layer, or -1 for a free or pending slot. */
    int level(int ord) {
        return lists.level(ord);
    }

    /** The array holding the list of {@code ord} on {@code level}; read-only for callers (see {@link NeighborStorage}). */
    int[] block(int ord, int level) {
        return lists.block(ord, level);
    }

    /** Where in {@link #block} that list starts: its count, then the neighbours. */
    int offset(int ord, int level) {
        return lists.offset(ord, level);
    }

    /**
     * Starts reading the list of {@code ord} on {@code level} before it is needed: one load per cache line it
     * spans. Java has no prefetch instruction, so these are plain loads, and their sum is returned for the caller
     * to keep (the JIT drops loads whose values are never used). No effect on the graph.
     */
    int touchList(int ord, int level) {
        int[] b = lists.block(ord, level);
        int o = lists.offset(ord, level);
        int acc = b[o];
        for (int j = o + INTS_PER_CACHE_LINE, end = o + acc; j <= end; j += INTS_PER_CACHE_LINE) {
            acc += b[j];
        }
        return acc;
    }

    /** The edge distances parallel to {@link #block}; read-only for callers. */
    float[] distances(int ord, int level) {
        return lists.distances(ord, level);
    }

    int neighborCount(int ord, int level) {
        return lists.block(ord, level)[lists.offset(ord, level)];
    }

    /** The {@code i}-th neighbour of {@code ord} on {@code level}, closest first. */
    int neighbor(int ord, int level, int i) {
        return lists.block(ord, level)[lists.offset(ord, level) + 1 + i];
    }

    /** The distance of the {@code i}-th edge of {@code ord} on {@code level}. */
    float neighborDistance(int ord, int level, int i) {
        return lists.distances(ord, level)[lists.offset(ord, level) + 1 + i];
    }

    /** Copies the list of {@code ord} on {@code level} into {@code dst}; returns its length. */
    int copyNeighbors(int ord, int level, int[] dst) {
        int[] b = lists.block(ord, level);
        int o = lists.offset(ord, level);
        System.arraycopy(b, o + 1, dst, 0, b[o]);
        return b[o];
    }

    /** Whether {@code target} is in the list of {@code ord} on {@code level}. */
    boolean hasNeighbor(int ord, int level, int target) {
        int[] b = lists.block(ord, level);
        int o = lists.offset(ord, level);
        for (int j = o + 1, end = o + 1 + b[o]; j < end; j++) {
            if (b[j] == target) {
                return true;
            }
        }
        return false;
    }

    /** The node a search starts from, or -1 when the graph is empty. */
    int entryPoint() {
        return entryPoint;
    }

    /** The entry point's top layer, or -1 when the graph is empty. */
    int maxLevel() {
        return maxLevel;
    }

    long levelGeneratorState() {
        return levelGenerator.state();
    }

    /** The latest inserts' ordinals, most recent first (some may be removed or reused since). */
    int[] recentInserts() {
        return Arrays.copyOf(recentInserts, recentCount);
    }

    /** Copies the latest inserts' ordinals, most recent first, into {@code dst}; returns how many. */
    int copyRecentInserts(int[] dst, int from) {
        System.arraycopy(recentInserts, 0, dst, from, recentCount);
        return recentCount;
    }

    /** Free slots, in the order they will be reused (last first). */
    int[] freeOrdinals() {
        return Arrays.copyOf(freeOrds, freeCount);
    }

    /** Removed slots not yet reusable, in removal order. */
    int[] pendingOrdinals() {
        return Arrays.copyOf(pendingOrds, pendingCount);
    }

    /** Heap bytes of the lists, the id map and the per-slot arrays. */
    long ramBytesUsed() {
        return lists.ramBytesUsed() + idToOrd.ramBytesUsed() + 8L * ids.length + live.length + 4L * freeOrds.length;
    }

    // ---- change notifications ----

    void setListener(IndexChangeListener listener) {
        this.listener = listener == null ? IndexChangeListener.NONE : listener;
    }

    void nodeChanged(int ord) {
        listener.nodeChanged(ord);
    }

    void metadataChanged() {
        listener.metadataChanged();
    }

    // ---- slot life cycle ----

    /**
     * Makes room for ordinals below {@code n}. The per-slot arrays grow by half, or by an eighth when
     * {@code compactGrowth} (codes only: the codes are most of the heap, so the slack is what that mode saves;
     * the copies cost little next to the inserts).
     */
    void ensureCapacity(int n, boolean compactGrowth) {
        if (n > ids.length) {
            int cap = Math.max(n, ids.length + (ids.length >> (compactGrowth ? 3 : 1)));
            ids = Arrays.copyOf(ids, cap);
            live = Arrays.copyOf(live, cap);
            copyEdges = Arrays.copyOf(copyEdges, cap);
        }
        lists.ensureCapacity(n);
    }

    /**
     * A slot for a new node: a free one, else a new one at the high-water mark (the caller then makes room for
     * it). First sweeps the pending slots when no slot is free and at least 1/64 of the slots are pending.
     */
    int allocate() {
        if (freeCount == 0 && pendingCount > 0 && pendingCount >= (highWater >> 6)) {
            sweepPending();
        }
        if (freeCount > 0) {
            return freeOrds[--freeCount];
        }
        return highWater++;
    }

    /** A top layer for a new node: {@code floor(-ln(U) * mL)}, the exponential decay of the paper, section 4.1. */
    int randomLevel() {
        double level = -Math.log(levelGenerator.nextOpenUnit()) * levelMultiplier;
        return (int) Math.min(level, MAX_LEVEL);
    }

    /** Gives slot {@code ord} the id {@code id} and empty lists on layers 0..level; not live yet. */
    void initNode(int ord, long id, int level) {
        ids[ord] = id;
        copyEdges[ord] = false;
        lists.initNode(ord, level);
    }

    /** Replaces the list of {@code ord} on {@code level} with {@code ords[0, count)} and their distances. */
    void setNeighbors(int ord, int level, int[] ords, float[] dists, int count) {
        lists.set(ord, level, ords, dists, count);
        for (int i = 0; i < count && !copyEdges[ord]; i++) {
            copyEdges[ord] = dists[i] <= copyDistance;
        }
    }

    /** Whether a list of {@code ord} may hold an edge between exact copies (see {@link #copyEdges}). */
    boolean mayHaveCopyEdges(int ord) {
        return copyEdges[ord];
    }

    /**
     * Drops, from the list of {@code ord} on {@code level}, the edges into slots that are not live or no longer
     * reach that layer (a removal cannot see every in-edge). Returns whether any was dropped.
     */
    boolean dropDeadNeighbors(int ord, int level) {
        int[] b = lists.block(ord, level);
        float[] ds = lists.distances(ord, level);
        int off = lists.offset(ord, level) + 1;
        int cnt = b[off - 1];
        int w = 0;
        for (int j = 0; j < cnt; j++) {
            int x = b[off + j];
            if (live[x] && lists.level(x) >= level) {
                b[off + w] = x;
                ds[off + w] = ds[off + j];
                w++;
            }
        }
        b[off - 1] = w;
        return w != cnt;
    }

    /** Inserts the edge to {@code to} (distance {@code d}) at position {@code i}; the list must have room. */
    void insertNeighborAt(int ord, int level, int i, int to, float d) {
        int[] b = lists.block(ord, level);
        float[] ds = lists.distances(ord, level);
        int off = lists.offset(ord, level) + 1;
        int cnt = b[off - 1];
        System.arraycopy(b, off + i, b, off + i + 1, cnt - i);
        System.arraycopy(ds, off + i, ds, off + i + 1, cnt - i);
        b[off + i] = to;
        ds[off + i] = d;
        b[off - 1] = cnt + 1;
        copyEdges[ord] |= d <= copyDistance;
    }

    /** Makes the linked node at {@code ord} live under {@code id}. */
    void markInserted(int ord, long id) {
        live[ord] = true;
        idToOrd.put(id, ord);
        liveCount++;
    }

    /** Records {@code ord} as the latest insert; the oldest of {@link #RECENT_INSERTS} drops out. */
    void noteInserted(int ord) {
        int n = Math.min(recentCount, RECENT_INSERTS - 1);
        System.arraycopy(recentInserts, 0, recentInserts, 1, n);
        recentInserts[0] = ord;
        recentCount = n + 1;
    }

    /** Makes {@code ord} (top layer {@code level}) the entry point. */
    void setEntryPoint(int ord, int level) {
        entryPoint = ord;
        maxLevel = level;
    }

    /** First step of a removal: {@code id} stops being live at once. Returns its ordinal, or -1 if absent. */
    int markRemoved(long id) {
        int ord = idToOrd.remove(id);
        if (ord >= 0) {
            live[ord] = false;
            liveCount--;
        }
        return ord;
    }

    /**
     * Last step of a removal, after the neighbours were repaired: drops the node's lists, picks a new entry
     * point if it was the entry point, and queues the slot as pending.
     */
    void detach(int ord) {
        // Detach the node completely: a graph rebuilt from persisted state (where a removed node has no entry)
        // must be identical to this one, so removed nodes are not kept as routes.
        lists.clearNode(ord);
        if (ord == entryPoint) {
            chooseNewEntryPoint();
        }
        if (pendingCount == pendingOrds.length) {
            pendingOrds = Arrays.copyOf(pendingOrds, pendingCount * 2);
        }
        pendingOrds[pendingCount++] = ord;
        listener.nodeRemoved(ord);
        listener.metadataChanged();
    }

    /** The live node with the highest top layer (lowest ordinal on ties), or none. */
    private void chooseNewEntryPoint() {
        int best = -1;
        int bestLevel = -1;
        for (int ord = 0; ord < highWater; ord++) {
            if (live[ord] && lists.level(ord) > bestLevel) {
                best = ord;
                bestLevel = lists.level(ord);
            }
        }
        entryPoint = best;
        maxLevel = bestLevel;
    }

    /**
     * Removes every edge into a pending (removed) slot, then makes those slots reusable. One pass over all
     * lists, run by {@link #allocate()} when no slot is free and at least n/64 are pending, so about 64*M reads
     * per removal; with no inserts (or free slots left) pending slots accumulate, and a search keeps meeting edges
     * into them. Without it an edge left behind would point at whatever later reuses the slot, with a distance to
     * the old vector.
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
            for (int l = 0; l <= lists.level(ord); l++) {
                int[] b = lists.block(ord, l);
                float[] d = lists.distances(ord, l);
                int o = lists.offset(ord, l);
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

    /** Fills {@code out} with the live ordinals, ascending; returns how many (it must hold {@link #size()}). */
    int liveOrdinals(int[] out) {
        int n = 0;
        for (int ord = 0; ord < highWater; ord++) {
            if (live[ord]) {
                out[n++] = ord;
            }
        }
        return n;
    }

    // ---- edge distances after a restore or a change of scorer ----

    /**
     * After a restore or a load the neighbour lists arrive without their distances. They are needed only when a
     * list is next changed (an insert's back-link, a removal's repair), so each node's are computed then
     * ({@link #ensureEdgeDistances}), not all up front: a rebuild then costs no distance at all, where computing
     * every edge's took about a third of a 60k x 784 rebuild. The lists keep their saved order, so a loaded index
     * goes on exactly as the saved one would have.
     */
    void markEdgeDistancesStale() {
        staleEdgeDistances = new boolean[highWater];
        for (int ord = 0; ord < highWater; ord++) {
            staleEdgeDistances[ord] = live[ord];
        }
    }

    /** Whether {@code ord}'s edge distances are computed (not left stale by a load). */
    boolean edgeDistancesKnown(int ord) {
        return staleEdgeDistances == null || ord >= staleEdgeDistances.length || !staleEdgeDistances[ord];
    }

    /** Computes {@code ord}'s edge distances on every layer with {@code scorer} if they are still stale. */
    void ensureEdgeDistances(int ord, VectorScorer scorer) {
        if (staleEdgeDistances == null || ord >= staleEdgeDistances.length || !staleEdgeDistances[ord]) {
            return;
        }
        staleEdgeDistances[ord] = false;
        recomputeNode(ord, scorer, false);
    }

    /**
     * Recomputes every live node's edge distances with {@code scorer} and puts each list back in (distance, ordinal)
     * order: for a change of the form the graph is built in (int8 training), whose distances may order a list
     * differently, while a back-link's insert position and a full list's re-selection read it closest first. Eager,
     * where a load is lazy: sorted now, the lists are saved in order, and a load keeps that order. A node whose list
     * order changed is reported to the listener, so a copy kept elsewhere (the operators' state) has the same order.
     * It runs once, at the training size (1,000 nodes by default), so it costs a few milliseconds.
     */
    void recomputeEdgeDistances(VectorScorer scorer) {
        staleEdgeDistances = null; // any pending lazy recompute is done here too
        for (int ord = 0; ord < highWater; ord++) {
            if (live[ord] && recomputeNode(ord, scorer, true)) {
                nodeChanged(ord);
            }
        }
    }

    /** Recomputes {@code ord}'s edge distances, sorting each list if {@code sort}; returns whether any list moved. */
    private boolean recomputeNode(int ord, VectorScorer scorer, boolean sort) {
        boolean moved = false;
        for (int l = 0; l <= lists.level(ord); l++) {
            int[] b = lists.block(ord, l);
            float[] d = lists.distances(ord, l);
            int o = lists.offset(ord, l);
            int end = o + 1 + b[o];
            for (int j = o + 1; j < end; j++) {
                d[j] = scorer.distanceBetween(ord, b[j]);
                copyEdges[ord] |= d[j] <= copyDistance;
            }
            if (sort) {
                moved |= sortByDistance(b, d, o + 1, end);
            }
        }
        return moved;
    }

    /**
     * Insertion sort of {@code ords[from, to)} with their distances by (distance, ordinal): neighbour lists and
     * candidate sets are short (at most 4M plus a beam), and mostly in order already. Returns whether any moved.
     */
    static boolean sortByDistance(int[] ords, float[] dists, int from, int to) {
        boolean moved = false;
        for (int i = from + 1; i < to; i++) {
            int o = ords[i];
            float dist = dists[i];
            int j = i - 1;
            while (j >= from && (dists[j] > dist || (dists[j] == dist && ords[j] > o))) {
                ords[j + 1] = ords[j];
                dists[j + 1] = dists[j];
                j--;
            }
            moved |= j != i - 1;
            ords[j + 1] = o;
            dists[j + 1] = dist;
        }
        return moved;
    }

    // ---- restore ----

    /**
     * Restores live node {@code ord} with its lists (distances left stale, see {@link #markEdgeDistancesStale}).
     *
     * @throws IllegalArgumentException when the id is already restored
     */
    void restoreNode(int ord, long id, int[][] neighbors) {
        int level = neighbors.length - 1;
        lists.initNode(ord, level);
        for (int l = 0; l <= level; l++) {
            lists.set(ord, l, neighbors[l], new float[neighbors[l].length], neighbors[l].length);
        }
        ids[ord] = id;
        live[ord] = true;
        copyEdges[ord] = false; // distances are stale until recomputed, which sets it again
        if (idToOrd.put(id, ord) >= 0) {
            throw new IllegalArgumentException("id must be unique; id=" + id);
        }
    }

    /** Restores the index-wide state once every live node is in; {@code restored} of them. */
    void restoreState(IndexMetadata meta, int restored) {
        highWater = meta.highWater();
        liveCount = restored;
        entryPoint = meta.entryPoint();
        maxLevel = meta.maxLevel();
        levelGenerator.setState(meta.levelGeneratorState());
        int[] free = meta.freeOrdinals();
        freeOrds = Arrays.copyOf(free, Math.max(8, free.length));
        freeCount = free.length;
        int[] pending = meta.pendingOrdinals();
        pendingOrds = Arrays.copyOf(pending, Math.max(8, pending.length));
        pendingCount = pending.length;
        int[] recent = meta.recentInserts();
        recentCount = Math.min(recent.length, RECENT_INSERTS);
        System.arraycopy(recent, 0, recentInserts, 0, recentCount);
    }
}
