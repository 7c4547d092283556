package io.vectorstream.operators;

import static io.vectorstream.operators.OperatorTestSupport.deadLetters;
import static io.vectorstream.operators.OperatorTestSupport.harness;
import static io.vectorstream.operators.OperatorTestSupport.results;
import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.index.VectorMetric;
import io.vectorstream.operators.OperatorTestSupport.Backend;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Every documented limit of {@link RecordLimits}, through the real operator on RocksDB: a record over a limit is
 * one dead letter naming the field, the rule and the value (bounded), with its reason class and origin, and the
 * operator keeps serving. Each of these records failed the job before the limits existed.
 */
class RecordLimitsTest {
    static final RecordOrigin ORIGIN = new RecordOrigin("vectors", 1, 42L);

    static String repeat(char c, int n) {
        char[] cs = new char[n];
        Arrays.fill(cs, c);
        return new String(cs);
    }

    static float[] filled(int dim, float value) {
        float[] v = new float[dim];
        Arrays.fill(v, value);
        return v;
    }

    static VectorEvent upsert(String key, long id, float[] v, Map<String, String> attrs, long t) {
        return new VectorEvent("upsert", id, key, v, attrs, t, null, ORIGIN);
    }

    /** Feeds one bad record after a good one and returns the dead letters; a good query must still be answered. */
    static List<DeadLetter> reject(VectorSearchConfig config, VectorEvent badEvent, VectorQuery badQuery)
            throws Exception {
        try (KeyedTwoInputStreamOperatorTestHarness<String, VectorEvent, VectorQuery, QueryResult> h =
                     harness(config, Backend.ROCKSDB, 1, 0)) {
            h.open();
            h.processElement1(new StreamRecord<>(upsert("k", 1L, new float[] {1f, 2f, 3f}, Map.of(), 10L)));
            if (badEvent != null) {
                h.processElement1(new StreamRecord<>(badEvent));
            }
            if (badQuery != null) {
                h.processElement2(new StreamRecord<>(badQuery));
            }
            h.processElement2(new StreamRecord<>(new VectorQuery("good", "k", new float[] {1f, 2f, 3f}, 1, 0, null, 20L)));
            assertThat(results(h)).extracting(QueryResult::queryId).containsExactly("good");
            assertThat(results(h).get(0).ids()).containsExactly(1L);
            return deadLetters(h);
        }
    }

    static DeadLetter rejectEvent(VectorSearchConfig config, VectorEvent e) throws Exception {
        List<DeadLetter> dead = reject(config, e, null);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).origin()).isEqualTo(ORIGIN);
        assertThat(dead.get(0).reasonClass()).isEqualTo(DeadLetter.ReasonClass.INVALID);
        return dead.get(0);
    }

    static DeadLetter rejectQuery(VectorSearchConfig config, VectorQuery q) throws Exception {
        List<DeadLetter> dead = reject(config, null, q);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).reasonClass()).isEqualTo(DeadLetter.ReasonClass.INVALID);
        return dead.get(0);
    }

    static VectorSearchConfig l2() {
        return VectorSearchConfig.builder().build();
    }

    @Test
    void aFirstVectorLongerThanTheIndexAllowsIsADeadLetterNotAFailure() throws Exception {
        DeadLetter d = rejectEvent(l2(), upsert("new-key", 2L, filled(100_000, 0.5f), Map.of(), 11L));
        assertThat(d.reason()).isEqualTo("vector dimension must be in [1, 65536]; dimension=100000");
    }

    @Test
    void keysAndAttributesOverTheirByteLimitsAreDeadLetters() throws Exception {
        String longKey = repeat('x', 70_000);
        assertThat(rejectEvent(l2(), upsert(longKey, 2L, new float[] {1f, 1f, 1f}, Map.of(), 11L)).reason())
                .isEqualTo("key must be at most 1024 UTF-8 bytes; length=70000, key="
                        + repeat('x', 64) + "... (70000 chars)");
        // Multi-byte characters count as bytes, not characters: 400 x 3 bytes.
        assertThat(rejectEvent(l2(), upsert(repeat('\u20ac', 400), 2L, new float[] {1f, 1f, 1f}, Map.of(), 11L))
                .reason()).startsWith("key must be at most 1024 UTF-8 bytes; length=1200, key=");
        assertThat(rejectEvent(l2(), upsert("k", 2L, new float[] {1f, 1f, 1f},
                Map.of("color", repeat('r', 70_000)), 11L)).reason())
                .startsWith("attributes[color] must be at most 4096 UTF-8 bytes; length=70000, attributes[color]=rrr");
        assertThat(rejectEvent(l2(), upsert("k", 2L, new float[] {1f, 1f, 1f},
                Map.of(repeat('n', 300), "v"), 11L)).reason())
                .startsWith("attributes name must be at most 256 UTF-8 bytes; length=300");
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 65; i++) {
            many.put("a" + i, "v");
        }
        assertThat(rejectEvent(l2(), upsert("k", 2L, new float[] {1f, 1f, 1f}, many, 11L)).reason())
                .isEqualTo("attributes must have at most 64 entries; entries=65");
        // A delete is checked too: its key reaches the state backend as well.
        assertThat(rejectEvent(l2(), new VectorEvent("delete", 1L, longKey, null, null, 11L, null, ORIGIN)).reason())
                .startsWith("key must be at most 1024 UTF-8 bytes; length=70000");
    }

    @Test
    void aHugeOpIsQuotedShortInTheReason() throws Exception {
        DeadLetter d = rejectEvent(l2(), new VectorEvent(repeat('o', 600_000), 2L, "k", new float[] {1f, 1f, 1f},
                Map.of(), 11L, null, ORIGIN));
        assertThat(d.reason()).isEqualTo("op must be one of [upsert, delete]; op=" + repeat('o', 64) + "... (600000 chars)");
    }

    @Test
    void eventTimesOutsideTheDocumentedRangeAreDeadLetters() throws Exception {
        assertThat(rejectEvent(l2(), upsert("k", 2L, new float[] {1f, 1f, 1f}, Map.of(), -1L)).reason())
                .isEqualTo("eventTime must be in [0, 253402300799999] (epoch ms, 1970 to 9999); eventTime=-1");
        assertThat(rejectQuery(l2(), new VectorQuery("q", "k", new float[] {1f, 1f, 1f}, 1, 0, null,
                Long.MAX_VALUE)).reason()).isEqualTo(
                "eventTime must be in [0, 253402300799999] (epoch ms, 1970 to 9999); eventTime=" + Long.MAX_VALUE);
    }

    @Test
    void cosineVectorsWhoseNormWouldUnderflowOrOverflowAreDeadLetters() throws Exception {
        VectorSearchConfig cosine = VectorSearchConfig.builder().metric(VectorMetric.COSINE).build();
        assertThat(rejectEvent(cosine, upsert("k", 2L, filled(3, 1e-30f), Map.of(), 11L)).reason())
                .startsWith("|vector| must be in [1.0E-15, 1.0E15] for cosine; |vector|=1.7");
        assertThat(rejectEvent(cosine, upsert("k", 2L, filled(3, 1e15f), Map.of(), 11L)).reason())
                .startsWith("|vector| must be in [1.0E-15, 1.0E15] for cosine; |vector|=1.7");
        assertThat(rejectQuery(cosine, new VectorQuery("q", "k", filled(3, 1e-30f), 1, 0, null, 12L)).reason())
                .startsWith("|vector| must be in [1.0E-15, 1.0E15] for cosine");
        assertThat(rejectEvent(l2(), upsert("k", 2L, new float[] {1f, 3e38f, 1f}, Map.of(), 11L)).reason())
                .isEqualTo("vector components must be in [-1.0E15, 1.0E15]; vector[1]=3.0E38");
    }

    @Test
    void queryIdsAndFiltersOverTheirLimitsAreDeadLetters() throws Exception {
        assertThat(rejectQuery(l2(), new VectorQuery(repeat('q', 2000), "k", new float[] {1f, 1f, 1f}, 1, 0, null,
                12L)).reason()).startsWith("queryId must be at most 1024 UTF-8 bytes; length=2000");
        assertThat(rejectQuery(l2(), new VectorQuery("q", "k", new float[] {1f, 1f, 1f}, 1, 0,
                AttributeFilter.in("color", Set.of(repeat('c', 5000))), 12L)).reason())
                .startsWith("filter[color] must be at most 4096 UTF-8 bytes; length=5000");
        Set<String> values = java.util.stream.IntStream.range(0, 1025).mapToObj(i -> "v" + i).collect(Collectors.toSet());
        assertThat(rejectQuery(l2(), new VectorQuery("q", "k", new float[] {1f, 1f, 1f}, 1, 0,
                AttributeFilter.in("color", values), 12L)).reason())
                .isEqualTo("filter[color] must have at most 1024 values; values=1025");
    }

    @Test
    void deadLettersAreBoundedWithAMarkerAndTheOriginalLength() {
        DeadLetter d = new DeadLetter(repeat('r', 5000), DeadLetter.ReasonClass.INVALID, "query", repeat('x', 200_000),
                1L, ORIGIN);
        assertThat(d.reason()).hasSize(DeadLetter.MAX_REASON_CHARS).endsWith("... [truncated, 5000 chars]");
        assertThat(d.record()).hasSize(DeadLetter.MAX_RECORD_CHARS).endsWith("... [truncated, 200000 chars]");
        assertThat(new DeadLetter("short", "query", "r", 1L).reason()).isEqualTo("short");
    }
}
