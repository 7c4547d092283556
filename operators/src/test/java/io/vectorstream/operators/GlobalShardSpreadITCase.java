package io.vectorstream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import io.vectorstream.operators.internal.Shards;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GLOBAL mode on a MiniCluster: the shard keys of {@link VectorEventKeySelector}, partitioned by Flink's runtime
 * at parallelism 4 and 8, put the same number of shards, and about the same number of vectors, on every subtask.
 */
class GlobalShardSpreadITCase {
    private static final int SHARDS = 8;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(8).build());

    @ParameterizedTest
    @ValueSource(ints = {4, 8})
    void everySubtaskHoldsTheSameNumberOfShards(int parallelism) throws Exception {
        long seed = 4242L + parallelism;
        System.out.println("seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        List<VectorEvent> events = new ArrayList<>();
        for (int i = 0; i < 8_000; i++) {
            events.add(VectorEvent.upsert("tenant-" + r.nextInt(20), r.nextLong(), new float[] {1, 2}, Map.of(), 1L));
        }
        VectorSearchConfig config = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(SHARDS).dimension(2)
                .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        DataStream<Tuple2<Integer, String>> placed = env.fromData(VectorStreamTypes.EVENT, events.toArray(new VectorEvent[0]))
                .keyBy(new VectorEventKeySelector(config))
                .process(new WhereAmI()).returns(Types.TUPLE(Types.INT, Types.STRING))
                .setMaxParallelism(config.maxParallelism());

        TreeMap<Integer, TreeSet<String>> shardsBySubtask = new TreeMap<>();
        TreeMap<Integer, Integer> vectorsBySubtask = new TreeMap<>();
        TreeMap<String, Integer> subtaskOfShard = new TreeMap<>();
        Shards shards = new Shards(SHARDS, config.maxParallelism());
        try (CloseableIterator<Tuple2<Integer, String>> it = placed.executeAndCollect()) {
            while (it.hasNext()) {
                Tuple2<Integer, String> p = it.next();
                // One Flink key per (shard, key): count shards, and check every part of a shard is in one place.
                String shard = "shard " + shards.shardOfKey(p.f1);
                shardsBySubtask.computeIfAbsent(p.f0, x -> new TreeSet<>()).add(shard);
                assertThat(subtaskOfShard.putIfAbsent(shard, p.f0)).as("subtask of %s", shard).isIn(null, p.f0);
                vectorsBySubtask.merge(p.f0, 1, Integer::sum);
            }
        }
        assertThat(shardsBySubtask).as("subtasks holding shards").hasSize(parallelism);
        assertThat(shardsBySubtask.values()).as("shards per subtask: %s", shardsBySubtask)
                .allSatisfy(s -> assertThat(s).hasSize(SHARDS / parallelism));
        assertThat(vectorsBySubtask.values()).as("vectors per subtask: %s", vectorsBySubtask)
                .allSatisfy(n -> assertThat(n).isBetween(8_000 / parallelism * 8 / 10, 8_000 / parallelism * 12 / 10));
    }

    /** {@link VectorSearch} pins the index operator's max parallelism, which the shard keys were chosen for. */
    @Test
    void theIndexOperatorHasTheConfiguredMaxParallelism() {
        VectorSearchConfig config = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(SHARDS).dimension(2)
                .maxParallelism(256).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        VectorSearch.Output out = VectorSearch.builder(config)
                .events(env.fromData(VectorStreamTypes.EVENT, VectorEvent.upsert("t", 1, new float[] {1, 2}, Map.of(), 1L)))
                .queries(env.fromData(VectorStreamTypes.QUERY, new VectorQuery("q", null, new float[] {1, 2}, 1, 0, null, 1L)))
                .build();
        out.results().print();
        StreamNode index = env.getStreamGraph().getStreamNodes().stream()
                .filter(n -> n.getOperatorName().equals("vector-index")).findFirst().orElseThrow();
        assertThat(index.getMaxParallelism()).isEqualTo(256);
    }

    /** Emits (this subtask, the shard key) for every event. */
    private static final class WhereAmI extends KeyedProcessFunction<String, VectorEvent, Tuple2<Integer, String>> {
        @Override
        public void processElement(VectorEvent e, Context ctx, Collector<Tuple2<Integer, String>> out) {
            out.collect(Tuple2.of(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), ctx.getCurrentKey()));
        }
    }
}
