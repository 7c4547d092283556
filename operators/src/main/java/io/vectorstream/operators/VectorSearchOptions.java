package io.vectorstream.operators;

import io.vectorstream.index.HnswConfig;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/** Every setting of the VectorStream operators, as Flink {@link ConfigOption}s with defaults. */
public final class VectorSearchOptions {
    private VectorSearchOptions() {}

    public static final ConfigOption<IndexMode> MODE = ConfigOptions.key("vectorstream.mode")
            .enumType(IndexMode.class).defaultValue(IndexMode.KEYED)
            .withDescription("KEYED: one index per partition key. GLOBAL: (key, id) hashed onto shards, queries fan out.");

    public static final ConfigOption<Integer> SHARDS = ConfigOptions.key("vectorstream.shards")
            .intType().defaultValue(8)
            .withDescription("GLOBAL mode: shards of the one index; must divide vectorstream.max-parallelism, and then "
                    + "every parallelism holds an even share (counts differ by at most one). Fixed for the job's "
                    + "life: a restore with another value is refused.");

    public static final ConfigOption<Integer> SHARDS_PER_KEY = ConfigOptions.key("vectorstream.shards-per-key")
            .intType().defaultValue(0)
            .withDescription("GLOBAL mode: how many shards one partition key's vectors spread over, in [1, "
                    + "vectorstream.shards]; 0 means all of them. Each (shard, key) has its own graph, so a keyed query "
                    + "searches only its key's graphs, in this many shards: 1 answers it from one shard (tenant-local), "
                    + "all spreads a large key over the whole cluster. Fixed for the job's life like the shards.");

    public static final ConfigOption<Integer> MAX_PARALLELISM = ConfigOptions.key("vectorstream.max-parallelism")
            .intType().defaultValue(128)
            .withDescription("GLOBAL mode: max parallelism (key groups) of the index operator; the upper bound of "
                    + "its parallelism, fixed for the job's life (Flink refuses to restore state with another).");

    public static final ConfigOption<Integer> DIMENSION = ConfigOptions.key("vectorstream.dimension")
            .intType().defaultValue(0)
            .withDescription("Vector dimension; 0 lets each key's first vector fix it.");

    public static final ConfigOption<String> METRIC = ConfigOptions.key("vectorstream.metric")
            .stringType().defaultValue("l2")
            .withDescription("Distance: l2 (squared Euclidean), ip (negative inner product) or cosine.");

    public static final ConfigOption<Integer> MAX_CONN = ConfigOptions.key("vectorstream.hnsw.max-conn")
            .intType().defaultValue(16).withDescription("HNSW M: neighbours per node (2M on layer 0).");

    public static final ConfigOption<Integer> EF_CONSTRUCTION = ConfigOptions.key("vectorstream.hnsw.ef-construction")
            .intType().defaultValue(100).withDescription("HNSW efConstruction (beam width while inserting).");

    public static final ConfigOption<Integer> EF_SEARCH = ConfigOptions.key("vectorstream.hnsw.ef-search")
            .intType().defaultValue(64)
            .withDescription("Default efSearch for queries that set none (raised to k when smaller).");

    public static final ConfigOption<String> QUANTIZATION = ConfigOptions.key("vectorstream.hnsw.quantization")
            .stringType().defaultValue("none")
            .withDescription("none, or int8: int8 traversal with exact float re-ranking.");

    public static final ConfigOption<Boolean> VECTORS_ON_HEAP = ConfigOptions.key("vectorstream.hnsw.vectors-on-heap")
            .booleanType().defaultValue(true)
            .withDescription("false (needs quantization int8): once a key's index has trained its quantiser, its "
                    + "heap copy holds the graph and one byte per component only; exact re-ranking reads the float "
                    + "vectors of the best candidates from keyed state. Meant for RocksDB, where state is off the heap: "
                    + "about a third of the heap per vector at 784 dimensions.");

    public static final ConfigOption<Integer> RERANK_CANDIDATES = ConfigOptions.key("vectorstream.hnsw.rerank-candidates")
            .intType().defaultValue(0)
            .withDescription("With quantization int8: how many of a search's best int8-scored candidates are re-ranked "
                    + "by exact float distance (at least k, at most efSearch). 0 chooses: 2 k with the "
                    + "vectors on the heap, 1.5 k with vectors-on-heap false, where each is one keyed-state read.");

    public static final ConfigOption<Integer> UPPER_BEAM_WIDTH = ConfigOptions.key("vectorstream.hnsw.upper-beam-width")
            .intType().defaultValue(HnswConfig.DEFAULT_UPPER_BEAM_WIDTH)
            .withDescription("Nodes a query keeps on each layer above 0 on its way down, in [1, "
                    + HnswConfig.MAX_UPPER_BEAM_WIDTH + "]. 1 is HNSW's greedy descent. 2 costs 5-10 % more "
                    + "distances per query and keeps queries from stopping in the wrong cluster when vectors arrive "
                    + "cluster by cluster (a tenant, a category at a time): see docs/operations.md.");

    public static final ConfigOption<Integer> EXACT_THRESHOLD = ConfigOptions.key("vectorstream.hnsw.exact-threshold")
            .intType().defaultValue(HnswConfig.DEFAULT_EXACT_SEARCH_THRESHOLD)
            .withDescription("Keys with at most this many vectors (or filter matches) are searched by brute force.");

    public static final ConfigOption<Long> SEED = ConfigOptions.key("vectorstream.hnsw.seed")
            .longType().defaultValue(42L).withDescription("Seed of the level generator (answers are deterministic).");

    public static final ConfigOption<ConsistencyMode> CONSISTENCY = ConfigOptions.key("vectorstream.consistency")
            .enumType(ConsistencyMode.class).defaultValue(ConsistencyMode.PROCESSING)
            .withDescription("PROCESSING: answer on arrival. EVENT_TIME: answer at the watermark, replay-identical.");

    public static final ConfigOption<Duration> TTL = ConfigOptions.key("vectorstream.ttl")
            .durationType().defaultValue(Duration.ZERO)
            .withDescription("Event-time time-to-live of a vector; 0 keeps vectors until deleted.");

    public static final ConfigOption<MemorySize> CACHE_MAX_BYTES = ConfigOptions.key("vectorstream.cache.max-bytes")
            .memoryType().defaultValue(MemorySize.parse("256mb"))
            .withDescription("Per-subtask heap budget for index caches; colder keys are evicted (their state stays).");

    public static final ConfigOption<Boolean> RESTORE_EAGER = ConfigOptions.key("vectorstream.restore.eager")
            .booleanType().defaultValue(true)
            .withDescription("After a restore (failure, rescale, savepoint), rebuild the index of every key the subtask "
                    + "owns while the operator opens, before it takes its first record, up to "
                    + "vectorstream.cache.max-bytes; keys beyond the budget are rebuilt on their first record. "
                    + "false: every key is rebuilt on its first record, so each key's first answer waits for it.");

    public static final ConfigOption<Integer> INSERT_NEIGHBORS_K = ConfigOptions.key("vectorstream.insert-neighbors.k")
            .intType().defaultValue(0)
            .withDescription("Every upsert that sets no neighborsK of its own emits its k nearest neighbours among the "
                    + "vectors already indexed under its key (a result of kind INSERT_NEIGHBORS): the streaming "
                    + "similarity self-join. 0: none. With a key spread over several shards (GLOBAL), searched on "
                    + "each of them and merged.");

    public static final ConfigOption<Double> INSERT_NEIGHBORS_RADIUS = ConfigOptions.key(
                    "vectorstream.insert-neighbors.radius")
            .doubleType().noDefaultValue()
            .withDescription("With insert neighbours: only neighbours at a distance below this (near-duplicate "
                    + "detection), for upserts that set no neighborsRadius of their own. Unset: no threshold.");

    public static final ConfigOption<Integer> STANDING_INDEX_THRESHOLD = ConfigOptions.key(
                    "vectorstream.standing.index-threshold")
            .intType().defaultValue(256)
            .withDescription("A key with more standing queries than this finds the ones an upsert may change through "
                    + "an index of the queries (StandingMatcher: lower bounds from clusters and a 32-direction "
                    + "principal projection rule most queries out without their distance) instead of scoring every "
                    + "query; exact either way. On Fashion-MNIST an insert with 100,000 standing queries took 15.8 ms "
                    + "with it and 50.4 ms scoring every query (docs/benchmarks.md, section 8).");

    public static final ConfigOption<Duration> MERGE_TIMEOUT = ConfigOptions.key("vectorstream.merge.timeout")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("GLOBAL mode: emit an incomplete merged answer if a shard has not answered by then.");
}
