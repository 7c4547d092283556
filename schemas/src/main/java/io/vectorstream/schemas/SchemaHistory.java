package io.vectorstream.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The released writer schemas of VectorStream's Kafka records, oldest first, so that a reader can decode records
 * an earlier release wrote: Avro schema resolution fills the fields added since with their defaults.
 *
 * <p>Version {@code n} of a record type below the current one is the resource
 * {@code history/<RecordName>-v<n>.avsc} next to this class, numbered from 1 without gaps and self-contained
 * (nested records inlined, as the writer's fingerprint covers them); the current version is the generated class's
 * own schema ({@code src/main/avro}). Only a change of the parsing canonical form (names, types, fields, symbols;
 * not docs, defaults or logical types) makes a new version: that form is what the single-object fingerprint
 * covers, so a doc-only change needs no history entry. {@code SchemaHistoryTest} fails when an {@code .avsc} changes
 * without its previous version here and its fingerprint in {@code schema-fingerprints.txt}.
 *
 * <p>Thread-safe: stateless; every call parses fresh {@link Schema} objects.
 */
public final class SchemaHistory {
    /** The record types written to or read from Kafka, which each have a history. */
    public static final List<Class<? extends SpecificRecord>> RECORD_TYPES =
            List.of(VectorEvent.class, VectorQuery.class, NeighborResult.class, DeadLetter.class);

    private SchemaHistory() {}

    /**
     * Every released writer schema of {@code type}, oldest first; the last is the current one (version
     * {@code versions(type).size()}).
     *
     * @throws IllegalArgumentException when {@code type} is not one of {@link #RECORD_TYPES}
     */
    public static List<Schema> versions(Class<? extends SpecificRecord> type) {
        List<Schema> all = earlierVersions(type);
        all.add(SpecificData.get().getSchema(type));
        return all;
    }

    /**
     * The released writer schemas of {@code type} before the current one, oldest first (empty when the current is
     * the first release): what a reader of {@code type} registers besides its own schema.
     *
     * @throws IllegalArgumentException when {@code type} is not one of {@link #RECORD_TYPES}
     */
    public static List<Schema> earlierVersions(Class<? extends SpecificRecord> type) {
        if (!RECORD_TYPES.contains(type)) {
            throw new IllegalArgumentException("type must be one of " + names() + "; type=" + type);
        }
        List<Schema> out = new ArrayList<>();
        for (int v = 1; ; v++) {
            String resource = resource(type, v);
            try (InputStream in = SchemaHistory.class.getResourceAsStream(resource)) {
                if (in == null) {
                    return out;
                }
                out.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("history schema could not be read; resource=" + resource, e);
            }
        }
    }

    /** The resource of version {@code version} of {@code type}, relative to this class. */
    static String resource(Class<? extends SpecificRecord> type, int version) {
        return "history/" + type.getSimpleName() + "-v" + version + ".avsc";
    }

    private static List<String> names() {
        List<String> n = new ArrayList<>();
        for (Class<?> c : RECORD_TYPES) {
            n.add(c.getSimpleName());
        }
        return n;
    }
}
