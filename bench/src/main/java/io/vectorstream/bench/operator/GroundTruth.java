package io.vectorstream.bench.operator;

import io.vectorstream.index.VectorMath;
import io.vectorstream.jobs.Datasets;
import java.util.Arrays;

/** Brute-force top-k (squared L2) for the operator benchmarks. Stateless. */
final class GroundTruth {
    private GroundTruth() {}

    /**
     * The k nearest ids of each query among the base vectors of its key: base vector i belongs to key
     * {@code i % keys} and query q to key {@code q % keys} (1 key: all vectors).
     */
    static long[][] topK(Datasets.Dataset d, int k, int keys) {
        long[][] truth = new long[d.queries.length][];
        for (int q = 0; q < d.queries.length; q++) {
            long[] bestIds = new long[k];
            float[] bestDs = new float[k];
            Arrays.fill(bestDs, Float.MAX_VALUE);
            for (int i = q % keys; i < d.base.length; i += keys) {
                float dist = VectorMath.squareDistance(d.queries[q], d.base[i]);
                if (dist < bestDs[k - 1]) {
                    int j = k - 1;
                    while (j > 0 && bestDs[j - 1] > dist) {
                        bestDs[j] = bestDs[j - 1];
                        bestIds[j] = bestIds[j - 1];
                        j--;
                    }
                    bestDs[j] = dist;
                    bestIds[j] = i;
                }
            }
            truth[q] = bestIds;
        }
        return truth;
    }
}
