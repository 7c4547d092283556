package io.vectorstream.operators.internal;

import io.vectorstream.index.HnswConfig;
import io.vectorstream.index.HnswIndex;
import io.vectorstream.index.HnswSearcher;
import io.vectorstream.index.SearchResults;
import io.vectorstream.index.VectorMetric;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * An index over one key's standing queries, so that an upsert does not pay one distance per standing query: the
 * queries' vectors in an HNSW graph of their own, each with a bound (its k-th distance, or its radius while its
 * answer is not full). An upsert v can change the answer of a non-member query q only if d(v, q) is below q's
 * bound; {@link #candidates} finds those queries by searching the graph with v, widening the search until the
 * farthest query it returned is beyond every bound, so it returns every query the graph search reaches within its
 * bound (the graph's recall, exact while the key has at most the graph's exact-search threshold of queries).
 * Queries without a finite bound (not full, no radius) are always candidates.
 *
 * <p>Not thread-safe: Flink's task thread only.
 */
final class StandingMatcher {
    private static final int FIRST_EF = 32;

    private final HnswIndex graph;
    private float[] bounds = new float[64];
    private boolean[] present = new boolean[64];
    // Handles without a finite bound, kept apart: the graph search could not stop for them.
    private int[] unbounded = new int[16];
    private int unboundedCount;
    private int[] unboundedPos = new int[64];
    private int size;
    private float maxBound = Float.NEGATIVE_INFINITY;
    private boolean maxBoundStale;

    StandingMatcher(VectorMetric metric, int dimension) {
        this.graph = new HnswIndex(HnswConfig.builder(dimension).metric(metric).build());
        Arrays.fill(unboundedPos, -1);
    }

    /** Adds query {@code handle} with {@code vector} (as the key's index stores vectors) or moves its bound. */
    void put(int handle, float[] vector, float bound) {
        grow(handle);
        if (!present[handle]) {
            graph.add(handle, vector);
            present[handle] = true;
            size++;
        }
        setBound(handle, bound);
    }

    /** Sets the bound of a query already added. */
    void setBound(int handle, float bound) {
        boolean finite = bound != Float.POSITIVE_INFINITY;
        if (finite) {
            dropUnbounded(handle);
            if (bound > maxBound) {
                maxBound = bound;
            } else if (bounds[handle] == maxBound && bound < maxBound) {
                maxBoundStale = true;
            }
        } else if (unboundedPos[handle] < 0) {
            if (unboundedCount == unbounded.length) {
                unbounded = Arrays.copyOf(unbounded, 2 * unboundedCount);
            }
            unboundedPos[handle] = unboundedCount;
            unbounded[unboundedCount++] = handle;
        }
        bounds[handle] = bound;
    }

    void remove(int handle) {
        if (handle >= present.length || !present[handle]) {
            return;
        }
        graph.remove(handle);
        present[handle] = false;
        dropUnbounded(handle);
        if (bounds[handle] == maxBound) {
            maxBoundStale = true;
        }
        size--;
    }

    int size() {
        return size;
    }

    /**
     * Calls {@code out} with every query whose bound may include {@code v} (each once, in no fixed order): the
     * unbounded ones, and those the graph search finds nearer than their bound.
     */
    void candidates(float[] v, IntConsumer out) {
        for (int i = 0; i < unboundedCount; i++) {
            out.accept(unbounded[i]);
        }
        int bounded = size - unboundedCount;
        if (bounded == 0) {
            return;
        }
        float limit = maxBound();
        // Widen until the farthest query returned is beyond every finite bound, or all were returned. A search
        // returns at most MAX_K: past that, every query is a candidate (the caller scores them exactly).
        for (int ef = Math.min(FIRST_EF, size); ; ef = Math.min(size, ef * 4)) {
            if (ef > HnswSearcher.MAX_K) {
                for (int h = 0; h < present.length; h++) {
                    if (present[h] && unboundedPos[h] < 0) {
                        out.accept(h);
                    }
                }
                return;
            }
            SearchResults r = graph.search(v, ef, ef);
            int n = r.size();
            boolean done = n < ef || n == size || r.distance(n - 1) > withSlack(limit);
            if (done) {
                for (int i = 0; i < n; i++) {
                    int h = (int) r.id(i);
                    if (unboundedPos[h] < 0 && r.distance(i) <= withSlack(bounds[h])) {
                        out.accept(h);
                    }
                }
                return;
            }
        }
    }

    /**
     * A bound loosened by a few float ulps: the graph scores its own copy of each vector, which may differ from the
     * caller's exact distance in the last bits, and a candidate too many is only a distance more (the caller
     * decides with exact distances), where one too few would be a wrong answer.
     */
    private static float withSlack(float bound) {
        return bound + 64 * Math.ulp(bound) + 1e-30f;
    }

    private float maxBound() {
        if (maxBoundStale) {
            float m = Float.NEGATIVE_INFINITY;
            for (int h = 0; h < present.length; h++) {
                if (present[h] && unboundedPos[h] < 0 && bounds[h] > m) {
                    m = bounds[h];
                }
            }
            maxBound = m;
            maxBoundStale = false;
        }
        return maxBound;
    }

    private void dropUnbounded(int handle) {
        int pos = unboundedPos[handle];
        if (pos < 0) {
            return;
        }
        int last = unbounded[--unboundedCount];
        unbounded[pos] = last;
        unboundedPos[last] = pos;
        unboundedPos[handle] = -1;
    }

    private void grow(int handle) {
        if (handle >= present.length) {
            int n = Math.max(handle + 1, 2 * present.length);
            present = Arrays.copyOf(present, n);
            bounds = Arrays.copyOf(bounds, n);
            int old = unboundedPos.length;
            unboundedPos = Arrays.copyOf(unboundedPos, n);
            Arrays.fill(unboundedPos, old, n, -1);
        }
    }
}
