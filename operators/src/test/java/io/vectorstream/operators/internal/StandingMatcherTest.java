package io.vectorstream.operators.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.index.VectorMath;
import io.vectorstream.index.VectorMetric;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The matcher returns every query whose bound includes the vector (a superset is allowed: the caller decides with
 * exact distances), through the graph with few queries past the graph's exact threshold, and with more queries than
 * one search may return (it then returns them all), with bounds tight, loose and infinite, after removals.
 */
class StandingMatcherTest {
    @ParameterizedTest(name = "{0} queries, seed {1}")
    @CsvSource({"300, 3", "2000, 4", "10100, 5"})
    void everyQueryWithinItsBoundIsACandidate(int queries, long seed) {
        System.out.println("StandingMatcherTest seed=" + seed);
        int dim = 4;
        SplittableRandom r = new SplittableRandom(seed);
        StandingMatcher m = new StandingMatcher(VectorMetric.L2, dim);
        float[][] vs = new float[queries][];
        float[] bounds = new float[queries];
        for (int h = 0; h < queries; h++) {
            vs[h] = new float[dim];
            for (int c = 0; c < dim; c++) {
                vs[h][c] = (float) r.nextDouble();
            }
            // Mostly tight bounds, some loose, a few unbounded (answers not yet full, no radius).
            int kind = r.nextInt(20);
            bounds[h] = kind == 0 ? Float.POSITIVE_INFINITY : kind == 1 ? 0.5f : (float) (r.nextDouble() * 0.02);
            m.put(h, vs[h], bounds[h]);
        }
        Set<Integer> removed = new HashSet<>();
        for (int i = 0; i < queries / 10; i++) {
            int h = r.nextInt(queries);
            m.remove(h);
            removed.add(h);
        }
        for (int i = 0; i < queries / 20; i++) {
            int h = r.nextInt(queries);
            if (!removed.contains(h)) {
                bounds[h] = (float) (r.nextDouble() * 0.05);
                m.setBound(h, bounds[h]);
            }
        }
        int checked = 0;
        for (int t = 0; t < 50; t++) {
            float[] v = new float[dim];
            for (int c = 0; c < dim; c++) {
                v[c] = (float) r.nextDouble();
            }
            Set<Integer> got = new HashSet<>();
            m.candidates(v, got::add);
            for (int h = 0; h < queries; h++) {
                boolean within = !removed.contains(h) && VectorMath.squareDistance(v, vs[h]) <= bounds[h];
                if (within) {
                    assertThat(got).as("query %d (bound %s) for vector %d", h, bounds[h], t).contains(h);
                    checked++;
                }
            }
            assertThat(got).doesNotContainAnyElementsOf(removed);
        }
        assertThat(checked).isGreaterThan(50);
    }
}
