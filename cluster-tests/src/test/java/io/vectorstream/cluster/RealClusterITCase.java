package io.vectorstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.jobs.EmbeddedKafka;
import io.vectorstream.jobs.PipelineSpec;
import io.vectorstream.jobs.VectorProducer;
import io.vectorstream.operators.IndexMode;
import io.vectorstream.schemas.DeadLetter;
import io.vectorstream.schemas.NeighborResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shaded job on a real standalone Flink 2.2.1 cluster of separate JVMs, deployed the way users deploy it:
 * the shipped {@code docker/flink-conf/config.yaml} (loopback overrides only), {@code flink run} of the shaded jar,
 * a Kafka broker in its own JVM.
 *
 * <p>Session mode, for KEYED and for GLOBAL indexes, with EVENT_TIME consistency and exact search: vectors
 * (upserts, deletes) and queries stream in while a TaskManager is killed with SIGKILL three times (a replacement
 * started each time, and each recovery waited for through the REST API: the job RUNNING again with a checkpoint
 * completed after the restore); then stop-with-savepoint, resubmission with {@code -s <savepoint> -p 1}, more data,
 * stop-with-savepoint, resubmission with {@code -p 3}, more data. The results topic read with read_committed must
 * hold, as a multiset, exactly one answer per query, each equal to a brute-force oracle's (ids and index size),
 * and no dead letters. Application mode (what docker-compose and the FlinkDeployment run) is started and answers
 * too, with the arguments docker-compose.yml and the FlinkDeployment give the job. No JobManager or TaskManager log
 * may hold an ERROR that claims data loss; a WARN may only if it is the connector's fenced commit during
 * recovery (see {@link #assertNoErrorClaimingDataLoss} and KafkaRecommitITCase).
 *
 * <p>Seeded: {@code -Dvectorstream.cluster.seed=<seed>} repeats a run's data.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 15, unit = java.util.concurrent.TimeUnit.MINUTES)
class RealClusterITCase {
    private static final Logger LOG = LoggerFactory.getLogger(RealClusterITCase.class);
    private static final long SEED = Long.getLong("vectorstream.cluster.seed", System.currentTimeMillis());
    private static final int PARTITIONS = 4;
    private static final int RATE = 20;
    private static final Pattern FENCED_TRANSACTION = Pattern.compile(
            "KafkaCommitter .*Unable to commit transaction .*transactionalId='([^']+)'.*already fenced");

    private static Path work;
    private static Path lib;
    private static Path shippedConf;
    private static Path jobJar;
    private static BrokerProcess broker;

    @BeforeAll
    static void startBroker() throws Exception {
        lib = Path.of(System.getProperty("vectorstream.cluster.lib"));
        shippedConf = Path.of(System.getProperty("vectorstream.cluster.conf"));
        jobJar = Path.of(System.getProperty("vectorstream.cluster.job-jar"));
        if (!Files.isRegularFile(jobJar)) {
            throw new IllegalStateException("the shaded job jar must be built first (mvn -Pcluster -pl cluster-tests "
                    + "-am verify builds it); jobJar=" + jobJar);
        }
        Path runs = Path.of(System.getProperty("vectorstream.cluster.work"));
        deleteEarlierRuns(runs);
        work = runs.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        LOG.info("seed {} (repeat with -Dvectorstream.cluster.seed={}); logs under {}", SEED, SEED, work);
        broker = BrokerProcess.start(work.resolve("broker"));
        LOG.info("broker JVM at {}", broker.bootstrap);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Order(1)
    void keyedIndexSurvivesKillsSavepointsAndRescaling() throws Exception {
        withSeed(SEED + 1, seed -> sessionScenario(seed, IndexMode.KEYED, 1, "keyed",
                List.of("--mode", "KEYED")));
    }

    @Test
    @Order(2)
    void globalIndexSurvivesKillsSavepointsAndRescaling() throws Exception {
        withSeed(SEED + 2, seed -> sessionScenario(seed, IndexMode.GLOBAL, 4, "global",
                List.of("--mode", "GLOBAL", "--shards", "4", "--dimension", Integer.toString(Workload.DIMENSION))));
    }

    @Test
    @Order(3)
    void applicationModeAnswersQueries() throws Exception {
        withSeed(SEED + 3, this::applicationScenario);
    }

    // ------------------------------------------------------------------ session mode

    private void sessionScenario(long seed, IndexMode mode, int shards, String name, List<String> modeArgs)
            throws Exception {
        Timer timer = new Timer(name);
        Workload w = new Workload(seed, mode, name, PARTITIONS, 150);
        List<String> jobArgs = jobArgs(name, modeArgs);
        EmbeddedKafka.createTopics(broker.bootstrap, PARTITIONS, name + "-vectors", name + "-queries",
                name + "-results", name + "-dead-letters");
        try (StandaloneCluster c = StandaloneCluster.create(work.resolve(name), lib, shippedConf);
             VectorProducer producer = new VectorProducer(broker.bootstrap, PipelineSpec.Format.AVRO);
             CommittedTopic<NeighborResult> results = new CommittedTopic<>(broker.bootstrap, name + "-results",
                     NeighborResult.class)) {
            c.startSessionJobManager();
            c.startTaskManager();
            c.startTaskManager();
            c.awaitRegisteredTaskManagers(Duration.ofMinutes(2));
            timer.lap("JobManager and 2 TaskManagers up");

            String job = c.submit(jobJar, List.of(), jobArgs);
            awaitRunningWithCheckpointAfter(c, job, -1);
            timer.lap("job " + job + " running at the cluster's default parallelism " + c.rest.parallelism(job));

            // 1. kill -9 a TaskManager that runs tasks, three times, while records keep arriving.
            Feeder feeder = Feeder.start(w, producer, RATE);
            for (int kill = 1; kill <= 3; kill++) {
                FlinkRest.Checkpoints before = c.rest.checkpoints(job);
                String victim = busyTaskManager(c);
                c.killTaskManager(victim);
                String replacement = c.startTaskManager();
                awaitRecovery(c, job, before);
                timer.lap("kill -9 #" + kill + " of " + victim + " (replaced by " + replacement
                        + "): restored and a new checkpoint " + c.rest.checkpoints(job));
            }
            feeder.stop();
            awaitAnswers(results, w);
            timer.lap("every query so far answered (" + w.summary() + ")");

            // 2. stop with a savepoint, resubmit at parallelism 1, feed more.
            String savepoint = c.stopWithSavepoint(job);
            awaitState(c, job, "FINISHED");
            job = c.submit(jobJar, List.of("-s", savepoint, "-p", "1"), jobArgs);
            awaitRunningWithCheckpointAfter(c, job, -1);
            assertParallelism(c, job, 1);
            Feeder.start(w, producer, RATE, 200).awaitDone();
            awaitAnswers(results, w);
            timer.lap("restored from " + savepoint + " at -p 1, answered " + w.summary());

            // 3. again, at parallelism 3, then one last query per key (or one global query) for the final sizes.
            savepoint = c.stopWithSavepoint(job);
            awaitState(c, job, "FINISHED");
            job = c.submit(jobJar, List.of("-s", savepoint, "-p", "3"), jobArgs);
            awaitRunningWithCheckpointAfter(c, job, -1);
            assertParallelism(c, job, 3);
            Feeder.start(w, producer, RATE, 200).awaitDone();
            List<String> finals = w.finalQueries(producer);
            producer.flush();
            awaitAnswers(results, w);
            timer.lap("restored from " + savepoint + " at -p 3, answered " + w.summary());
            savepoint = c.stopWithSavepoint(job);
            awaitState(c, job, "FINISHED");
            timer.lap("stopped with savepoint " + savepoint);

            // 4. the committed output, as a multiset, against the oracle.
            results.readToEnd(Duration.ofMinutes(1));
            LOG.info("{}: final index sizes {}", name, finalSizes(results.records(), finals));
            assertNoDeadLetters(name);
            assertExactlyOneExactAnswerPerQuery(results.records(), w, shards);
            c.close();
            assertNoErrorClaimingDataLoss(c);
            timer.lap("checked " + results.records().size() + " answers, dead letters and logs");
        }
    }

    // ------------------------------------------------------------------ application mode

    private void applicationScenario(long seed) throws Exception {
        String name = "application";
        Timer timer = new Timer(name);
        Workload w = new Workload(seed, IndexMode.GLOBAL, name, PARTITIONS, 150);
        EmbeddedKafka.createTopics(broker.bootstrap, PARTITIONS, name + "-vectors", name + "-queries",
                name + "-results", name + "-dead-letters");
        try (StandaloneCluster c = StandaloneCluster.create(work.resolve(name), lib, shippedConf);
             VectorProducer producer = new VectorProducer(broker.bootstrap, PipelineSpec.Format.AVRO);
             CommittedTopic<NeighborResult> results = new CommittedTopic<>(broker.bootstrap, name + "-results",
                     NeighborResult.class)) {
            // As the image: the job jar in FLINK_HOME/usrlib, `standalone-job --job-classname ... run ...`.
            Files.copy(jobJar, c.dist.usrlib.resolve("vectorstream.jar"), StandardCopyOption.REPLACE_EXISTING);
            // The arguments of docker-compose.yml and the FlinkDeployment, apart from broker, topics and dimension.
            List<String> args = jobArgs(name, List.of("--mode", "GLOBAL", "--shards", "8", "--dimension",
                    Integer.toString(Workload.DIMENSION)));
            c.startApplicationJobManager("io.vectorstream.jobs.VectorStreamCli", args);
            c.startTaskManager();
            c.awaitRegisteredTaskManagers(Duration.ofMinutes(2));
            String[] job = new String[1];
            Poll.until("the application's job is listed", Duration.ofMinutes(2), () -> {
                c.assertJobManagerAlive();
                List<String> ids = c.rest.jobIds();
                job[0] = ids.isEmpty() ? null : ids.get(0);
                return job[0] != null;
            });
            awaitRunningWithCheckpointAfter(c, job[0], -1);
            timer.lap("application cluster running job " + job[0]);

            Feeder.start(w, producer, RATE, 200).awaitDone();
            w.finalQueries(producer);
            producer.flush();
            awaitAnswers(results, w);
            // main() has long returned: the JobManager it ran in must still be there.
            c.assertJobManagerAlive();
            timer.lap("answered " + w.summary());

            String savepoint = c.stopWithSavepoint(job[0]);
            results.readToEnd(Duration.ofMinutes(1));
            assertNoDeadLetters(name);
            assertExactlyOneExactAnswerPerQuery(results.records(), w, 8);
            c.close();
            assertNoErrorClaimingDataLoss(c);
            timer.lap("stopped with savepoint " + savepoint + "; checked " + results.records().size() + " answers");
        }
    }

    // ------------------------------------------------------------------ steps

    private List<String> jobArgs(String name, List<String> modeArgs) {
        List<String> a = new ArrayList<>(List.of("run", "--bootstrap", broker.bootstrap,
                "--vectors-topic", name + "-vectors", "--queries-topic", name + "-queries",
                "--results-topic", name + "-results", "--dead-letters-topic", name + "-dead-letters",
                "--group-id", name, "--transactional-id-prefix", name,
                // Event times come from the producers' clock on four partitions, with the default out-of-orderness
                // (0): records produced at the same moment on two partitions may arrive in either order, also
                // right after a restore (docs/operations.md, "Event time across partitions").
                "--consistency", "EVENT_TIME", "--exact-threshold", "100000"));
        a.addAll(modeArgs);
        return a;
    }

    /** A live TaskManager that holds at least one of the job's slots. */
    private static String busyTaskManager(StandaloneCluster c) throws InterruptedException {
        String[] victim = new String[1];
        Poll.until("a live TaskManager runs tasks", Duration.ofMinutes(1), () -> {
            Map<String, Integer> busy = c.rest.busySlots();
            for (String tm : c.liveTaskManagers()) {
                if (busy.getOrDefault(tm, 0) > 0) {
                    victim[0] = tm;
                    return true;
                }
            }
            return false;
        });
        return victim[0];
    }

    private static void awaitRunningWithCheckpointAfter(StandaloneCluster c, String job, long checkpointId)
            throws InterruptedException {
        Poll.until("job " + job + " RUNNING (every task) with a checkpoint after " + checkpointId,
                Duration.ofMinutes(3), () -> {
                    failIfTerminal(c, job);
                    return c.rest.allTasksRunning(job) && c.rest.checkpoints(job).latestCompletedId() > checkpointId;
                });
    }

    /** After a kill: the job restored a checkpoint, runs every task again and completed a checkpoint since. */
    private static void awaitRecovery(StandaloneCluster c, String job, FlinkRest.Checkpoints before)
            throws InterruptedException {
        Poll.until("job " + job + " restored (restores > " + before.restored() + "), RUNNING, with a checkpoint "
                + "completed after the restored one", Duration.ofMinutes(4), () -> {
                    failIfTerminal(c, job);
                    FlinkRest.Checkpoints now = c.rest.checkpoints(job);
                    return now.restored() > before.restored() && now.latestCompletedId() > now.latestRestoredId()
                            && c.rest.allTasksRunning(job);
                });
    }

    private static void awaitState(StandaloneCluster c, String job, String state) throws InterruptedException {
        Poll.until("job " + job + " " + state, Duration.ofMinutes(1), () -> state.equals(c.rest.jobState(job)));
    }

    private static void failIfTerminal(StandaloneCluster c, String job) throws Exception {
        c.assertJobManagerAlive();
        String state = c.rest.jobState(job);
        if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
            throw new AssertionError("job " + job + " must keep running; state " + state + ", latest failure:\n"
                    + c.rest.latestException(job));
        }
    }

    private static void assertParallelism(StandaloneCluster c, String job, int p) throws Exception {
        Map<String, Integer> parallelism = c.rest.parallelism(job);
        assertThat(parallelism.values()).as("flink run -p %d must set every vertex's parallelism: %s", p,
                parallelism).containsOnly(p);
    }

    /** Polls the results until every query sent so far has an answer (read_committed: after a checkpoint). */
    private static void awaitAnswers(CommittedTopic<NeighborResult> results, Workload w) throws InterruptedException {
        Set<String> expected = new HashSet<>(w.expected().keySet());
        Poll.until("an answer to each of the " + expected.size() + " queries", Duration.ofMinutes(3), () -> {
            results.poll();
            Set<String> missing = new HashSet<>(expected);
            results.records().forEach(r -> missing.remove(r.getQueryId()));
            return missing.isEmpty();
        });
    }

    /** Each query answered exactly once, exactly, by all {@code shards} shards (1 in KEYED mode). */
    private static void assertExactlyOneExactAnswerPerQuery(List<NeighborResult> answers, Workload w, int shards) {
        Map<String, Integer> counts = new TreeMap<>();
        answers.forEach(r -> counts.merge(r.getQueryId(), 1, Integer::sum));
        Map<String, Integer> wrongCounts = new TreeMap<>();
        w.expected().keySet().forEach(q -> {
            if (counts.getOrDefault(q, 0) != 1) {
                wrongCounts.put(q, counts.getOrDefault(q, 0));
            }
        });
        counts.keySet().stream().filter(q -> !w.expected().containsKey(q)).forEach(q -> wrongCounts.put(q, counts.get(q)));
        assertThat(wrongCounts).as("answers per query id (each must be exactly 1) where not 1, of %d queries",
                w.expected().size()).isEmpty();
        List<String> mismatches = new ArrayList<>();
        for (NeighborResult r : answers) {
            String m = w.mismatch(r.getQueryId(), r);
            if (m == null && (r.getShardsAnswered() != shards || r.getShardCount() != shards)) {
                m = r.getQueryId() + " must be answered by all " + shards + " shards; " + r.getShardsAnswered() + "/"
                        + r.getShardCount();
            }
            if (m != null) {
                mismatches.add(m);
            }
        }
        mismatches.sort(java.util.Comparator.comparing((String m) -> !m.startsWith("census")));
        assertThat(mismatches).as("answers that differ from the exact oracle (census answers list the index's "
                + "whole content)").isEmpty();
    }

    private static Map<String, Integer> finalSizes(List<NeighborResult> answers, List<String> finals) {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (NeighborResult r : answers) {
            if (finals.contains(r.getQueryId()) && !r.getQueryId().startsWith("census")) {
                sizes.put(r.getPartitionKey() == null ? "(global)" : r.getPartitionKey(), r.getIndexSize());
            }
        }
        return sizes;
    }

    private static void assertNoDeadLetters(String name) throws InterruptedException {
        try (CommittedTopic<DeadLetter> dead = new CommittedTopic<>(broker.bootstrap, name + "-dead-letters",
                DeadLetter.class)) {
            dead.readToEnd(Duration.ofMinutes(1));
            assertThat(dead.records()).as("dead letters (every record sent is valid and on time)").isEmpty();
        }
    }

    /**
     * No JobManager or TaskManager log line at ERROR that claims data loss. The sinks use the connector's POOLING
     * transaction naming, which logs the repeated commit of a restored checkpoint's committables (refused as
     * "fenced" under Kafka transactions V2, see KafkaRecommitITCase) as a WARN that says it is expected during
     * recovery; only that WARN may mention data loss. The proof that nothing was lost is the exactly-once check
     * of the committed answers before this one (pooled transactional ids are reused, so the broker's state of such
     * an id at the end says nothing about the attempt the WARN names).
     */
    private static void assertNoErrorClaimingDataLoss(StandaloneCluster c) throws Exception {
        assertThat(c.linesClaimingDataLoss("ERROR")).as("ERROR lines that claim data loss").isEmpty();
        List<String> fenced = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (String w : c.linesClaimingDataLoss("WARN")) {
            (FENCED_TRANSACTION.matcher(w).find() && w.contains("appears as part of the recovery") ? fenced : other)
                    .add(w);
        }
        LOG.info("{} KafkaCommitter 'fenced' WARN lines (the repeated commit of restored committables)", fenced.size());
        assertThat(other).as("WARN lines that claim data loss, other than the connector's fenced commit during "
                + "recovery").isEmpty();
    }

    // ------------------------------------------------------------------ plumbing

    @FunctionalInterface
    private interface SeededBody {
        void run(long seed) throws Exception;
    }

    private static void withSeed(long seed, SeededBody body) throws Exception {
        LOG.info("seed {}", seed);
        try {
            body.run(seed);
        } catch (AssertionError e) {
            AssertionError withSeed = new AssertionError("seed " + seed + " (class seed " + SEED + "): "
                    + e.getMessage(), e.getCause());
            withSeed.setStackTrace(e.getStackTrace());
            throw withSeed;
        }
    }

    /**
     * Each run leaves its logs, checkpoints and RocksDB files (hundreds of MB): keep the previous run (for a
     * post-mortem of a failure) and delete the older ones.
     */
    private static void deleteEarlierRuns(Path runs) throws java.io.IOException {
        if (!Files.isDirectory(runs)) {
            return;
        }
        List<Path> earlier;
        try (var all = Files.list(runs)) {
            // Run directories are named by their start time: newest first, keep one besides the run starting now.
            earlier = all.sorted(java.util.Comparator.reverseOrder()).skip(1).collect(Collectors.toList());
        }
        for (Path run : earlier) {
            try (var files = Files.walk(run)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Logs the wall time of each step. */
    private static final class Timer {
        private final String name;
        private final long start = System.nanoTime();
        private long last = start;

        Timer(String name) {
            this.name = name;
        }

        void lap(String what) {
            long now = System.nanoTime();
            LOG.info("[{}] +{} s (total {} s): {}", name, (now - last) / 1_000_000_000L, (now - start) / 1_000_000_000L,
                    what);
            last = now;
        }
    }
}
