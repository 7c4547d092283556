package io.vectorstream.index;

/**
 * The rules for exact copies (vectors stored more than once under different ids), in one place: the metric a graph
 * is built with (so that a copy is at exactly 0), which distance makes two vectors copies, and a walk along a group
 * of copies.
 *
 * <p>The walk finds, within a group of exact copies of one vector, the copy whose ordinal is nearest to a given
 * one, by walking the edges between copies. The neighbour selection links each copy to the copies nearest to it in
 * ordinal (insertion) order on both sides, layer by layer, so the copies of a group form a skip list over their
 * ordinals: a walk that takes each layer's step toward the target ordinal, from the start's top layer down,
 * reaches the nearest copy in a few hops per layer. An insert needs this when its search kept nothing but copies:
 * the search then stopped at the first copies it reached, and a new copy linked only to those would get no edge
 * back from its own group (see {@link HnswInserter}).
 *
 * <p>Stateless; reads the graph only. Threading: the index's single writer.
 */
final class ExactCopies {
    private ExactCopies() {}

    /**
     * The metric a graph of {@code metric} is built with: L2 for cosine, else the metric itself. Cosine vectors
     * are stored normalised, and for unit vectors {@code |a - b|^2 = 2 (1 - cos)}: the same order up to float
     * rounding, but an exact copy is at exactly 0, in floats and in int8 codes alike, where {@code 1 - dot} of a
     * vector with itself is off 0 by the rounding of its dot product (by about 1e-3 with int8 codes, whose
     * decoded vectors are not unit length, so a copy could be farther than a neighbour). Queries still score
     * with {@code 1 - cos}; only construction's distances (edges, selection, repair) are these.
     */
    static VectorMetric buildMetric(VectorMetric metric) {
        return metric == VectorMetric.COSINE ? VectorMetric.L2 : metric;
    }

    /**
     * The distance at or below which two vectors count as exact copies in an index of {@code config}, in its build
     * metric ({@link #buildMetric}): 0, except under inner product, whose distances go below 0 and which has no
     * notion of a copy (negative infinity: no distance qualifies).
     */
    static float maxDistance(HnswConfig config) {
        return config.metric() == VectorMetric.INNER_PRODUCT ? Float.NEGATIVE_INFINITY : 0f;
    }

    /**
     * Walks from {@code start}, a copy of {@code target}'s vector with a layer at least {@code level}, along edges
     * of distance at most {@code copyDistance} (copies), each step to the neighbour nearest to {@code target} in ordinal, on every layer from
     * {@code start}'s top down to {@code level}. Returns the copy where the walk ends on {@code level}; never
     * {@code target} itself. {@code scorer} computes edge distances still missing after a load.
     */
    static int nearestCopy(HnswGraph graph, VectorScorer scorer, float copyDistance, int target, int start,
                           int level) {
        int cur = start;
        for (int l = graph.level(start); l >= level; l--) {
            boolean moved = true;
            while (moved) {
                graph.ensureEdgeDistances(cur, scorer);
                int best = cur;
                for (int j = 0, cnt = graph.neighborCount(cur, l); j < cnt; j++) {
                    int x = graph.neighbor(cur, l, j);
                    if (graph.neighborDistance(cur, l, j) <= copyDistance && x != target && graph.isLive(x)
                            && graph.level(x) >= l && nearer(target, x, best)) {
                        best = x;
                    }
                }
                moved = best != cur;
                cur = best;
            }
        }
        return cur;
    }

    /** Whether ordinal {@code a} is nearer to {@code target} than {@code b} is (ties: the smaller ordinal). */
    static boolean nearer(int target, int a, int b) {
        int da = Math.abs(a - target);
        int db = Math.abs(b - target);
        return da < db || (da == db && a < b);
    }
}
