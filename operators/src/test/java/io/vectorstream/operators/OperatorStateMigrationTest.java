package io.vectorstream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.index.IndexMetadata;
import io.vectorstream.operators.OperatorTestSupport.Backend;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.TreeSet;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Operator state written by an older state format restores into today's code and answers as the code that wrote
 * it did, on both backends: Flink reads the old bytes with the serializer its snapshot names and, on RocksDB,
 * migrates them to today's format on restore. The golden snapshots and their answers were written by
 * {@link GoldenOperatorState} with the code of each format, not typed in.
 *
 * <p>{@code v1}: index metadata ({@code KeyIndexMeta}) of format 1, one quantiser range, written by the code at
 * {@code 287ae28}, before the ranges per coordinate.
 */
class OperatorStateMigrationTest {

    static Path golden(String name) throws URISyntaxException {
        var url = OperatorStateMigrationTest.class.getClassLoader().getResource("golden/" + name);
        assertThat(url).as("golden file %s is checked in", name).isNotNull();
        return Paths.get(url.toURI());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void stateOfIndexMetadataFormatV1RestoresAnswersAsRecordedAndKeepsWorking(Backend backend) throws Exception {
        OperatorSubtaskState v1 = OperatorSnapshotUtil.readStateHandle(
                golden(GoldenOperatorState.snapshotFile("v1", backend)).toString());
        TreeSet<String> recorded = new TreeSet<>(Files.readAllLines(golden(GoldenOperatorState.answersFile("v1")),
                StandardCharsets.UTF_8));
        assertThat(recorded).hasSize(GoldenOperatorState.queries().size());

        OperatorSubtaskState today;
        TreeSet<String> afterMore;
        try (var h = GoldenOperatorState.harness(backend)) {
            h.initializeState(v1);
            h.open();
            assertSameAnswers(VectorIndexEagerRestoreTest.ask(h, GoldenOperatorState.queries()), recorded);
            for (int k = 0; k < GoldenOperatorState.KEYS; k++) {
                IndexMetadata m = GoldenOperatorState.metadata(h, "key-" + k);
                assertThat(m.quantized()).as("key-%d quantised", k).isTrue();
                assertThat(m.quantizerRanges()).as("format v1 holds one range").isEqualTo(1);
            }
            // It goes on: updates, then a snapshot in today's format, which restores to the same answers.
            for (VectorEvent e : GoldenOperatorState.moreEvents()) {
                h.processElement1(e, e.eventTime());
            }
            afterMore = VectorIndexEagerRestoreTest.ask(h, GoldenOperatorState.queries());
            assertThat(afterMore).isNotEqualTo(recorded);
            today = h.snapshot(2L, 2L);
        }
        try (var h = GoldenOperatorState.harness(backend)) {
            h.initializeState(today);
            h.open();
            assertThat(VectorIndexEagerRestoreTest.ask(h, GoldenOperatorState.queries())).isEqualTo(afterMore);
        }
    }

    /**
     * Answers recorded by other code, maybe on another CPU: the same queries, keys, ids, sizes and shards, and
     * distances within float rounding (the scalar and SIMD kernels sum in different orders).
     */
    static void assertSameAnswers(TreeSet<String> actual, TreeSet<String> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        var a = actual.iterator();
        for (String e : expected) {
            String[] got = a.next().split("\\|", -1);
            String[] want = e.split("\\|", -1);
            assertThat(got).as(e).hasSameSizeAs(want);
            for (int i = 0; i < want.length; i++) {
                if (i != 4) {
                    assertThat(got[i]).as("%s, field %d", e, i).isEqualTo(want[i]);
                    continue;
                }
                float[] gd = floats(got[i]);
                float[] wd = floats(want[i]);
                assertThat(gd).as("%s, distances", e).hasSameSizeAs(wd);
                for (int j = 0; j < wd.length; j++) {
                    assertThat(gd[j]).as("%s, distance %d", e, j)
                            .isCloseTo(wd[j], org.assertj.core.data.Offset.offset(1e-5f * Math.max(1f, Math.abs(wd[j]))));
                }
            }
        }
    }

    /** {@code [1.0, 2.5]} as floats. */
    private static float[] floats(String list) {
        String body = list.substring(1, list.length() - 1).trim();
        if (body.isEmpty()) {
            return new float[0];
        }
        String[] parts = body.split(", ");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Float.parseFloat(parts[i]);
        }
        return out;
    }

    /**
     * An index quantised per coordinate (two coordinates ten times wider than the other six) keeps its ranges in
     * their own state, written once, and a restore rebuilds it with those ranges and the same answers.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void rangesPerCoordinateAreRestoredFromTheirOwnState(Backend backend) throws Exception {
        java.util.SplittableRandom r = new java.util.SplittableRandom(71);
        java.util.List<VectorEvent> events = new java.util.ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            events.add(VectorEvent.upsert("key-0", i, outlierVector(r), java.util.Map.of(), 1_000L + i));
        }
        java.util.List<VectorQuery> queries = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            queries.add(new VectorQuery("p-" + i, "key-0", outlierVector(r), 5, 0, null, 5_000L + i));
        }
        OperatorSubtaskState state;
        TreeSet<String> answers;
        IndexMetadata before;
        try (var h = GoldenOperatorState.harness(backend)) {
            h.open();
            for (VectorEvent e : events) {
                h.processElement1(e, e.eventTime());
            }
            answers = VectorIndexEagerRestoreTest.ask(h, queries);
            before = GoldenOperatorState.metadata(h, "key-0");
            assertThat(before.quantizerRanges()).as("a range per coordinate").isEqualTo(GoldenOperatorState.DIM);
            state = h.snapshot(1L, 1L);
        }
        try (var h = GoldenOperatorState.harness(backend)) {
            h.initializeState(state);
            h.open();
            assertThat(VectorIndexEagerRestoreTest.ask(h, queries)).isEqualTo(answers);
            IndexMetadata after = GoldenOperatorState.metadata(h, "key-0");
            assertThat(after.quantizerMids()).containsExactly(before.quantizerMids());
            assertThat(after.quantizerScales()).containsExactly(before.quantizerScales());
        }
    }

    private static float[] outlierVector(java.util.SplittableRandom r) {
        float[] v = OperatorTestSupport.vector(r, GoldenOperatorState.DIM);
        v[0] = v[0] * 10 + 30;
        v[1] = v[1] * 10 + 30;
        return v;
    }
}
