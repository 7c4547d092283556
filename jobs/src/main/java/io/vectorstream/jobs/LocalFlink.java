package io.vectorstream.jobs;

import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Builds the Flink environment for the CLI: on a cluster under {@code flink run}, a local one otherwise. */
public final class LocalFlink {
    private LocalFlink() {}

    /**
     * @param stateBackend  {@code rocksdb} or {@code hashmap}
     * @param checkpointDir null for the JobManager's default (in-memory for a local run)
     * @param restarts      fixed-delay restart attempts; 0 means fail fast
     */
    public static StreamExecutionEnvironment environment(int parallelism, String stateBackend, String checkpointDir,
                                                         Duration checkpointInterval, int restarts) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        if ("rocksdb".equals(stateBackend)) {
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
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
        env.setParallelism(parallelism);
        env.enableCheckpointing(checkpointInterval.toMillis());
        // Ship records within a few ms instead of waiting for full network buffers (query latency).
        env.setBufferTimeout(2);
        return env;
    }
}
