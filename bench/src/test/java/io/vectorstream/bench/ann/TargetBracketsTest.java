package io.vectorstream.bench.ann;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetBracketsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Points as {ef, recall, qps} triples. */
    private static List<JsonNode> sweep(double[]... points) {
        List<JsonNode> out = new ArrayList<>();
        for (double[] p : points) {
            out.add(JSON.createObjectNode().put("ef", (int) p[0]).put("recall", p[1]).put("qps", p[2]));
        }
        return out;
    }

    @Test
    void picksThePointJustBelowAndTheOneAboveEachTargetOnce() {
        List<JsonNode> s = sweep(new double[] {10, 0.90, 9000}, new double[] {20, 0.94, 7000},
                new double[] {40, 0.96, 5000}, new double[] {80, 0.98, 3000}, new double[] {160, 0.992, 1500});
        assertThat(TargetBrackets.efs(s)).containsExactly(20, 40, -1, 80, 160, -1);
    }

    @Test
    void aPointSharedByBothTargetsIsMeasuredOnceInTheFirstTargetsSlot() {
        List<JsonNode> s = sweep(new double[] {10, 0.93, 9000}, new double[] {20, 0.97, 7000},
                new double[] {40, 0.995, 5000});
        assertThat(TargetBrackets.efs(s)).containsExactly(10, 20, -1, -1, 40, -1);
    }

    @Test
    void aTargetAtTheFirstPointHasNoPointBelowAndAnUnreachedTargetNone() {
        List<JsonNode> s = sweep(new double[] {10, 0.96, 9000}, new double[] {20, 0.98, 7000});
        assertThat(TargetBrackets.efs(s)).containsExactly(-1, 10, -1, -1, -1, -1);
    }

    @Test
    void readsTheSamePointsAsTheCurveAndAlsoTheFirstPointAboveWhenItMeasuredSlow() {
        // Noise: ef 80 measured faster than ef 40, so the curve's value at 0.95 is ef 80's; ef 20 and 24 tie in
        // recall below the target, and the faster of them is the other end of the interpolation. ef 40, the first
        // point above, is measured again too: its slow measurement is what made ef 80 the fastest.
        List<JsonNode> s = sweep(new double[] {20, 0.94, 6000}, new double[] {24, 0.94, 6500},
                new double[] {40, 0.96, 4000}, new double[] {80, 0.97, 4500});
        int[] slots = TargetBrackets.efs(s);
        assertThat(slots[0]).isEqualTo(24);
        assertThat(slots[1]).isEqualTo(40);
        assertThat(slots[2]).isEqualTo(80);
        List<double[]> curve = AnnBenchmark.points(JSON.createObjectNode().set("sweep",
                JSON.createArrayNode().addAll(s)));
        // The figure lies between the two picked points' QPS, so re-measuring them is what can move it.
        assertThat(AnnBenchmark.qpsAtRecall(curve, 0.95)).isBetween(4500.0, 6500.0).isEqualTo(5500.0);
    }
}
