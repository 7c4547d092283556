package io.vectorstream.operators;

import static io.vectorstream.operators.OperatorTestSupport.deadLetters;
import static io.vectorstream.operators.OperatorTestSupport.harness;
import static io.vectorstream.operators.OperatorTestSupport.results;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorstream.operators.OperatorTestSupport.Backend;
import io.vectorstream.operators.internal.Shards;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GLOBAL mode: even shards at every parallelism, routing by (key, id), tenant-scoped ids, fixed layout. */
class GlobalShardingTest {

    /** Flink's own key-group assignment puts shard counts per subtask that differ by at most one. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8, 16, 32, 64, 128})
    void everyParallelismGetsAnEvenShareOfTheShards(int shardCount) {
        int maxParallelism = 128;
        Shards shards = new Shards(shardCount, maxParallelism);
        Set<String> keys = new HashSet<>();
        for (int s = 0; s < shardCount; s++) {
            keys.add(shards.key(s));
            assertThat(KeyGroupRangeAssignment.assignToKeyGroup(shards.key(s), maxParallelism))
                    .isEqualTo(Shards.keyGroupOf(s, shardCount, maxParallelism));
        }
        assertThat(keys).as("one key per shard").hasSize(shardCount);
        for (int p = 1; p <= maxParallelism; p++) {
            int[] perSubtask = new int[p];
            for (int s = 0; s < shardCount; s++) {
                perSubtask[KeyGroupRangeAssignment.assignKeyToParallelOperator(shards.key(s), maxParallelism, p)]++;
            }
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (int c : perSubtask) {
                min = Math.min(min, c);
                max = Math.max(max, c);
            }
            assertThat(max - min).as("%d shards at parallelism %d: %s", shardCount, p,
                    java.util.Arrays.toString(perSubtask)).isLessThanOrEqualTo(1);
        }
    }

    /** The largest layouts Flink allows: every shard pinned to its own group (found in well under a second). */
    @ParameterizedTest
    @ValueSource(ints = {4_096, 32_768})
    void largeLayoutsPinEveryShard(int shardCount) {
        Shards shards = new Shards(shardCount, 32_768);
        Set<String> keys = new HashSet<>();
        for (int s = 0; s < shardCount; s++) {
            keys.add(shards.key(s));
            assertThat(KeyGroupRangeAssignment.assignToKeyGroup(shards.key(s), 32_768))
                    .isEqualTo(Shards.keyGroupOf(s, shardCount, 32_768));
        }
        assertThat(keys).hasSize(shardCount);
    }

    @Test
    void aShardCountThatCannotSpreadEvenlyIsRefused() {
        assertThatThrownBy(() -> VectorSearchConfig.builder().mode(IndexMode.GLOBAL).dimension(4).shards(12).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shards must divide maxParallelism (128) so that every parallelism gets an even share "
                        + "of the shards; shards=12");
        assertThat(VectorSearchConfig.builder().mode(IndexMode.GLOBAL).dimension(4).shards(12).maxParallelism(96)
                .build().shards()).isEqualTo(12);
    }

    /** The shard is a function of (key, id): a delete without the hash its upsert carried reaches it. */
    @Test
    void routingIsAPureFunctionOfKeyAndId() {
        long seed = 20261127L;
        System.out.println("seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        VectorSearchConfig config = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).dimension(2).shards(16).build();
        VectorEventKeySelector selector = new VectorEventKeySelector(config);
        int[] perShard = new int[16];
        for (int i = 0; i < 4_000; i++) {
            long id = r.nextLong();
            String key = "tenant-" + r.nextInt(50);
            long hash = GlobalRouting.routingHash(key, id);
            String upsertKey = selector.getKey(new VectorEvent("upsert", id, key, new float[] {1, 2}, Map.of(), 1L,
                    hash));
            assertThat(selector.getKey(VectorEvent.delete(key, id, 2L))).isEqualTo(upsertKey);
            perShard[GlobalRouting.shardOf(key, id, 16, 16)]++;
        }
        for (int c : perShard) {
            assertThat(c).as("vectors per shard (4,000 over 16)").isBetween(180, 320);
        }
    }

    @Test
    void aRoutingHashThatDisagreesWithTheRuleIsADeadLetter() throws Exception {
        VectorSearchConfig config = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(1).dimension(2).build();
        long right = GlobalRouting.routingHash("tenant-a", 7);
        try (var h = harness(config, Backend.HEAP, 1, 0)) {
            h.open();
            h.processElement1(new VectorEvent("upsert", 7L, "tenant-a", new float[] {0, 0}, Map.of(), 1L, right), 1L);
            h.processElement1(new VectorEvent("upsert", 8L, "tenant-a", new float[] {0, 1}, Map.of(), 1L, right), 1L);
            h.processElement2(new VectorQuery("q", "tenant-a", new float[] {0, 0}, 5, 0, null, 1L).toShard(0), 1L);
            assertThat(results(h).get(0).ids()).containsExactly(7L);
            List<DeadLetter> dead = deadLetters(h);
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).reason()).isEqualTo("routingHash must equal GlobalRouting.routingHash(key, id) = "
                    + GlobalRouting.routingHash("tenant-a", 8) + " (or be absent); routingHash=" + right);
        }
    }

    /** Tenant A's id 7 and tenant B's id 7 are two vectors; each tenant's delete removes only its own. */
    @Test
    void idsAreScopedByTenant() throws Exception {
        VectorSearchConfig config = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(1).dimension(2).build();
        try (var h = harness(config, Backend.ROCKSDB, 1, 0)) {
            h.open();
            h.processElement1(VectorEvent.upsert("tenant-a", 7, new float[] {0, 1}, Map.of(), 1L), 1L);
            h.processElement1(VectorEvent.upsert("tenant-b", 7, new float[] {0, 2}, Map.of(), 1L), 1L);
            h.processElement2(new VectorQuery("a", "tenant-a", new float[] {0, 0}, 5, 0, null, 1L).toShard(0), 1L);
            h.processElement2(new VectorQuery("b", "tenant-b", new float[] {0, 0}, 5, 0, null, 1L).toShard(0), 1L);
            List<QueryResult> out = results(h);
            assertThat(out.get(0).ids()).containsExactly(7L);
            assertThat(out.get(0).distances()).containsExactly(1f);
            assertThat(out.get(1).ids()).containsExactly(7L);
            assertThat(out.get(1).distances()).containsExactly(4f);
            assertThat(out.get(1).indexSize()).as("each key has its own graph in the shard").isEqualTo(1);

            h.getOutput().clear();
            h.processElement1(VectorEvent.delete("tenant-a", 7, 2L), 2L);
            h.processElement2(new VectorQuery("a2", "tenant-a", new float[] {0, 0}, 5, 0, null, 2L).toShard(0), 2L);
            h.processElement2(new VectorQuery("b2", "tenant-b", new float[] {0, 0}, 5, 0, null, 2L).toShard(0), 2L);
            out = results(h);
            assertThat(out.get(0).ids()).isEmpty();
            assertThat(out.get(1).ids()).containsExactly(7L);
            assertThat(out.get(1).distances()).containsExactly(4f);
        }
    }

    /** The stored ids and keys survive a restore: the rebuilt index maps (key, id) the same way. */
    @Test
    void tenantScopedIdsSurviveARestore() throws Exception {
        VectorSearchConfig config = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(1).dimension(2).build();
        OperatorSubtaskState snapshot;
        try (var h = harness(config, Backend.ROCKSDB, 1, 0)) {
            h.open();
            h.processElement1(VectorEvent.upsert("tenant-a", 7, new float[] {0, 1}, Map.of(), 1L), 1L);
            h.processElement1(VectorEvent.upsert("tenant-b", 7, new float[] {0, 2}, Map.of(), 1L), 1L);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(config, Backend.ROCKSDB, 1, 0)) {
            h.initializeState(snapshot);
            h.open();
            h.processElement1(VectorEvent.delete("tenant-b", 7, 2L), 2L);
            h.processElement2(new VectorQuery("all", null, new float[] {0, 0}, 5, 0, null, 2L).toShard(0), 2L);
            QueryResult r = results(h).get(0);
            assertThat(r.ids()).containsExactly(7L);
            assertThat(r.distances()).containsExactly(1f);
        }
    }

    @Test
    void restoringWithAnotherShardCountIsRefused() throws Exception {
        VectorSearchConfig eight = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(8).dimension(2).build();
        VectorSearchConfig sixteen = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(16).dimension(2).build();
        OperatorSubtaskState snapshot;
        try (var h = harness(eight, Backend.HEAP, 1, 0)) {
            h.open();
            h.processElement1(VectorEvent.upsert("t", 1, new float[] {0, 1}, Map.of(), 1L), 1L);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(eight, Backend.HEAP, 1, 0)) {
            h.initializeState(snapshot);
            h.open(); // the same layout restores
        }
        try (var h = harness(sixteen, Backend.HEAP, 1, 0)) {
            assertThatThrownBy(() -> h.initializeState(snapshot))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("shards must stay as they were when the state was written: "
                            + "the restored state has shards=8 (maxParallelism=128), the job has shards=16 "
                            + "(maxParallelism=128).");
        }
    }

    /** Indexes written without a GLOBAL layout (KEYED, or a GLOBAL release that routed by id) are refused. */
    @Test
    void aGlobalJobRefusesIndexesRestoredWithoutItsLayout() throws Exception {
        VectorSearchConfig keyed = VectorSearchConfig.builder().dimension(2).build();
        VectorSearchConfig global = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(8).dimension(2).build();
        OperatorSubtaskState keyedSnapshot;
        try (var h = harness(keyed, Backend.ROCKSDB, 1, 0)) {
            h.open();
            h.processElement1(VectorEvent.upsert("t", 1, new float[] {0, 1}, Map.of(), 1L), 1L);
            keyedSnapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(global, Backend.ROCKSDB, 1, 0)) {
            h.initializeState(keyedSnapshot);
            assertThatThrownBy(h::open).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("state must have been written by a GLOBAL index of this release");
        }
        OperatorSubtaskState globalSnapshot;
        try (var h = harness(global, Backend.ROCKSDB, 1, 0)) {
            h.open();
            h.processElement1(VectorEvent.upsert("t", 1, new float[] {0, 1}, Map.of(), 1L), 1L);
            globalSnapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(keyed, Backend.ROCKSDB, 1, 0)) {
            assertThatThrownBy(() -> h.initializeState(globalSnapshot)).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("mode must stay as it was when the state was written: the restored state "
                            + "is a GLOBAL index (shards=8), the job runs mode=KEYED.");
        }
    }

    /** No key and "" are one tenant; an attribute may have any name (the key is not stored as one). */
    @Test
    void aMissingKeyIsTheEmptyOne() throws Exception {
        VectorSearchConfig config = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(1).dimension(2).build();
        try (var h = harness(config, Backend.HEAP, 1, 0)) {
            h.open();
            h.processElement1(VectorEvent.upsert(null, 5, new float[] {0, 1}, Map.of(), 1L), 1L);
            h.processElement1(VectorEvent.upsert("", 5, new float[] {0, 3}, Map.of(), 2L), 2L);
            h.processElement1(VectorEvent.upsert(null, 6, new float[] {0, 2}, Map.of("_key", "acme"), 2L), 2L);
            h.processElement2(new VectorQuery("empty-key", "", new float[] {0, 0}, 5, 0, null, 3L).toShard(0), 3L);
            h.processElement2(new VectorQuery("acme", "acme", new float[] {0, 0}, 5, 0, null, 3L).toShard(0), 3L);
            List<QueryResult> out = results(h);
            assertThat(out.get(0).ids()).as("the update replaced the vector of (no key, 5)").containsExactly(6L, 5L);
            assertThat(out.get(0).distances()).containsExactly(4f, 9f);
            assertThat(out.get(1).ids()).isEmpty();
            assertThat(deadLetters(h)).isEmpty();
        }
    }

    /** Each key owns shardsPerKey consecutive shards: its vectors land there and its queries go only there. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 8})
    void aKeyOwnsShardsPerKeyShards(int shardsPerKey) throws Exception {
        long seed = 777L + shardsPerKey;
        System.out.println("seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        VectorSearchConfig config = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).dimension(2).shards(8)
                .shardsPerKey(shardsPerKey).build();
        Shards shards = new Shards(8, config.maxParallelism());
        VectorEventKeySelector events = new VectorEventKeySelector(config);
        VectorQueryKeySelector queries = new VectorQueryKeySelector(config);
        for (int t = 0; t < 40; t++) {
            String key = "tenant-" + t;
            Set<Integer> expected = new HashSet<>();
            int first = GlobalRouting.firstShardOf(key, 8);
            for (int j = 0; j < shardsPerKey; j++) {
                expected.add((first + j) % 8);
            }
            List<VectorQuery> fanned;
            try (var fanOut = ProcessFunctionTestHarnesses.forProcessFunction(new VectorSearch.FanOut(config))) {
                fanOut.processElement(new VectorQuery("q", key, new float[] {1, 2}, 3, 0, null, 1L), 1L);
                fanned = fanOut.extractOutputValues();
            }
            Set<Integer> queried = new HashSet<>();
            for (VectorQuery q : fanned) {
                queried.add(q.shard());
                assertThat(shards.shardOfKey(queries.getKey(q))).isEqualTo(q.shard());
            }
            assertThat(fanned).as("one copy per owned shard").hasSize(shardsPerKey);
            assertThat(queried).isEqualTo(expected);
            Set<Integer> stored = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                String flinkKey = events.getKey(VectorEvent.upsert(key, r.nextLong(), new float[] {1, 2}, Map.of(), 1L));
                int shard = shards.shardOfKey(flinkKey);
                stored.add(shard);
                assertThat(flinkKey).isEqualTo(shards.pieceKey(shard, key));
            }
            assertThat(stored).as("shards holding %s", key).isEqualTo(expected);
        }
    }

    /** A key's graph in a shard sits in the shard's own key group, so it moves with the shard on a rescale. */
    @ParameterizedTest
    @ValueSource(ints = {128, 32_768})
    void everyKeysGraphSitsInItsShardsKeyGroup(int maxParallelism) {
        Shards shards = new Shards(16, maxParallelism);
        SplittableRandom r = new SplittableRandom(99);
        for (int i = 0; i < 300; i++) {
            String key = i % 3 == 0 ? "t/" + i : i % 3 == 1 ? "\u00e9t\u00e9-" + r.nextLong() : Long.toString(r.nextLong(), 36);
            int shard = r.nextInt(16);
            String piece = shards.pieceKey(shard, key);
            assertThat(piece).endsWith("/" + key);
            assertThat(KeyGroupRangeAssignment.assignToKeyGroup(piece, maxParallelism))
                    .isEqualTo(Shards.keyGroupOf(shard, 16, maxParallelism));
            assertThat(shards.shardOfKey(piece)).isEqualTo(shard);
            assertThat(shards.pieceKey(shard, key)).as("a pure function").isEqualTo(piece);
        }
        assertThat(shards.pieceKey(3, null)).isEqualTo(shards.key(3)).isEqualTo(shards.pieceKey(3, ""));
    }

    /** A query without a key searches every key's graph of its shard, each id once, also after a restore. */
    @ParameterizedTest
    @ValueSource(strings = {"HEAP", "ROCKSDB"})
    void aQueryWithoutAKeySearchesEveryKeysGraphOfItsShard(String backend) throws Exception {
        long seed = 31337L;
        System.out.println("seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        VectorSearchConfig config = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(2).dimension(4)
                .exactThreshold(100_000).build();
        Map<Integer, Map<String, float[]>> byShard = new java.util.TreeMap<>();
        List<VectorEvent> events = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String key = i % 7 == 0 ? null : "tenant-" + r.nextInt(6);
            VectorEvent e = VectorEvent.upsert(key, 1_000 + i, OperatorTestSupport.vector(r, 4), Map.of(), 1L);
            events.add(e);
            byShard.computeIfAbsent(GlobalRouting.shardOf(key, e.id(), 2, 2), s -> new java.util.HashMap<>())
                    .put((key == null ? "" : key) + "#" + e.id(), e.vector());
        }
        float[] q = OperatorTestSupport.vector(r, 4);
        OperatorSubtaskState snapshot;
        try (var h = harness(config, Backend.valueOf(backend), 1, 0)) {
            h.open();
            for (VectorEvent e : events) {
                h.processElement1(e, 1L);
            }
            for (int s = 0; s < 2; s++) {
                h.processElement2(new VectorQuery("q", null, q, 10, 0, null, 2L).toShard(s), 2L);
            }
            assertShardAnswers(results(h), byShard, q);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(config, Backend.valueOf(backend), 1, 0)) {
            h.initializeState(snapshot);
            h.open();
            for (int s = 0; s < 2; s++) {
                h.processElement2(new VectorQuery("q", null, q, 10, 0, null, 2L).toShard(s), 2L);
            }
            assertShardAnswers(results(h), byShard, q);
        }
    }

    private static void assertShardAnswers(List<QueryResult> out, Map<Integer, Map<String, float[]>> byShard,
                                           float[] q) {
        assertThat(out).hasSize(2);
        for (QueryResult res : out) {
            List<Map.Entry<String, float[]>> all = new ArrayList<>(byShard.get(res.shard()).entrySet());
            all.sort(java.util.Comparator.comparingDouble(
                    (Map.Entry<String, float[]> e) -> io.vectorstream.index.VectorMath.squareDistance(q, e.getValue()))
                    .thenComparingLong(e -> Long.parseLong(e.getKey().substring(e.getKey().indexOf('#') + 1))));
            long[] expected = all.subList(0, 10).stream()
                    .mapToLong(e -> Long.parseLong(e.getKey().substring(e.getKey().indexOf('#') + 1))).toArray();
            assertThat(res.ids()).as("shard %d", res.shard()).containsExactly(expected);
            assertThat(res.indexSize()).isEqualTo(byShard.get(res.shard()).size());
            assertThat(res.shardCount()).isEqualTo(2);
        }
    }

    /**
     * EVENT_TIME: a query without a key at time t sees the events of t of every key of its shard, whichever key's
     * timer fires first (the events' keys buffered before the query, and after it).
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aQueryWithoutAKeySeesEveryKeysEventsOfItsTime(boolean queryFirst) throws Exception {
        VectorSearchConfig config = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(1).dimension(2)
                .consistency(ConsistencyMode.EVENT_TIME).build();
        try (var h = harness(config, Backend.HEAP, 1, 0)) {
            h.open();
            VectorQuery query = new VectorQuery("q", null, new float[] {0, 0}, 10, 0, null, 5L).toShard(0);
            if (queryFirst) {
                h.processElement2(query, 5L);
            }
            for (int t = 0; t < 6; t++) {
                h.processElement1(VectorEvent.upsert("tenant-" + t, t, new float[] {0, t + 1}, Map.of(), 5L), 5L);
            }
            h.processElement1(VectorEvent.upsert("tenant-0", 99, new float[] {0, 0.5f}, Map.of(), 6L), 6L);
            if (!queryFirst) {
                h.processElement2(query, 5L);
            }
            h.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(6L));
            List<QueryResult> out = results(h);
            assertThat(out).hasSize(1);
            assertThat(out.get(0).ids()).as("all six keys' vectors of time 5, not the one of time 6")
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        }
    }

    /**
     * Two tenants sharing an id, every distance equal: a query without a key gets the same answer whatever order
     * the graphs are searched in, before and after a restore (equal distances are ordered by id, and the merge
     * keeps the first of a repeated id).
     */
    @Test
    void equalDistancesAcrossGraphsMergeByIdWhateverTheOrder() throws Exception {
        VectorSearchConfig config = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(1).dimension(2).build();
        OperatorSubtaskState snapshot;
        for (boolean bFirst : new boolean[] {false, true}) {
            try (var h = harness(config, Backend.ROCKSDB, 1, 0)) {
                h.open();
                List<VectorEvent> a = List.of(VectorEvent.upsert("tenant-a", 5, new float[] {0, 1}, Map.of(), 1L),
                        VectorEvent.upsert("tenant-a", 1, new float[] {1, 0}, Map.of(), 1L));
                List<VectorEvent> b = List.of(VectorEvent.upsert("tenant-b", 5, new float[] {0, -1}, Map.of(), 1L),
                        VectorEvent.upsert("tenant-b", 2, new float[] {-1, 0}, Map.of(), 1L));
                for (VectorEvent e : bFirst ? concat(b, a) : concat(a, b)) {
                    h.processElement1(e, 1L);
                }
                h.processElement2(new VectorQuery("q", null, new float[] {0, 0}, 2, 0, null, 2L).toShard(0), 2L);
                assertThat(results(h).get(0).ids()).as("b first: %s", bFirst).containsExactly(1L, 2L);
                snapshot = h.snapshot(1L, 1L);
            }
            try (var h = harness(config, Backend.ROCKSDB, 1, 0)) {
                h.initializeState(snapshot);
                h.open();
                h.processElement2(new VectorQuery("q", null, new float[] {0, 0}, 3, 0, null, 2L).toShard(0), 2L);
                assertThat(results(h).get(0).ids()).as("after a restore").containsExactly(1L, 2L, 5L);
            }
        }
    }

    private static <T> List<T> concat(List<T> x, List<T> y) {
        List<T> all = new ArrayList<>(x);
        all.addAll(y);
        return all;
    }

    @Test
    void restoringWithAnotherShardsPerKeyIsRefused() throws Exception {
        VectorSearchConfig all = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(8).dimension(2).build();
        VectorSearchConfig one = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(8).shardsPerKey(1)
                .dimension(2).build();
        OperatorSubtaskState snapshot;
        try (var h = harness(all, Backend.HEAP, 1, 0)) {
            h.open();
            h.processElement1(VectorEvent.upsert("t", 1, new float[] {0, 1}, Map.of(), 1L), 1L);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(one, Backend.HEAP, 1, 0)) {
            assertThatThrownBy(() -> h.initializeState(snapshot))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("shardsPerKey must stay as it was when the state was written: the "
                            + "restored state has shardsPerKey=8, the job has shardsPerKey=1 (of shards=8).");
        }
        assertThatThrownBy(() -> VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(4).shardsPerKey(5)
                .dimension(2).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shardsPerKey must be in [0, shards] (0: all shards); shards=4, shardsPerKey=5");
    }
}
