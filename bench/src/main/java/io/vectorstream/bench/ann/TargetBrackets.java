package io.vectorstream.bench.ann;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The sweep points that a library's QPS at a recall target is read from ({@link AnnBenchmark#qpsAtRecall}): for
 * each target, the point just below it (one end of the interpolation: the highest recall under the target, the
 * fastest among equal recalls), the first point at or above it (the lowest recall that reaches it) and the fastest
 * point at or above it (the curve's value there). The first point above is listed even when a slower measurement of
 * it left another point the fastest: a point measured slow once would otherwise never be measured again, and the
 * figure would rest on a point further up the curve. The harness measures
 * these points once more after a round's sweep, every library's point of the same role in the same step, and each
 * point keeps the better of its two measurements; so a figure a ratio compares is the best of the sweep's measurement
 * and one taken side by side with the other libraries', even when the libraries reach a target at different steps of
 * the sweep. Stateless.
 */
final class TargetBrackets {
    /** The recall targets the ratios are read at. */
    static final double[] TARGETS = {0.95, 0.99};
    /** The slots per target: the point below it, the first point at or above it, the fastest at or above it. */
    static final int SLOTS_PER_TARGET = 3;
    /** The slots {@link #efs} returns. */
    static final int SLOTS = TARGETS.length * SLOTS_PER_TARGET;

    private TargetBrackets() {}

    /**
     * The efSearch values of the points a figure at each target is read from, among {@code points} (each with "ef",
     * "recall" and "qps"): {@link #SLOTS_PER_TARGET} slots per target in target order (below, first at or above,
     * fastest at or above), so that slot i is the same role for every library; -1 in a slot with no point to measure
     * (the target at or below the first point, a target never reached, or an ef already in an earlier slot, e.g. the
     * first point above 0.95 when it is also the fastest, or the point above 0.95 that is also the one below 0.99).
     */
    static int[] efs(List<JsonNode> points) {
        List<JsonNode> sorted = new ArrayList<>(points);
        // The order qpsAtRecall reads the curve in: by recall, equal recalls slowest first.
        sorted.sort(Comparator.<JsonNode>comparingDouble(p -> p.get("recall").asDouble())
                .thenComparingDouble(p -> p.get("qps").asDouble()));
        int[] slots = new int[SLOTS];
        Arrays.fill(slots, -1);
        Set<Integer> listed = new HashSet<>();
        for (int t = 0; t < TARGETS.length; t++) {
            JsonNode below = null;
            JsonNode firstAbove = null;
            JsonNode fastestAbove = null;
            for (JsonNode p : sorted) {
                if (p.get("recall").asDouble() < TARGETS[t]) {
                    below = p; // the last one below wins: the highest recall, the fastest of a tie
                    continue;
                }
                if (firstAbove == null) {
                    firstAbove = p; // the lowest recall at or above; of a tie the slowest, as qpsAtRecall orders
                }
                if (fastestAbove == null || p.get("qps").asDouble() > fastestAbove.get("qps").asDouble()) {
                    fastestAbove = p;
                }
            }
            if (fastestAbove == null) {
                continue; // never reached: no figure is read at this target
            }
            JsonNode[] roles = {below, firstAbove, fastestAbove};
            for (int r = 0; r < SLOTS_PER_TARGET; r++) {
                if (roles[r] != null && listed.add(roles[r].get("ef").asInt())) {
                    slots[SLOTS_PER_TARGET * t + r] = roles[r].get("ef").asInt();
                }
            }
        }
        return slots;
    }
}
