package io.vectorstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.schemas.DeadLetter;
import io.vectorstream.schemas.Neighbor;
import io.vectorstream.schemas.NeighborResult;
import io.vectorstream.schemas.Op;
import io.vectorstream.schemas.VectorEvent;
import io.vectorstream.schemas.VectorQuery;
import io.vectorstream.schemas.codec.VectorBytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash never serves a partial index: {@code vectorstream run} in its own JVM is killed with SIGKILL three
 * times mid-stream (just after a new batch of records went in) and started again with the same command; it resumes
 * from the newest retained checkpoint by itself. Before each restart the vector records the job's checkpoints
 * cover are deleted from the topic, so only the restored state can supply them. The answers, read with read_committed as a multiset, equal a brute-force oracle's (each query exactly
 * once, EVENT_TIME semantics), and no record went to the dead letters (none was late).
 */
class CrashRecoveryITCase {
    static final int KEYS = 4;
    static final int DIM = 8;
    static final int K = 5;
    static final int PHASES = 4;
    static final int EVENTS_PER_PHASE = 600;

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Unique, increasing event times near the clock (the watermark of an idle partition follows the clock). */
    static final class Clock {
        private long last;

        long next() {
            last = Math.max(System.currentTimeMillis(), last + 1);
            return last;
        }
    }

    @Test
    void killingTheRunJvmThreeTimesMidStreamLosesAndDuplicatesNothing(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("CrashRecoveryITCase seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        String p = "crash";
        kafka.createTopics(2, p + "-vectors", p + "-queries", p + "-results", p + "-dead");
        Path checkpointRoot = dir.resolve("checkpoints");
        // run keeps each pipeline's checkpoints under <dir>/<transactional id prefix>.
        Path checkpoints = checkpointRoot.resolve(p);
        Path log = dir.resolve("run.log");
        String[] args = {"--bootstrap", kafka.bootstrapServers(), "--vectors-topic", p + "-vectors",
                "--queries-topic", p + "-queries", "--results-topic", p + "-results", "--dead-letters-topic", p + "-dead",
                "--group-id", p, "--transactional-id-prefix", p, "--consistency", "EVENT_TIME",
                "--exact-threshold", "1000000", "--parallelism", "2", "--idleness", "PT15S",
                "--checkpoint-dir", checkpointRoot.toUri().toString(), "--checkpoint-interval", "PT0.5S"};

        List<VectorEvent> events = new ArrayList<>();
        List<VectorQuery> queries = new ArrayList<>();
        Clock clock = new Clock();
        Map<String, Integer> answered = new HashMap<>();
        List<NeighborResult> results = new ArrayList<>();
        int deleted = 0;
        try (VectorProducer producer = new VectorProducer(kafka.bootstrapServers(), PipelineSpec.Format.AVRO);
             ResultConsumer<NeighborResult> reader = new ResultConsumer<>(kafka.bootstrapServers(), p + "-results",
                     NeighborResult.class, true)) {
            produce(producer, p, random, clock, 0, events, queries);
            RunProcess run = RunProcess.start(log, args);
            String lastCheckpoint = null;
            for (int kill = 1; kill <= 3; kill++) {
                // Mid-stream: after a checkpoint newer than the last kill's completed and answers were committed.
                String before = lastCheckpoint;
                int answersBefore = results.size();
                RunProcess current = run;
                awaitCondition("a new completed checkpoint and new committed answers before kill " + kill + " (seed "
                        + seed + ", log " + log + ")", Duration.ofMinutes(3), () -> {
                    read(reader, results);
                    Optional<String> latest = latest(checkpoints);
                    assertThat(current.isAlive()).as("the run process is alive; see " + log).isTrue();
                    // The job commits the sources' offsets after each completed checkpoint, asynchronously: wait for
                    // them too, so the deletion below has checkpointed records to delete.
                    return latest.isPresent() && !latest.get().equals(before) && results.size() > answersBefore
                            && committedVectors(p) > 0;
                });
                lastCheckpoint = latest(checkpoints).orElseThrow();
                // The next phase goes in while the job runs, and the kill follows at once: mid-stream.
                produce(producer, p, random, clock, kill, events, queries);
                run.kill();
                // Only the restored state can now supply the vectors the checkpoints covered: a restart that
                // rebuilt the index from the topic instead would answer differently.
                int d = deleteCommittedVectors(p);
                deleted = Math.max(deleted, d);
                System.out.println("kill " + kill + ": deleted the " + d + " checkpointed vector records");
                run = RunProcess.start(log, args);
            }
            try {
                awaitCondition("every query answered (seed " + seed + ", log " + log + ")", Duration.ofMinutes(3), () -> {
                    read(reader, results);
                    return results.stream().map(NeighborResult::getQueryId).distinct().count() >= queries.size();
                });
                // A duplicate would arrive with a later transaction: read until a quiet spell after two checkpoints.
                long quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (System.nanoTime() < quietUntil) {
                    if (read(reader, results) > 0) {
                        quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                    }
                }
            } finally {
                run.kill();
            }
        }
        for (NeighborResult r : results) {
            answered.merge(r.getQueryId(), 1, Integer::sum);
        }
        assertThat(answered).as("each query answered exactly once (multiset), seed %d", seed).hasSize(queries.size())
                .allSatisfy((id, n) -> assertThat(n).as("answers of %s", id).isEqualTo(1));
        Map<String, long[]> expected = oracle(events, queries);
        for (NeighborResult r : results) {
            long[] ids = r.getNeighbors().stream().mapToLong(Neighbor::getId).toArray();
            assertThat(ids).as("answer of %s, seed %d", r.getQueryId(), seed).containsExactly(expected.get(r.getQueryId()));
        }
        List<DeadLetter> dead = VectorStreamPipelineITCase.readAllFrom(kafka, p + "-dead", DeadLetter.class, 0);
        assertThat(dead).as("no dead letters (nothing late), seed %d", seed).isEmpty();
        assertThat(Files.readString(log)).as("the runs resumed from checkpoints").contains("resuming from the latest completed checkpoint");
        assertThat(deleted).as("checkpointed vectors were deleted from the topic before restarts").isPositive();
    }

    /**
     * Deletes the vectors topic's records below the offsets the job committed, which it commits when a checkpoint
     * completes: every deleted record is in a completed checkpoint's state (the newest is restored). Returns how
     * many were deleted.
     */
    /** How many vector records lie below the offsets the job's group committed (0 before its first commit). */
    static long committedVectors(String p) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            long n = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e
                    : admin.listConsumerGroupOffsets(p).partitionsToOffsetAndMetadata().get().entrySet()) {
                if (e.getKey().topic().equals(p + "-vectors") && e.getValue() != null) {
                    n += e.getValue().offset();
                }
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading committed offsets", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("committed offsets of group " + p + " must be readable", e.getCause());
        }
    }

    static int deleteCommittedVectors(String p) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(p).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
            int n = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
                if (e.getKey().topic().equals(p + "-vectors") && e.getValue() != null) {
                    delete.put(e.getKey(), RecordsToDelete.beforeOffset(e.getValue().offset()));
                    n += (int) e.getValue().offset();
                }
            }
            admin.deleteRecords(delete).all().get();
            return n;
        }
    }

    static Optional<String> latest(Path checkpoints) {
        try {
            return LatestCheckpoint.find(checkpoints.toUri().toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static int read(ResultConsumer<NeighborResult> reader, List<NeighborResult> into) {
        return reader.poll(Duration.ofMillis(200), (r, at) -> into.add(r));
    }

    static void awaitCondition(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
        }
    }

    /** One phase: upserts over KEYS keys, a delete every 10th event, a query every 6th; all sent and acknowledged. */
    static void produce(VectorProducer producer, String p, SplittableRandom r, Clock clock, int phase,
                        List<VectorEvent> events, List<VectorQuery> queries) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < EVENTS_PER_PHASE; i++) {
            String key = "key-" + (i % KEYS);
            long id = phase * 100_000L + i;
            VectorEvent e = i % 10 == 9
                    ? VectorProducer.delete(key, id - 5 * KEYS, clock.next())
                    : VectorProducer.upsert(key, id, vector(r), Map.of(), clock.next());
            events.add(e);
            sent.add(producer.send(p + "-vectors", e));
            if (i % 6 == 5) {
                VectorQuery q = VectorProducer.query("q-" + phase + "-" + i, key, vector(r), K, clock.next());
                queries.add(q);
                sent.add(producer.send(p + "-queries", q));
            }
        }
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
            f.get();
        }
    }

    static float[] vector(SplittableRandom r) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextDouble();
        }
        return v;
    }

    /** Brute force: each query sees exactly the vectors of its key with event time <= its own. */
    static Map<String, long[]> oracle(List<VectorEvent> events, List<VectorQuery> queries) {
        Map<String, long[]> answers = new HashMap<>();
        for (VectorQuery q : queries) {
            long t = q.getEventTime().toEpochMilli();
            Map<Long, float[]> live = new LinkedHashMap<>();
            for (VectorEvent e : events) {
                if (e.getEventTime().toEpochMilli() > t || !e.getPartitionKey().equals(q.getPartitionKey())) {
                    continue;
                }
                if (e.getOp() == Op.UPSERT) {
                    live.put(e.getId(), VectorBytes.decode(e.getVector()));
                } else {
                    live.remove(e.getId());
                }
            }
            float[] qv = VectorBytes.decode(q.getVector());
            answers.put(q.getQueryId(), live.entrySet().stream()
                    .sorted(Comparator.<Map.Entry<Long, float[]>>comparingDouble(en -> l2(qv, en.getValue()))
                            .thenComparing(Map.Entry::getKey))
                    .limit(q.getK()).mapToLong(Map.Entry::getKey).toArray());
        }
        return answers;
    }

    static double l2(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
