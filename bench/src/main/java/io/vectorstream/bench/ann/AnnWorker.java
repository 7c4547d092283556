package io.vectorstream.bench.ann;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorstream.bench.HeapMeter;
import io.vectorstream.index.HnswConfig;
import io.vectorstream.index.Quantization;
import io.vectorstream.index.VectorMetric;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Measures one library in this (fresh) JVM and prints one JSON line: build time with 1 and 2 threads, heap
 * after build, and per efSearch the single-thread QPS, recall@10 and p50/p99 latency, after a warm-up. The
 * harness paces the sweep point by point through {@link WorkerProtocol} (and may ask for points again after it);
 * with stdin closed (or at a terminal, ended with Ctrl-D) it runs the whole sweep at once.
 * Started by {@link AnnBenchmark}; args: library metric dataset base query limitBase limitQueries cacheDir efs m
 * efConstruction reach maxEf (the sweep: {@link SweepGrid}).
 */
public final class AnnWorker {
    private AnnWorker() {}

    static AnnLibrary library(String name, VectorMetric metric) {
        // Our index with a wider upper-layer beam (HnswConfig.upperBeamWidth): vectorstream[-int8]-ub<width>.
        java.util.regex.Matcher ub = java.util.regex.Pattern.compile("(vectorstream(?:-int8)?)-ub(\\d{1,2})").matcher(name);
        if (ub.matches()) {
            int width = Integer.parseInt(ub.group(2));
            if (width < 2 || width > HnswConfig.MAX_UPPER_BEAM_WIDTH) {
                throw new IllegalArgumentException("the upper beam width of " + ub.group(1) + "-ub<width> must be in [2, "
                        + HnswConfig.MAX_UPPER_BEAM_WIDTH + "] (1 is " + ub.group(1) + "); library=" + name);
            }
            return new VectorStreamLibrary(metric, ub.group(1).endsWith("int8") ? Quantization.INT8 : Quantization.NONE,
                    width);
        }
        switch (name) {
            case "vectorstream": return new VectorStreamLibrary(metric, Quantization.NONE);
            case "vectorstream-int8": return new VectorStreamLibrary(metric, Quantization.INT8);
            case "lucene": return new LuceneLibrary(metric);
            case "lucene-int7": return new LuceneQuantizedLibrary(metric);
            case "jvector": return new JVectorLibrary(metric);
            case "jvector-panama": return JVectorLibrary.withProvider("panama", metric);
            case "jvector-native": return JVectorLibrary.withProvider("native", metric);
            case "hnswlib": return new HnswlibLibrary(metric);
            default: throw new IllegalArgumentException("library must be one of [vectorstream, vectorstream-int8, "
                    + "vectorstream-ub<width>, vectorstream-int8-ub<width>, "
                    + "lucene, lucene-int7, jvector, jvector-panama, jvector-native, hnswlib] (usearch and hnswlib-native run in Node); library=" + name);
        }
    }

    public static void main(String[] a) throws Exception {
        VectorMetric metric = VectorMetric.parse(a[1]);
        BenchData data = BenchData.load(a[2], a[3].equals("-") ? null : Paths.get(a[3]),
                a[4].equals("-") ? null : Paths.get(a[4]), Integer.parseInt(a[5]), Integer.parseInt(a[6]), metric,
                Path.of(a[7]));
        GraphParams params = new GraphParams(Integer.parseInt(a[9]), Integer.parseInt(a[10]));
        SweepGrid grid = SweepGrid.parse(a[8], Double.parseDouble(a[11]), Integer.parseInt(a[12]));
        int[] efs = grid.efs();
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        out.put("jdk", Runtime.version().toString());

        // Two threads first (a throw-away build that also warms the JIT), then the measured one-thread build.
        AnnLibrary lib = library(a[0], metric);
        out.put("library", lib.name());
        if (lib.buildsConcurrently()) {
            long t = System.nanoTime();
            lib.build(data.base, 2, params);
            out.put("build2Seconds", (System.nanoTime() - t) / 1e9);
        }
        lib = null;
        long heapBefore = HeapMeter.settledUsedBytes();
        AnnLibrary one = library(a[0], metric);
        long t = System.nanoTime();
        one.build(data.base, 1, params);
        out.put("build1Seconds", (System.nanoTime() - t) / 1e9);
        out.put("heapBytes", HeapMeter.settledUsedBytes() - heapBefore);

        int k = 10;
        int[] ids = new int[k];
        // Warm-up: every query twice at a mid efSearch.
        for (int w = 0; w < 2; w++) {
            for (float[] q : data.queries) {
                one.search(q, k, 40, ids);
            }
        }
        ArrayNode sweep = out.putArray("sweep");
        PointMeter meter = new PointMeter(one, data, k, json);
        // The harness schedules the points (see WorkerProtocol): one per NEXT line, so it can interleave libraries
        // point by point; at the end of input the rest of the sweep runs at once.
        WorkerProtocol turns = WorkerProtocol.onStdin(a[0]);
        turns.ready();
        for (int ef = efs[0]; ef > 0; ) {
            turns.awaitNext();
            ObjectNode p = meter.measure(ef);
            sweep.add(p);
            turns.point(json.writeValueAsString(p));
            ef = grid.next(ef, p.get("recall").asDouble());
        }
        turns.sweepOver();
        // Points the harness measures once more, side by side with the other libraries' (around each recall target).
        for (int ef; (ef = turns.awaitAgainOrReport()) > 0; ) {
            ObjectNode p = meter.measure(ef);
            p.put("again", true);
            sweep.add(p);
            turns.point(json.writeValueAsString(p));
        }
        turns.report(json.writeValueAsString(out));
    }

    static double recallAt10(int[] truth, int[] got, int n) {
        int hit = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 10; j++) {
                if (truth[j] == got[i]) {
                    hit++;
                    break;
                }
            }
        }
        return hit / 10.0;
    }
}
