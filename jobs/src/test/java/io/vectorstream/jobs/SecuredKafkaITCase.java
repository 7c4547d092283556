package io.vectorstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorstream.schemas.Neighbor;
import io.vectorstream.schemas.NeighborResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against brokers whose client listener requires SASL/PLAIN or TLS, both started here: {@code produce},
 * {@code run} and {@code query} reach them with {@code --kafka-property} / {@code --kafka-properties-file}, every
 * query is answered once, and a client without the credentials is refused (so the listener really is secured).
 */
class SecuredKafkaITCase {
    static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"%s\" password=\"%s\"%s;";

    @Test
    void saslPlain(@TempDir Path dir) throws Exception {
        Map<String, String> listener = Map.of("sasl.enabled.mechanisms", "PLAIN",
                "plain.sasl.jaas.config", String.format(JAAS, "admin", "admin-secret",
                        " user_admin=\"admin-secret\" user_vs=\"vs-secret\""));
        Properties client = new Properties();
        client.setProperty("security.protocol", "SASL_PLAINTEXT");
        client.setProperty("sasl.mechanism", "PLAIN");
        client.setProperty("sasl.jaas.config", String.format(JAAS, "vs", "vs-secret", ""));
        Properties wrong = new Properties();
        wrong.putAll(client);
        wrong.setProperty("sasl.jaas.config", String.format(JAAS, "vs", "not-the-password", ""));
        roundTrip(dir, "SASL_PLAINTEXT", listener, client, wrong);
    }

    @Test
    void tls(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("broker.p12");
        Path cert = dir.resolve("broker.crt");
        Path truststore = dir.resolve("client-trust.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "broker-pass", "-keypass", "broker-pass");
        run(keytool, "-exportcert", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", "broker-pass",
                "-file", cert.toString());
        run(keytool, "-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", "trust-pass");
        Map<String, String> listener = Map.of("ssl.keystore.location", keystore.toString(),
                "ssl.keystore.password", "broker-pass", "ssl.key.password", "broker-pass",
                "ssl.keystore.type", "PKCS12");
        Properties client = new Properties();
        client.setProperty("security.protocol", "SSL");
        client.setProperty("ssl.truststore.location", truststore.toString());
        client.setProperty("ssl.truststore.password", "trust-pass");
        client.setProperty("ssl.truststore.type", "PKCS12");
        Properties wrong = new Properties();
        wrong.setProperty("security.protocol", "SSL"); // no truststore: the broker's certificate is not trusted
        roundTrip(dir, "SSL", listener, client, wrong);
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", cmd), out).isZero();
    }

    static void roundTrip(Path dir, String protocol, Map<String, String> listener, Properties client,
                          Properties wrong) throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.builder().setSecureListener(protocol, listener).start()) {
            String p = protocol.toLowerCase();
            EmbeddedKafka.createTopics(broker.bootstrapServers(), 2, p + "-vectors", p + "-queries", p + "-results",
                    p + "-dead");
            String secure = broker.secureBootstrapServers();
            assertThatThrownBy(() -> listTopics(secure, wrong)).as("the listener refuses a client without credentials")
                    .isInstanceOf(ExecutionException.class);
            assertThat(listTopics(secure, client)).contains(p + "-vectors");

            // The CLI takes the properties from a file (produce, run) and as --kafka-property (query).
            Path file = dir.resolve(p + "-client.properties");
            try (var out = Files.newOutputStream(file)) {
                client.store(out, null);
            }
            Path csv = dir.resolve("vectors.csv");
            Files.writeString(csv, "1,0,0\n0,1,0\n0,0,1\n0.9,0.1,0\n");
            assertThat(VectorStreamCli.execute("produce", "--bootstrap", secure, "--kafka-properties-file",
                    file.toString(), "--topic", p + "-vectors", "--input", csv.toString(), "--key", "shop-1"))
                    .isZero();
            List<String> propertyFlags = new ArrayList<>();
            client.forEach((k, v) -> {
                propertyFlags.add("--kafka-property");
                propertyFlags.add(k + "=" + v);
            });
            List<String> query = new ArrayList<>(List.of("query", "--bootstrap", secure, "--queries-topic",
                    p + "-queries", "--results-topic", p + "-results", "--key", "shop-1", "--vector", "1,0.05,0",
                    "--k", "2", "--timeout", "PT120S"));
            query.addAll(propertyFlags);
            Thread job = new Thread(() -> VectorStreamCli.execute("run", "--bootstrap", secure,
                    "--kafka-properties-file", file.toString(), "--vectors-topic", p + "-vectors", "--queries-topic",
                    p + "-queries", "--results-topic", p + "-results", "--dead-letters-topic", p + "-dead",
                    "--group-id", p, "--transactional-id-prefix", p, "--parallelism", "1",
                    "--checkpoint-interval", "PT0.5S", "--idleness", "PT1S", "--consistency", "EVENT_TIME"),
                    "vectorstream-run-" + p);
            job.setDaemon(true);
            job.start();
            assertThat(VectorStreamCli.execute(query.toArray(new String[0]))).as("the query was answered").isZero();
            List<NeighborResult> results = new ArrayList<>();
            try (ResultConsumer<NeighborResult> r = new ResultConsumer<>(secure, p + "-results", NeighborResult.class,
                    true, client)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (results.isEmpty() && System.nanoTime() < deadline) {
                    r.poll(Duration.ofMillis(200), (res, at) -> results.add(res));
                }
            }
            assertThat(results).hasSize(1);
            assertThat(results.get(0).getNeighbors()).extracting(Neighbor::getId).containsExactly(0L, 3L);
        }
    }

    static List<String> listTopics(String bootstrap, Properties client) throws Exception {
        Properties p = new Properties();
        p.putAll(client);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(p)) {
            return new ArrayList<>(admin.listTopics().names().get(15, TimeUnit.SECONDS));
        }
    }
}
