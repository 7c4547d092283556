package io.vectorstream.operators;

import static io.vectorstream.operators.OperatorTestSupport.harness;
import static io.vectorstream.operators.OperatorTestSupport.results;
import static io.vectorstream.operators.OperatorTestSupport.vector;
import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.operators.OperatorTestSupport.Backend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Attribute filters stay right while attributes change: upserts that change or drop them, deletes, TTL expiry,
 * and a rebuild of the index from state after a restore. Every query asks for more than can match, so its
 * answer is exactly the set of live ids whose attributes pass the filter, checked against a model.
 */
class VectorIndexFiltersTest {
    static final long SEED = 8_080L;
    static final int DIM = 4;
    static final String KEY = "k";
    // Threshold 0: only the filter's popcount (never the key's size) can choose the exact path.
    static final VectorSearchConfig CONFIG = VectorSearchConfig.builder().exactThreshold(0)
            .ttl(Duration.ofMillis(1_000)).build();
    static final List<AttributeFilter> FILTERS = List.of(
            AttributeFilter.eq("color", "red"),
            AttributeFilter.in("color", Set.of("red", "green")).and("shop", Set.of("s1")),
            AttributeFilter.in("shop", Set.of("s0", "s2")),
            AttributeFilter.eq("color", "blue").and("shop", Set.of("s3")),
            AttributeFilter.eq("color", "purple"),
            AttributeFilter.eq("weight", "1"));
    static final String[] COLORS = {"red", "green", "blue"};

    private final SplittableRandom random = new SplittableRandom(SEED);
    /** The attributes of every live id (empty map: none). */
    private final TreeMap<Long, Map<String, String>> model = new TreeMap<>();
    private int queryCount;

    private void upsert(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h,
                        long id, Map<String, String> attrs, long t) throws Exception {
        h.processElement1(attrs.isEmpty() ? VectorEvent.upsert(KEY, id, vector(random, DIM), t)
                : VectorEvent.upsert(KEY, id, vector(random, DIM), attrs, t), t);
        model.put(id, attrs);
    }

    private void delete(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h,
                        long id, long t) throws Exception {
        h.processElement1(VectorEvent.delete(KEY, id, t), t);
        model.remove(id);
    }

    /** Every filter, with k above the key's size: the answer must be exactly the model's matching ids. */
    private void checkFilters(KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h,
                              String phase) throws Exception {
        h.getOutput().clear();
        for (AttributeFilter f : FILTERS) {
            h.processElement2(new VectorQuery("q" + queryCount++, KEY, vector(random, DIM), 100, 0, f, 0L), 0L);
        }
        List<QueryResult> out = results(h);
        assertThat(out).hasSize(FILTERS.size());
        for (int i = 0; i < FILTERS.size(); i++) {
            AttributeFilter f = FILTERS.get(i);
            TreeSet<Long> expected = new TreeSet<>();
            model.forEach((id, attrs) -> {
                if (f.matches(attrs)) {
                    expected.add(id);
                }
            });
            TreeSet<Long> got = new TreeSet<>();
            for (long id : out.get(i).ids()) {
                got.add(id);
            }
            assertThat(got).as("%s %s, seed=%d", phase, f, SEED).isEqualTo(expected);
            assertThat(out.get(i).indexSize()).isEqualTo(model.size());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void filtersFollowAttributeChangesDeletesExpiryAndRestore(Backend backend) throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(CONFIG, backend, 1, 0)) {
            h.open();
            for (long id = 0; id < 80; id++) {
                upsert(h, id, Map.of("color", COLORS[(int) (id % 3)], "shop", "s" + id % 4), 1_000L);
            }
            checkFilters(h, "after inserts");
            // Upserts that change the colour, drop the shop, or drop every attribute; then deletes.
            for (long id = 0; id < 20; id++) {
                String color = COLORS[(int) ((id + 1) % 3)];
                upsert(h, id, id % 2 == 0 ? Map.of("color", color) : Map.of("color", color, "shop", "s" + (id + 1) % 4),
                        1_500L);
            }
            for (long id = 20; id < 25; id++) {
                upsert(h, id, Map.of(), 1_500L);
            }
            for (long id = 30; id < 40; id++) {
                delete(h, id, 1_500L);
            }
            checkFilters(h, "after changing upserts and deletes");
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(CONFIG, backend, 1, 0)) {
            h.initializeState(snapshot);
            h.open();
            // The first query rebuilds the key's index, attributes included, from state.
            checkFilters(h, "after restore");
            for (long id = 40; id < 45; id++) {
                upsert(h, id, Map.of("color", "blue", "shop", "s3"), 1_600L);
            }
            // Ids last written at 1,000 expire at 2,000; the others were re-upserted later.
            h.processBothWatermarks(new Watermark(2_100L));
            model.keySet().removeIf(id -> (id >= 25 && id < 30) || id >= 45);
            checkFilters(h, "after expiry");
            upsert(h, 3L, Map.of("color", "purple"), 1_700L);
            delete(h, 41L, 1_700L);
            checkFilters(h, "after more changes");
        }
    }
}
