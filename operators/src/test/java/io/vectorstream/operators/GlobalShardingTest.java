package io.vectorstream.operators;

import static io.vectorstream.operators.OperatorTestSupport.deadLetters;
import static io.vectorstream.operators.OperatorTestSupport.harness;
import static io.vectorstream.operators.OperatorTestSupport.results;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorstream.operators.OperatorTestSupport.Backend;
import io.vectorstream.operators.internal.Shards;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
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
            perShard[GlobalRouting.shardOf(key, id, 16)]++;
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
            assertThat(out.get(1).indexSize()).as("two vectors in the shard").isEqualTo(2);

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

    /** GLOBAL mode keeps the key in a reserved attribute: a caller's own is refused; no key and "" are one tenant. */
    @Test
    void theKeyAttributeIsReservedAndAMissingKeyIsTheEmptyOne() throws Exception {
        VectorSearchConfig config = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(1).dimension(2).build();
        try (var h = harness(config, Backend.HEAP, 1, 0)) {
            h.open();
            h.processElement1(VectorEvent.upsert(null, 5, new float[] {0, 1}, Map.of(), 1L), 1L);
            h.processElement1(VectorEvent.upsert(null, 5, new float[] {0, 3}, Map.of(), 2L), 2L);
            h.processElement1(VectorEvent.upsert(null, 6, new float[] {0, 2}, Map.of(VectorIndexFunction.KEY_ATTRIBUTE,
                    "acme"), 2L), 2L);
            h.processElement2(new VectorQuery("empty-key", "", new float[] {0, 0}, 5, 0, null, 3L).toShard(0), 3L);
            h.processElement2(new VectorQuery("acme", "acme", new float[] {0, 0}, 5, 0, null, 3L).toShard(0), 3L);
            List<QueryResult> out = results(h);
            assertThat(out.get(0).ids()).as("the update replaced the vector of (no key, 5)").containsExactly(5L);
            assertThat(out.get(0).distances()).containsExactly(9f);
            assertThat(out.get(1).ids()).isEmpty();
            List<DeadLetter> dead = deadLetters(h);
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).reason()).isEqualTo("attributes must not use the name reserved for the partition "
                    + "key in GLOBAL mode; attribute=_key");
        }
    }
}
