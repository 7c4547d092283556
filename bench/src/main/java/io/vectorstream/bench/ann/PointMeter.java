package io.vectorstream.bench.ann;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;

/**
 * Measures one sweep point of a built library in the worker: waits for the machine to be quiet, runs every query
 * once at the given efSearch on this thread, and returns the point's JSON (QPS, recall@10, p50/p99 latency, the other
 * processes' CPU, and where the time went as far as the library reports it). Reuses its latency buffer. Not
 * thread-safe: used by the worker's main thread.
 */
final class PointMeter {
    private final AnnLibrary library;
    private final BenchData data;
    private final int k;
    private final ObjectMapper json;
    private final int[] ids;
    private final long[] latencies;
    private final MachineLoad load = new MachineLoad();

    PointMeter(AnnLibrary library, BenchData data, int k, ObjectMapper json) {
        this.library = library;
        this.data = data;
        this.k = k;
        this.json = json;
        this.ids = new int[k];
        this.latencies = new long[data.queries.length];
    }

    /** Measures every query at {@code ef}; the returned point is new (the caller adds it to its report). */
    ObjectNode measure(int ef) throws Exception {
        double quietBefore = load.awaitQuiet(0.25, 10_000);
        SearchWork work = library.work();
        if (work != null) {
            work.reset();
        }
        double recall = 0;
        load.start();
        long start = System.nanoTime();
        for (int i = 0; i < data.queries.length; i++) {
            long q0 = System.nanoTime();
            int n = library.search(data.queries[i], k, ef, ids);
            latencies[i] = System.nanoTime() - q0;
            recall += AnnWorker.recallAt10(data.truth[i], ids, n);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        ObjectNode p = json.createObjectNode();
        p.put("ef", ef);
        p.put("qps", data.queries.length / seconds);
        p.put("recall", recall / data.queries.length);
        p.put("p50Micros", sorted[sorted.length / 2] / 1e3);
        p.put("p99Micros", sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))] / 1e3);
        p.put("foreignCores", load.foreignCores());
        p.put("foreignCoresBefore", quietBefore);
        if (work != null) {
            p.put("distances", work.distancesPerQuery());
            p.put("reranked", work.rerankedPerQuery());
            p.put("expanded", work.expandedPerQuery());
            p.put("vectorKib", work.vectorKibPerQuery());
        }
        return p;
    }
}
