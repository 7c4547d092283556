package io.vectorstream.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A single-node KRaft Kafka broker inside this JVM, from Kafka's own jars (no Docker, no setup), for the
 * demo and the tests. Listens on a free loopback port; its data lives in a temporary directory deleted on
 * {@link #close()}. For a fixed port and a data directory that survives restarts, see {@link LocalKafkaBroker}.
 * Not thread-safe to start and stop; its clients are.
 */
public final class EmbeddedKafka implements AutoCloseable {
    /**
     * The broker settings of a single-node broker for one machine's clients, shared with {@link LocalKafkaBroker}:
     * replication factor 1 for the internal topics, no automatic topic creation, and few threads.
     */
    static final java.util.Map<String, String> SETTINGS = java.util.Map.of(
            "offsets.topic.replication.factor", "1",
            "offsets.topic.num.partitions", "2",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "transaction.state.log.num.partitions", "2",
            "group.initial.rebalance.delay.ms", "0",
            "auto.create.topics.enable", "false",
            // The defaults (3 network and 8 I/O threads) are sized for a server, and on 2 cores their extra
            // wake-ups cost about a tenth of a core at 1,000 queries/s (62 % -> 54 % of a core for the broker's
            // threads, docs/benchmarks.md section 4).
            "num.network.threads", "1",
            "num.io.threads", "2");

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Formats and starts the broker, and waits until it accepts clients. */
    public static EmbeddedKafka start() throws Exception {
        return start(java.util.Map.of());
    }

    /**
     * As {@link #start()}, with broker settings (e.g. {@code num.io.threads}) that override the defaults here.
     */
    public static EmbeddedKafka start(java.util.Map<String, String> overrides) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        SETTINGS.forEach(builder::setConfigProp);
        overrides.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder.build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new EmbeddedKafka(cluster);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Creates topics with {@code partitions} partitions each (replication 1). */
    public void createTopics(int partitions, String... topics) throws Exception {
        createTopics(bootstrapServers(), partitions, topics);
    }

    /** Creates topics on any broker, ignoring ones that exist. */
    public static void createTopics(String bootstrap, int partitions, String... topics) throws Exception {
        createTopics(bootstrap, partitions, java.util.Map.of(), topics);
    }

    /** As {@link #createTopics(String, int, String...)}, with topic settings (e.g. {@code message.timestamp.type}). */
    public static void createTopics(String bootstrap, int partitions, java.util.Map<String, String> configs,
                                    String... topics) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            var existing = admin.listTopics().names().get();
            List<NewTopic> fresh = new ArrayList<>();
            for (String t : topics) {
                if (!existing.contains(t)) {
                    fresh.add(new NewTopic(t, partitions, (short) 1).configs(configs));
                }
            }
            admin.createTopics(fresh).all().get();
            awaitLeaders(admin, List.of(topics));
        }
    }

    /** Waits (up to 30 s) until every partition of {@code topics} has a leader, so producers do not race it. */
    private static void awaitLeaders(Admin admin, List<String> topics) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            boolean ready = true;
            try {
                for (var d : admin.describeTopics(topics).allTopicNames().get().values()) {
                    for (var p : d.partitions()) {
                        ready &= p.leader() != null && !p.leader().isEmpty() && !p.isr().isEmpty();
                    }
                }
            } catch (java.util.concurrent.ExecutionException e) {
                ready = false; // not yet known to the broker's metadata
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics must have partition leaders within 30 s; topics=" + topics);
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
