package io.vectorstream.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorstream.index.IndexMetadata;
import io.vectorstream.operators.state.KeyIndexMeta;
import io.vectorstream.operators.state.KeyIndexMetaSerializer;
import io.vectorstream.operators.state.KeyQuantizer;
import io.vectorstream.operators.state.KeyQuantizerSerializer;
import io.vectorstream.operators.state.NeighborListsSerializer;
import io.vectorstream.operators.state.NodeRecord;
import io.vectorstream.operators.state.NodeRecordSerializer;
import io.vectorstream.operators.state.StandingQuery;
import io.vectorstream.operators.state.StandingQuerySerializer;
import io.vectorstream.operators.typeutils.DeadLetterSerializer;
import io.vectorstream.operators.typeutils.QueryResultSerializer;
import io.vectorstream.operators.typeutils.VectorEventSerializer;
import io.vectorstream.operators.typeutils.VectorQuerySerializer;
import io.vectorstream.operators.typeutils.VersionedSerializerSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Round trips, snapshot compatibility, and golden files: bytes written by every released format (checked in
 * under {@code src/test/resources/golden/}) must still read back, so a savepoint written today restores tomorrow.
 * {@code serializers-v1.bin} is frozen (events, queries and dead letters without origin); the current format's
 * file is regenerated only on purpose, with {@code -Dvectorstream.golden.write=true}, when a version changes.
 */
class SerializersTest {
    private static final String GOLDEN_V1 = "golden/serializers-v1.bin";
    /** Frozen when format v3 came: {@link #v2Samples()}, written by the v2 serializers. */
    private static final String GOLDEN_V2 = "golden/serializers-v2.bin";
    /** Frozen when format v4 came: {@link #v3Samples()}, written by the v3 serializers. */
    private static final String GOLDEN_V3 = "golden/serializers-v3.bin";
    /** Frozen when format v5 came: {@link #v4Samples()}, written by the v4 serializers. */
    private static final String GOLDEN_V4 = "golden/serializers-v4.bin";
    /** Frozen when format v6 came: {@link #v5Samples()}, written by the v5 serializers. */
    private static final String GOLDEN_V5 = "golden/serializers-v5.bin";
    private static final String GOLDEN_CURRENT = "golden/serializers-v6.bin";

    /** One sample per state and record type, in a fixed order. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static List<Object[]> samples() {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("color", "red");
        attrs.put("size", null);
        return List.of(
                new Object[] {NodeRecordSerializer.INSTANCE, new NodeRecord(-7L, new float[] {1.5f, -2f, 0f}, attrs, 99L)},
                new Object[] {NeighborListsSerializer.INSTANCE, new int[][] {{1, 2, 3}, {4}, {}}},
                new Object[] {KeyIndexMetaSerializer.INSTANCE, new KeyIndexMeta(3,
                        new IndexMetadata(10, 7, 4, 2, 0x1234_5678_9ABCL, new int[] {9, 5, 1}, new int[] {3}, true, 0.25f, 0.01f))},
                new Object[] {VectorEventSerializer.INSTANCE, new VectorEvent("upsert", 42L, "tenant", new float[] {3f, 4f}, attrs, 5L)},
                new Object[] {VectorEventSerializer.INSTANCE, new VectorEvent(null, null, null, null, null, -1L)},
                new Object[] {VectorQuerySerializer.INSTANCE, new VectorQuery("q-1", null, new float[] {1f}, 10, 64,
                        AttributeFilter.in("color", Set.of("red")), 77L).toShard(3)},
                new Object[] {QueryResultSerializer.INSTANCE, new QueryResult("q-1", "k", 2, new long[] {5, 6},
                        new float[] {0.5f, 0.75f}, 100, 12, -1, 4, 4)},
                new Object[] {DeadLetterSerializer.INSTANCE, new DeadLetter("k must be in [1, 10000]; k=0", "query", "Q", 8L)});
    }

    /** {@link #v5Samples()} plus what format v6 added: index metadata with the latest inserts. */
    static List<Object[]> currentSamples() {
        List<Object[]> all = new java.util.ArrayList<>(v5Samples());
        all.add(new Object[] {KeyIndexMetaSerializer.INSTANCE, new KeyIndexMeta(3, new IndexMetadata(12, 9, 4, 2, 79L,
                new int[] {7}, new int[] {2, 5}, false, new float[0], new float[0], new int[] {11, 10, 3, 8}))});
        all.add(new Object[] {KeyIndexMetaSerializer.INSTANCE, new KeyIndexMeta(2, new IndexMetadata(3, 3, 0, 1, 80L,
                new int[0], new int[0], true, new float[] {0.5f}, new float[] {0.01f}, new int[] {2, 1, 0}))});
        return all;
    }

    /**
     * {@link #v4Samples()} plus what format v5 added: index metadata of an index quantised per coordinate (its
     * ranges in their own state) and of one not (yet) quantised, and the per-coordinate ranges' state.
     */
    static List<Object[]> v5Samples() {
        List<Object[]> all = new java.util.ArrayList<>(v4Samples());
        all.add(new Object[] {KeyIndexMetaSerializer.INSTANCE, new KeyIndexMeta(3, new IndexMetadata(4, 4, 0, 1, 77L,
                new int[0], new int[0], true, new float[0], new float[0]))});
        all.add(new Object[] {KeyIndexMetaSerializer.INSTANCE, new KeyIndexMeta(2, new IndexMetadata(1, 1, 0, 0, 78L,
                new int[0], new int[0], false, new float[0], new float[0]))});
        all.add(new Object[] {KeyQuantizerSerializer.INSTANCE, new KeyQuantizer(new float[] {0.5f, -1f, 2f},
                new float[] {0.01f, 0.25f, 0.02f})});
        return all;
    }

    /** {@link #v3Samples()} plus what format v4 added: a query that searches an upsert's neighbours. */
    static List<Object[]> v4Samples() {
        List<Object[]> all = new java.util.ArrayList<>(v3Samples());
        all.add(new Object[] {VectorQuerySerializer.INSTANCE, new VectorQuery("17", "k", new float[] {1f, 0f}, 3, 0,
                null, 18L).asNeighborsOf(17L, 0.75f).toShard(2)});
        all.add(new Object[] {VectorQuerySerializer.INSTANCE, new VectorQuery("19", "k", new float[] {1f}, 1, 0,
                null, 19L).asNeighborsOf(19L, null)});
        return all;
    }

    /** {@link #v2Samples()} plus what format v3 added: kNN-on-insert requests, standing queries, result kinds. */
    static List<Object[]> v3Samples() {
        List<Object[]> all = new java.util.ArrayList<>(v2Samples());
        all.add(new Object[] {VectorEventSerializer.INSTANCE,
                VectorEvent.upsert("k", 8L, new float[] {1f, 2f}, 12L).withNeighbors(5, 0.5f)});
        all.add(new Object[] {VectorEventSerializer.INSTANCE,
                VectorEvent.upsert("k", 9L, new float[] {1f}, 13L).withNeighbors(0, null)});
        all.add(new Object[] {VectorQuerySerializer.INSTANCE, new VectorQuery("s-1", "k", new float[] {1f, 0f}, 4, 0,
                AttributeFilter.eq("color", "red"), 14L).withStanding(VectorQuery.Standing.REGISTER, 2.5f, 99L)});
        all.add(new Object[] {VectorQuerySerializer.INSTANCE, new VectorQuery("s-1", "k", new float[0], 1, 0, null, 15L)
                .withStanding(VectorQuery.Standing.UNREGISTER, null, null)});
        for (QueryResult.Kind kind : QueryResult.Kind.values()) {
            all.add(new Object[] {QueryResultSerializer.INSTANCE, new QueryResult("r-" + kind, "k", 2, new long[] {3},
                    new float[] {0.125f}, 5, 0, -1, 1, 1, 16L, kind)});
        }
        all.add(new Object[] {StandingQuerySerializer.INSTANCE, new StandingQuery("s-1", new float[] {1f, 0f}, 4, 0,
                AttributeFilter.eq("color", "red"), 2.5f, 99L, 14L, new long[] {7, 3}, new float[] {0.5f, 0.5f})});
        all.add(new Object[] {StandingQuerySerializer.INSTANCE, new StandingQuery("s-2", new float[] {1f}, 1, 64,
                null, Float.POSITIVE_INFINITY, Long.MAX_VALUE, 15L, new long[0], new float[0])});
        return all;
    }

    /** {@link #samples()} plus the fields format v2 added (origins, reason classes). */
    static List<Object[]> v2Samples() {
        List<Object[]> all = new java.util.ArrayList<>(samples());
        RecordOrigin origin = new RecordOrigin("vectors", 3, 1234567L);
        all.add(new Object[] {VectorEventSerializer.INSTANCE,
                new VectorEvent("delete", 7L, "k", null, null, 9L, 55L, origin)});
        all.add(new Object[] {VectorQuerySerializer.INSTANCE,
                new VectorQuery("q-2", "k", new float[] {2f}, 3, 0, null, 10L, origin).toShard(1)});
        all.add(new Object[] {QueryResultSerializer.INSTANCE, new QueryResult("q-3", null, 1, new long[] {9},
                new float[] {0.25f}, 10, 5, -1, 2, 2, 1_700_000_000_000L)});
        all.add(new Object[] {DeadLetterSerializer.INSTANCE, new DeadLetter("eventTime must be after the watermark",
                DeadLetter.ReasonClass.LATE, "query", "Q2", 11L, origin)});
        return all;
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everySerializerRoundTripsAndCopiesThroughViews() throws IOException {
        for (Object[] s : currentSamples()) {
            TypeSerializer ser = (TypeSerializer) s[0];
            DataOutputSerializer out = new DataOutputSerializer(64);
            ser.serialize(s[1], out);
            Object back = ser.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertSame(s[1], back);
            DataOutputSerializer copied = new DataOutputSerializer(64);
            ser.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
            assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
            assertThat(ser.duplicate()).isEqualTo(ser);
        }
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void snapshotsRoundTripAndResolveCompatibility() throws IOException {
        for (Object[] s : currentSamples()) {
            TypeSerializer ser = (TypeSerializer) s[0];
            DataOutputSerializer out = new DataOutputSerializer(64);
            TypeSerializerSnapshot.writeVersionedSnapshot(out, ser.snapshotConfiguration());
            TypeSerializerSnapshot restored = TypeSerializerSnapshot.readVersionedSnapshot(
                    new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
            assertThat(restored.restoreSerializer()).isEqualTo(ser);
            TypeSerializerSchemaCompatibility compat = ser.snapshotConfiguration().resolveSchemaCompatibility(restored);
            assertThat(compat.isCompatibleAsIs()).as("%s", ser.getClass().getSimpleName()).isTrue();
        }
        // A snapshot from a newer format than this code knows is refused, not misread.
        VersionedSerializerSnapshot<NodeRecord> snap = new NodeRecordSerializer.Snapshot();
        assertThatThrownBy(() -> snap.readSnapshot(2, new DataInputDeserializer(new byte[0]), getClass().getClassLoader()))
                .isInstanceOf(IOException.class).hasMessage("Snapshot version must be in [1, 1]; version=2");
        // Another serializer's snapshot is incompatible.
        assertThat(new NodeRecordSerializer.Snapshot().resolveSchemaCompatibility((TypeSerializerSnapshot)
                new KeyIndexMetaSerializer.Snapshot()).isIncompatible()).isTrue();
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void goldenV1BytesStillDeserialize() throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(golden(GOLDEN_V1));
        for (Object[] s : samples()) {
            TypeSerializerSnapshot snap = TypeSerializerSnapshot.readVersionedSnapshot(in, getClass().getClassLoader());
            Object back = snap.restoreSerializer().deserialize(in);
            assertSame(s[1], back);
        }
        assertThat(in.available()).isZero();
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aSerializerRestoredForAnOldFormatWritesAndLabelsThatFormat() throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(golden(GOLDEN_V1));
        for (Object[] s : samples()) {
            TypeSerializerSnapshot snap = TypeSerializerSnapshot.readVersionedSnapshot(in, getClass().getClassLoader());
            TypeSerializer old = snap.restoreSerializer();
            int start = in.getPosition();
            Object back = old.deserialize(in);
            byte[] v1 = java.util.Arrays.copyOfRange(golden(GOLDEN_V1), start, in.getPosition());
            // copy(view, view) reads and writes with the same serializer: it must not turn v1 bytes into v2 ones.
            DataOutputSerializer copied = new DataOutputSerializer(64);
            old.copy(new DataInputDeserializer(v1), copied);
            assertThat(copied.getCopyOfBuffer()).as("%s", old.getClass().getSimpleName()).isEqualTo(v1);
            assertThat(old.snapshotConfiguration().getCurrentVersion()).isEqualTo(1);
            assertSame(s[1], back);
        }
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void goldenV2BytesStillDeserialize() throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(golden(GOLDEN_V2));
        for (Object[] s : v2Samples()) {
            TypeSerializerSnapshot snap = TypeSerializerSnapshot.readVersionedSnapshot(in, getClass().getClassLoader());
            assertSame(s[1], snap.restoreSerializer().deserialize(in));
        }
        assertThat(in.available()).isZero();
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void goldenV3BytesStillDeserialize() throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(golden(GOLDEN_V3));
        for (Object[] s : v3Samples()) {
            TypeSerializerSnapshot snap = TypeSerializerSnapshot.readVersionedSnapshot(in, getClass().getClassLoader());
            assertSame(s[1], snap.restoreSerializer().deserialize(in));
        }
        assertThat(in.available()).isZero();
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void goldenV5BytesStillDeserialize() throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(golden(GOLDEN_V5));
        for (Object[] s : v5Samples()) {
            TypeSerializerSnapshot snap = TypeSerializerSnapshot.readVersionedSnapshot(in, getClass().getClassLoader());
            assertSame(s[1], snap.restoreSerializer().deserialize(in));
        }
        assertThat(in.available()).isZero();
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void goldenV4BytesStillDeserialize() throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(golden(GOLDEN_V4));
        for (Object[] s : v4Samples()) {
            TypeSerializerSnapshot snap = TypeSerializerSnapshot.readVersionedSnapshot(in, getClass().getClassLoader());
            assertSame(s[1], snap.restoreSerializer().deserialize(in));
        }
        assertThat(in.available()).isZero();
    }

    /**
     * Index metadata never carries ranges per coordinate (they have their own state), and a serializer restored
     * for format v1 cannot write metadata quantised per coordinate, which v1 cannot express.
     */
    @Test
    void indexMetadataKeepsRangesPerCoordinateOutAndFormatV1CannotExpressThem() throws IOException {
        KeyIndexMeta withRanges = new KeyIndexMeta(2, new IndexMetadata(1, 1, 0, 0, 1L, new int[0], new int[0],
                true, new float[] {0f, 1f}, new float[] {0.5f, 0.5f}));
        assertThatThrownBy(() -> KeyIndexMetaSerializer.INSTANCE.serialize(withRanges, new DataOutputSerializer(64)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("a range per coordinate is kept in its own state (KeyQuantizer), not in the metadata; "
                        + "ranges=2");
        VersionedSerializerSnapshot<KeyIndexMeta> snap = new KeyIndexMetaSerializer.Snapshot();
        snap.readSnapshot(1, new DataInputDeserializer(new byte[0]), getClass().getClassLoader());
        TypeSerializer<KeyIndexMeta> v1 = snap.restoreSerializer();
        KeyIndexMeta perCoordinate = new KeyIndexMeta(2, new IndexMetadata(1, 1, 0, 0, 1L, new int[0], new int[0],
                true, new float[0], new float[0]));
        assertThatThrownBy(() -> v1.serialize(perCoordinate, new DataOutputSerializer(64)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("format v1 holds one quantizer range; the ranges are per coordinate");
        KeyIndexMeta oneRange = new KeyIndexMeta(2, new IndexMetadata(1, 1, 0, 0, 1L, new int[0], new int[0],
                true, 0.5f, 0.25f));
        DataOutputSerializer bytes = new DataOutputSerializer(64);
        v1.serialize(oneRange, bytes);
        assertThat(v1.deserialize(new DataInputDeserializer(bytes.getCopyOfBuffer()))).isEqualTo(oneRange);
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void currentFormatMatchesItsGoldenFile() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(512);
        for (Object[] s : currentSamples()) {
            TypeSerializer ser = (TypeSerializer) s[0];
            TypeSerializerSnapshot.writeVersionedSnapshot(out, ser.snapshotConfiguration());
            ser.serialize(s[1], out);
        }
        byte[] current = out.getCopyOfBuffer();
        if (Boolean.getBoolean("vectorstream.golden.write")) {
            Path p = Paths.get("src/test/resources", GOLDEN_CURRENT);
            Files.createDirectories(p.getParent());
            Files.write(p, current);
        }
        byte[] golden = golden(GOLDEN_CURRENT);
        DataInputDeserializer in = new DataInputDeserializer(golden);
        for (Object[] s : currentSamples()) {
            TypeSerializerSnapshot snap = TypeSerializerSnapshot.readVersionedSnapshot(in, getClass().getClassLoader());
            assertSame(s[1], snap.restoreSerializer().deserialize(in));
        }
        assertThat(in.available()).isZero();
        assertThat(current).as("the current format is unchanged; bump the version to change it").isEqualTo(golden);
    }

    private byte[] golden(String name) throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as("golden file %s is checked in", name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static void assertSame(Object expected, Object actual) {
        if (expected instanceof int[][]) {
            assertThat((int[][]) actual).isDeepEqualTo((int[][]) expected);
        } else if (expected instanceof QueryResult) {
            assertThat(((QueryResult) actual).sameAnswer((QueryResult) expected)).isTrue();
            assertThat(((QueryResult) actual).searchMicros()).isEqualTo(((QueryResult) expected).searchMicros());
        } else {
            assertThat(actual).isEqualTo(expected);
        }
    }
}
