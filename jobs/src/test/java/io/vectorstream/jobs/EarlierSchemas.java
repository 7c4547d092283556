package io.vectorstream.jobs;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Other versions of a record's schema for tests, and records written with them as a producer on that version
 * would write them (single-object encoding, the version's own fingerprint). Stateless.
 */
final class EarlierSchemas {
    private EarlierSchemas() {}

    /** {@code current} without {@code field}: the version from before the field (optional, with a default) was added. */
    static Schema without(Schema current, String field) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : current.getFields()) {
            if (!f.name().equals(field)) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        if (fields.size() != current.getFields().size() - 1) {
            throw new IllegalArgumentException("field must exist in " + current.getName() + "; field=" + field);
        }
        return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

    /** {@code current} plus a string field with a default: a later version a reader may not know. */
    static Schema withExtraField(Schema current, String field) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : current.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field(field, Schema.create(Schema.Type.STRING), null, "unknown"));
        return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

    /** The fields of {@code record} that {@code writer} has (defaults for the others), encoded with {@code writer}. */
    static byte[] encodeAs(SpecificRecord record, Schema writer) {
        // The record's own model: it knows its enums and logical types (Instant for timestamp-millis).
        SpecificData model = SpecificData.getForClass(record.getClass());
        GenericRecord g = new GenericData.Record(writer);
        for (Schema.Field f : writer.getFields()) {
            Schema.Field own = record.getSchema().getField(f.name());
            g.put(f.pos(), own == null ? model.getDefaultValue(f) : record.get(own.pos()));
        }
        try {
            ByteBuffer b = new BinaryMessageEncoder<GenericRecord>(model, writer).encode(g);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String hex(Schema s) {
        return String.format("0x%016X", SchemaNormalization.parsingFingerprint64(s));
    }
}
