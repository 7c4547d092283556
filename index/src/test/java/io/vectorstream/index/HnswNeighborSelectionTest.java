package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a back-link enters a neighbour's list: appended while the list has room, the list selected again when full. */
class HnswNeighborSelectionTest {
    private static final long A = 100;
    private static final long B = 101;
    private static final long C = 102;
    private static final long D = 103;
    private static final long E = 104;
    private static final long F = 105;

    /**
     * M 2 (4 on layer 0), 2-d: A at the origin, B to E on the positive x axis, F on the negative one. A's layer-0 list
     * is set to B, C, D, E: four neighbours in one direction, as back-links fill a list while it has room. F's own
     * list is A alone (A covers B to E from F), so F links back to A, whose list is full.
     */
    private static HnswIndex indexWithAFullOneSidedList() {
        HnswIndex index = new HnswIndex(HnswConfig.builder(2).maxConn(2).beamWidth(16).build(), 8);
        index.add(A, new float[] {0, 0});
        index.add(B, new float[] {1, 0});
        index.add(C, new float[] {2, 0});
        index.add(D, new float[] {3, 0});
        index.add(E, new float[] {4, 0});
        HnswGraph graph = index.graph();
        int[] list = {index.ordinalOf(B), index.ordinalOf(C), index.ordinalOf(D), index.ordinalOf(E)};
        graph.setNeighbors(index.ordinalOf(A), 0, list, new float[4], 4);
        graph.markEdgeDistancesStale(); // the distances above are placeholders: recomputed when the list is next used
        return index;
    }

    private static List<Long> layerZeroIds(HnswIndex index, long id) {
        HnswGraph graph = index.graph();
        int ord = index.ordinalOf(id);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < graph.neighborCount(ord, 0); i++) {
            ids.add(index.idAt(graph.neighbor(ord, 0, i)));
        }
        return ids;
    }

    @Test
    void aBackLinkIntoAFullListSelectsTheWholeListAgain() {
        HnswIndex index = indexWithAFullOneSidedList();
        assertThat(layerZeroIds(index, A)).containsExactly(B, C, D, E);

        index.add(F, new float[] {-1, 0});

        assertThat(layerZeroIds(index, F)).as("F's own list: A covers B to E").containsExactly(A);
        // Selected again over B, F, C, D, E (closest first, the tie at distance 1 by ordinal): B and F point in
        // opposite directions and stay, C, D and E are covered by B. Replacing one neighbour would have kept
        // B, F, C, D.
        assertThat(layerZeroIds(index, A)).containsExactly(B, F);
    }

    @Test
    void aListWithRoomTakesTheBackLinkWithoutASelection() {
        HnswIndex index = indexWithAFullOneSidedList();
        HnswGraph graph = index.graph();
        int a = index.ordinalOf(A);
        graph.setNeighbors(a, 0, new int[] {index.ordinalOf(B), index.ordinalOf(C)}, new float[2], 2);

        index.add(F, new float[] {-1, 0});

        // Room for two more: F joins in distance order, and C, which B covers, stays.
        assertThat(layerZeroIds(index, A)).containsExactly(B, F, C);
    }

    @Test
    void aChangeOfScorerPutsTheListBackInDistanceOrderAndReportsIt() {
        // The list is farthest first, as a scorer other than the one it was built with (the codes after int8
        // training) may order it. Left so, the selection below would walk F, E, D, C, B and keep F, E, C, B.
        HnswIndex index = indexWithAFullOneSidedList();
        HnswGraph graph = index.graph();
        int a = index.ordinalOf(A);
        int[] reversed = {index.ordinalOf(E), index.ordinalOf(D), index.ordinalOf(C), index.ordinalOf(B)};
        graph.setNeighbors(a, 0, reversed, new float[4], 4);
        List<Integer> changed = new ArrayList<>();
        index.setChangeListener(new IndexChangeListener() {
            @Override public void nodeChanged(int ord) { changed.add(ord); }
            @Override public void nodeRemoved(int ord) {}
            @Override public void metadataChanged() {}
        });

        graph.recomputeEdgeDistances(FloatVectorScorer.create(VectorMetric.L2, index.storedVectors()));

        assertThat(layerZeroIds(index, A)).containsExactly(B, C, D, E);
        assertThat(changed).as("a moved list is reported once, for the operators' copy").containsOnlyOnce(a);
        index.add(F, new float[] {-1, 0});
        assertThat(layerZeroIds(index, A)).containsExactly(B, F);
    }

    @Test
    void afterInt8TrainingEveryListHoldsTheCodesDistancesClosestFirst() {
        long seed = 77L;
        System.out.println("seed=" + seed);
        int n = 600;
        float[][] data = TestData.clustered(seed, n, 16, 8, 0.3);
        HnswIndex index = new HnswIndex(HnswConfig.builder(16).maxConn(4).quantization(Quantization.INT8)
                .quantizationTrainingSize(400).seed(seed).build(), n);
        for (int i = 0; i < n; i++) {
            index.add(i, data[i]);
        }
        HnswGraph graph = index.graph();
        VectorScorer codes = Int8VectorScorer.create(VectorMetric.L2, index.storedVectors());
        int checked = 0;
        for (int ord = 0; ord < index.ordinalBound(); ord++) {
            for (int l = 0; l <= graph.level(ord); l++) {
                for (int i = 0; i < graph.neighborCount(ord, l); i++) {
                    float d = graph.neighborDistance(ord, l, i);
                    assertThat(d).as("ord %d layer %d position %d", ord, l, i)
                            .isEqualTo(codes.distanceBetween(ord, graph.neighbor(ord, l, i)));
                    if (i > 0) {
                        assertThat(d).isGreaterThanOrEqualTo(graph.neighborDistance(ord, l, i - 1));
                    }
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(n * 4);
    }
}
