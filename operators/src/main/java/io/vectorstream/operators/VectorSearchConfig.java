package io.vectorstream.operators;

import io.vectorstream.index.HnswConfig;
import io.vectorstream.index.HnswSearcher;
import io.vectorstream.index.Quantization;
import io.vectorstream.index.VectorMetric;
import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Immutable configuration of the VectorStream operators. Build it with {@link #builder()} or read it from a
 * Flink configuration with {@link #fromConfiguration(ReadableConfig)} (keys in {@link VectorSearchOptions}).
 * Thread-safe.
 */
public final class VectorSearchConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final IndexMode mode;
    private final int shards;
    private final int shardsPerKey;
    private final int maxParallelism;
    private final int dimension;
    private final VectorMetric metric;
    private final int maxConn;
    private final int efConstruction;
    private final int efSearch;
    private final Quantization quantization;
    private final int exactThreshold;
    private final boolean vectorsOnHeap;
    private final int rerankCandidates;
    private final int upperBeamWidth;
    private final long seed;
    private final ConsistencyMode consistency;
    private final long ttlMillis;
    private final long cacheMaxBytes;
    private final boolean eagerRestore;
    private final long mergeTimeoutMillis;
    private final int insertNeighborsK;
    private final Float insertNeighborsRadius;
    private final int standingIndexThreshold;

    private VectorSearchConfig(Builder b) {
        standingIndexThreshold = b.standingIndexThreshold;
        insertNeighborsK = b.insertNeighborsK;
        insertNeighborsRadius = b.insertNeighborsRadius;
        mode = b.mode;
        shards = b.shards;
        shardsPerKey = b.shardsPerKey == 0 ? b.shards : b.shardsPerKey;
        maxParallelism = b.maxParallelism;
        dimension = b.dimension;
        metric = b.metric;
        maxConn = b.maxConn;
        efConstruction = b.efConstruction;
        efSearch = b.efSearch;
        quantization = b.quantization;
        exactThreshold = b.exactThreshold;
        vectorsOnHeap = b.vectorsOnHeap;
        rerankCandidates = b.rerankCandidates;
        upperBeamWidth = b.upperBeamWidth;
        seed = b.seed;
        consistency = b.consistency;
        ttlMillis = b.ttlMillis;
        cacheMaxBytes = b.cacheMaxBytes;
        eagerRestore = b.eagerRestore;
        mergeTimeoutMillis = b.mergeTimeoutMillis;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads every {@link VectorSearchOptions} key, with its default when unset. */
    public static VectorSearchConfig fromConfiguration(ReadableConfig c) {
        return builder()
                .mode(c.get(VectorSearchOptions.MODE))
                .shards(c.get(VectorSearchOptions.SHARDS))
                .shardsPerKey(c.get(VectorSearchOptions.SHARDS_PER_KEY))
                .maxParallelism(c.get(VectorSearchOptions.MAX_PARALLELISM))
                .dimension(c.get(VectorSearchOptions.DIMENSION))
                .metric(VectorMetric.parse(c.get(VectorSearchOptions.METRIC)))
                .maxConn(c.get(VectorSearchOptions.MAX_CONN))
                .efConstruction(c.get(VectorSearchOptions.EF_CONSTRUCTION))
                .efSearch(c.get(VectorSearchOptions.EF_SEARCH))
                .quantization(parseQuantization(c.get(VectorSearchOptions.QUANTIZATION)))
                .exactThreshold(c.get(VectorSearchOptions.EXACT_THRESHOLD))
                .vectorsOnHeap(c.get(VectorSearchOptions.VECTORS_ON_HEAP))
                .rerankCandidates(c.get(VectorSearchOptions.RERANK_CANDIDATES))
                .upperBeamWidth(c.get(VectorSearchOptions.UPPER_BEAM_WIDTH))
                .seed(c.get(VectorSearchOptions.SEED))
                .consistency(c.get(VectorSearchOptions.CONSISTENCY))
                .ttl(c.get(VectorSearchOptions.TTL))
                .cacheMaxBytes(c.get(VectorSearchOptions.CACHE_MAX_BYTES).getBytes())
                .eagerRestore(c.get(VectorSearchOptions.RESTORE_EAGER))
                .mergeTimeout(c.get(VectorSearchOptions.MERGE_TIMEOUT))
                .standingIndexThreshold(c.get(VectorSearchOptions.STANDING_INDEX_THRESHOLD))
                .insertNeighbors(c.get(VectorSearchOptions.INSERT_NEIGHBORS_K),
                        c.getOptional(VectorSearchOptions.INSERT_NEIGHBORS_RADIUS).map(Double::floatValue).orElse(null))
                .build();
    }

    static Quantization parseQuantization(String s) {
        switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
            case "none": return Quantization.NONE;
            case "int8": return Quantization.INT8;
            default: throw new IllegalArgumentException("quantization must be one of [none, int8]; quantization=" + s);
        }
    }

    /** The index configuration for a key whose vectors have {@code dim} components. */
    public HnswConfig hnswConfig(int dim) {
        return HnswConfig.builder(dim).metric(metric).maxConn(maxConn).beamWidth(efConstruction)
                .quantization(quantization).exactSearchThreshold(exactThreshold).seed(seed)
                .vectorsOnHeap(vectorsOnHeap).rerankCandidates(rerankCandidates).upperBeamWidth(upperBeamWidth)
                .build();
    }

    public IndexMode mode() { return mode; }
    public int shards() { return shards; }
    /**
     * GLOBAL mode: the shards one partition key spreads over (see {@link VectorSearchOptions#SHARDS_PER_KEY}), in
     * [1, {@link #shards()}]; a keyed query fans out to exactly these.
     */
    public int shardsPerKey() { return shardsPerKey; }
    /** Neighbours an upsert that asks for none itself reports ({@link VectorSearchOptions#INSERT_NEIGHBORS_K}). */
    public int insertNeighborsK() { return insertNeighborsK; }
    /** Standing queries per key above which they are matched through a graph of their own. */
    public int standingIndexThreshold() { return standingIndexThreshold; }
    /** Their distance bound, or null for none ({@link VectorSearchOptions#INSERT_NEIGHBORS_RADIUS}). */
    public Float insertNeighborsRadius() { return insertNeighborsRadius; }
    /**
     * Whether each key's vectors live in one graph: KEYED mode, or GLOBAL with one shard per key. Otherwise an
     * upsert's neighbours are searched on each of the key's shards and merged, and so are standing queries' answers.
     */
    public boolean oneGraphPerKey() { return mode == IndexMode.KEYED || shardsPerKey == 1; }
    /**
     * GLOBAL mode: the index operator's max parallelism (Flink's key-group count), fixed for the job's life;
     * {@link #shards()} divides it.
     */
    public int maxParallelism() { return maxParallelism; }
    /** Fixed dimension, or 0 when each key's first vector fixes it. */
    public int dimension() { return dimension; }
    public VectorMetric metric() { return metric; }
    public int maxConn() { return maxConn; }
    public int efConstruction() { return efConstruction; }
    public int efSearch() { return efSearch; }
    public Quantization quantization() { return quantization; }
    public int exactThreshold() { return exactThreshold; }
    /** See {@link VectorSearchOptions#VECTORS_ON_HEAP}. */
    public boolean vectorsOnHeap() { return vectorsOnHeap; }
    /** See {@link VectorSearchOptions#RERANK_CANDIDATES}. */
    public int rerankCandidates() { return rerankCandidates; }
    /** See {@link VectorSearchOptions#UPPER_BEAM_WIDTH}. */
    public int upperBeamWidth() { return upperBeamWidth; }
    public long seed() { return seed; }
    public ConsistencyMode consistency() { return consistency; }
    /** TTL in event-time milliseconds; 0 means none. */
    public long ttlMillis() { return ttlMillis; }
    public long cacheMaxBytes() { return cacheMaxBytes; }
    /**
     * Whether a restored subtask rebuilds its keys' indexes while it opens (up to {@link #cacheMaxBytes()}) rather
     * than on each key's first record; see {@link VectorSearchOptions#RESTORE_EAGER}.
     */
    public boolean eagerRestore() { return eagerRestore; }
    public long mergeTimeoutMillis() { return mergeTimeoutMillis; }

    /** Mutable builder; every setter checks its argument. Not thread-safe. */
    public static final class Builder {
        private IndexMode mode = IndexMode.KEYED;
        private int shards = VectorSearchOptions.SHARDS.defaultValue();
        private int shardsPerKey = VectorSearchOptions.SHARDS_PER_KEY.defaultValue();
        private int insertNeighborsK = VectorSearchOptions.INSERT_NEIGHBORS_K.defaultValue();
        private int standingIndexThreshold = VectorSearchOptions.STANDING_INDEX_THRESHOLD.defaultValue();
        private Float insertNeighborsRadius;
        private int maxParallelism = VectorSearchOptions.MAX_PARALLELISM.defaultValue();
        private int dimension = 0;
        private VectorMetric metric = VectorMetric.L2;
        private int maxConn = 16;
        private int efConstruction = 100;
        private int efSearch = 64;
        private Quantization quantization = Quantization.NONE;
        private int exactThreshold = VectorSearchOptions.EXACT_THRESHOLD.defaultValue();
        private boolean vectorsOnHeap = VectorSearchOptions.VECTORS_ON_HEAP.defaultValue();
        private int rerankCandidates = VectorSearchOptions.RERANK_CANDIDATES.defaultValue();
        private int upperBeamWidth = VectorSearchOptions.UPPER_BEAM_WIDTH.defaultValue();
        private long seed = 42L;
        private ConsistencyMode consistency = ConsistencyMode.PROCESSING;
        private long ttlMillis = 0;
        private long cacheMaxBytes = 256L << 20;
        private boolean eagerRestore = VectorSearchOptions.RESTORE_EAGER.defaultValue();
        private long mergeTimeoutMillis = 30_000L;

        private Builder() {}

        public Builder mode(IndexMode mode) {
            this.mode = require(mode, "mode");
            return this;
        }

        public Builder shards(int shards) {
            if (shards < 1 || shards > 32_768) {
                throw new IllegalArgumentException("shards must be in [1, 32768]; shards=" + shards);
            }
            this.shards = shards;
            return this;
        }

        /** GLOBAL mode: see {@link VectorSearchOptions#SHARDS_PER_KEY}; 0 (the default) means all shards. */
        /** See {@link VectorSearchOptions#STANDING_INDEX_THRESHOLD}; 0 indexes every key's standing queries. */
        public Builder standingIndexThreshold(int threshold) {
            if (threshold < 0) {
                throw new IllegalArgumentException("standingIndexThreshold must be >= 0; standingIndexThreshold="
                        + threshold);
            }
            this.standingIndexThreshold = threshold;
            return this;
        }

        /** The job's default for upserts that ask for no neighbours themselves; see {@link VectorEvent#neighborsK()}. */
        public Builder insertNeighbors(int k, Float radius) {
            if (k < 0 || k > io.vectorstream.index.HnswSearcher.MAX_K) {
                throw new IllegalArgumentException("insertNeighborsK must be in [0, "
                        + io.vectorstream.index.HnswSearcher.MAX_K + "]; insertNeighborsK=" + k);
            }
            if (radius != null && !Float.isFinite(radius)) {
                throw new IllegalArgumentException("insertNeighborsRadius must be finite; insertNeighborsRadius="
                        + radius);
            }
            this.insertNeighborsK = k;
            this.insertNeighborsRadius = radius;
            return this;
        }

        public Builder shardsPerKey(int shardsPerKey) {
            if (shardsPerKey < 0 || shardsPerKey > 32_768) {
                throw new IllegalArgumentException("shardsPerKey must be in [0, 32768] (0: all shards); shardsPerKey="
                        + shardsPerKey);
            }
            this.shardsPerKey = shardsPerKey;
            return this;
        }

        /** GLOBAL mode: see {@link VectorSearchConfig#maxParallelism()}. */
        public Builder maxParallelism(int maxParallelism) {
            if (maxParallelism < 1 || maxParallelism > 32_768) {
                throw new IllegalArgumentException("maxParallelism must be in [1, 32768]; maxParallelism="
                        + maxParallelism);
            }
            this.maxParallelism = maxParallelism;
            return this;
        }

        public Builder dimension(int dimension) {
            if (dimension < 0 || dimension > HnswConfig.MAX_DIMENSION) {
                throw new IllegalArgumentException(
                        "dimension must be in [0, " + HnswConfig.MAX_DIMENSION + "]; dimension=" + dimension);
            }
            this.dimension = dimension;
            return this;
        }

        public Builder metric(VectorMetric metric) {
            this.metric = require(metric, "metric");
            return this;
        }

        public Builder maxConn(int maxConn) {
            HnswConfig.builder(1).maxConn(maxConn); // same rule and message as the index
            this.maxConn = maxConn;
            return this;
        }

        public Builder efConstruction(int efConstruction) {
            HnswConfig.builder(1).beamWidth(efConstruction);
            this.efConstruction = efConstruction;
            return this;
        }

        public Builder efSearch(int efSearch) {
            if (efSearch < 1 || efSearch > HnswSearcher.MAX_EF) {
                throw new IllegalArgumentException(
                        "efSearch must be in [1, " + HnswSearcher.MAX_EF + "]; efSearch=" + efSearch);
            }
            this.efSearch = efSearch;
            return this;
        }

        public Builder quantization(Quantization quantization) {
            this.quantization = require(quantization, "quantization");
            return this;
        }

        public Builder exactThreshold(int exactThreshold) {
            HnswConfig.builder(1).exactSearchThreshold(exactThreshold);
            this.exactThreshold = exactThreshold;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder consistency(ConsistencyMode consistency) {
            this.consistency = require(consistency, "consistency");
            return this;
        }

        public Builder ttl(Duration ttl) {
            if (ttl == null || ttl.isNegative()) {
                throw new IllegalArgumentException("ttl must be >= 0; ttl=" + ttl);
            }
            this.ttlMillis = ttl.toMillis();
            return this;
        }

        public Builder cacheMaxBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("cacheMaxBytes must be >= 1; cacheMaxBytes=" + bytes);
            }
            this.cacheMaxBytes = bytes;
            return this;
        }

        /** See {@link VectorSearchConfig#eagerRestore()}. */
        /** See {@link VectorSearchOptions#VECTORS_ON_HEAP}; false needs int8 quantization. */
        public Builder vectorsOnHeap(boolean vectorsOnHeap) {
            this.vectorsOnHeap = vectorsOnHeap;
            return this;
        }

        /** See {@link VectorSearchOptions#RERANK_CANDIDATES}. */
        public Builder rerankCandidates(int n) {
            if (n < 0 || n > 100_000) {
                throw new IllegalArgumentException("rerankCandidates must be in [0, 100000] (0: automatic, "
                        + "2 k or 1.5 k); rerankCandidates=" + n);
            }
            this.rerankCandidates = n;
            return this;
        }

        /** See {@link VectorSearchOptions#UPPER_BEAM_WIDTH}. */
        public Builder upperBeamWidth(int width) {
            // The index's builder holds the rule and its message; checked here so a bad option fails at once.
            HnswConfig.builder(1).upperBeamWidth(width);
            this.upperBeamWidth = width;
            return this;
        }

        public Builder eagerRestore(boolean eagerRestore) {
            this.eagerRestore = eagerRestore;
            return this;
        }

        public Builder mergeTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("mergeTimeout must be > 0; mergeTimeout=" + timeout);
            }
            this.mergeTimeoutMillis = timeout.toMillis();
            return this;
        }

        public VectorSearchConfig build() {
            if (!vectorsOnHeap && quantization != Quantization.INT8) {
                throw new IllegalArgumentException("vectorsOnHeap may be false only with quantization int8 (the heap "
                        + "keeps the int8 codes to search); quantization=" + quantization.name().toLowerCase(Locale.ROOT));
            }
            if (mode == IndexMode.GLOBAL && dimension == 0) {
                // Each shard would otherwise fix its own dimension from its first vector, so one global index
                // could hold vectors of several dimensions, and a query of a wrong one be refused once per shard.
                throw new IllegalArgumentException("dimension must be set (> 0) in GLOBAL mode; dimension=0");
            }
            if (mode == IndexMode.GLOBAL) {
                io.vectorstream.operators.internal.Shards.checkLayout(shards, maxParallelism);
                if (shardsPerKey > shards) {
                    throw new IllegalArgumentException("shardsPerKey must be in [0, shards] (0: all shards); shards="
                            + shards + ", shardsPerKey=" + shardsPerKey);
                }
            }
            return new VectorSearchConfig(this);
        }

        private static <T> T require(T v, String name) {
            if (v == null) {
                throw new IllegalArgumentException(name + " must not be null; " + name + "=null");
            }
            return v;
        }
    }
}
