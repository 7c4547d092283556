package io.vectorstream.operators;

import static io.vectorstream.operators.OperatorTestSupport.harness;
import static io.vectorstream.operators.OperatorTestSupport.results;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorstream.index.Quantization;
import io.vectorstream.index.VectorMath;
import io.vectorstream.operators.OperatorTestSupport.Backend;
import io.vectorstream.operators.internal.KeyIndexStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * vectorsOnHeap false on RocksDB: the cached index holds the graph and int8 codes, exact re-ranking reads the
 * float vectors from keyed state; answers stay right through updates, deletes and a restore.
 */
class VectorsOffHeapTest {
    static final int DIM = 64;
    static final int N = 3_000;

    static VectorSearchConfig config(boolean onHeap) {
        return VectorSearchConfig.builder().quantization(Quantization.INT8).vectorsOnHeap(onHeap).efSearch(64)
                .build();
    }

    static KeyIndexStore store(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h) {
        return ((VectorIndexOperator) h.getOperator()).function().store();
    }

    @Test
    void answersMatchBruteForceAndTheHeapHoldsNoFloats() throws Exception {
        long seed = 9_001L;
        System.out.println("seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            vectors.add(OperatorTestSupport.vector(r, DIM));
        }
        List<float[]> queries = new ArrayList<>();
        for (int q = 0; q < 100; q++) {
            queries.add(OperatorTestSupport.vector(r, DIM));
        }
        long bytesOnHeap;
        try (var h = harness(config(true), Backend.ROCKSDB, 1, 0)) {
            h.open();
            for (int i = 0; i < N; i++) {
                h.processElement1(VectorEvent.upsert("k", i, vectors.get(i), Map.of(), 1L), 1L);
            }
            bytesOnHeap = store(h).cacheBytes();
        }
        OperatorSubtaskState snapshot;
        try (var h = harness(config(false), Backend.ROCKSDB, 1, 0)) {
            h.open();
            for (int i = 0; i < N; i++) {
                h.processElement1(VectorEvent.upsert("k", i, vectors.get(i), Map.of(), 1L), 1L);
            }
            long bytesOffHeap = store(h).cacheBytes();
            assertThat(bytesOnHeap - bytesOffHeap).as("heap bytes: floats on the heap %d, off %d", bytesOnHeap,
                    bytesOffHeap).isGreaterThan((long) (0.9 * N * DIM * Float.BYTES));
            // An update moves id 0 next to the first query; a delete takes id 1 out.
            vectors.set(0, queries.get(0).clone());
            h.processElement1(VectorEvent.upsert("k", 0, vectors.get(0), Map.of(), 2L), 2L);
            h.processElement1(VectorEvent.delete("k", 1, 2L), 2L);
            vectors.set(1, null);
            askAll(h, queries);
            List<QueryResult> out = results(h);
            assertRecall(out, vectors, queries);
            assertThat(out.get(0).ids()[0]).isEqualTo(0L);
            assertThat(out.get(0).distances()[0]).isZero();
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(config(false), Backend.ROCKSDB, 1, 0)) {
            h.initializeState(snapshot);
            h.open();
            askAll(h, queries);
            assertRecall(results(h), vectors, queries);
        }
    }

    @Test
    void vectorsOffTheHeapNeedInt8() {
        assertThatThrownBy(() -> VectorSearchConfig.builder().vectorsOnHeap(false).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vectorsOnHeap may be false only with quantization int8 (the heap keeps the int8 codes to "
                        + "search); quantization=none");
    }

    private static void askAll(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h,
                               List<float[]> queries) throws Exception {
        h.getOutput().clear();
        for (int q = 0; q < queries.size(); q++) {
            h.processElement2(new VectorQuery("q" + q, "k", queries.get(q), 10, 0, null, 3L), 3L);
        }
    }

    /** recall@10 >= 0.95 against brute force, and every distance the exact float one. */
    private static void assertRecall(List<QueryResult> out, List<float[]> vectors, List<float[]> queries) {
        assertThat(out).hasSize(queries.size());
        double hits = 0;
        for (QueryResult res : out) {
            float[] q = queries.get(Integer.parseInt(res.queryId().substring(1)));
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < vectors.size(); i++) {
                if (vectors.get(i) != null) {
                    order.add(i);
                }
            }
            order.sort(Comparator.comparingDouble(i -> VectorMath.squareDistance(q, vectors.get(i))));
            List<Long> truth = order.subList(0, 10).stream().map(Integer::longValue).toList();
            for (int j = 0; j < res.ids().length; j++) {
                assertThat(res.distances()[j]).isCloseTo(VectorMath.squareDistance(q, vectors.get((int) res.ids()[j])),
                        org.assertj.core.data.Offset.offset(1e-3f));
                if (truth.contains(res.ids()[j])) {
                    hits++;
                }
            }
        }
        assertThat(hits / (10.0 * out.size())).as("recall@10").isGreaterThanOrEqualTo(0.95);
    }
}
