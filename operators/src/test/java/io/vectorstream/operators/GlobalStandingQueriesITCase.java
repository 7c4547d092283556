package io.vectorstream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Standing queries and kNN on insert in GLOBAL mode with each key spread over two of four shards: every shard
 * follows a standing query over its part of the key and {@link StandingMergeFunction} merges the parts; an upsert's
 * neighbours are searched on each shard of its key and merged by {@link TopKMergeOperator}. In EVENT_TIME mode the
 * changelog of every (kind, key, query id) (each result's k, ids and distances, in order) equals KEYED mode's, where
 * one graph holds the key; and a run with a failure injected after a completed checkpoint gives the same again. The stream has
 * upserts, moves, deletes, registrations with filters, radii and expiries, re-registrations and unregistrations, all
 * at distinct event times (expiries at odd times, records at even ones), so the order of every change is defined.
 */
class GlobalStandingQueriesITCase {
    static final int EVENTS = 1_200;
    static final int QUERIES = 150;
    static final int DIM = 8;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @Test
    void mergedChangelogsEqualKeyedModeAndSurviveAFailure() throws Exception {
        Map<String, List<String>> keyed = run(IndexMode.KEYED, false);
        Map<String, List<String>> global = run(IndexMode.GLOBAL, false);
        long updates = keyed.values().stream().mapToLong(List::size).sum();
        long removals = keyed.values().stream().flatMap(List::stream).filter(s -> s.startsWith("STANDING_REMOVED"))
                .count();
        long nonEmpty = keyed.values().stream().flatMap(List::stream).filter(s -> s.contains("ids=[") 
                && !s.contains("ids=[]")).count();
        System.out.printf("GlobalStandingQueriesITCase: %d query ids, %d updates, %d removals, %d non-empty%n",
                keyed.size(), updates, removals, nonEmpty);
        assertThat(updates).as("updates in KEYED mode").isGreaterThan(300);
        assertThat(removals).isGreaterThan(10);
        assertThat(nonEmpty).isGreaterThan(200);
        long neighbours = keyed.keySet().stream().filter(k -> k.startsWith("INSERT_NEIGHBORS")).count();
        long neighbourResults = keyed.entrySet().stream().filter(e -> e.getKey().startsWith("INSERT_NEIGHBORS"))
                .mapToLong(e -> e.getValue().size()).sum();
        assertThat(neighbours).as("(key, id) pairs with insert neighbours").isGreaterThan(30);
        long asked = java.util.stream.LongStream.range(0, EVENTS)
                .filter(i -> RecordValidator.isUpsert(new EventGenerator().map(i))
                        && new EventGenerator().map(i).neighborsK() != null).count();
        assertThat(neighbourResults).as("one result per upsert that asked").isEqualTo(asked);
        assertThat(global).isEqualTo(keyed);

        Map<String, List<String>> recovered = run(IndexMode.GLOBAL, true);
        assertThat(MiniClusterRuns.FAILED.get()).as("the failure was injected").isTrue();
        assertThat(recovered).isEqualTo(keyed);
    }

    /** Every query id's changelog, in the order emitted. */
    private static Map<String, List<String>> run(IndexMode mode, boolean injectFailure) throws Exception {
        StreamExecutionEnvironment env = MiniClusterRuns.environment(injectFailure);

        VectorSearchConfig config = VectorSearchConfig.builder().mode(mode).shards(4).shardsPerKey(2)
                .dimension(DIM).consistency(ConsistencyMode.EVENT_TIME).exactThreshold(1_000_000).build();
        DataStream<VectorEvent> events = MiniClusterRuns.events(env, new EventGenerator(), EVENTS, 1_200,
                injectFailure);
        DataStream<VectorQuery> queries = MiniClusterRuns.queries(env, new QueryGenerator(), QUERIES, 150);
        VectorSearch.Output out = VectorSearch.builder(config).events(events).queries(queries).build();
        Map<String, List<String>> changelogs = new TreeMap<>();
        try (CloseableIterator<QueryResult> it = out.updates().executeAndCollect("standing-" + mode)) {
            while (it.hasNext()) {
                QueryResult r = it.next();
                assertThat(r.complete()).as("merged over the key's shards: %s", r).isTrue();
                changelogs.computeIfAbsent(r.kind() + " " + r.key() + " " + r.queryId(), x -> new ArrayList<>())
                        .add(r.kind() + " key=" + r.key() + " k=" + r.k() + " ids=" + java.util.Arrays.toString(r.ids()) + " distances="
                        + java.util.Arrays.toString(r.distances()) + " t=" + r.queryEventTime());
            }
        }
        return changelogs;
    }

    static final class EventGenerator implements GeneratorFunction<Long, VectorEvent> {
        @Override
        public VectorEvent map(Long i) {
            SplittableRandom r = new SplittableRandom(i);
            String key = "key-" + (i % 3);
            long id = (i / 3) % 30; // ids come back: moves, and deletes of members
            long time = 4 * i;
            if (i % 9 == 8) {
                return VectorEvent.delete(key, id, time);
            }
            VectorEvent upsert = VectorEvent.upsert(key, id, OperatorTestSupport.vector(r, DIM),
                    Map.of("color", r.nextBoolean() ? "red" : "blue"), time);
            // Every fourth upsert asks for its neighbours, half of those only closer than a radius.
            return i % 4 == 1 ? upsert.withNeighbors(3, i % 8 == 1 ? 3.0f : null) : upsert;
        }
    }

    static final class QueryGenerator implements GeneratorFunction<Long, VectorQuery> {
        @Override
        public VectorQuery map(Long j) {
            SplittableRandom r = new SplittableRandom(1_000_000 + j);
            String key = "key-" + (j % 3);
            String id = key + "/sq-" + (j / 3) % 4;
            long time = 32 * j + 2;
            if (r.nextInt(10) >= 7) {
                return new VectorQuery(id, key, new float[0], 1, 0, null, time)
                        .withStanding(VectorQuery.Standing.UNREGISTER, null, null);
            }
            AttributeFilter filter = r.nextInt(3) == 0 ? AttributeFilter.eq("color", "red") : null;
            Float radius = r.nextInt(4) == 0 ? 2.0f : null;
            Long expiresAt = r.nextInt(5) == 0 ? time + 4L * (1 + r.nextInt(60)) + 1 : null;
            return new VectorQuery(id, key, OperatorTestSupport.vector(r, DIM), 1 + r.nextInt(4), 0, filter, time)
                    .withStanding(VectorQuery.Standing.REGISTER, radius, expiresAt);
        }
    }
}
