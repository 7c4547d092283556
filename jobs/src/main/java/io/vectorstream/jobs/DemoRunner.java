package io.vectorstream.jobs;

import io.vectorstream.index.Quantization;
import io.vectorstream.index.VectorMath;
import io.vectorstream.operators.ConsistencyMode;
import io.vectorstream.operators.IndexMode;
import io.vectorstream.operators.VectorSearchConfig;
import io.vectorstream.schemas.Neighbor;
import io.vectorstream.schemas.NeighborResult;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The zero-setup demo: an embedded KRaft broker, a local Flink with RocksDB, Fashion-MNIST (or a synthetic
 * set) streamed through Kafka as vector events and then as queries at a fixed rate, and a report of recall@k
 * against brute force, ingest rate and end-to-end query latency. Not thread-safe; run once.
 *
 * <p>Latency is measured without coordinated omission: query {@code i} is due at {@code start + i / rate} and
 * its latency runs from that due time (not from when a late sender got round to it) to the moment a consumer
 * thread receives its answer. Two consumers measure it: one {@code read_uncommitted} (the answer was written
 * to Kafka) and, with exactly-once sinks, one {@code read_committed} (the checkpoint that commits the answer
 * completed, so it is bounded below by the checkpoint interval). The first {@code warmupQueries} are sent the
 * same way but left out of the figures while the JIT and caches warm up.
 */
public final class DemoRunner {
    /** Demo settings. */
    public static final class Options {
        public int vectors = 10_000;
        /** Measured queries (after the warm-up ones). */
        public int queries = 1_000;
        /** Queries sent first at the same rate and left out of the figures; negative for a tenth of {@link #queries}. */
        public int warmupQueries = -1;
        public int queriesPerSecond = 100;
        public int parallelism = 2;
        /** Shards of the global index; 0 for the parallelism rounded up to a power of two. */
        public int shards = 0;
        public int k = 10;
        public int efSearch = 100;
        public Quantization quantization = Quantization.NONE;
        public boolean synthetic;
        public int syntheticDimension = 64;
        public Duration timeout = Duration.ofMinutes(10);
        public Duration checkpointInterval = Duration.ofSeconds(1);
        /** {@code rocksdb} or {@code hashmap}. */
        public String stateBackend = "rocksdb";
        /** Network buffer timeout; zero ships each record at once. */
        public Duration bufferTimeout = Duration.ZERO;
        /** Transactional (exactly-once) Kafka sinks; false uses plain at-least-once sinks. */
        public boolean exactlyOnce = true;
        /** If set, each measured query's due time and latencies (ms) are written there as CSV. */
        public java.nio.file.Path latencyCsv;
        /** Queries whose recall is checked against brute force (the first ones measured). */
        public int recallQueries = 500;
        /**
         * A running Kafka to use instead of starting the embedded broker in this JVM; the demo then creates
         * its own run-unique topics there (and leaves them).
         */
        public String bootstrap;
        /** Settings for the embedded broker that override its defaults. */
        public Map<String, String> brokerConfig = Map.of();
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
        public double p999Millis;
        public double maxMillis;
        /**
         * Kafka -> Flink -> Kafka alone: from the broker's append of a query to its append of the answer (both
         * broker timestamps, 1 ms resolution), so without the load generator's send and the reader's fetch.
         */
        public double pipelineP50Millis;
        public double pipelineP99Millis;
        public double pipelineP999Millis;
        /** Latency until visible to read_committed consumers; NaN with at-least-once sinks. */
        public double committedP50Millis = Double.NaN;
        public double committedP99Millis = Double.NaN;
        /** Answers read_uncommitted saw that never became visible to read_committed (exactly-once sinks). */
        public int committedMissing;
        /** Measured queries answered (warm-up ones excluded). */
        public int answered;
        /** Queries per second the sender achieved while measuring. */
        public double sentPerSecond;
    }

    private final Options o;
    private final PrintStream out;
    private long lastProgressNanos;
    private String lastProgress = "";

    public DemoRunner(Options options, PrintStream out) {
        this.o = options;
        this.out = out;
    }

    public Summary run() throws Exception {
        int warmup = o.warmupQueries >= 0 ? o.warmupQueries : o.queries / 10;
        int total = warmup + o.queries;
        Datasets.Dataset data = o.synthetic ? Datasets.synthetic(7L, o.vectors, o.queries, o.syntheticDimension)
                : Datasets.fashionMnistOrSynthetic(o.vectors, o.queries);
        int n = data.base.length;
        // A power of two divides the max parallelism (128), so the shards spread evenly (VectorSearchOptions.SHARDS).
        int shards = o.shards > 0 ? o.shards : Integer.highestOneBit(Math.max(1, 2 * o.parallelism - 1));
        out.printf("VectorStream demo: %s, %d vectors x %d dims, %d queries (+%d warm-up) at %d/s; kernels %s%n",
                data.name, n, data.dimension(), o.queries, warmup, o.queriesPerSecond, VectorMath.implementationName());
        // Its own topics per run on an external broker, so earlier runs' records never mix into this one.
        String suffix = o.bootstrap == null ? "" : "-" + Long.toHexString(System.nanoTime());
        String vectorsTopic = "vectors" + suffix;
        String queriesTopic = "queries" + suffix;
        String resultsTopic = "results" + suffix;
        try (EmbeddedKafka embedded = o.bootstrap == null ? EmbeddedKafka.start(o.brokerConfig) : null) {
            String bootstrap = embedded != null ? embedded.bootstrapServers() : o.bootstrap;
            out.println(embedded != null ? "Kafka (embedded KRaft broker) at " + bootstrap
                    : "Kafka at " + bootstrap + ", topics " + vectorsTopic + ", " + queriesTopic + ", " + resultsTopic);
            EmbeddedKafka.createTopics(bootstrap, 2, vectorsTopic, "dead-letters" + suffix);
            // The broker stamps queries and answers as it appends them, which times Kafka -> Flink -> Kafka alone.
            EmbeddedKafka.createTopics(bootstrap, 2, Map.of("message.timestamp.type", "LogAppendTime"), queriesTopic,
                    resultsTopic);
            VectorSearchConfig search = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(shards).dimension(data.dimension())
                    .consistency(ConsistencyMode.PROCESSING).efSearch(o.efSearch).quantization(o.quantization)
                    .mergeTimeout(Duration.ofSeconds(30)).cacheMaxBytes(cacheBudget(n, data.dimension(), shards,
                            o.parallelism)).build();
            // A fresh transactional-id prefix per run: two jobs in one JVM must never share one.
            PipelineSpec spec = PipelineSpec.builder(bootstrap).search(search)
                    .topics(vectorsTopic, queriesTopic, resultsTopic, "dead-letters" + suffix)
                    .transactionalIdPrefix("vectorstream-demo-" + Long.toHexString(System.nanoTime()))
                    .exactlyOnce(o.exactlyOnce).build();
            StreamExecutionEnvironment env = LocalFlink.environment(o.parallelism, o.stateBackend, null,
                    o.checkpointInterval, 0, o.bufferTimeout);
            VectorStreamPipeline.build(env, spec);
            JobClient job = env.executeAsync("vectorstream-demo");
            out.println("Flink job " + job.getJobID() + " running (local, " + o.stateBackend + ", parallelism " + o.parallelism
                    + ", " + shards + " shards, " + (o.exactlyOnce ? "exactly-once" : "at-least-once") + " sinks)");
            try (VectorProducer bulk = new VectorProducer(bootstrap, PipelineSpec.Format.AVRO);
                 VectorProducer queries = new VectorProducer(bootstrap, PipelineSpec.Format.AVRO, true);
                 ResultConsumer<NeighborResult> written = new ResultConsumer<>(bootstrap, resultsTopic,
                         NeighborResult.class, false)) {
                Summary s = new Summary();
                s.dataset = data.name;
                s.vectors = n;
                s.dimension = data.dimension();
                JobWatch watch = new JobWatch(job, 500);
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    bulk.send(vectorsTopic, VectorProducer.upsert("demo", i, data.base[i], Map.of(), i));
                    if (i % 500 == 0) {
                        progress("produce", i, n);
                    }
                }
                bulk.flush();
                progress("produce", n, n);
                out.println();
                s.ingestPerSecond = n / waitUntilIndexed(bulk, queriesTopic, written, watch, n, data.queries[0], t0);
                measureQueries(data, warmup, total, queries, queriesTopic, written, resultsTopic, watch, bootstrap, s);
                report(s, warmup);
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

    /** Sends {@code total} queries at the fixed rate from a sender thread and times their answers. */
    private void measureQueries(Datasets.Dataset data, int warmup, int total, VectorProducer producer,
                                String queriesTopic, ResultConsumer<NeighborResult> written, String resultsTopic,
                                JobWatch watch, String bootstrap, Summary s)
            throws Exception {
        int nq = data.queries.length;
        long interval = 1_000_000_000L / Math.max(1, o.queriesPerSecond);
        long start = System.nanoTime() + 50_000_000L;
        long[] writtenAt = new long[total];
        AtomicLongArray queryAppendedMs = new AtomicLongArray(total);
        long[] answerAppendedMs = new long[total];
        long[] committedAt = new long[total];
        NeighborResult[] answers = new NeighborResult[Math.min(o.recallQueries, o.queries)];
        AtomicInteger sent = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Exception> sendFailure = new java.util.concurrent.atomic.AtomicReference<>();
        long[] sendEnd = new long[1];
        Thread sender = new Thread(() -> {
            for (int i = 0; i < total; i++) {
                long due = start + i * interval;
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                int query = i;
                producer.send(queriesTopic, VectorProducer.query("q" + i, null, data.queries[i % nq], o.k, 0),
                        (md, e) -> {
                            if (e != null) {
                                sendFailure.compareAndSet(null, e);
                            } else {
                                queryAppendedMs.set(query, md.timestamp());
                            }
                        });
                sent.incrementAndGet();
            }
            producer.flush();
            sendEnd[0] = System.nanoTime();
        }, "demo-query-sender");
        CommittedReader committed = o.exactlyOnce ? new CommittedReader(bootstrap, resultsTopic, total, committedAt) : null;
        long deadline = System.nanoTime() + o.timeout.toNanos();
        int[] got = {0};
        // Once every answer is written, the committed reader needs at most a checkpoint or two; waiting longer
        // means an answer was never committed, which is reported instead of waiting out the whole timeout.
        long committedGrace = 3 * o.checkpointInterval.toNanos() + 30_000_000_000L;
        long allWrittenAt = 0;
        sender.start();
        if (committed != null) {
            committed.start();
        }
        try {
            while ((got[0] < total || (committed != null && !committed.done())) && System.nanoTime() < deadline) {
                if (got[0] == total) {
                    allWrittenAt = allWrittenAt == 0 ? System.nanoTime() : allWrittenAt;
                    if (System.nanoTime() - allWrittenAt > committedGrace) {
                        break;
                    }
                }
                watch.check();
                if (sendFailure.get() != null) {
                    throw new IllegalStateException("a query could not be sent: " + sendFailure.get(), sendFailure.get());
                }
                written.poll(Duration.ofMillis(50), (r, at, appendedMs) -> {
                    int i = queryIndex(r.getQueryId());
                    if (i >= 0 && i < total && writtenAt[i] == 0) {
                        writtenAt[i] = at;
                        answerAppendedMs[i] = appendedMs;
                        got[0]++;
                        if (i >= warmup && i - warmup < answers.length) {
                            answers[i - warmup] = r;
                        }
                    }
                });
                progress("query", Math.min(got[0], sent.get()), total);
            }
            out.println();
            if (got[0] < total) {
                out.println("unanswered at the deadline: " + unanswered(writtenAt, 10) + (got[0] < total - 10 ? " ..." : ""));
            }
        } finally {
            sender.interrupt();
            sender.join(10_000);
            if (committed != null) {
                committed.stopAndJoin();
            }
        }
        if (committed != null) {
            int[] missing = IntStream.range(0, total).filter(i -> writtenAt[i] != 0 && committedAt[i] == 0).toArray();
            s.committedMissing = missing.length;
            if (missing.length > 0) {
                out.println("written but never visible to read_committed: " + missing.length + " answers, e.g. "
                        + Arrays.stream(missing).limit(10).mapToObj(i -> "q" + i).collect(Collectors.joining(", ")));
            }
        }
        s.sentPerSecond = sendEnd[0] == 0 ? Double.NaN : (total - warmup) * 1e9 / (sendEnd[0] - start - warmup * interval);
        long[] lat = latencies(writtenAt, warmup, total, start, interval);
        s.answered = lat.length;
        s.p50Millis = percentile(lat, 0.50);
        s.p99Millis = percentile(lat, 0.99);
        s.p999Millis = percentile(lat, 0.999);
        s.maxMillis = lat.length == 0 ? Double.NaN : lat[lat.length - 1] / 1e6;
        long[] pipeline = IntStream.range(warmup, total)
                .filter(i -> answerAppendedMs[i] != 0 && queryAppendedMs.get(i) != 0)
                .mapToLong(i -> (answerAppendedMs[i] - queryAppendedMs.get(i)) * 1_000_000L).sorted().toArray();
        s.pipelineP50Millis = percentile(pipeline, 0.50);
        s.pipelineP99Millis = percentile(pipeline, 0.99);
        s.pipelineP999Millis = percentile(pipeline, 0.999);
        if (committed != null) {
            long[] c = latencies(committedAt, warmup, total, start, interval);
            s.committedP50Millis = percentile(c, 0.50);
            s.committedP99Millis = percentile(c, 0.99);
        }
        s.recallAt10 = recall(data, warmup, answers);
        if (o.latencyCsv != null) {
            writeCsv(o.latencyCsv, writtenAt, committedAt, queryAppendedMs, answerAppendedMs, warmup, total, start, interval);
        }
    }

    private static void writeCsv(java.nio.file.Path file, long[] writtenAt, long[] committedAt,
                                 AtomicLongArray queryAppendedMs, long[] answerAppendedMs,
                                 int warmup, int total, long start, long interval) throws java.io.IOException {
        try (PrintStream csv = new PrintStream(java.nio.file.Files.newOutputStream(file), false,
                java.nio.charset.StandardCharsets.UTF_8)) {
            csv.println("query,due_ms,written_ms,committed_ms,kafka_flink_kafka_ms");
            for (int i = warmup; i < total; i++) {
                long due = start + i * interval;
                boolean appended = answerAppendedMs[i] != 0 && queryAppendedMs.get(i) != 0;
                csv.printf(java.util.Locale.ROOT, "%d,%.3f,%s,%s,%s%n", i, (due - start) / 1e6,
                        writtenAt[i] == 0 ? "" : String.format(java.util.Locale.ROOT, "%.3f", (writtenAt[i] - due) / 1e6),
                        committedAt[i] == 0 ? "" : String.format(java.util.Locale.ROOT, "%.3f", (committedAt[i] - due) / 1e6),
                        appended ? Long.toString(answerAppendedMs[i] - queryAppendedMs.get(i)) : "");
            }
        }
    }

    private void report(Summary s, int warmup) {
        out.printf("ingest: %.0f vectors/s (Kafka -> Flink %s state + index)%n", s.ingestPerSecond, o.stateBackend);
        out.printf("recall@%d: %.4f against brute force (first %d measured queries)%n",
                o.k, s.recallAt10, Math.min(o.recallQueries, o.queries));
        out.printf("queries: %d of %d answered (after %d warm-up), sent at %.0f/s%n",
                s.answered, o.queries, warmup, s.sentPerSecond);
        out.printf("end-to-end query latency (Kafka -> Flink -> Kafka, written): p50 %.1f ms, p99 %.1f ms, "
                + "p99.9 %.1f ms, max %.1f ms%n", s.p50Millis, s.p99Millis, s.p999Millis, s.maxMillis);
        out.printf("  of which Kafka -> Flink -> Kafka alone (broker append of the query to broker append of the "
                + "answer, 1 ms resolution): p50 %.0f ms, p99 %.0f ms, p99.9 %.0f ms%n", s.pipelineP50Millis,
                s.pipelineP99Millis, s.pipelineP999Millis);
        if (o.exactlyOnce) {
            out.printf("visible to read_committed consumers (after the checkpoint commit, interval %d ms): "
                    + "p50 %.1f ms, p99 %.1f ms%n", o.checkpointInterval.toMillis(), s.committedP50Millis,
                    s.committedP99Millis);
        }
    }

    /** Latencies in ns of the measured queries that were answered, sorted. */
    private static long[] latencies(long[] at, int warmup, int total, long start, long interval) {
        return java.util.stream.IntStream.range(warmup, total).filter(i -> at[i] != 0)
                .mapToLong(i -> at[i] - (start + i * interval)).sorted().toArray();
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
    }

    private static String unanswered(long[] at, int max) {
        return java.util.stream.IntStream.range(0, at.length).filter(i -> at[i] == 0).limit(max)
                .mapToObj(i -> "q" + i).collect(java.util.stream.Collectors.joining(", "));
    }

    private static int queryIndex(String id) {
        if (!id.startsWith("q")) {
            return -1;
        }
        try {
            return Integer.parseInt(id, 1, id.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Reads the results topic read_committed on its own thread, recording when each answer became visible. */
    private static final class CommittedReader extends Thread {
        private final String bootstrap;
        private final String topic;
        private final int total;
        private final long[] at;
        private final AtomicInteger seen = new AtomicInteger();
        private volatile boolean stop;
        private volatile RuntimeException failure;

        CommittedReader(String bootstrap, String topic, int total, long[] at) {
            super("demo-committed-reader");
            this.bootstrap = bootstrap;
            this.topic = topic;
            this.total = total;
            this.at = at;
        }

        @Override
        public void run() {
            try (ResultConsumer<NeighborResult> c = new ResultConsumer<>(bootstrap, topic, NeighborResult.class, true)) {
                while (!stop && seen.get() < total) {
                    c.poll(Duration.ofMillis(50), (r, when) -> {
                        int i = queryIndex(r.getQueryId());
                        if (i >= 0 && i < total && at[i] == 0) {
                            at[i] = when;
                            seen.incrementAndGet();
                        }
                    });
                }
            } catch (RuntimeException e) {
                // Kept for the main thread, which reports it with its cause (see done()).
                failure = e;
            }
        }

        boolean done() {
            if (failure != null) {
                throw new IllegalStateException("the read_committed reader failed: " + failure, failure);
            }
            return seen.get() >= total;
        }

        /** Stops the thread; its array is safe to read afterwards (join gives happens-before). */
        void stopAndJoin() throws InterruptedException {
            stop = true;
            join(30_000);
        }
    }

    /** Sends probe queries until the merged answer reports every vector indexed; returns seconds since t0. */
    private double waitUntilIndexed(VectorProducer producer, String queriesTopic, ResultConsumer<NeighborResult> results,
                                    JobWatch watch, int n, float[] probe, long t0) throws InterruptedException {
        int[] indexed = {0};
        int round = 0;
        long deadline = System.nanoTime() + o.timeout.toNanos();
        while (indexed[0] < n) {
            watch.check();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("vectors were not all indexed within " + o.timeout + "; indexed="
                        + indexed[0] + " of " + n);
            }
            producer.send(queriesTopic, VectorProducer.query("probe-" + round++, null, probe, 1, 0));
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

    /** Mean recall@k of the answers against an exact scan (answers[j] is measured query j). */
    private static double recall(Datasets.Dataset data, int warmup, NeighborResult[] answers) {
        double sum = 0;
        int counted = 0;
        float[] d = new float[data.base.length];
        for (int j = 0; j < answers.length; j++) {
            NeighborResult r = answers[j];
            if (r == null) {
                continue;
            }
            float[] query = data.queries[(warmup + j) % data.queries.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = VectorMath.squareDistance(query, data.base[i]);
            }
            int k = r.getNeighbors().size();
            if (k == 0) {
                counted++;
                continue;
            }
            // The k-th smallest exact distance: an answer within it is a true neighbour (ties count as hits).
            float[] sorted = d.clone();
            Arrays.sort(sorted);
            float kth = sorted[k - 1];
            int hit = 0;
            for (Neighbor nb : r.getNeighbors()) {
                if (d[(int) nb.getId()] <= kth) {
                    hit++;
                }
            }
            sum += (double) hit / k;
            counted++;
        }
        return counted == 0 ? 0 : sum / counted;
    }

    /**
     * A per-subtask index-cache budget that holds every shard the subtask owns. The cache keeps whole key
     * indexes, so a budget below the working set evicts and reloads a shard from state on almost every event
     * (with 60k 784-d vectors in two shards on one subtask, the 256 MiB default stalled ingest at ~47k).
     */
    static long cacheBudget(int vectors, int dimension, int shards, int parallelism) {
        int shardsPerSubtask = (shards + parallelism - 1) / parallelism;
        // float vector + int8 copy + neighbour lists and bookkeeping, with headroom for uneven shards.
        long perVector = 5L * dimension + 512;
        long needed = 2 * perVector * ((long) vectors * shardsPerSubtask / Math.max(1, shards) + 1);
        return Math.max(256L << 20, needed);
    }

    private void progress(String what, int done, int total) {
        // At most ~10 redraws a second (and always the last): redrawing per answer cost the demo's consumer
        // thread a tenth of a core at 1,000 queries/s, on the same two cores as the pipeline it measures.
        long now = System.nanoTime();
        if (done < total && now - lastProgressNanos < 100_000_000L) {
            return;
        }
        lastProgressNanos = now;
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
