package io.vectorstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * The guard on the schema history: the current schema of every record type is the last entry of the golden
 * fingerprint list ({@code schema-fingerprints.txt}), and every listed fingerprint has its schema in
 * {@link SchemaHistory}. So changing an {@code .avsc} without keeping the previous version fails here: the new
 * fingerprint is not the last golden entry, and appending it leaves the previous one without its schema.
 */
class SchemaHistoryTest {
    /** A data line: type, version, fingerprint, then a free comment. */
    static final Pattern LINE = Pattern.compile("(\\w+)\\s+v(\\d+)\\s+0x([0-9A-Fa-f]{16})(\\s.*)?");

    /** The golden fingerprints per record type, in file order. */
    static Map<String, List<Long>> golden() throws IOException {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        try (InputStream in = SchemaHistoryTest.class.getResourceAsStream("/schema-fingerprints.txt")) {
            assertThat(in).as("schema-fingerprints.txt on the test classpath").isNotNull();
            for (String raw : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                Matcher m = LINE.matcher(line);
                assertThat(m.matches()).as("golden line must be 'Type vN 0x<16 hex digits> [comment]': %s", line).isTrue();
                List<Long> versions = out.computeIfAbsent(m.group(1), t -> new ArrayList<>());
                assertThat(Integer.parseInt(m.group(2))).as("version of line '%s'", line).isEqualTo(versions.size() + 1);
                versions.add(Long.parseUnsignedLong(m.group(3), 16));
            }
        }
        return out;
    }

    static long fingerprint(Schema s) {
        return SchemaNormalization.parsingFingerprint64(s);
    }

    static String hex(long fingerprint) {
        return String.format("0x%016X", fingerprint);
    }

    @Test
    void everyRecordTypeHasAGoldenListAndNothingElseDoes() throws IOException {
        List<String> names = SchemaHistory.RECORD_TYPES.stream().map(Class::getSimpleName).toList();
        assertThat(golden().keySet()).containsExactlyInAnyOrderElementsOf(names);
    }

    @Test
    void theCurrentSchemaIsTheNewestGoldenFingerprint() throws IOException {
        Map<String, List<Long>> golden = golden();
        for (Class<? extends SpecificRecord> type : SchemaHistory.RECORD_TYPES) {
            List<Long> listed = golden.get(type.getSimpleName());
            long current = fingerprint(SpecificData.get().getSchema(type));
            assertThat(hex(listed.get(listed.size() - 1)))
                    .as("%s.avsc changed its fingerprint to %s: keep the released version as "
                            + "src/main/resources/io/vectorstream/schemas/history/%s-v%d.avsc (git show "
                            + "HEAD:schemas/src/main/avro/%s.avsc, nested records inlined), then append '%s v%d %s' to "
                            + "schema-fingerprints.txt", type.getSimpleName(), hex(current), type.getSimpleName(),
                            listed.size(), type.getSimpleName(), type.getSimpleName(), listed.size() + 1, hex(current))
                    .isEqualTo(hex(current));
        }
    }

    @Test
    void everyGoldenFingerprintHasItsSchemaInTheHistoryInOrder() throws IOException {
        Map<String, List<Long>> golden = golden();
        for (Class<? extends SpecificRecord> type : SchemaHistory.RECORD_TYPES) {
            List<String> history = SchemaHistory.versions(type).stream().map(s -> hex(fingerprint(s))).toList();
            List<String> listed = golden.get(type.getSimpleName()).stream().map(SchemaHistoryTest::hex).toList();
            assertThat(history).as("fingerprints of SchemaHistory.versions(%s) (the history files v1..v%d, then the "
                    + "current schema) against schema-fingerprints.txt", type.getSimpleName(), history.size() - 1)
                    .containsExactlyElementsOf(listed)
                    .doesNotHaveDuplicates();
        }
    }

    @Test
    void everyHistoryFileIsAVersionOfItsRecordWithoutGaps() throws IOException, URISyntaxException {
        URL dir = SchemaHistory.class.getResource("history");
        assertThat(dir).as("the history resource directory").isNotNull();
        Pattern name = Pattern.compile("(\\w+)-v(\\d+)\\.avsc");
        List<String> files;
        try (Stream<Path> s = Files.list(Path.of(dir.toURI()))) {
            files = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        for (String f : files) {
            Matcher m = name.matcher(f);
            assertThat(m.matches()).as("history file name must be <Type>-v<n>.avsc: %s", f).isTrue();
            Class<? extends SpecificRecord> type = SchemaHistory.RECORD_TYPES.stream()
                    .filter(t -> t.getSimpleName().equals(m.group(1))).findFirst().orElse(null);
            assertThat(type).as("history file %s names a record type of SchemaHistory.RECORD_TYPES", f).isNotNull();
            List<Schema> earlier = SchemaHistory.earlierVersions(type);
            int v = Integer.parseInt(m.group(2));
            assertThat(v).as("%s is read (versions are numbered from 1 without gaps)", f).isBetween(1, earlier.size());
            assertThat(earlier.get(v - 1).getFullName()).as("record name in %s", f)
                    .isEqualTo(SpecificData.get().getSchema(type).getFullName());
        }
    }

    @Test
    void theCurrentReaderReadsEveryEarlierWriterAndEveryEarlierReaderTheCurrentWriter() {
        for (Class<? extends SpecificRecord> type : SchemaHistory.RECORD_TYPES) {
            Schema current = SpecificData.get().getSchema(type);
            List<Schema> earlier = SchemaHistory.earlierVersions(type);
            for (int i = 0; i < earlier.size(); i++) {
                assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, earlier.get(i)).getType())
                        .as("the current %s reads v%d", type.getSimpleName(), i + 1)
                        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
                // A consumer still on an earlier release reads what this one writes (fields are only added).
                assertThat(SchemaCompatibility.checkReaderWriterCompatibility(earlier.get(i), current).getType())
                        .as("v%d of %s reads the current", i + 1, type.getSimpleName())
                        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
            }
        }
    }

    @Test
    void aRecordOfThePreviousNeighborResultDecodesWithTheAddedFieldsDefaults() throws Exception {
        Schema v1 = SchemaHistory.earlierVersions(NeighborResult.class).get(0);
        assertThat(v1.getField("queryEventTime")).isNull();
        GenericRecord neighbor = new GenericData.Record(v1.getField("neighbors").schema().getElementType());
        neighbor.put("id", 7L);
        neighbor.put("distance", 0.25f);
        GenericRecord r = new GenericData.Record(v1);
        r.put("queryId", "q1");
        r.put("partitionKey", "shop");
        r.put("neighbors", List.of(neighbor));
        r.put("indexSize", 10);
        r.put("searchMicros", 31L);
        r.put("shardsAnswered", 1);
        r.put("shardCount", 1);
        ByteBuffer written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(r);

        SchemaStore.Cache store = new SchemaStore.Cache();
        SchemaHistory.earlierVersions(NeighborResult.class).forEach(store::addSchema);
        NeighborResult read = new BinaryMessageDecoder<NeighborResult>(SpecificData.getForClass(NeighborResult.class),
                NeighborResult.getClassSchema(), store).decode(written);
        assertThat(read.getQueryId()).isEqualTo("q1");
        assertThat(read.getNeighbors()).extracting(Neighbor::getId).containsExactly(7L);
        assertThat(read.getQueryEventTime()).as("added in v2, default null").isNull();
    }

    @Test
    void anUnknownTypeIsRefusedWithItsName() {
        assertThatThrownBy(() -> SchemaHistory.versions(Neighbor.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("type must be one of [VectorEvent, VectorQuery, NeighborResult, DeadLetter]; "
                        + "type=class io.vectorstream.schemas.Neighbor");
    }
}
