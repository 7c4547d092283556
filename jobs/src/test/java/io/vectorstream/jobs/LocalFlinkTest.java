package io.vectorstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFlinkTest {
    @Test
    void aLocalRunWithoutACheckpointDirectoryCheckpointsToAFreshTemporaryDirectory() {
        // The JobManager's in-memory checkpoint storage caps state at 5 MiB, which failed the demo past a few
        // thousand 784-d vectors; a local run must checkpoint to the file system instead.
        StreamExecutionEnvironment env = LocalFlink.environment(2, "rocksdb", null, Duration.ofSeconds(1), 0,
                Duration.ZERO);
        String dir = env.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        assertThat(dir).startsWith("file:");
        assertThat(Files.isDirectory(Path.of(URI.create(dir)))).isTrue();
        assertThat(env.getConfiguration().get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(env.getConfig().isObjectReuseEnabled()).isTrue();
        assertThat(env.getBufferTimeout()).isZero();
        assertThat(env.getParallelism()).isEqualTo(2);
    }

    @Test
    void aGivenCheckpointDirectoryIsKept(@TempDir Path tmp) {
        String wanted = tmp.toUri().toString();
        StreamExecutionEnvironment env = LocalFlink.environment(1, "hashmap", wanted, Duration.ofSeconds(1), 0,
                Duration.ofMillis(5));
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo(wanted);
        assertThat(env.getBufferTimeout()).isEqualTo(5);
    }
}
