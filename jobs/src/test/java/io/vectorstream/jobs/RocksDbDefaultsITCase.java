package io.vectorstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.CompressionType;

/**
 * The RocksDB instance a job opens really uses {@link RocksDbDefaults}: read from the OPTIONS file RocksDB writes
 * into its own directory, by a function running inside the job while its database is open.
 */
class RocksDbDefaultsITCase {
    @Test
    void theJobsRocksDbWritesUncompressedBlocks(@TempDir Path localDir) throws Exception {
        assertThat(compressionSeenByTheJob(localDir, new Configuration()))
                .isNotEmpty().allMatch(line -> line.equals("compression_per_level=kNoCompression"));
    }

    @Test
    void aConfiguredCompressionWins(@TempDir Path localDir) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL, List.of(CompressionType.LZ4_COMPRESSION));
        assertThat(compressionSeenByTheJob(localDir, conf))
                .isNotEmpty().allMatch(line -> line.equals("compression_per_level=kLZ4Compression"));
    }

    /** The {@code compression_per_level} lines of every OPTIONS file under the job's RocksDB directory. */
    private static List<String> compressionSeenByTheJob(Path localDir, Configuration overrides) throws Exception {
        Configuration conf = new Configuration(overrides);
        conf.set(RocksDBOptions.LOCAL_DIRECTORIES, localDir.toString());
        conf.set(org.apache.flink.configuration.CoreOptions.DEFAULT_PARALLELISM, 1);
        // The CLI's path (vectorstream run): locally it picks RocksDB itself.
        StreamExecutionEnvironment env = LocalFlink.forJob(conf);
        List<String> lines = new ArrayList<>();
        try (CloseableIterator<String> it = env.fromData(1, 2, 3)
                .keyBy(i -> i % 2, Types.INT)
                .process(new ReadOptionsFile(localDir.toString()), Types.STRING)
                .executeAndCollect()) {
            it.forEachRemaining(lines::add);
        }
        return lines;
    }

    /** Touches keyed state (so the database exists), then reports what its OPTIONS files say. */
    private static final class ReadOptionsFile extends KeyedProcessFunction<Integer, Integer, String> {
        private final String localDir;
        private transient ValueState<Integer> seen;

        ReadOptionsFile(String localDir) {
            this.localDir = localDir;
        }

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
            seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.INT));
        }

        @Override
        public void processElement(Integer value, Context ctx, Collector<String> out) throws Exception {
            seen.update(value);
            try (Stream<Path> files = Files.walk(Path.of(localDir))) {
                files.filter(p -> p.getFileName().toString().startsWith("OPTIONS-")).forEach(p -> {
                    try {
                        for (String line : Files.readAllLines(p)) {
                            if (line.trim().startsWith("compression_per_level=")) {
                                out.collect(line.trim());
                            }
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }
}
