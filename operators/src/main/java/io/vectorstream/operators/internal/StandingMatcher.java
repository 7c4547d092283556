package io.vectorstream.operators.internal;

import io.vectorstream.index.VectorMath;
import io.vectorstream.index.VectorMetric;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * An index over one key's standing queries, so that an upsert does not pay one distance per standing query: it
 * finds the queries whose bound an upserted vector v may be within, and only those are scored exactly.
 *
 * <p>Each query q has a bound b (its k-th distance, or its radius while its answer is not full). Every metric's
 * condition "distance(q, v) within b" is a ball in the Euclidean geometry of the stored vectors: with
 * e = |q - v|,
 * <ul>
 *   <li>L2 (squared distance): e^2 &lt;= b;</li>
 *   <li>cosine (unit vectors, 1 - cos): e^2 = 2 - 2 cos &lt;= 2b;</li>
 *   <li>inner product (-dot): e^2 = |q|^2 + |v|^2 - 2 dot &lt;= 2b + |q|^2 + |v|^2.</li>
 * </ul>
 * So each query is a ball of radius R_q(v) around its vector (under inner product the radius grows with |v|, the
 * same for every query of one upsert). Three lower bounds of e(v, q), cheapest first, rule queries out:
 * <ol>
 *   <li>Clusters. Queries are grouped around centres (about sqrt(n)/2, each query joining its nearest); a cluster
 *       keeps how far its balls reach beyond its centre, and an upsert beyond that reach skips the whole cluster
 *       (triangle inequality).</li>
 *   <li>The centre: |e(v, c) - e(q, c)| &gt; R_q, two stored floats per query.</li>
 *   <li>A {@link Projection} onto 32 principal directions (all distances above are taken in it): the projected
 *       distance, plus the difference of the lengths left outside the projection, never exceeds e(v, q). On
 *       Fashion-MNIST it leaves about 3.5 % of 100,000 queries for an exact distance.</li>
 * </ol>
 *
 * <p>Exact by construction: every query within its bound is a candidate (a candidate too many is only a distance
 * more, so every test is loosened by a slack far above float rounding). Reaches only grow when a bound grows; a
 * bound that shrinks leaves its cluster's reach stale-high, which is still an upper bound, and the next scan of the
 * cluster makes it tight again. Queries without a finite bound (not full, no radius) are always candidates.
 *
 * <p>Not thread-safe: Flink's task thread only.
 */
public final class StandingMatcher {
    /**
     * Widest vectors indexed: fitting the projection is linear in the dimension but not free (about a second at
     * 4,096 dimensions), and it runs on the task thread; wider queries are all scored.
     */
    public static final int MAX_DIMENSION = 4096;
    /** Relative slack on every comparison: float rounding is far below it, a false candidate costs one distance. */
    private static final float SLACK = 1e-4f;
    /** The projection is orthonormal to float precision only: its lower bound is loosened by more. */
    private static final float PROJECTION_SLACK = 1e-3f;
    /**
     * Slack per unit of vector length: projected coordinates (dot products over every dimension) and distances to
     * centres round in proportion to the vectors' lengths, which a tight bound (a near-duplicate's) does not cover.
     */
    private static final float NORM_SLACK = 1e-3f;
    private static final int NONE = -1;

    private final VectorMetric metric;
    private final int dimension;
    private final Projection projection;
    private final float[] scratch;

    // Per handle: the cluster and position in it, the ball's constant part (K; R^2 = K, plus |v|^2 under inner
    // product), the magnitude that scales its rounding error, and the distance to the cluster's centre.
    private int[] clusterOf = new int[64];
    private int[] posInCluster = new int[64];
    private float[] ballK = new float[64];
    private float[] ballScale = new float[64];
    private float[] toCentre = new float[64];
    private float[][] projected = new float[64][];
    private float[] residual = new float[64];
    private float[] residualError = new float[64];
    private float[] squaredNorm = new float[64];
    private float[] length = new float[64];
    private float maxLength;
    private boolean[] present = new boolean[64];
    // Handles without a finite bound, kept apart: they are always candidates.
    private int[] unbounded = new int[16];
    private int unboundedCount;
    private int[] unboundedPos = new int[64];
    private int size;

    // Per cluster: its centre, its members, and upper bounds of how far their balls reach: the largest
    // e(q, c) + R_q (metrics whose radius does not depend on v), or the largest e(q, c) and K separately.
    private float[][] centres = new float[8][];
    private int[][] members = new int[8][];
    private int[] memberCount = new int[8];
    private float[] reach = new float[8];
    private float[] maxToCentre = new float[8];
    private float[] maxK = new float[8];
    private int clusters;

    /**
     * @param sample query vectors (stored form) the projection is fitted to; any vectors give exact candidates,
     *               vectors like the queries give few
     */
    public StandingMatcher(VectorMetric metric, int dimension, java.util.List<float[]> sample) {
        this(metric, dimension, Projection.fit(dimension, sample));
    }

    /** With a projection fitted elsewhere (one per dimension may serve every key). */
    public StandingMatcher(VectorMetric metric, int dimension, Projection projection) {
        this.metric = metric;
        this.dimension = dimension;
        this.projection = projection;
        this.scratch = new float[projection.outDimension()];
        Arrays.fill(unboundedPos, NONE);
        Arrays.fill(clusterOf, NONE);
    }

    /** Adds query {@code handle} with {@code vector} (as the key's index stores vectors) or moves its bound. */
    public void put(int handle, float[] vector, float bound) {
        assert vector.length == dimension : "dimension " + vector.length + " != " + dimension;
        grow(handle);
        if (!present[handle]) {
            present[handle] = true;
            size++;
            squaredNorm[handle] = VectorMath.dot(vector, vector);
            length[handle] = (float) Math.sqrt(squaredNorm[handle]);
            maxLength = Math.max(maxLength, length[handle]); // only grows: an upper bound is all the slack needs
            projected[handle] = projection.apply(vector, new float[projection.outDimension()]);
            residual[handle] = residualNorm(squaredNorm[handle], projected[handle]);
            residualError[handle] = residualError(squaredNorm[handle]);
            join(handle, projected[handle]);
        }
        setBound(handle, bound);
    }

    /** Sets the bound of a query already added. */
    public void setBound(int handle, float bound) {
        if (bound == Float.POSITIVE_INFINITY) {
            if (unboundedPos[handle] == NONE) {
                ensureUnboundedRoom();
                unboundedPos[handle] = unboundedCount;
                unbounded[unboundedCount++] = handle;
            }
            ballK[handle] = Float.POSITIVE_INFINITY;
            return;
        }
        dropUnbounded(handle);
        float k;
        float scale;
        switch (metric) {
            case L2:
                k = bound;
                scale = Math.abs(bound);
                break;
            case COSINE:
                k = 2 * bound;
                scale = 2 * Math.abs(bound) + 2;
                break;
            default:
                k = 2 * bound + squaredNorm[handle];
                scale = 2 * Math.abs(bound) + squaredNorm[handle];
                break;
        }
        ballK[handle] = k;
        ballScale[handle] = scale;
        // A growing ball widens its cluster's reach now; a shrinking one is tightened by the next scan.
        int c = clusterOf[handle];
        maxToCentre[c] = Math.max(maxToCentre[c], toCentre[handle]);
        maxK[c] = Math.max(maxK[c], k + SLACK * scale);
        reach[c] = Math.max(reach[c], toCentre[handle] + radius(k, scale, 0f, 0f));
    }

    /** Removes query {@code handle} (nothing if absent). */
    public void remove(int handle) {
        if (handle >= present.length || !present[handle]) {
            return;
        }
        present[handle] = false;
        projected[handle] = null;
        dropUnbounded(handle);
        // Swap-remove from its cluster; the cluster's reach stays an upper bound. The centre stays even when its
        // query leaves: it is only a point to measure from.
        int c = clusterOf[handle];
        int pos = posInCluster[handle];
        int last = members[c][--memberCount[c]];
        members[c][pos] = last;
        posInCluster[last] = pos;
        clusterOf[handle] = NONE;
        size--;
    }

    /** Queries held. */
    public int size() {
        return size;
    }

    /**
     * Calls {@code out} with every query whose bound may include {@code v} (each once, in no fixed order): the
     * unbounded ones, and the bounded ones that the cluster and centre-distance tests cannot rule out.
     */
    public void candidates(float[] v, IntConsumer out) {
        for (int i = 0; i < unboundedCount; i++) {
            out.accept(unbounded[i]);
        }
        if (size == unboundedCount) {
            return;
        }
        float vNorm = metric == VectorMetric.INNER_PRODUCT ? VectorMath.dot(v, v) : 0f;
        float[] pv = projection.apply(v, scratch);
        float vSquaredNorm = metric == VectorMetric.INNER_PRODUCT ? vNorm : VectorMath.dot(v, v);
        float vResidual = residualNorm(vSquaredNorm, pv);
        float vLength = (float) Math.sqrt(vSquaredNorm);
        float vResidualError = residualError(vSquaredNorm);
        for (int c = 0; c < clusters; c++) {
            int n = memberCount[c];
            if (n == 0) {
                continue;
            }
            float toC = (float) Math.sqrt(VectorMath.squareDistance(pv, centres[c]));
            float clusterReach = metric == VectorMetric.INNER_PRODUCT
                    ? maxToCentre[c] + radius(maxK[c], 0f, vNorm, vNorm) : reach[c];
            if (toC > clusterReach * (1 + 2 * SLACK) + NORM_SLACK * (vLength + maxLength)) {
                continue; // beyond every ball of the cluster
            }
            // Scan the members and tighten the cluster's reach to what they are now (bounds shrink as answers fill).
            int[] m = members[c];
            float newReach = 0f;
            float newMaxToCentre = 0f;
            float newMaxK = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                int h = m[i];
                float k = ballK[h];
                float dc = toCentre[h];
                // Every member counts here, unbounded ones too: one may get a bound before the next scan.
                newMaxToCentre = Math.max(newMaxToCentre, dc);
                if (k == Float.POSITIVE_INFINITY) {
                    continue; // unbounded: already a candidate
                }
                float r = radius(k, ballScale[h], vNorm, vNorm);
                // Projected coordinates round in proportion to the vectors' lengths, not to r.
                float rounding = NORM_SLACK * (vLength + length[h]);
                // Two lower bounds of e(v, q), the cheap one first: through the centre, then the projected distance
                // with the difference of the lengths left outside the projection.
                if (Math.abs(toC - dc) <= r + SLACK * (toC + dc) + rounding) {
                    float gap = Math.max(0f, Math.abs(vResidual - residual[h]) - residualError[h] - vResidualError);
                    if (VectorMath.squareDistance(pv, projected[h]) + gap * gap
                            <= square(r * (1 + PROJECTION_SLACK) + rounding)) {
                        out.accept(h);
                    }
                }
                newReach = Math.max(newReach, dc + radius(k, ballScale[h], 0f, 0f));
                newMaxK = Math.max(newMaxK, k + SLACK * ballScale[h]);
            }
            reach[c] = newReach;
            maxToCentre[c] = newMaxToCentre;
            maxK[c] = newMaxK;
        }
    }

    /**
     * The ball's radius for an upsert with squared norm {@code vNorm} (inner product only, else 0): the square root
     * of K + |v|^2, loosened by the slack on the magnitudes that make up its rounding error.
     */
    private static float radius(float k, float scale, float vNorm, float vScale) {
        float r2 = k + vNorm + SLACK * (scale + vScale);
        return r2 <= 0f ? 0f : (float) Math.sqrt(r2);
    }

    /** The length of {@code v} outside the projection: sqrt(|v|^2 - |Pv|^2). */
    private static float residualNorm(float squaredNorm, float[] projected) {
        double p = 0;
        for (float x : projected) {
            p += (double) x * x;
        }
        return (float) Math.sqrt(Math.max(0d, squaredNorm - p));
    }

    /**
     * How far {@link #residualNorm} may be off: the difference of two squares cancels, so an error of E in it moves
     * the root by up to sqrt(E); E is taken as 1e-4 |v|^2, far above float rounding.
     */
    private static float residualError(float squaredNorm) {
        return (float) Math.sqrt(1e-4 * squaredNorm);
    }

    private static float square(float x) {
        return x * x;
    }

    /** Puts {@code handle} into the nearest cluster, or opens a cluster around it while there are too few. */
    private void join(int handle, float[] vector) {
        int best = NONE;
        float bestD = Float.POSITIVE_INFINITY;
        for (int c = 0; c < clusters; c++) {
            float d = VectorMath.squareDistance(vector, centres[c]);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        // About sqrt(n)/2 clusters balance the two costs of an upsert: one distance per centre, and the members of
        // the clusters it enters.
        int wanted = Math.max(1, (int) Math.ceil(Math.sqrt(size) / 2));
        if (best == NONE || (clusters < wanted && bestD > 0f)) {
            best = openCluster(vector);
            bestD = 0f;
        }
        if (memberCount[best] == members[best].length) {
            members[best] = Arrays.copyOf(members[best], 2 * members[best].length);
        }
        posInCluster[handle] = memberCount[best];
        members[best][memberCount[best]++] = handle;
        clusterOf[handle] = best;
        toCentre[handle] = (float) Math.sqrt(bestD);
        maxToCentre[best] = Math.max(maxToCentre[best], toCentre[handle]);
    }

    private int openCluster(float[] vector) {
        if (clusters == centres.length) {
            int n = 2 * clusters;
            centres = Arrays.copyOf(centres, n);
            members = Arrays.copyOf(members, n);
            memberCount = Arrays.copyOf(memberCount, n);
            reach = Arrays.copyOf(reach, n);
            maxToCentre = Arrays.copyOf(maxToCentre, n);
            maxK = Arrays.copyOf(maxK, n);
        }
        int c = clusters++;
        centres[c] = vector.clone();
        members[c] = new int[8];
        memberCount[c] = 0;
        reach[c] = 0f;
        maxToCentre[c] = 0f;
        maxK[c] = Float.NEGATIVE_INFINITY;
        return c;
    }

    private void ensureUnboundedRoom() {
        if (unboundedCount == unbounded.length) {
            unbounded = Arrays.copyOf(unbounded, 2 * unboundedCount);
        }
    }

    private void dropUnbounded(int handle) {
        int pos = unboundedPos[handle];
        if (pos == NONE) {
            return;
        }
        int last = unbounded[--unboundedCount];
        unbounded[pos] = last;
        unboundedPos[last] = pos;
        unboundedPos[handle] = NONE;
    }

    private void grow(int handle) {
        if (handle >= present.length) {
            int n = Math.max(handle + 1, 2 * present.length);
            int old = present.length;
            present = Arrays.copyOf(present, n);
            clusterOf = Arrays.copyOf(clusterOf, n);
            Arrays.fill(clusterOf, old, n, NONE);
            posInCluster = Arrays.copyOf(posInCluster, n);
            ballK = Arrays.copyOf(ballK, n);
            ballScale = Arrays.copyOf(ballScale, n);
            toCentre = Arrays.copyOf(toCentre, n);
            projected = Arrays.copyOf(projected, n);
            residual = Arrays.copyOf(residual, n);
            residualError = Arrays.copyOf(residualError, n);
            squaredNorm = Arrays.copyOf(squaredNorm, n);
            length = Arrays.copyOf(length, n);
            unboundedPos = Arrays.copyOf(unboundedPos, n);
            Arrays.fill(unboundedPos, old, n, NONE);
        }
    }
}
