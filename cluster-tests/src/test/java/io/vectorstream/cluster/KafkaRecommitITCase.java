package io.vectorstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorstream.jobs.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.kafka.sink.internal.FlinkKafkaInternalProducer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Where the {@code ERROR KafkaCommitter - Unable to commit transaction ... producer is already fenced ... most likely
 * signals data loss} of every restore comes from, shown with the Kafka connector's own recovery producer
 * ({@link FlinkKafkaInternalProducer#resumeTransaction}, what {@code KafkaCommitter} does for each committable of the
 * restored checkpoint) against a real broker:
 * <ul>
 *   <li>A restored checkpoint holds the committables of its own transactions, which were normally committed right
 *       after the checkpoint completed, before the failure. The committer commits them again after the restore.</li>
 *   <li>With transactions V2 (KIP-890, {@code transaction.version=2}, the default of a new Kafka 4.x cluster) the
 *       coordinator bumps the producer epoch when a transaction ends. The recovery producer never ran
 *       {@code initTransactions}, so it does not know the broker speaks V2 and sends a V1 {@code EndTxn} with the old
 *       epoch: the broker answers PRODUCER_FENCED for a transaction that is committed. With V1 the same repeated
 *       commit is accepted (idempotent), which is what the connector's recovery path was written for.</li>
 *   <li>A transaction that was not yet committed before the failure is committed by the same path under V2.</li>
 * </ul>
 * So the ERROR names a transaction that had been committed: nothing was lost. The connector logs it at ERROR only
 * with its default {@code TransactionNamingStrategy.INCREMENTING}; with {@code POOLING} the same case is a WARN that
 * says it is expected during recovery. The fix belongs in the connector: a recovery producer that knows the broker
 * speaks V2 commits idempotently again ({@link #aRecoveryProducerThatSpeaksTransactionsV2CommitsIdempotently}).
 */
class KafkaRecommitITCase {
    private static final String TOPIC = "recommit";

    @Test
    void repeatedCommitOfACommittedTransactionIsFencedUnderTransactionsV2() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String bootstrap = kafka.bootstrapServers();
            assertThat(transactionVersion(bootstrap)).isEqualTo((short) 2);
            EmbeddedKafka.createTopics(bootstrap, 1, TOPIC);
            long[] pidEpoch = writeAndCommit(bootstrap, "committed-0-1", "a");
            try (var committer = new FlinkKafkaInternalProducer<byte[], byte[]>(producerProperties(bootstrap),
                    "committed-0-1")) {
                committer.resumeTransaction(pidEpoch[0], (short) pidEpoch[1]);
                assertThatThrownBy(committer::commitTransaction).isInstanceOf(ProducerFencedException.class);
            }
            assertThat(readCommitted(bootstrap)).containsExactly("a");
        }
    }

    @Test
    void aTransactionLeftOpenByTheFailureIsCommittedAfterTheRestoreUnderTransactionsV2() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String bootstrap = kafka.bootstrapServers();
            EmbeddedKafka.createTopics(bootstrap, 1, TOPIC);
            long pid;
            short epoch;
            // The writer precommits (flush) and then "fails": it is closed without committing or aborting.
            var writer = new FlinkKafkaInternalProducer<byte[], byte[]>(producerProperties(bootstrap), "open-0-1");
            try {
                writer.initTransactions();
                writer.beginTransaction();
                writer.send(new ProducerRecord<>(TOPIC, "b".getBytes(StandardCharsets.UTF_8)));
                writer.flush();
                pid = writer.getProducerId();
                epoch = writer.getEpoch();
            } finally {
                writer.close();
            }
            assertThat(readCommittedSoFar(bootstrap)).isEmpty();
            try (var committer = new FlinkKafkaInternalProducer<byte[], byte[]>(producerProperties(bootstrap),
                    "open-0-1")) {
                committer.resumeTransaction(pid, epoch);
                committer.commitTransaction();
            }
            assertThat(readCommitted(bootstrap)).containsExactly("b");
        }
    }

    /**
     * What fixes it in the connector: a recovery producer that knows the broker speaks transactions V2 (as
     * {@code initTransactions} would have told it) sends a V2 {@code EndTxn}, which the coordinator accepts as a retry
     * of the commit (stored epoch = request epoch + 1), and still commits a transaction the failure left open.
     */
    @Test
    void aRecoveryProducerThatSpeaksTransactionsV2CommitsIdempotently() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String bootstrap = kafka.bootstrapServers();
            EmbeddedKafka.createTopics(bootstrap, 1, TOPIC);
            long[] committed = writeAndCommit(bootstrap, "v2-0-1", "d");
            try (var committer = new FlinkKafkaInternalProducer<byte[], byte[]>(producerProperties(bootstrap),
                    "v2-0-1")) {
                committer.resumeTransaction(committed[0], (short) committed[1]);
                enableTransactionsV2(committer);
                committer.commitTransaction(); // accepted: a retry of the commit that happened before the failure
            }
            var writer = new FlinkKafkaInternalProducer<byte[], byte[]>(producerProperties(bootstrap), "v2-0-2");
            long pid;
            short epoch;
            try {
                writer.initTransactions();
                writer.beginTransaction();
                writer.send(new ProducerRecord<>(TOPIC, "e".getBytes(StandardCharsets.UTF_8)));
                writer.flush();
                pid = writer.getProducerId();
                epoch = writer.getEpoch();
            } finally {
                writer.close();
            }
            try (var committer = new FlinkKafkaInternalProducer<byte[], byte[]>(producerProperties(bootstrap),
                    "v2-0-2")) {
                committer.resumeTransaction(pid, epoch);
                enableTransactionsV2(committer);
                committer.commitTransaction();
            }
            assertThat(readCommitted(bootstrap)).containsExactly("d", "e");
        }
    }

    /** Sets the producer's TransactionManager.isTransactionV2Enabled, which only initTransactions() sets. */
    private static void enableTransactionsV2(FlinkKafkaInternalProducer<?, ?> producer) throws Exception {
        java.lang.reflect.Field tm = org.apache.kafka.clients.producer.KafkaProducer.class
                .getDeclaredField("transactionManager");
        tm.setAccessible(true);
        Object manager = tm.get(producer);
        java.lang.reflect.Field v2 = manager.getClass().getDeclaredField("isTransactionV2Enabled");
        v2.setAccessible(true);
        v2.setBoolean(manager, true);
    }

    @Test
    void repeatedCommitOfACommittedTransactionIsAcceptedUnderTransactionsV1() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String bootstrap = kafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.updateFeatures(Map.of("transaction.version",
                                new FeatureUpdate((short) 1, FeatureUpdate.UpgradeType.SAFE_DOWNGRADE)),
                        new UpdateFeaturesOptions()).all().get();
            }
            assertThat(transactionVersion(bootstrap)).isEqualTo((short) 1);
            EmbeddedKafka.createTopics(bootstrap, 1, TOPIC);
            long[] pidEpoch = writeAndCommit(bootstrap, "v1-0-1", "c");
            try (var committer = new FlinkKafkaInternalProducer<byte[], byte[]>(producerProperties(bootstrap),
                    "v1-0-1")) {
                committer.resumeTransaction(pidEpoch[0], (short) pidEpoch[1]);
                committer.commitTransaction(); // no exception: the broker treats it as a retry of the commit
            }
            assertThat(readCommitted(bootstrap)).containsExactly("c");
        }
    }

    /** The writer's side of one checkpoint: a transaction with one record, precommitted, then committed. */
    private static long[] writeAndCommit(String bootstrap, String transactionalId, String value) {
        try (var writer = new FlinkKafkaInternalProducer<byte[], byte[]>(producerProperties(bootstrap),
                transactionalId)) {
            writer.initTransactions();
            writer.beginTransaction();
            writer.send(new ProducerRecord<>(TOPIC, value.getBytes(StandardCharsets.UTF_8)));
            writer.flush();
            long[] pidEpoch = {writer.getProducerId(), writer.getEpoch()};
            writer.commitTransaction();
            return pidEpoch;
        }
    }

    private static short transactionVersion(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            var finalized = admin.describeFeatures().featureMetadata().get().finalizedFeatures();
            var tv = finalized.get("transaction.version");
            return tv == null ? 0 : tv.maxVersionLevel();
        }
    }

    private static Properties producerProperties(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "60000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        return p;
    }

    /**
     * Every committed value of the topic, once no transaction is open on it: commit markers are written after the
     * commit call returns, so the last stable offset may lag for a moment (as in {@link CommittedTopic}).
     */
    private static List<String> readCommitted(String bootstrap) throws InterruptedException {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        long[] end = new long[1];
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> latest = Map.of(tp, OffsetSpec.latest());
            Poll.until("no open transaction on " + tp, Duration.ofSeconds(30), () -> {
                long stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                        .all().get().get(tp).offset();
                long high = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                        .all().get().get(tp).offset();
                end[0] = stable;
                return stable == high;
            });
        }
        return readTo(bootstrap, end[0]);
    }

    /** The committed values up to the current last stable offset (an open transaction may hold it back). */
    private static List<String> readCommittedSoFar(String bootstrap) throws InterruptedException {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return readTo(bootstrap, admin.listOffsets(Map.of(tp, OffsetSpec.latest()),
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get().get(tp).offset());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("list offsets of " + tp, e);
        }
    }

    private static List<String> readTo(String bootstrap, long end) throws InterruptedException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            Poll.until("read_committed reaches offset " + end, Duration.ofSeconds(30), () -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
                return c.position(tp) >= end;
            });
        }
        return values;
    }
}
