package io.vectorstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** The demo runs and exits 0; the docker/ files parse and name paths that exist. */
class DemoAndDeploymentTest {
    static final Path ROOT = Paths.get("..").toAbsolutePath().normalize();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void demoRunsOnASmallSyntheticSetAndExitsZero() throws Exception {
        DemoRunner.Options o = new DemoRunner.Options();
        o.synthetic = true;
        o.vectors = 600;
        o.queries = 20;
        o.syntheticDimension = 16;
        o.queriesPerSecond = 200;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DemoRunner.Summary s = new DemoRunner(o, new PrintStream(buf, true, StandardCharsets.UTF_8)).run();
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertThat(s.answered).isEqualTo(20);
        assertThat(s.recallAt10).isGreaterThanOrEqualTo(0.9);
        assertThat(s.ingestPerSecond).isPositive();
        assertThat(printed).contains("recall@10:", "end-to-end query latency", "ingest:", "Kafka -> Flink -> Kafka alone");
        assertThat(s.committedMissing).isZero();
        // Broker append to broker append lies inside due time to receipt for every query (ms timestamps: +1).
        assertThat(s.pipelineP50Millis).isBetween(0.0, s.p50Millis + 1);
        assertThat(s.pipelineP99Millis).isBetween(0.0, s.p99Millis + 1);
        // The CLI maps a fully answered demo to exit code 0.
        assertThat(VectorStreamCli.execute("demo", "--synthetic", "--vectors", "300", "--queries", "10",
                "--dimension", "8", "--rate", "200")).isZero();
    }

    @Test
    void dedupDemoFindsThePlantedNearCopiesAsTheyArrive() throws Exception {
        DedupDemo.Options o = new DedupDemo.Options();
        o.synthetic = true;
        o.vectors = 800;
        o.syntheticDimension = 16;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DedupDemo.Summary s = new DedupDemo(o, new PrintStream(buf, true, StandardCharsets.UTF_8)).run();
        assertThat(s.answered).as("every upsert answered with its neighbours").isEqualTo(s.upserts);
        assertThat(s.planted).isGreaterThan(50);
        // Copies sit at a hundredth of the median nearest-neighbour distance, the radius at a tenth.
        assertThat(s.plantedFound).isGreaterThanOrEqualTo((int) (0.95 * s.planted));
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("near-duplicate: ", "planted near-copies");
    }

    @Test
    void demoAgainstARunningBrokerUsesRunUniqueTopicsStampedByTheBroker() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Map.of("num.io.threads", "3"))) {
            DemoRunner.Options o = new DemoRunner.Options();
            o.bootstrap = kafka.bootstrapServers();
            o.synthetic = true;
            o.vectors = 300;
            o.queries = 10;
            o.syntheticDimension = 8;
            o.queriesPerSecond = 200;
            DemoRunner.Summary s = new DemoRunner(o, new PrintStream(new ByteArrayOutputStream(), true,
                    StandardCharsets.UTF_8)).run();
            assertThat(s.answered).isEqualTo(10);
            assertThat(s.committedMissing).isZero();
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (Admin admin = Admin.create(p)) {
                Set<String> topics = admin.listTopics().names().get();
                assertThat(topics).doesNotContain("vectors", "queries", "results", "dead-letters");
                String queries = topics.stream().filter(t -> t.startsWith("queries-")).findFirst().orElseThrow();
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, queries);
                assertThat(admin.describeConfigs(List.of(topic)).all().get().get(topic)
                        .get("message.timestamp.type").value()).isEqualTo("LogAppendTime");
                // The override reached the broker.
                String node = String.valueOf(admin.describeCluster().nodes().get().iterator().next().id());
                ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, node);
                assertThat(admin.describeConfigs(List.of(broker)).all().get().get(broker).get("num.io.threads").value())
                        .isEqualTo("3");
            }
        }
    }

    @Test
    void demoCacheBudgetHoldsEveryShardASubtaskOwns() {
        // Fashion-MNIST, two shards on one subtask: both whole shard indexes (float + int8 copies) must fit,
        // or every event evicts and rebuilds a shard from state.
        long vectorBytes = 60_000L * 784 * (4 + 1);
        assertThat(DemoRunner.cacheBudget(60_000, 784, 2, 1)).isGreaterThan(vectorBytes);
        assertThat(DemoRunner.cacheBudget(60_000, 784, 2, 2)).isGreaterThan(vectorBytes / 2)
                .isLessThan(DemoRunner.cacheBudget(60_000, 784, 2, 1));
        assertThat(DemoRunner.cacheBudget(600, 16, 2, 1)).isEqualTo(256L << 20);
    }

    @Test
    void composeFileParsesAndNamesExistingFiles() throws Exception {
        JsonNode compose = YAML.readTree(ROOT.resolve("docker/docker-compose.yml").toFile());
        JsonNode services = compose.get("services");
        assertThat(services.fieldNames()).toIterable().contains("kafka", "create-topics", "jobmanager", "taskmanager");
        JsonNode build = services.get("jobmanager").get("build");
        Path context = ROOT.resolve("docker").resolve(build.get("context").asText()).normalize();
        assertThat(context).isEqualTo(ROOT);
        Path dockerfile = context.resolve(build.get("dockerfile").asText());
        assertThat(dockerfile).exists();
        for (String line : Files.readAllLines(dockerfile)) {
            if (line.startsWith("COPY ")) {
                String src = line.split("\\s+")[1];
                // The jar is a build output: its name must match what the jobs module produces.
                if (src.endsWith(".jar")) {
                    assertThat(src).isEqualTo("jobs/target/vectorstream-jobs-0.1.0-SNAPSHOT-flink.jar");
                } else {
                    assertThat(ROOT.resolve(src)).exists();
                }
            }
        }
        assertThat(services.get("jobmanager").get("command").asText())
                .contains("io.vectorstream.jobs.VectorStreamCli run");
    }

    @Test
    void flinkConfigAndKubernetesDeploymentCarryTheVectorModuleAndRocksDb() throws Exception {
        JsonNode conf = YAML.readTree(ROOT.resolve("docker/flink-conf/config.yaml").toFile());
        assertThat(conf.at("/env/java/opts/all").asText()).contains("--add-modules jdk.incubator.vector");
        assertThat(conf.at("/state/backend/type").asText()).isEqualTo("rocksdb");
        // Read by Flink's own parser, the shipped file sets the job's RocksDB defaults (not only the job does).
        org.apache.flink.configuration.Configuration flinkConf = org.apache.flink.configuration.GlobalConfiguration
                .loadConfiguration(ROOT.resolve("docker/flink-conf").toString());
        assertThat(flinkConf.get(org.apache.flink.state.rocksdb.RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL))
                .isEqualTo(RocksDbDefaults.COMPRESSION_PER_LEVEL);
        JsonNode k8s = YAML.readTree(ROOT.resolve("docker/k8s/flink-deployment.yaml").toFile());
        assertThat(k8s.get("kind").asText()).isEqualTo("FlinkDeployment");
        assertThat(k8s.at("/spec/flinkConfiguration").get("env.java.opts.all").asText())
                .contains("--add-modules jdk.incubator.vector");
        assertThat(k8s.at("/spec/flinkConfiguration").get("state.backend.rocksdb.compression.per.level").asText())
                .isEqualTo(RocksDbDefaults.COMPRESSION_PER_LEVEL.get(0).name());
        assertThat(k8s.at("/spec/job/entryClass").asText()).isEqualTo(VectorStreamCli.class.getName());
        List<String> args = new ArrayList<>();
        k8s.at("/spec/job/args").forEach(a -> args.add(a.asText()));
        // The arguments must be ones the CLI accepts.
        assertThat(args.get(0)).isEqualTo("run");
        assertThat(new picocli.CommandLine(new VectorStreamCli()).setCaseInsensitiveEnumValuesAllowed(true)
                .parseArgs(args.toArray(new String[0])).hasSubcommand()).isTrue();
    }

    /** An index option given on the command line reaches the Flink configuration the job reads. */
    @Test
    void theUpperBeamWidthFlagSetsItsOption() {
        VectorStreamCli.Run run = new VectorStreamCli.Run();
        new picocli.CommandLine(run).parseArgs("--upper-beam-width", "2");
        org.apache.flink.configuration.Configuration c = run.overrides();
        assertThat(c.get(io.vectorstream.operators.VectorSearchOptions.UPPER_BEAM_WIDTH)).isEqualTo(2);
        assertThat(io.vectorstream.operators.VectorSearchConfig.fromConfiguration(c).hnswConfig(8).upperBeamWidth())
                .isEqualTo(2);
    }
}
