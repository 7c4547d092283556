package io.vectorstream.operators;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What the MiniCluster tests share: a job environment (RocksDB, no Kryo, parallelism 2, a checkpoint every 100 ms,
 * restarts only when a failure is injected) and the failure itself, thrown once after a completed checkpoint.
 * Tests using it run one job at a time.
 */
final class MiniClusterRuns {
    /** Whether the current run's failure was thrown. */
    static final AtomicBoolean FAILED = new AtomicBoolean();

    private MiniClusterRuns() {}

    /** A fresh environment; resets {@link #FAILED}. */
    static StreamExecutionEnvironment environment(boolean injectFailure) {
        FAILED.set(false);
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, injectFailure ? "fixed-delay" : "none");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(100);
        return env;
    }

    /**
     * Rate-limited events from {@code generator} (so checkpoints complete while data still flows), watermarked by
     * their event time, failing once after a checkpoint when {@code injectFailure}.
     */
    static DataStream<VectorEvent> events(StreamExecutionEnvironment env, GeneratorFunction<Long, VectorEvent> generator,
                                          long count, double perSecond, boolean injectFailure) {
        DataStream<VectorEvent> events = env.fromSource(
                new DataGeneratorSource<>(generator, count, RateLimiterStrategy.perSecond(perSecond),
                        VectorStreamTypes.EVENT),
                WatermarkStrategy.<VectorEvent>forMonotonousTimestamps().withTimestampAssigner((e, t) -> e.eventTime()),
                "events");
        return injectFailure ? events.map(new FailOnceAfterCheckpoint()).returns(VectorStreamTypes.EVENT) : events;
    }

    /** Rate-limited queries from {@code generator}, watermarked by their event time. */
    static DataStream<VectorQuery> queries(StreamExecutionEnvironment env, GeneratorFunction<Long, VectorQuery> generator,
                                           long count, double perSecond) {
        return env.fromSource(
                new DataGeneratorSource<>(generator, count, RateLimiterStrategy.perSecond(perSecond),
                        VectorStreamTypes.QUERY),
                WatermarkStrategy.<VectorQuery>forMonotonousTimestamps().withTimestampAssigner((q, t) -> q.eventTime()),
                "queries");
    }

    /**
     * Fails the job once, from the notification of the first checkpoint completed after 200 events passed. The
     * bounded input always ends with a final checkpoint, so the failure happens in every run whatever the timing
     * (mid-stream when a periodic checkpoint comes first); the restart restores that checkpoint.
     */
    static final class FailOnceAfterCheckpoint implements MapFunction<VectorEvent, VectorEvent>, CheckpointListener {
        private transient int seen;

        @Override
        public VectorEvent map(VectorEvent e) {
            seen++;
            return e;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (seen >= 200 && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after completed checkpoint " + checkpointId);
            }
        }
    }
}
