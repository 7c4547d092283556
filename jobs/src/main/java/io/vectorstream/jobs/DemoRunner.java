package io.vectorstream.jobs;

import io.vectorstream.index.VectorMath;
import io.vectorstream.operators.ConsistencyMode;
import io.vectorstream.operators.IndexMode;
import io.vectorstream.operators.VectorSearchConfig;
import io.vectorstream.schemas.Neighbor;
import io.vectorstream.schemas.NeighborResult;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The zero-setup demo: an embedded KRaft broker, a local Flink with RocksDB, Fashion-MNIST (or a synthetic
 * set) streamed through Kafka as vector events and then as queries, and a report of recall@10 against brute
 * force, ingest rate and end-to-end query latency. Not thread-safe; run once.
 */
public final class DemoRunner {
    /** Demo settings. */
    public static final class Options {
        public int vectors = 10_000;
        public int queries = 200;
        public int queriesPerSecond = 100;
        public int parallelism = 2;
        public int shards = 4;
        public int k = 10;
        public int efSearch = 100;
        public boolean synthetic;
        public int syntheticDimension = 64;
        public Duration timeout = Duration.ofMinutes(10);
        /** Transactional (exactly-once) Kafka sinks; false uses plain at-least-once sinks. */
        public boolean exactlyOnce = true;
    }

    /** What the demo measured. */
    public static final class Summary {
        public String dataset;
        public int vectors;
        public int dimension;
        public double ingestPerSecond;
        public double recallAt10;
        public double p50Millis;
        public double p99Millis;
        public int answered;
    }

    private final Options o;
    private final PrintStream out;
    private String lastProgress = "";

    public DemoRunner(Options options, PrintStream out) {
        this.o = options;
        this.out = out;
    }

    public Summary run() throws Exception {
        Datasets.Dataset data = o.synthetic ? Datasets.synthetic(7L, o.vectors, o.queries, o.syntheticDimension)
                : Datasets.fashionMnistOrSynthetic(o.vectors, o.queries);
        int n = data.base.length;
        int nq = data.queries.length;
        out.printf("VectorStream demo: %s, %d vectors x %d dims, %d queries; kernels %s%n",
                data.name, n, data.dimension(), nq, VectorMath.implementationName());
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            out.println("Kafka (embedded KRaft broker) at " + kafka.bootstrapServers());
            kafka.createTopics(2, "vectors", "queries", "results", "dead-letters");
            VectorSearchConfig search = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(o.shards)
                    .consistency(ConsistencyMode.PROCESSING).efSearch(o.efSearch).mergeTimeout(Duration.ofSeconds(30))
                    .build();
            // A fresh transactional-id prefix per run: two jobs in one JVM must never share one.
            PipelineSpec spec = PipelineSpec.builder(kafka.bootstrapServers()).search(search)
                    .transactionalIdPrefix("vectorstream-demo-" + Long.toHexString(System.nanoTime()))
                    .exactlyOnce(o.exactlyOnce).build();
            StreamExecutionEnvironment env = LocalFlink.environment(o.parallelism, "rocksdb", null,
                    Duration.ofSeconds(1), 0);
            VectorStreamPipeline.build(env, spec);
            JobClient job = env.executeAsync("vectorstream-demo");
            out.println("Flink job " + job.getJobID() + " running (local, RocksDB, parallelism " + o.parallelism
                    + ", " + o.shards + " shards)");
            try (VectorProducer producer = new VectorProducer(kafka.bootstrapServers(), PipelineSpec.Format.AVRO);
                 ResultConsumer<NeighborResult> results = new ResultConsumer<>(kafka.bootstrapServers(), "results",
                         NeighborResult.class, false)) {
                Summary s = new Summary();
                s.dataset = data.name;
                s.vectors = n;
                s.dimension = data.dimension();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    producer.send("vectors", VectorProducer.upsert("demo", i, data.base[i], Map.of(), i));
                    if (i % 500 == 0) {
                        progress("produce", i, n);
                    }
                }
                producer.flush();
                progress("produce", n, n);
                out.println();
                JobWatch watch = new JobWatch(job, 500);
                s.ingestPerSecond = n / waitUntilIndexed(producer, results, watch, n, data.queries[0], t0);
                Map<String, Long> sent = new ConcurrentHashMap<>();
                Map<String, NeighborResult> got = new HashMap<>();
                long[] latencyNanos = new long[nq];
                long interval = 1_000_000_000L / Math.max(1, o.queriesPerSecond);
                long start = System.nanoTime();
                int next = 0;
                long deadline = System.nanoTime() + o.timeout.toNanos();
                while (got.size() < nq && System.nanoTime() < deadline) {
                    watch.check();
                    // Fixed-rate sending, interleaved with reading answers.
                    while (next < nq && System.nanoTime() >= start + next * interval) {
                        String id = "q" + next;
                        sent.put(id, System.nanoTime());
                        producer.send("queries", VectorProducer.query(id, null, data.queries[next], o.k, n + next));
                        next++;
                    }
                    producer.flush();
                    results.poll(Duration.ofMillis(2), (r, at) -> {
                        Long t = sent.get(r.getQueryId());
                        if (t != null && !got.containsKey(r.getQueryId())) {
                            got.put(r.getQueryId(), r);
                            latencyNanos[Integer.parseInt(r.getQueryId().substring(1))] = at - t;
                        }
                    });
                    progress("query", got.size(), nq);
                }
                out.println();
                s.answered = got.size();
                long[] lat = IntStream.range(0, nq).filter(i -> got.containsKey("q" + i))
                        .mapToLong(i -> latencyNanos[i]).sorted().toArray();
                s.p50Millis = lat.length == 0 ? Double.NaN : lat[(int) (lat.length * 0.50)] / 1e6;
                s.p99Millis = lat.length == 0 ? Double.NaN : lat[Math.min(lat.length - 1, (int) (lat.length * 0.99))] / 1e6;
                s.recallAt10 = recall(data, got);
                out.printf("ingest: %.0f vectors/s (Kafka -> Flink RocksDB state + index)%n", s.ingestPerSecond);
                out.printf("recall@%d: %.4f against brute force (%d of %d queries answered)%n",
                        o.k, s.recallAt10, s.answered, nq);
                out.printf("end-to-end query latency (Kafka -> Flink -> Kafka, read_uncommitted): p50 %.1f ms, p99 %.1f ms%n",
                        s.p50Millis, s.p99Millis);
                return s;
            } finally {
                if (!job.getJobExecutionResult().isDone()) {
                    try {
                        job.cancel().get();
                    } catch (java.util.concurrent.ExecutionException | IllegalStateException e) {
                        // The job ended meanwhile (its local cluster shut down): nothing left to cancel.
                        out.println("note: cancelling the demo job: " + e);
                    }
                }
            }
        }
    }

    /** Sends probe queries until the merged answer reports every vector indexed; returns seconds since t0. */
    private double waitUntilIndexed(VectorProducer producer, ResultConsumer<NeighborResult> results, JobWatch watch,
                                    int n, float[] probe, long t0) throws InterruptedException {
        int[] indexed = {0};
        int round = 0;
        long deadline = System.nanoTime() + o.timeout.toNanos();
        while (indexed[0] < n) {
            watch.check();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("vectors were not all indexed within " + o.timeout + "; indexed="
                        + indexed[0] + " of " + n);
            }
            producer.send("queries", VectorProducer.query("probe-" + round++, null, probe, 1, 0));
            producer.flush();
            long until = System.nanoTime() + 250_000_000L;
            while (System.nanoTime() < until && indexed[0] < n) {
                results.poll(Duration.ofMillis(20), (r, at) -> {
                    if (r.getQueryId().startsWith("probe-") && r.getShardsAnswered() == r.getShardCount()) {
                        indexed[0] = Math.max(indexed[0], r.getIndexSize());
                    }
                });
            }
            progress("index", indexed[0], n);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.println();
        return seconds;
    }

    private static double recall(Datasets.Dataset data, Map<String, NeighborResult> got) {
        double sum = 0;
        int counted = 0;
        for (int q = 0; q < data.queries.length; q++) {
            NeighborResult r = got.get("q" + q);
            if (r == null) {
                continue;
            }
            float[] query = data.queries[q];
            Integer[] order = new Integer[data.base.length];
            float[] d = new float[data.base.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
                d[i] = VectorMath.squareDistance(query, data.base[i]);
            }
            Arrays.sort(order, (a, b) -> Float.compare(d[a], d[b]));
            int k = r.getNeighbors().size();
            int hit = 0;
            for (Neighbor nb : r.getNeighbors()) {
                for (int i = 0; i < k; i++) {
                    if (order[i] == nb.getId()) {
                        hit++;
                        break;
                    }
                }
            }
            sum += k == 0 ? 0 : (double) hit / k;
            counted++;
        }
        return counted == 0 ? 0 : sum / counted;
    }

    private void progress(String what, int done, int total) {
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) done * width / total);
        String line = String.format("\r%-8s [%s%s] %d/%d", what, "#".repeat(filled), " ".repeat(width - filled), done, total);
        if (!line.equals(lastProgress)) {
            out.print(line);
            out.flush();
            lastProgress = line;
        }
    }
}
