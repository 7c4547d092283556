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
import java.util.Locale;
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
                VectorStreamCli.Query.class, VectorStreamCli.Broker.class})
public final class VectorStreamCli implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(execute(args));
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

    /** Runs the job against your Kafka, locally or (under {@code flink run}) on a cluster. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run the VectorStream job: Kafka vectors + queries in, results + dead letters out.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--bootstrap", defaultValue = "localhost:9092", description = "Kafka bootstrap servers.")
        String bootstrap;
        @Option(names = "--vectors-topic", defaultValue = "vectors") String vectorsTopic;
        @Option(names = "--queries-topic", defaultValue = "queries") String queriesTopic;
        @Option(names = "--results-topic", defaultValue = "results") String resultsTopic;
        @Option(names = "--dead-letters-topic", defaultValue = "dead-letters") String deadLettersTopic;
        @Option(names = "--format", defaultValue = "AVRO", description = "Input format: ${COMPLETION-CANDIDATES}.")
        PipelineSpec.Format format;
        @Option(names = "--group-id", defaultValue = "vectorstream") String groupId;
        @Option(names = "--mode", defaultValue = "KEYED", description = "${COMPLETION-CANDIDATES}.") IndexMode mode;
        @Option(names = "--shards", defaultValue = "8", description = "Shard keys in GLOBAL mode.") int shards;
        @Option(names = "--dimension", defaultValue = "0", description = "0: each key's first vector decides.") int dimension;
        @Option(names = "--metric", defaultValue = "l2", description = "l2, ip or cosine.") String metric;
        @Option(names = "--m", defaultValue = "16", description = "HNSW M.") int maxConn;
        @Option(names = "--ef-construction", defaultValue = "100") int efConstruction;
        @Option(names = "--ef-search", defaultValue = "64") int efSearch;
        @Option(names = "--quantization", defaultValue = "none", description = "none or int8.") String quantization;
        @Option(names = "--consistency", defaultValue = "PROCESSING", description = "${COMPLETION-CANDIDATES}.")
        ConsistencyMode consistency;
        @Option(names = "--ttl", defaultValue = "PT0S", description = "Vector time-to-live (ISO-8601, e.g. PT1H).")
        Duration ttl;
        @Option(names = "--cache-max-bytes", defaultValue = "268435456") long cacheMaxBytes;
        @Option(names = "--state-backend", defaultValue = "rocksdb", description = "rocksdb or hashmap.") String stateBackend;
        @Option(names = "--checkpoint-dir", description = "e.g. file:///tmp/vs-checkpoints or s3://...") String checkpointDir;
        @Option(names = "--checkpoint-interval", defaultValue = "PT10S") Duration checkpointInterval;
        @Option(names = "--parallelism", defaultValue = "2") int parallelism;
        @Option(names = "--out-of-orderness", defaultValue = "PT0S") Duration outOfOrderness;
        @Option(names = "--at-least-once", description = "Plain (non-transactional) sinks: lower latency.")
        boolean atLeastOnce;
        @Option(names = "--bounded", description = "Stop at the input offsets that are latest at start.")
        boolean bounded;
        @Option(names = "--buffer-timeout", defaultValue = "PT0S", description = "Network buffer timeout "
                + "(ISO-8601); PT0S ships each record at once (lowest latency), larger values favour throughput.")
        Duration bufferTimeout;

        @Override
        public Integer call() throws Exception {
            VectorSearchConfig search = VectorSearchConfig.builder().mode(mode).shards(shards).dimension(dimension)
                    .metric(VectorMetric.parse(metric)).maxConn(maxConn).efConstruction(efConstruction)
                    .efSearch(efSearch).quantization(parseQuantization(quantization)).consistency(consistency)
                    .ttl(ttl).cacheMaxBytes(cacheMaxBytes).build();
            PipelineSpec spec = PipelineSpec.builder(bootstrap)
                    .topics(vectorsTopic, queriesTopic, resultsTopic, deadLettersTopic).format(format).groupId(groupId)
                    .exactlyOnce(!atLeastOnce).bounded(bounded).outOfOrderness(outOfOrderness).search(search).build();
            StreamExecutionEnvironment env = LocalFlink.environment(parallelism, stateBackend, checkpointDir,
                    checkpointInterval, 3, bufferTimeout);
            VectorStreamPipeline.build(env, spec);
            env.execute("vectorstream");
            return 0;
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
            description = "Embedded Kafka + local Flink (RocksDB): stream vectors and queries, report recall and latency.")
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
        @Option(names = "--shards", defaultValue = "0", description = "Global index shards (default: the parallelism).")
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

        @Override
        public Integer call() throws Exception {
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
            try (VectorProducer p = new VectorProducer(bootstrap, format)) {
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

    /** Sends one query and prints its neighbours. */
    @Command(name = "query", mixinStandardHelpOptions = true, description = "Send one query and print the neighbours.")
    static final class Query implements Callable<Integer> {
        @Option(names = "--bootstrap", defaultValue = "localhost:9092") String bootstrap;
        @Option(names = "--queries-topic", defaultValue = "queries") String queriesTopic;
        @Option(names = "--results-topic", defaultValue = "results") String resultsTopic;
        @Option(names = "--vector", required = true, split = ",", description = "Comma-separated components.")
        float[] vector;
        @Option(names = "--k", defaultValue = "10") int k;
        @Option(names = "--key", description = "Partition key; omit for a global query.") String key;
        @Option(names = "--timeout", defaultValue = "PT60S") Duration timeout;
        @Option(names = "--read-uncommitted", description = "See results before their transaction commits.")
        boolean readUncommitted;

        @Override
        public Integer call() throws Exception {
            String id = "cli-" + UUID.randomUUID();
            try (ResultConsumer<NeighborResult> c = new ResultConsumer<>(bootstrap, resultsTopic, NeighborResult.class,
                         !readUncommitted);
                 VectorProducer p = new VectorProducer(bootstrap, PipelineSpec.Format.AVRO)) {
                p.send(queriesTopic, VectorProducer.query(id, key, vector, k, System.currentTimeMillis()));
                p.flush();
                NeighborResult[] found = new NeighborResult[1];
                long deadline = System.nanoTime() + timeout.toNanos();
                while (found[0] == null && System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(200), (r, at) -> {
                        if (r.getQueryId().equals(id)) {
                            found[0] = r;
                        }
                    });
                }
                if (found[0] == null) {
                    System.err.println("no result for " + id + " within " + timeout);
                    return 2;
                }
                System.out.println("query " + id + " (index size " + found[0].getIndexSize() + "):");
                int rank = 1;
                for (Neighbor n : found[0].getNeighbors()) {
                    System.out.printf("%3d. id=%d distance=%.6f%n", rank++, n.getId(), n.getDistance());
                }
                return 0;
            }
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
