package io.vectorstream.jobs;

import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.rocksdb.CompressionType;

/**
 * The RocksDB settings VectorStream's job applies unless the configuration (the cluster's, {@code -D} or the
 * job's) sets them itself.
 *
 * <p>Block compression is off: the bulk of a VectorStream job's state is float32 vectors, which compress little,
 * yet Flink's default (Snappy on every level) decompresses every block read. Rebuilding a key's index after a
 * restore reads all of its vectors: measured in {@code bench} RestoreTime on Fashion-MNIST (60k x 784, one key),
 * the first answer after a restore took 1.1–2.2 s with Snappy and 0.4–0.6 s without (docs/benchmarks.md,
 * section 5). The price is larger SST files when the vectors do compress (sparse ones).
 */
public final class RocksDbDefaults {
    /** Compression of every level: none. */
    public static final List<CompressionType> COMPRESSION_PER_LEVEL = List.of(CompressionType.NO_COMPRESSION);

    private RocksDbDefaults() {}

    /** Sets each default {@code conf} does not set; a value already there wins. Mutates {@code conf}. */
    public static Configuration applyTo(Configuration conf) {
        if (!conf.contains(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL)) {
            conf.set(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL, COMPRESSION_PER_LEVEL);
        }
        return conf;
    }
}
