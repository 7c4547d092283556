package io.vectorstream.operators;

import static io.vectorstream.operators.OperatorTestSupport.answers;
import static io.vectorstream.operators.OperatorTestSupport.deadLetters;
import static io.vectorstream.operators.OperatorTestSupport.events;
import static io.vectorstream.operators.OperatorTestSupport.harness;
import static io.vectorstream.operators.OperatorTestSupport.queries;
import static io.vectorstream.operators.OperatorTestSupport.results;
import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.index.VectorMetric;
import io.vectorstream.operators.OperatorTestSupport.Backend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Deletes, TTL, event-time consistency, dead letters and cache eviction. */
class VectorIndexLifecycleTest {
    static final int DIM = 8;

    @Test
    void deletesRemoveTheirStateEntries() throws Exception {
        VectorSearchConfig config = VectorSearchConfig.builder().build();
        try (var h = harness(config, Backend.HEAP, 1, 0)) {
            h.open();
            assertThat(h.numKeyedStateEntries()).isZero();
            for (int i = 0; i < 50; i++) {
                h.processElement1(VectorEvent.upsert("a", i, new float[] {i, 1, 2, 3, 4, 5, 6, 7}, 1L), 1L);
                h.processElement1(VectorEvent.upsert("b", i, new float[] {i, 7, 6, 5, 4, 3, 2, 1}, 1L), 1L);
            }
            // Per key: the node map, the link map and the metadata value.
            assertThat(h.numKeyedStateEntries()).isEqualTo(6);
            for (int i = 0; i < 50; i++) {
                h.processElement1(VectorEvent.delete("a", i, 2L), 2L);
            }
            assertThat(h.numKeyedStateEntries()).as("key a fully deleted").isEqualTo(3);
            for (int i = 0; i < 49; i++) {
                h.processElement1(VectorEvent.delete("b", i, 2L), 2L);
            }
            h.processElement2(new VectorQuery("q", "b", new float[DIM], 3, 0, null, 3L), 3L);
            QueryResult r = results(h).get(0);
            assertThat(r.ids()).containsExactly(49L);
            assertThat(r.indexSize()).isEqualTo(1);
            h.processElement1(VectorEvent.delete("b", 49, 2L), 2L);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void ttlExpiryRemovesVectorsAtTheWatermark(Backend backend) throws Exception {
        VectorSearchConfig config = VectorSearchConfig.builder().ttl(Duration.ofMillis(100)).build();
        try (var h = harness(config, backend, 1, 0)) {
            h.open();
            h.processElement1(VectorEvent.upsert("k", 1, new float[] {1, 0, 0, 0, 0, 0, 0, 0}, 1_000L), 1_000L);
            h.processElement1(VectorEvent.upsert("k", 2, new float[] {0, 1, 0, 0, 0, 0, 0, 0}, 1_050L), 1_050L);
            // Re-upserting id 1 later moves its deadline: the first expiry must not delete it.
            h.processElement1(VectorEvent.upsert("k", 1, new float[] {1, 0, 0, 0, 0, 0, 0, 0}, 1_080L), 1_080L);
            h.processBothWatermarks(new Watermark(1_149L));
            query(h, "q1");
            h.processBothWatermarks(new Watermark(1_150L)); // id 2 expires (1050 + 100)
            query(h, "q2");
            h.processBothWatermarks(new Watermark(1_180L)); // id 1 expires (1080 + 100)
            query(h, "q3");
            List<QueryResult> out = results(h);
            assertThat(out.get(0).ids()).containsExactlyInAnyOrder(1L, 2L);
            assertThat(out.get(1).ids()).containsExactly(1L);
            assertThat(out.get(2).ids()).isEmpty();
            if (backend == Backend.HEAP) {
                assertThat(h.numKeyedStateEntries()).as("expired vectors leave no state").isZero();
            }
        }
    }

    private static void query(org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness<String,
            VectorEvent, VectorQuery, QueryResult> h, String id) throws Exception {
        h.processElement2(new VectorQuery(id, "k", new float[] {1, 1, 0, 0, 0, 0, 0, 0}, 5, 0, null, 0L), 0L);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void eventTimeModeIsIndependentOfArrivalOrder(Backend backend) throws Exception {
        VectorSearchConfig config = VectorSearchConfig.builder().consistency(ConsistencyMode.EVENT_TIME)
                .exactThreshold(0).maxConn(6).efConstruction(30).build();
        List<VectorEvent> events = events(31, 3, 80, DIM, 0);
        // Events share timestamps, so the tie-breaking order matters too.
        List<VectorQuery> queries = new ArrayList<>();
        for (VectorQuery q : queries(32, 3, 10, DIM, "e")) {
            long ts = 1_000L + (q.queryId().hashCode() & 0x3f);
            queries.add(new VectorQuery(q.queryId(), q.key(), q.vector(), q.k(), 0, q.filter(), ts));
        }
        List<String> first = runShuffled(config, backend, events, queries, 1);
        List<String> second = runShuffled(config, backend, events, queries, 2);
        assertThat(first).hasSize(queries.size());
        assertThat(second).isEqualTo(first);
    }

    private static List<String> runShuffled(VectorSearchConfig config, Backend backend, List<VectorEvent> events,
                                            List<VectorQuery> queries, long seed) throws Exception {
        List<Object> all = new ArrayList<>(events);
        all.addAll(queries);
        Collections.shuffle(all, new Random(seed));
        try (var h = harness(config, backend, 1, 0)) {
            h.open();
            for (Object o : all) {
                if (o instanceof VectorEvent) {
                    h.processElement1((VectorEvent) o, ((VectorEvent) o).eventTime());
                } else {
                    h.processElement2((VectorQuery) o, ((VectorQuery) o).eventTime());
                }
            }
            h.processBothWatermarks(new Watermark(Long.MAX_VALUE));
            assertThat(deadLetters(h)).isEmpty();
            return results(h).stream().map(QueryResult::answerString).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void everyBadRecordBecomesADeadLetterWithItsReason() throws Exception {
        VectorSearchConfig cosine = VectorSearchConfig.builder().metric(VectorMetric.COSINE).build();
        try (var h = harness(cosine, Backend.HEAP, 1, 0)) {
            h.open();
            float[] ok = {1, 2, 3};
            h.processElement1(VectorEvent.upsert("k", 1, ok, 1L), 1L);
            h.processElement1(new VectorEvent("merge", 2L, "k", ok, null, 1L), 1L);
            h.processElement1(new VectorEvent(null, 2L, "k", ok, null, 1L), 1L);
            h.processElement1(new VectorEvent("upsert", null, "k", ok, null, 1L), 1L);
            h.processElement1(new VectorEvent("upsert", 3L, "k", null, null, 1L), 1L);
            h.processElement1(VectorEvent.upsert("k", 4, new float[] {1, Float.NaN, 3}, 1L), 1L);
            h.processElement1(VectorEvent.upsert("k", 5, new float[] {1, 2}, 1L), 1L);
            h.processElement1(VectorEvent.upsert("k", 6, new float[] {0, 0, 0}, 1L), 1L);
            h.processElement2(new VectorQuery("q1", "k", ok, 0, 0, null, 1L), 1L);
            h.processElement2(new VectorQuery("q2", "k", ok, 10_001, 0, null, 1L), 1L);
            h.processElement2(new VectorQuery("q3", "k", ok, 10, 5, null, 1L), 1L);
            h.processElement2(new VectorQuery("q4", null, ok, 1, 0, null, 1L), 1L);
            h.processElement2(new VectorQuery(null, "k", ok, 1, 0, null, 1L), 1L);
            h.processElement2(new VectorQuery("q6", "k", null, 1, 0, null, 1L), 1L);
            h.processElement2(new VectorQuery("q7", "k", new float[] {1, 2, 3, 4}, 1, 0, null, 1L), 1L);
            h.processElement2(new VectorQuery("q8", "k", new float[] {Float.POSITIVE_INFINITY, 0, 0}, 1, 0, null, 1L), 1L);
            h.processElement2(new VectorQuery("good", "k", ok, 1, 0, null, 1L), 1L);

            List<String> reasons = deadLetters(h).stream().map(DeadLetter::reason).collect(Collectors.toList());
            assertThat(reasons).containsExactly(
                    "op must be one of [upsert, delete]; op=merge",
                    "op must be one of [upsert, delete]; op=null",
                    "id must be set; id=null",
                    "vector must be set; vector=null",
                    "vector components must be finite; vector[1]=NaN",
                    "vector dimension must be 3 (the key's index); dimension=2",
                    "vector must be non-zero for cosine; |vector|=0",
                    "k must be in [1, 10000]; k=0",
                    "k must be in [1, 10000]; k=10001",
                    "efSearch must be 0 (default) or in [k, 100000]; efSearch=5, k=10",
                    "key must be set in KEYED mode (global queries need mode GLOBAL); key=null",
                    "queryId must be set; queryId=null",
                    "vector must be set; vector=null",
                    "vector dimension must be 3 (the key's index); dimension=4",
                    "vector components must be finite; vector[0]=Infinity");
            assertThat(deadLetters(h)).allSatisfy(d -> assertThat(d.record()).isNotBlank());
            // Good records around the bad ones are still served.
            assertThat(results(h)).extracting(QueryResult::queryId).containsExactly("good");
            assertThat(results(h).get(0).ids()).containsExactly(1L);
        }
        VectorSearchConfig eventTime = VectorSearchConfig.builder().consistency(ConsistencyMode.EVENT_TIME).build();
        try (var h = harness(eventTime, Backend.HEAP, 1, 0)) {
            h.open();
            h.processBothWatermarks(new Watermark(100L));
            h.processElement1(VectorEvent.upsert("k", 1, new float[] {1, 2}, 100L), 100L);
            h.processElement2(new VectorQuery("late", "k", new float[] {1, 2}, 1, 0, null, 50L), 50L);
            assertThat(deadLetters(h)).extracting(DeadLetter::reason).containsExactly(
                    "eventTime must be after the watermark in EVENT_TIME mode; eventTime=100, watermark=100",
                    "eventTime must be after the watermark in EVENT_TIME mode; eventTime=50, watermark=100");
        }
    }

    @Test
    void tinyCacheBudgetEvictsColdKeysButAnswersStayTheSame() throws Exception {
        List<VectorEvent> events = events(41, 6, 60, DIM, 0);
        List<VectorQuery> queries = queries(42, 6, 6, DIM, "c");
        VectorSearchConfig roomy = VectorSearchConfig.builder().exactThreshold(0).build();
        VectorSearchConfig tiny = VectorSearchConfig.builder().exactThreshold(0).cacheMaxBytes(1).build();
        List<String> expected = null;
        for (VectorSearchConfig c : new VectorSearchConfig[] {roomy, tiny}) {
            try (var h = harness(c, Backend.ROCKSDB, 1, 0)) {
                h.open();
                for (VectorEvent e : events) {
                    h.processElement1(e, e.eventTime());
                }
                for (VectorQuery q : queries) {
                    h.processElement2(q, q.eventTime());
                }
                List<String> got = new ArrayList<>(answers(results(h)));
                if (expected == null) {
                    expected = got;
                } else {
                    assertThat(got).as("answers with every key evicted between uses").isEqualTo(expected);
                }
            }
        }
        assertThat(expected).hasSize(36);
    }

    @Test
    void globalModeStoresThePartitionKeyForKeyedQueries() throws Exception {
        VectorSearchConfig config = VectorSearchConfig.builder().mode(IndexMode.GLOBAL).shards(1).dimension(2).build();
        try (var h = harness(config, Backend.HEAP, 1, 0)) {
            h.open();
            h.processElement1(VectorEvent.upsert("tenant-a", 1, new float[] {0, 0}, Map.of(), 1L), 1L);
            h.processElement1(VectorEvent.upsert("tenant-b", 2, new float[] {0, 1}, Map.of(), 1L), 1L);
            h.processElement2(new VectorQuery("q", "tenant-b", new float[] {0, 0}, 2, 0, null, 1L).toShard(0), 1L);
            h.processElement2(new VectorQuery("all", null, new float[] {0, 0}, 2, 0, null, 1L).toShard(0), 1L);
            List<QueryResult> out = results(h);
            assertThat(out.get(0).ids()).containsExactly(2L);
            assertThat(out.get(1).ids()).containsExactly(1L, 2L);
        }
    }
}
