package io.vectorstream.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Builds the Flink environment for the CLI: on a cluster under {@code flink run}, a local one otherwise. */
public final class LocalFlink {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalFlink.class);

    private LocalFlink() {}

    /**
     * @param stateBackend  {@code rocksdb} or {@code hashmap}
     * @param checkpointDir null for the cluster's configured checkpoint storage; a local run then checkpoints to
     *                      a fresh temporary directory (the JobManager's in-memory storage caps state at 5 MiB,
     *                      which a few thousand vectors exceed)
     * @param restarts      fixed-delay restart attempts; 0 means fail fast
     * @param bufferTimeout how long a network buffer may wait to fill before it is shipped; zero ships every
     *                      record at once (lowest latency, and no output-flusher thread waking every few ms)
     */
    public static StreamExecutionEnvironment environment(int parallelism, String stateBackend, String checkpointDir,
                                                         Duration checkpointInterval, int restarts,
                                                         Duration bufferTimeout) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        if ("rocksdb".equals(stateBackend)) {
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
            RocksDbDefaults.applyTo(conf);
        }
        if (checkpointDir != null) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
        }
        // Every state and record type has its own serializer: fail fast if anything falls back to Kryo.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, restarts > 0 ? "fixed-delay" : "none");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, Math.max(1, restarts));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        if (checkpointDir == null && env instanceof LocalStreamEnvironment) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, temporaryCheckpointDirectory());
            env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        }
        env.setParallelism(parallelism);
        env.enableCheckpointing(checkpointInterval.toMillis());
        env.setBufferTimeout(bufferTimeout.toMillis());
        // No defensive copy of each record between chained operators: every VectorStream function emits fresh,
        // effectively immutable records and keeps none of its inputs, so the copies were pure allocation.
        env.getConfig().enableObjectReuse();
        return env;
    }

    /**
     * The environment of {@code vectorstream run}: the cluster's configuration (under {@code flink run} or in
     * application mode) or an empty one (a local MiniCluster), with {@code overrides} (the flags and {@code -D}
     * settings) on top. Parallelism, restart strategy, state backend and checkpoint storage stay the cluster's
     * unless overridden; this adds only what the job cannot run correctly without:
     * <ul>
     *   <li>a checkpoint interval when none is configured ({@link VectorStreamJobOptions#DEFAULT_CHECKPOINT_INTERVAL}):
     *       exactly-once answers become visible only at checkpoints;</li>
     *   <li>checkpoints retained on cancel and failure, in {@code <checkpoint dir>/<transactional id prefix>/}, and,
     *       unless a savepoint path is given or {@link VectorStreamJobOptions#RESUME} is false, a restore from the
     *       newest completed checkpoint there: a restarted {@code run} never serves a partial index;</li>
     *   <li>no Kryo ({@code pipeline.generic-types: false});</li>
     *   <li>RocksDB blocks uncompressed unless configured ({@link RocksDbDefaults});</li>
     *   <li>locally only: RocksDB with incremental checkpoints and a temporary checkpoint directory, when unset.</li>
     * </ul>
     */
    public static StreamExecutionEnvironment forJob(Configuration overrides) throws IOException {
        StreamExecutionEnvironment probe = StreamExecutionEnvironment.getExecutionEnvironment(overrides);
        boolean local = probe instanceof LocalStreamEnvironment;
        Configuration conf = Configuration.fromMap(probe.getConfiguration().toMap());
        conf.addAll(overrides);
        if (local && !conf.contains(StateBackendOptions.STATE_BACKEND)) {
            conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        }
        if (!conf.contains(CheckpointingOptions.CHECKPOINTING_INTERVAL)) {
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL,
                    conf.get(VectorStreamJobOptions.DEFAULT_CHECKPOINT_INTERVAL));
        }
        if (!conf.contains(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION)) {
            conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // Only read by RocksDB: harmless when the job runs on another backend.
        RocksDbDefaults.applyTo(conf);
        String dir = conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        if (dir != null) {
            // One sub-directory per pipeline (its transactional id prefix, unique per job on a cluster), so a
            // restart resumes this pipeline's checkpoints and never another job's in a shared directory.
            dir = dir.replaceAll("/+$", "") + "/" + conf.get(VectorStreamJobOptions.TRANSACTIONAL_ID_PREFIX);
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir);
        }
        if (dir == null && local) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, temporaryCheckpointDirectory());
        } else if (dir != null && conf.get(VectorStreamJobOptions.RESUME)
                && !conf.contains(StateRecoveryOptions.SAVEPOINT_PATH)) {
            Optional<String> latest = LatestCheckpoint.find(dir);
            if (latest.isPresent()) {
                LOG.warn("resuming from the latest completed checkpoint {} (set {}=false, or run --fresh, to start "
                        + "empty)", latest.get(), VectorStreamJobOptions.RESUME.key());
                conf.set(StateRecoveryOptions.SAVEPOINT_PATH, latest.get());
            } else {
                LOG.warn("no completed checkpoint under {}: starting empty; the index is rebuilt from the vectors "
                        + "topic's earliest offset", dir);
            }
        }
        StreamExecutionEnvironment env = local ? StreamExecutionEnvironment.createLocalEnvironment(conf)
                : StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.getConfig().enableObjectReuse();
        return env;
    }

    private static String temporaryCheckpointDirectory() {
        try {
            Path dir = Files.createTempDirectory("vectorstream-checkpoints-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir), "vectorstream-checkpoints-cleanup"));
            return dir.toUri().toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary checkpoint directory", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Best effort: it is a temporary directory.
        }
    }
}
