package io.vectorstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vectorstream broker --port --data-dir}: stopped and started again at the same port and directory, the
 * broker comes back at the same address with its topics, records and committed offsets, and a producer opened
 * before the restart carries on.
 */
class LocalKafkaBrokerITCase {
    static final int RECORDS = 100;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("localhost"))) {
            return s.getLocalPort();
        }
    }

    static VectorStreamCli.Broker command(String... args) {
        return CommandLine.populateCommand(new VectorStreamCli.Broker(), args);
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    static void send(KafkaProducer<String, String> producer, int from, int to) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = from; i < to; i++) {
            sent.add(producer.send(new ProducerRecord<>("vectors", "k" + i, "v" + i)));
        }
        for (Future<RecordMetadata> f : sent) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    /** Polls until {@code n} records arrived (60 s at most), then one more poll to see nothing extra arrives. */
    static List<String> poll(KafkaConsumer<String, String> c, int n) {
        List<String> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                out.add(r.key() + "=" + r.value());
            }
        }
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
            out.add(r.key() + "=" + r.value());
        }
        return out;
    }

    static List<String> expected(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add("k" + i + "=v" + i);
        }
        return out;
    }

    @Test
    void aRestartAtTheSamePortAndDirectoryKeepsTopicsRecordsAndOffsets(@TempDir Path tmp) throws Exception {
        int port = freePort();
        Path dir = tmp.resolve("kafka");
        String[] args = {"--port", String.valueOf(port), "--data-dir", dir.toString(), "--topics", "vectors,queries",
                "--partitions", "2"};
        String bootstrap = "localhost:" + port;
        KafkaProducer<String, String> producer = null;
        try {
            try (LocalKafkaBroker first = command(args).start()) {
                assertThat(first.bootstrapServers()).isEqualTo(bootstrap);
                assertThat(first.dataDirectory()).isEqualTo(dir);
                assertThat(dir.resolve("meta.properties")).isRegularFile();
                producer = producer(bootstrap);
                send(producer, 0, RECORDS);
                try (KafkaConsumer<String, String> c = consumer(bootstrap, "g")) {
                    c.subscribe(List.of("vectors"));
                    assertThat(poll(c, RECORDS)).containsExactlyInAnyOrderElementsOf(expected(0, RECORDS));
                    c.commitSync();
                }
            }
            assertThat(dir.resolve("meta.properties")).as("the data directory is kept").isRegularFile();

            // Started again over the same directory: the topics are there once (no "topic already exists"), with
            // their partitions, records and the group's committed offsets.
            try (LocalKafkaBroker second = command(args).start();
                 Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, (Object) bootstrap))) {
                assertThat(second.bootstrapServers()).isEqualTo(bootstrap);
                assertThat(admin.listTopics().names().get()).containsExactlyInAnyOrder("vectors", "queries");
                for (TopicDescription d : admin.describeTopics(List.of("vectors", "queries")).allTopicNames().get()
                        .values()) {
                    assertThat(d.partitions()).as(d.name()).hasSize(2);
                }
                // The producer opened before the restart reconnects to the same address.
                send(producer, RECORDS, RECORDS + 10);
                try (KafkaConsumer<String, String> c = consumer(bootstrap, "g")) {
                    c.subscribe(List.of("vectors"));
                    assertThat(poll(c, 10)).as("the group resumes from its committed offsets")
                            .containsExactlyInAnyOrderElementsOf(expected(RECORDS, RECORDS + 10));
                }
                try (KafkaConsumer<String, String> c = consumer(bootstrap, null)) {
                    List<TopicPartition> partitions = List.of(new TopicPartition("vectors", 0),
                            new TopicPartition("vectors", 1));
                    c.assign(partitions);
                    c.seekToBeginning(partitions);
                    assertThat(poll(c, RECORDS + 10)).containsExactlyInAnyOrderElementsOf(expected(0, RECORDS + 10));
                }
            }
        } finally {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void withoutADataDirectoryTheBrokerTakesAFreePortAndDeletesItsDataOnClose() throws Exception {
        Path dir;
        try (LocalKafkaBroker kafka = command("--topics", "vectors").start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     (Object) kafka.bootstrapServers()))) {
            assertThat(kafka.port()).isPositive();
            assertThat(kafka.bootstrapServers()).isEqualTo("localhost:" + kafka.port());
            dir = kafka.dataDirectory();
            assertThat(dir.resolve("meta.properties")).isRegularFile();
            assertThat(admin.listTopics().names().get()).containsExactly("vectors");
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void settingsThatWouldBreakTheBrokerAreRefusedWithTheirValue(@TempDir Path tmp) throws Exception {
        assertThatThrownBy(() -> LocalKafkaBroker.builder().setPort(70_000))
                .hasMessage("port must be in [0, 65535]; port=70000");
        assertThatThrownBy(() -> LocalKafkaBroker.builder().setConfig("log.dirs", "/tmp/x"))
                .hasMessage("config must not set the listeners, quorum or directories (use the port and the data "
                        + "directory); key=log.dirs");
        Files.writeString(tmp.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> LocalKafkaBroker.builder().setDataDirectory(tmp).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dataDirectory must be empty or hold a Kafka broker's data (meta.properties); dataDirectory="
                        + tmp.toAbsolutePath().normalize());
        assertThat(tmp.resolve("notes.txt")).hasContent("mine");
    }
}
