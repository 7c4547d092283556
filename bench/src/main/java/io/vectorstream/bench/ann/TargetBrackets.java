package io.vectorstream.bench.ann;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The sweep points that a library's QPS at a recall target is read between ({@link AnnBenchmark#qpsAtRecall}): for
 * each target, the point of highest recall below it and the point of lowest recall at or above it. The harness
 * measures these points once more after a round's sweep, every library's in the same step, so that the figures a
 * ratio compares are measured side by side even when the libraries reach a target at different steps of the sweep.
 * Stateless.
 */
final class TargetBrackets {
    /** The recall targets the ratios are read at. */
    static final double[] TARGETS = {0.95, 0.99};

    private TargetBrackets() {}

    /**
     * The efSearch values of the points around each target among {@code points} (each with "ef" and "recall"): two
     * slots per target in target order, the lower neighbour first, so that slot i of every library is the same
     * role; -1 in a slot with no point to measure (the target below the first point, a target never reached, or an
     * ef already in an earlier slot).
     */
    static int[] efs(List<JsonNode> points) {
        List<JsonNode> byRecall = new ArrayList<>(points);
        byRecall.sort(Comparator.comparingDouble(p -> p.get("recall").asDouble()));
        int[] slots = new int[TARGETS.length * 2];
        java.util.Arrays.fill(slots, -1);
        java.util.Set<Integer> listed = new java.util.HashSet<>();
        for (int t = 0; t < TARGETS.length; t++) {
            JsonNode below = null;
            JsonNode atOrAbove = null;
            for (JsonNode p : byRecall) {
                if (p.get("recall").asDouble() < TARGETS[t]) {
                    below = p;
                } else {
                    atOrAbove = p;
                    break;
                }
            }
            if (atOrAbove == null) {
                continue; // never reached: no figure is read at this target
            }
            if (below != null && listed.add(below.get("ef").asInt())) {
                slots[2 * t] = below.get("ef").asInt();
            }
            if (listed.add(atOrAbove.get("ef").asInt())) {
                slots[2 * t + 1] = atOrAbove.get("ef").asInt();
            }
        }
        return slots;
    }
}
