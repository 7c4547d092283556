package io.vectorstream.operators.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.index.VectorMath;
import io.vectorstream.index.VectorMetric;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The matcher returns every query whose bound includes the vector (a superset is allowed: the caller decides with
 * exact distances), for each metric, with bounds tight (a real k-th distance), loose, negative (inner product) and
 * infinite, after removals and bound changes in both directions; and it rules most queries out when bounds are
 * tight, so an upsert does not score every query.
 */
class StandingMatcherTest {
    @ParameterizedTest(name = "{0}, {1} queries, {2}-d, seed {3}")
    @CsvSource({"L2, 300, 4, 3", "L2, 3000, 24, 4", "COSINE, 2000, 16, 5", "INNER_PRODUCT, 2000, 16, 6",
            "L2, 12000, 8, 7", "L2, 3000, 96, 8", "COSINE, 2000, 64, 9", "INNER_PRODUCT, 2000, 48, 10",
            "L2, 500, 33, 11"})
    void everyQueryWithinItsBoundIsACandidate(VectorMetric metric, int queries, int dim, long seed) {
        System.out.println("StandingMatcherTest seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        float[][] centresOfData = new float[20][];
        for (int i = 0; i < centresOfData.length; i++) {
            centresOfData[i] = gaussian(r, dim, 0f, 3f);
        }
        // Data the bounds come from: each query's bound is its real 10th distance among it, as in a standing answer.
        float[][] data = new float[600][];
        for (int i = 0; i < data.length; i++) {
            data[i] = stored(metric, near(r, centresOfData[r.nextInt(centresOfData.length)]));
        }
        float[][] vs = new float[queries][];
        for (int h = 0; h < queries; h++) {
            vs[h] = stored(metric, near(r, centresOfData[r.nextInt(centresOfData.length)]));
        }
        // Past 32 dimensions the matcher projects: fitted to the first queries only, as when it is created.
        StandingMatcher m = new StandingMatcher(metric, dim, java.util.Arrays.asList(vs).subList(0, queries / 4));
        float[] bounds = new float[queries];
        for (int h = 0; h < queries; h++) {
            int kind = r.nextInt(40);
            // Mostly tight bounds, some loose, a few unbounded (answers not yet full, no radius).
            bounds[h] = kind == 0 ? Float.POSITIVE_INFINITY : kind == 1 ? loose(metric, r) : kthDistance(metric,
                    vs[h], data, 10);
            m.put(h, vs[h], bounds[h]);
        }
        Set<Integer> removed = new HashSet<>();
        for (int i = 0; i < queries / 10; i++) {
            int h = r.nextInt(queries);
            m.remove(h);
            removed.add(h);
        }
        int scans = 0;
        long candidates = 0;
        int checked = 0;
        for (int t = 0; t < 60; t++) {
            if (t % 20 == 10) {
                // Bounds move both ways between upserts: shrink (answers fill) and grow (members leave).
                for (int i = 0; i < queries / 20; i++) {
                    int h = r.nextInt(queries);
                    if (!removed.contains(h)) {
                        bounds[h] = r.nextBoolean() ? kthDistance(metric, vs[h], data, 3)
                                : kthDistance(metric, vs[h], data, 30);
                        m.setBound(h, bounds[h]);
                    }
                }
            }
            float[] v = stored(metric, near(r, centresOfData[r.nextInt(centresOfData.length)]));
            List<Integer> got = new ArrayList<>();
            m.candidates(v, got::add);
            assertThat(new HashSet<>(got)).as("each candidate once").hasSize(got.size());
            for (int h = 0; h < queries; h++) {
                if (!removed.contains(h) && storedDistance(metric, vs[h], v) <= bounds[h]) {
                    assertThat(got).as("query %d (bound %s) for vector %d", h, bounds[h], t).contains(h);
                    checked++;
                }
            }
            assertThat(got).doesNotContainAnyElementsOf(removed);
            scans++;
            candidates += got.size();
        }
        assertThat(checked).as("queries within their bound").isGreaterThan(20);
        double share = candidates / (double) scans / (queries - removed.size());
        System.out.printf("%s: %.3f of the queries are candidates per vector%n", metric, share);
        if (metric != VectorMetric.INNER_PRODUCT) {
            // Tight bounds on clustered data: most queries are ruled out without their distance.
            assertThat(share).isLessThan(0.5);
        }
    }

    private static float loose(VectorMetric metric, SplittableRandom r) {
        return switch (metric) {
            case L2 -> (float) (r.nextDouble() * 50);
            case COSINE -> (float) (r.nextDouble() * 0.5);
            case INNER_PRODUCT -> (float) (-r.nextDouble() * 20);
        };
    }

    private static float kthDistance(VectorMetric metric, float[] q, float[][] data, int k) {
        float[] ds = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            ds[i] = storedDistance(metric, q, data[i]);
        }
        java.util.Arrays.sort(ds);
        return ds[k - 1];
    }

    /** As the index scores stored vectors (cosine: 1 - dot of unit vectors). */
    private static float storedDistance(VectorMetric metric, float[] a, float[] b) {
        return switch (metric) {
            case L2 -> VectorMath.squareDistance(a, b);
            case COSINE -> 1f - VectorMath.dot(a, b);
            case INNER_PRODUCT -> -VectorMath.dot(a, b);
        };
    }

    private static float[] stored(VectorMetric metric, float[] v) {
        return metric == VectorMetric.COSINE ? VectorMath.normalizedCopy(v) : v;
    }

    private static float[] near(SplittableRandom r, float[] centre) {
        float[] v = centre.clone();
        for (int c = 0; c < v.length; c++) {
            v[c] += (float) (r.nextGaussian() * 0.5);
        }
        return v;
    }

    private static float[] gaussian(SplittableRandom r, int dim, float mean, float sd) {
        float[] v = new float[dim];
        for (int c = 0; c < dim; c++) {
            v[c] = mean + (float) (r.nextGaussian() * sd);
        }
        return v;
    }

    /** Inner product: a query that was unbounded during a scan, then bounded, keeps its cluster reachable. */
    @org.junit.jupiter.api.Test
    void aQueryBoundedAfterAScanIsStillReachedUnderInnerProduct() {
        StandingMatcher m = new StandingMatcher(VectorMetric.INNER_PRODUCT, 4, Projection.fit(4, List.of()));
        float[] a = {100, 0, 0, 0};
        float[] b = {100, 20, 0, 0};
        m.put(0, a, -10199.5f); // the centre of the only cluster; a small ball for a vector as long as b
        m.put(1, b, Float.POSITIVE_INFINITY);
        m.candidates(a, h -> { }); // a scan while b is unbounded
        m.setBound(1, -10399.5f); // -dot(b, b) = -10400 is within it
        List<Integer> got = new ArrayList<>();
        m.candidates(b, got::add);
        assertThat(got).contains(1);
    }

    /** Long vectors, tight bounds (near-duplicates): rounding in proportion to length must not hide a match. */
    @org.junit.jupiter.api.Test
    void nearDuplicatesOfLongVectorsAreCandidates() {
        long seed = 12;
        System.out.println("StandingMatcherTest near-duplicates seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        int dim = 96;
        int n = 400;
        float[][] qs = new float[n][];
        float[][] copies = new float[n][];
        for (int h = 0; h < n; h++) {
            qs[h] = gaussian(r, dim, 500f, 300f);
            copies[h] = qs[h].clone();
            copies[h][r.nextInt(dim)] += (float) (r.nextDouble() * 1e-2);
        }
        StandingMatcher m = new StandingMatcher(VectorMetric.L2, dim, java.util.Arrays.asList(qs));
        for (int h = 0; h < n; h++) {
            // The bound is exactly the copy's distance: the copy is within it.
            m.put(h, qs[h], VectorMath.squareDistance(qs[h], copies[h]));
        }
        for (int h = 0; h < n; h++) {
            List<Integer> got = new ArrayList<>();
            m.candidates(copies[h], got::add);
            assertThat(got).as("query %d", h).contains(h);
        }
    }
}
