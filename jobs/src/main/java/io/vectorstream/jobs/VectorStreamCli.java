package io.vectorstream.jobs;

import io.vectorstream.connectors.JsonCodecs;
import io.vectorstream.connectors.RecordCodec;
import io.vectorstream.index.Quantization;
import io.vectorstream.index.VectorMetric;
import io.vectorstream.operators.ConsistencyMode;
import io.vectorstream.operators.IndexMode;
import io.vectorstream.operators.VectorSearchConfig;
import io.vectorstream.schemas.Neighbor;
import io.vectorstream.schemas.NeighborResult;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import io.vectorstream.operators.VectorSearchOptions;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Properties;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code vectorstream} command line: run, demo, produce, query, broker. */
@Command(name = "vectorstream", mixinStandardHelpOptions = true, version = "VectorStream 0.1.0",
        description = "Real-time nearest-neighbour search inside Apache Flink.",
        subcommands = {VectorStreamCli.Run.class, VectorStreamCli.Demo.class, VectorStreamCli.Produce.class,
                VectorStreamCli.Query.class, VectorStreamCli.Unregister.class, VectorStreamCli.Broker.class})
public final class VectorStreamCli implements Callable<Integer> {

    /**
     * Runs a command. Never exits the JVM on success: under {@code flink run} and in application mode this JVM is
     * Flink's client or JobManager. A failing {@code run} throws (Flink then fails the program; a JVM of its own
     * exits non-zero); the other commands own their JVM and exit non-zero.
     */
    public static void main(String[] args) {
        int code = execute(args);
        if (code == 0) {
            return;
        }
        if (args.length > 0 && "run".equals(args[0])) {
            // run may be inside Flink's client or JobManager (application mode): fail the program, not the JVM.
            throw new IllegalStateException("vectorstream run failed with exit code " + code
                    + "; its cause is printed above");
        }
        System.exit(code);
    }

    /** Runs the CLI and returns its exit code (for tests). */
    public static int execute(String... args) {
        return new CommandLine(new VectorStreamCli()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    /**
     * Runs the job against your Kafka, locally (a MiniCluster in this JVM) or, under {@code flink run} and in
     * application mode, on the cluster. Every setting is a Flink configuration key (config.yaml, {@code -D}); a
     * flag overrides only the key it names, and parallelism, restarts and checkpointing stay the cluster's unless
     * a flag sets them.
     */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run the VectorStream job: Kafka vectors + queries in, results + dead letters out. Settings "
                    + "come from the Flink configuration (vectorstream.* keys, see VectorSearchOptions and "
                    + "VectorStreamJobOptions); each flag overrides one key.")
    static final class Run implements Callable<Integer> {
        @Option(names = {"-D", "--conf"}, description = "Any Flink or vectorstream.* setting, repeatable, e.g. "
                + "-D vectorstream.hnsw.ef-search=100.") Map<String, String> conf = new LinkedHashMap<>();
        @CommandLine.Mixin KafkaClientOptions kafka = new KafkaClientOptions();
        @Option(names = "--bootstrap", description = "Kafka bootstrap servers (vectorstream.kafka.bootstrap-servers).")
        String bootstrap;
        @Option(names = "--vectors-topic") String vectorsTopic;
        @Option(names = "--queries-topic") String queriesTopic;
        @Option(names = "--results-topic") String resultsTopic;
        @Option(names = "--dead-letters-topic") String deadLettersTopic;
        @Option(names = "--format", description = "Input format: ${COMPLETION-CANDIDATES}.") PipelineSpec.Format format;
        @Option(names = "--group-id") String groupId;
        @Option(names = "--transactional-id-prefix") String transactionalIdPrefix;
        @Option(names = "--mode", description = "${COMPLETION-CANDIDATES}.") IndexMode mode;
        @Option(names = "--shards", description = "Shards in GLOBAL mode; must divide the max parallelism (default 8).")
        Integer shards;
        @Option(names = "--shards-per-key", description = "GLOBAL mode: shards one partition key spreads over; 1 "
                + "answers a keyed query from one shard, 0 (default) spreads every key over all shards.")
        Integer shardsPerKey;
        @Option(names = "--max-parallelism", description = "GLOBAL mode: the index operator's max parallelism "
                + "(default 128); fixed for the job's life.") Integer maxParallelism;
        @Option(names = "--dimension", description = "0: each key's first vector decides.") Integer dimension;
        @Option(names = "--metric", description = "l2, ip or cosine.") String metric;
        @Option(names = "--m", description = "HNSW M.") Integer maxConn;
        @Option(names = "--ef-construction") Integer efConstruction;
        @Option(names = "--ef-search") Integer efSearch;
        @Option(names = "--insert-neighbors-k", description = "Every upsert that asks for none itself reports its k "
                + "nearest neighbours among the vectors indexed before it (results of kind INSERT_NEIGHBORS); 0 "
                + "(default) none.")
        Integer insertNeighborsK;
        @Option(names = "--insert-neighbors-radius", description = "With --insert-neighbors-k: only neighbours at a "
                + "distance below this (near-duplicate detection).")
        Double insertNeighborsRadius;
        @Option(names = "--exact-threshold", description = "Keys with at most this many vectors are searched exactly.")
        Integer exactThreshold;
        @Option(names = "--quantization", description = "none or int8.") String quantization;
        @Option(names = "--vectors-on-heap", arity = "1", description = "false (with --quantization int8): the heap "
                + "keeps int8 codes and the graph, exact re-ranking reads floats from state (RocksDB).")
        Boolean vectorsOnHeap;
        @Option(names = "--rerank-candidates", description = "int8: candidates re-ranked by exact distance; 0 chooses "
                + "(2 k on the heap, 1.5 k with --vectors-on-heap false).") Integer rerankCandidates;
        @Option(names = "--upper-beam-width", description = "Nodes a query keeps on each upper layer (1: greedy; 2 "
                + "for vectors that arrive cluster by cluster).") Integer upperBeamWidth;
        @Option(names = "--consistency", description = "${COMPLETION-CANDIDATES}.") ConsistencyMode consistency;
        @Option(names = "--ttl", description = "Vector time-to-live (ISO-8601, e.g. PT1H).") Duration ttl;
        @Option(names = "--cache-max-bytes") Long cacheMaxBytes;
        @Option(names = "--out-of-orderness", description = "ISO-8601, e.g. PT1S.") Duration outOfOrderness;
        @Option(names = "--idleness", description = "After this long without records a partition's watermark follows "
                + "the clock (ISO-8601; default PT5S).") Duration idleness;
        @Option(names = "--max-event-time-ahead", description = "Records further ahead of the clock are dead letters "
                + "(ISO-8601; default PT1H; PT0S: no limit).") Duration maxEventTimeAhead;
        @Option(names = "--at-least-once", description = "Plain (non-transactional) sinks: lower latency.")
        boolean atLeastOnce;
        @Option(names = "--bounded", description = "Stop at the input offsets that are latest at start.")
        boolean bounded;
        @Option(names = "--state-backend", description = "rocksdb or hashmap (default: the cluster's; rocksdb locally).")
        String stateBackend;
        @Option(names = "--checkpoint-dir", description = "e.g. file:///var/vs-checkpoints or s3://...; "
                + "run resumes from the newest completed checkpoint there.") String checkpointDir;
        @Option(names = "--fresh", description = "Start empty even if the checkpoint directory holds checkpoints.")
        boolean fresh;
        @Option(names = "--checkpoint-interval", description = "Default: the cluster's, else PT10S.")
        Duration checkpointInterval;
        @Option(names = "--parallelism", description = "Default: the cluster's (flink run -p, parallelism.default).")
        Integer parallelism;
        @Option(names = "--restarts", description = "Fixed-delay restart attempts (default: the cluster's strategy).")
        Integer restarts;
        @Option(names = "--buffer-timeout", description = "Network buffer timeout (ISO-8601); PT0S ships each "
                + "record at once (lowest latency), larger values favour throughput.") Duration bufferTimeout;
        @Option(names = "--job-name", defaultValue = "vectorstream") String jobName;

        @Override
        public Integer call() throws Exception {
            StreamExecutionEnvironment env = LocalFlink.forJob(overrides());
            if (parallelism != null) {
                env.setParallelism(parallelism);
            }
            if (bufferTimeout != null) {
                env.setBufferTimeout(bufferTimeout.toMillis());
            }
            Configuration effective = Configuration.fromMap(env.getConfiguration().toMap());
            VectorStreamPipeline.build(env, PipelineSpec.fromConfiguration(effective, kafkaProperties(effective)));
            env.execute(jobName);
            return 0;
        }

        /** The flags and -D settings as configuration keys: only what was given. */
        Configuration overrides() {
            Configuration c = Configuration.fromMap(conf);
            setIf(c, VectorStreamJobOptions.BOOTSTRAP, bootstrap);
            setIf(c, VectorStreamJobOptions.VECTORS_TOPIC, vectorsTopic);
            setIf(c, VectorStreamJobOptions.QUERIES_TOPIC, queriesTopic);
            setIf(c, VectorStreamJobOptions.RESULTS_TOPIC, resultsTopic);
            setIf(c, VectorStreamJobOptions.DEAD_LETTERS_TOPIC, deadLettersTopic);
            setIf(c, VectorStreamJobOptions.FORMAT, format);
            setIf(c, VectorStreamJobOptions.GROUP_ID, groupId);
            setIf(c, VectorStreamJobOptions.TRANSACTIONAL_ID_PREFIX, transactionalIdPrefix);
            setIf(c, VectorStreamJobOptions.OUT_OF_ORDERNESS, outOfOrderness);
            setIf(c, VectorStreamJobOptions.IDLENESS, idleness);
            setIf(c, VectorStreamJobOptions.MAX_EVENT_TIME_AHEAD, maxEventTimeAhead);
            setIf(c, VectorStreamJobOptions.EXACTLY_ONCE, atLeastOnce ? Boolean.FALSE : null);
            setIf(c, VectorStreamJobOptions.BOUNDED, bounded ? Boolean.TRUE : null);
            setIf(c, VectorStreamJobOptions.RESUME, fresh ? Boolean.FALSE : null);
            setIf(c, VectorSearchOptions.MODE, mode);
            setIf(c, VectorSearchOptions.SHARDS, shards);
            setIf(c, VectorSearchOptions.SHARDS_PER_KEY, shardsPerKey);
            setIf(c, VectorSearchOptions.INSERT_NEIGHBORS_K, insertNeighborsK);
            setIf(c, VectorSearchOptions.INSERT_NEIGHBORS_RADIUS, insertNeighborsRadius);
            setIf(c, VectorSearchOptions.MAX_PARALLELISM, maxParallelism);
            setIf(c, VectorSearchOptions.DIMENSION, dimension);
            setIf(c, VectorSearchOptions.METRIC, metric);
            setIf(c, VectorSearchOptions.MAX_CONN, maxConn);
            setIf(c, VectorSearchOptions.EF_CONSTRUCTION, efConstruction);
            setIf(c, VectorSearchOptions.EF_SEARCH, efSearch);
            setIf(c, VectorSearchOptions.EXACT_THRESHOLD, exactThreshold);
            setIf(c, VectorSearchOptions.QUANTIZATION, quantization);
            setIf(c, VectorSearchOptions.VECTORS_ON_HEAP, vectorsOnHeap);
            setIf(c, VectorSearchOptions.RERANK_CANDIDATES, rerankCandidates);
            setIf(c, VectorSearchOptions.UPPER_BEAM_WIDTH, upperBeamWidth);
            setIf(c, VectorSearchOptions.CONSISTENCY, consistency);
            setIf(c, VectorSearchOptions.TTL, ttl);
            setIf(c, VectorSearchOptions.CACHE_MAX_BYTES, cacheMaxBytes == null ? null : new MemorySize(cacheMaxBytes));
            setIf(c, StateBackendOptions.STATE_BACKEND, stateBackend);
            setIf(c, CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
            setIf(c, CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
            if (restarts != null) {
                c.set(RestartStrategyOptions.RESTART_STRATEGY, restarts > 0 ? "fixed-delay" : "none");
                c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, Math.max(1, restarts));
            }
            return c;
        }

        /** vectorstream.kafka.properties.* from the configuration, then the file, then --kafka-property. */
        Properties kafkaProperties(Configuration effective) throws java.io.IOException {
            Properties p = new Properties();
            String prefix = "vectorstream.kafka.properties.";
            effective.toMap().forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    p.setProperty(k.substring(prefix.length()), v);
                }
            });
            p.putAll(kafka.properties());
            return p;
        }

        private static <T> void setIf(Configuration c, org.apache.flink.configuration.ConfigOption<T> o, T value) {
            if (value != null) {
                c.set(o, value);
            }
        }
    }

    /**
     * Kafka client properties for secured brokers (TLS, SASL): a properties file, then repeated
     * {@code --kafka-property key=value}. Never logged.
     */
    static final class KafkaClientOptions {
        @Option(names = "--kafka-property", description = "Kafka client property, repeatable, e.g. "
                + "--kafka-property security.protocol=SASL_SSL (for run also vectorstream.kafka.properties.<key> "
                + "in the Flink configuration). Never logged.")
        Map<String, String> properties = new LinkedHashMap<>();
        @Option(names = "--kafka-properties-file", description = "A .properties file of Kafka client properties.")
        Path file;

        Properties properties() throws java.io.IOException {
            Properties p = new Properties();
            if (file != null) {
                try (var in = Files.newInputStream(file)) {
                    p.load(in);
                }
            }
            p.putAll(properties);
            return p;
        }
    }

    static Quantization parseQuantization(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "none": return Quantization.NONE;
            case "int8": return Quantization.INT8;
            default: throw new CommandLine.ParameterException(new CommandLine(new Run()),
                    "quantization must be one of [none, int8]; quantization=" + s);
        }
    }

    /** The zero-setup demo. */
    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Embedded Kafka + local Flink (RocksDB): stream vectors and queries, report recall and latency "
                    + "(--dedup: find near-duplicates as they arrive).")
    static final class Demo implements Callable<Integer> {
        @Option(names = "--vectors", defaultValue = "10000") int vectors;
        @Option(names = "--queries", defaultValue = "1000", description = "Measured queries.") int queries;
        @Option(names = "--warmup", defaultValue = "-1",
                description = "Warm-up queries sent first and left out of the figures (default: a tenth of --queries).")
        int warmup;
        @Option(names = "--rate", defaultValue = "100", description = "Queries per second.") int rate;
        // Parallelism 2 by default: with 10k vectors p=1 measured a lower tail (fewer threads beside the broker),
        // but with Fashion-MNIST's 60k one index thread cannot search two 30k shards 1,000 times a second
        // (docs/benchmarks.md section 4).
        @Option(names = "--parallelism", defaultValue = "2") int parallelism;
        @Option(names = "--shards", defaultValue = "0", description = "Global index shards (default: the parallelism rounded up to a power of two).")
        int shards;
        @Option(names = "--ef-search", defaultValue = "100") int efSearch;
        @Option(names = "--quantization", defaultValue = "none", description = "none or int8.") String quantization;
        @Option(names = "--checkpoint-interval", defaultValue = "PT1S",
                description = "Checkpoint interval (ISO-8601, e.g. PT1S).") Duration checkpointInterval;
        @Option(names = "--buffer-timeout", defaultValue = "PT0S", description = "Network buffer timeout (ISO-8601).")
        Duration bufferTimeout;
        @Option(names = "--state-backend", defaultValue = "rocksdb", description = "rocksdb or hashmap.")
        String stateBackend;
        @Option(names = "--latency-csv", description = "Write each measured query's latencies (ms) to this CSV file.")
        java.nio.file.Path latencyCsv;
        @Option(names = "--synthetic", description = "Use a synthetic clustered set even if Fashion-MNIST is installed.")
        boolean synthetic;
        @Option(names = "--dimension", defaultValue = "64", description = "Dimension of the synthetic set.") int dimension;
        @Option(names = "--at-least-once", description = "Plain (non-transactional) result sinks.") boolean atLeastOnce;
        @Option(names = "--bootstrap", description = "Use this running Kafka (run-unique topics) instead of the embedded "
                + "broker, e.g. one started with 'vectorstream broker' in another JVM.") String bootstrap;
        @Option(names = "--broker-config", description = "Embedded broker setting, repeatable, e.g. "
                + "--broker-config num.io.threads=2.") Map<String, String> brokerConfig = Map.of();
        @Option(names = "--dedup", description = "Instead: stream --vectors with a tenth of them planted near-copies, "
                + "each upsert asking for its nearest neighbour within a radius (kNN on insert), and print the "
                + "near-duplicates as they are found.")
        boolean dedup;

        @Override
        public Integer call() throws Exception {
            if (dedup) {
                DedupDemo.Options d = new DedupDemo.Options();
                d.vectors = vectors;
                d.synthetic = synthetic;
                d.syntheticDimension = dimension;
                d.parallelism = parallelism;
                DedupDemo.Summary s = new DedupDemo(d, System.out).run();
                return s.answered == s.upserts ? 0 : 1;
            }
            DemoRunner.Options o = new DemoRunner.Options();
            o.bootstrap = bootstrap;
            o.brokerConfig = brokerConfig;
            o.vectors = vectors;
            o.queries = queries;
            o.warmupQueries = warmup;
            o.queriesPerSecond = rate;
            o.parallelism = parallelism;
            o.shards = shards;
            o.efSearch = efSearch;
            o.quantization = parseQuantization(quantization);
            o.checkpointInterval = checkpointInterval;
            o.bufferTimeout = bufferTimeout;
            o.latencyCsv = latencyCsv;
            o.stateBackend = stateBackend;
            o.synthetic = synthetic;
            o.syntheticDimension = dimension;
            o.exactlyOnce = !atLeastOnce;
            DemoRunner.Summary s = new DemoRunner(o, System.out).run();
            return s.answered == queries && s.committedMissing == 0 ? 0 : 1;
        }
    }

    /** Loads vectors from a file into the vectors topic. */
    @Command(name = "produce", mixinStandardHelpOptions = true,
            description = "Load .fvecs, CSV or JSON-lines vectors into a topic as upsert events.")
    static final class Produce implements Callable<Integer> {
        @Option(names = "--bootstrap", defaultValue = "localhost:9092") String bootstrap;
        @CommandLine.Mixin KafkaClientOptions kafka = new KafkaClientOptions();
        @Option(names = "--topic", defaultValue = "vectors") String topic;
        @Option(names = "--input", required = true, description = "A .fvecs, .csv or .json/.jsonl file.") Path input;
        @Option(names = "--key", defaultValue = "", description = "Partition key for .fvecs/CSV input.") String key;
        @Option(names = "--first-id", defaultValue = "0") long firstId;
        @Option(names = "--limit", defaultValue = "2147483647") int limit;
        @Option(names = "--format", defaultValue = "AVRO") PipelineSpec.Format format;

        @Override
        public Integer call() throws Exception {
            String name = input.getFileName().toString().toLowerCase(Locale.ROOT);
            int sent = 0;
            try (VectorProducer p = new VectorProducer(bootstrap, format, false, kafka.properties())) {
                if (name.endsWith(".json") || name.endsWith(".jsonl")) {
                    RecordCodec<io.vectorstream.schemas.VectorEvent> json = JsonCodecs.events();
                    try (BufferedReader r = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
                        String line;
                        int lineNo = 0;
                        while ((line = r.readLine()) != null && sent < limit) {
                            lineNo++;
                            if (line.isBlank()) {
                                continue;
                            }
                            try {
                                p.send(topic, json.decode(line.getBytes(StandardCharsets.UTF_8)));
                                sent++;
                            } catch (RecordCodec.DecodeException e) {
                                System.err.println("line " + lineNo + " skipped: " + e.getMessage());
                            }
                        }
                    }
                } else {
                    float[][] vs = name.endsWith(".fvecs") ? Datasets.readFvecs(input, limit) : Datasets.readCsv(input, limit);
                    long now = System.currentTimeMillis();
                    for (float[] v : vs) {
                        p.send(topic, VectorProducer.upsert(key, firstId + sent, v, Map.of(), now));
                        sent++;
                    }
                }
                p.flush();
            }
            System.out.println("sent " + sent + " vector events to " + topic);
            return 0;
        }
    }

    /** Sends one query and prints its neighbours; or registers a standing query and prints its updates. */
    @Command(name = "query", mixinStandardHelpOptions = true, description = {"Send one query and print the neighbours.",
            "With --standing: register a standing query (it needs --key) and print its whole top k whenever it "
                    + "changes, until --timeout (or forever with --timeout PT0S); `vectorstream unregister --id ID "
                    + "--key KEY` ends it."})
    static final class Query implements Callable<Integer> {
        @Option(names = "--bootstrap", defaultValue = "localhost:9092") String bootstrap;
        @CommandLine.Mixin KafkaClientOptions kafka = new KafkaClientOptions();
        @Option(names = "--queries-topic", defaultValue = "queries") String queriesTopic;
        @Option(names = "--results-topic", defaultValue = "results") String resultsTopic;
        @Option(names = "--vector", required = true, split = ",", description = "Comma-separated components.")
        float[] vector;
        @Option(names = "--k", defaultValue = "10") int k;
        @Option(names = "--key", description = "Partition key; omit for a global query.") String key;
        @Option(names = "--id", description = "Query id (default: cli-<random>); a standing query's name.") String id;
        @Option(names = "--standing", description = "Register a standing query and follow its updates.")
        boolean standing;
        @Option(names = "--radius", description = "Standing: only neighbours at a distance below this.") Float radius;
        @Option(names = "--expires-at", description = "Standing: the event time it ends at (ISO-8601 instant).")
        Instant expiresAt;
        @Option(names = "--timeout", defaultValue = "PT60S",
                description = "How long to wait for the answer (standing: to follow updates; PT0S: forever).")
        Duration timeout;
        @Option(names = "--read-uncommitted", description = "See results before their transaction commits.")
        boolean readUncommitted;

        @Override
        public Integer call() throws Exception {
            String queryId = id != null ? id : "cli-" + UUID.randomUUID();
            if (!standing && (radius != null || expiresAt != null)) {
                System.err.println("--radius and --expires-at apply to --standing queries only");
                return 2;
            }
            try (ResultConsumer<NeighborResult> c = new ResultConsumer<>(bootstrap, resultsTopic, NeighborResult.class,
                         !readUncommitted, kafka.properties());
                 VectorProducer p = new VectorProducer(bootstrap, PipelineSpec.Format.AVRO, false, kafka.properties())) {
                io.vectorstream.schemas.VectorQuery q = VectorProducer.query(queryId, key, vector, k,
                        System.currentTimeMillis());
                if (standing) {
                    q.setStanding(io.vectorstream.schemas.Standing.REGISTER);
                    q.setRadius(radius);
                    q.setExpiresAt(expiresAt);
                }
                p.send(queriesTopic, q);
                p.flush();
                long deadline = timeout.isZero() ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
                int[] printed = {0};
                boolean[] ended = {false};
                while (!ended[0] && System.nanoTime() < deadline && (standing || printed[0] == 0)) {
                    c.poll(Duration.ofMillis(200), (r, at) -> {
                        if (r.getQueryId().equals(queryId) && !ended[0] && (standing || printed[0] == 0)) {
                            ended[0] = r.getKind() == io.vectorstream.schemas.ResultKind.STANDING_REMOVED;
                            print(queryId, r);
                            printed[0]++;
                        }
                    });
                }
                if (printed[0] == 0) {
                    System.err.println("no result for " + queryId + " within " + timeout);
                    return 2;
                }
                return 0;
            }
        }

        private static void print(String queryId, NeighborResult r) {
            String what = r.getKind() == io.vectorstream.schemas.ResultKind.ANSWER ? "query"
                    : r.getKind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
            System.out.println(what + " " + queryId + " (index size " + r.getIndexSize() + "):");
            int rank = 1;
            for (Neighbor n : r.getNeighbors()) {
                System.out.printf("%3d. id=%d distance=%.6f%n", rank++, n.getId(), n.getDistance());
            }
        }
    }

    /** Ends a standing query. */
    @Command(name = "unregister", mixinStandardHelpOptions = true,
            description = "End the standing query --id of --key (the job answers with a STANDING_REMOVED result).")
    static final class Unregister implements Callable<Integer> {
        @Option(names = "--bootstrap", defaultValue = "localhost:9092") String bootstrap;
        @CommandLine.Mixin KafkaClientOptions kafka = new KafkaClientOptions();
        @Option(names = "--queries-topic", defaultValue = "queries") String queriesTopic;
        @Option(names = "--id", required = true) String id;
        @Option(names = "--key", required = true, description = "The key it was registered under.") String key;

        @Override
        public Integer call() throws Exception {
            try (VectorProducer p = new VectorProducer(bootstrap, PipelineSpec.Format.AVRO, false, kafka.properties())) {
                io.vectorstream.schemas.VectorQuery q = VectorProducer.query(id, key, new float[0], 1,
                        System.currentTimeMillis());
                q.setStanding(io.vectorstream.schemas.Standing.UNREGISTER);
                p.send(queriesTopic, q);
                p.flush();
            }
            System.out.println("unregistered " + id + " (key " + key + ")");
            return 0;
        }
    }

    /** A local single-node Kafka for trying the other commands without installing one. */
    @Command(name = "broker", mixinStandardHelpOptions = true,
            description = {"Start a single-node KRaft Kafka broker in this JVM, create the topics that do not exist yet, "
                    + "print its bootstrap address and run until interrupted.",
                    "--port fixes the client port (default: a free one). --data-dir keeps the broker's data in that "
                            + "directory (default: a temporary directory, deleted on exit): started again with the "
                            + "same --port and --data-dir, the broker comes back at the same address with its topics, "
                            + "records and committed offsets, so clients and a running job reconnect."})
    static final class Broker implements Callable<Integer> {
        @Option(names = "--topics", split = ",", defaultValue = "vectors,queries,results,dead-letters")
        String[] topics;
        @Option(names = "--partitions", defaultValue = "2", description = "Partitions of each topic created.")
        int partitions;
        @Option(names = "--config", description = "Broker setting, repeatable, e.g. --config num.io.threads=2.")
        Map<String, String> config = Map.of();
        @Option(names = "--port", defaultValue = "0",
                description = "Client listener port on localhost; 0 (the default): a free one.")
        int port;
        @Option(names = "--data-dir", description = "The broker's data directory: formatted when new or empty, "
                + "reused when it holds a broker's data, kept on exit. Default: a temporary directory deleted on exit.")
        Path dataDir;

        @Override
        public Integer call() throws Exception {
            LocalKafkaBroker kafka = start();
            java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    kafka.close();
                } catch (Exception e) {
                    // At JVM exit there is nobody to rethrow to.
                    System.err.println("the broker did not shut down cleanly: " + e);
                    e.printStackTrace();
                } finally {
                    stopped.countDown();
                }
            }, "vectorstream-broker-shutdown"));
            System.out.println("bootstrap " + kafka.bootstrapServers());
            System.out.println("data " + kafka.dataDirectory() + (dataDir == null ? " (deleted on exit)" : ""));
            System.out.flush();
            stopped.await();
            return 0;
        }

        /** Starts the broker and creates the topics it does not have yet (a restart finds them there). */
        LocalKafkaBroker start() throws Exception {
            LocalKafkaBroker.Builder builder = LocalKafkaBroker.builder().setPort(port).setConfig(config);
            if (dataDir != null) {
                builder.setDataDirectory(dataDir);
            }
            LocalKafkaBroker kafka = builder.start();
            try {
                EmbeddedKafka.createTopics(kafka.bootstrapServers(), partitions, topics);
            } catch (Exception e) {
                try {
                    kafka.close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
            return kafka;
        }
    }
}
