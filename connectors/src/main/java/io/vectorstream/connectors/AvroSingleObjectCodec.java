package io.vectorstream.connectors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import io.vectorstream.schemas.SchemaHistory;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SchemaParseException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding ({@code C3 01}, the writer schema's 8-byte CRC-64-AVRO fingerprint, then the
 * body): a registry-free wire format where every record names its schema. The reader knows its own schema
 * plus any older or newer writer schemas registered with {@link #withWriterSchemas}; {@link #ofReleased} registers
 * every earlier release's ({@link SchemaHistory}), and a record written with any of them decodes by Avro schema
 * resolution (fields it lacks take the reader's defaults). A record with an unknown fingerprint (the reason names
 * it), a bad header, a torn body or bytes after the body is a {@link DecodeException}, never a job failure.
 * Decoding allocates at most about the value's own size, whatever its length prefixes declare
 * ({@link LengthCheckedDecoder}).
 *
 * <p>Immutable configuration; an instance decodes and encodes on one thread at a time (it reuses its decoder).
 */
public final class AvroSingleObjectCodec<T extends SpecificRecord> implements RecordCodec<T> {
    private static final long serialVersionUID = 1L;
    /** The single-object marker. */
    private static final byte[] MAGIC = {(byte) 0xC3, 0x01};
    /** The marker and the writer schema's 8-byte fingerprint: the body starts after these. */
    private static final int HEADER_BYTES = 10;

    private final Class<T> type;
    private final List<String> writerSchemas;
    /** The CRC-64-AVRO fingerprints of the known writer schemas; {@link #readers} holds their readers. */
    private transient long[] fingerprints;
    /** The known fingerprints as the unknown-fingerprint reason lists them. */
    private transient String known;
    private transient List<DatumReader<T>> readers;
    private transient BinaryDecoder body;
    private transient LengthCheckedDecoder checked;
    private transient BinaryMessageEncoder<T> encoder;

    private AvroSingleObjectCodec(Class<T> type, List<String> writerSchemas) {
        this.type = type;
        this.writerSchemas = writerSchemas;
    }

    /** A codec that reads only records written with {@code type}'s current schema; writes with it. */
    public static <T extends SpecificRecord> AvroSingleObjectCodec<T> of(Class<T> type) {
        return new AvroSingleObjectCodec<>(type, List.of());
    }

    /**
     * A codec that reads records written with {@code type}'s current schema or any earlier released one
     * ({@link SchemaHistory#earlierVersions}); writes with the current. What every reader of VectorStream's topics
     * uses: a producer or job of the previous release may still write them.
     *
     * @throws IllegalArgumentException when {@code type} is not one of {@link SchemaHistory#RECORD_TYPES}
     */
    public static <T extends SpecificRecord> AvroSingleObjectCodec<T> ofReleased(Class<T> type) {
        List<String> json = new ArrayList<>();
        for (Schema s : SchemaHistory.earlierVersions(type)) {
            json.add(s.toString());
        }
        return of(type).withWriterSchemas(json);
    }

    /**
     * Also accepts records written with these schemas (JSON text of older or newer versions), each checked here:
     * it must parse and be readable with the current schema (Avro schema resolution: same record name, fields
     * the writer lacks have defaults, types promotable).
     *
     * @throws IllegalArgumentException for a schema that does not parse or that the current schema cannot read
     */
    public AvroSingleObjectCodec<T> withWriterSchemas(List<String> schemaJson) {
        if (schemaJson == null) {
            throw new IllegalArgumentException("schemaJson must not be null; schemaJson=null");
        }
        List<String> all = new ArrayList<>(writerSchemas);
        for (String json : schemaJson) {
            checkReadable(json);
            all.add(json);
        }
        return new AvroSingleObjectCodec<>(type, List.copyOf(all));
    }

    private void checkReadable(String json) {
        if (json == null) {
            throw new IllegalArgumentException("writer schema must not be null; schema=null");
        }
        Schema writer;
        try {
            writer = new Schema.Parser().parse(json);
        } catch (SchemaParseException e) {
            throw new IllegalArgumentException("writer schema must be Avro schema JSON; error=" + e.getMessage()
                    + ", schema=" + DeadLetters.bound(json, 200), e);
        }
        SchemaCompatibility.SchemaPairCompatibility c =
                SchemaCompatibility.checkReaderWriterCompatibility(readerSchema(), writer);
        if (c.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            List<String> why = new ArrayList<>();
            for (SchemaCompatibility.Incompatibility i : c.getResult().getIncompatibilities()) {
                why.add(i.getType() + " at " + i.getLocation() + ": " + i.getMessage());
            }
            throw new IllegalArgumentException("writer schema must be readable with the current "
                    + type.getSimpleName() + " schema; writer=" + writer.getFullName() + " "
                    + hex(SchemaNormalization.parsingFingerprint64(writer)) + ", incompatibilities=" + why);
        }
    }

    /** A fingerprint as {@link SchemaNormalization#parsingFingerprint64} gives it, in hex. */
    static String hex(long fingerprint) {
        return String.format("0x%016X", fingerprint);
    }

    private Schema readerSchema() {
        return SpecificData.get().getSchema(type);
    }

    @Override
    public T decode(byte[] bytes) throws DecodeException {
        if (bytes == null) {
            throw new DecodeException("value must not be null (tombstone); value=null");
        }
        if (readers == null) {
            initReaders();
            checked = new LengthCheckedDecoder();
        }
        if (bytes.length < HEADER_BYTES || bytes[0] != MAGIC[0] || bytes[1] != MAGIC[1]) {
            throw new DecodeException("value must be Avro single-object encoded (header C3 01); "
                    + (bytes.length < HEADER_BYTES ? "Not enough header bytes"
                            : String.format("Unrecognized header bytes: 0x%02X 0x%02X", bytes[0], bytes[1]))
                    + "; length=" + bytes.length);
        }
        long fingerprint = 0;
        for (int i = HEADER_BYTES - 1; i >= MAGIC.length; i--) {
            fingerprint = fingerprint << 8 | (bytes[i] & 0xFF); // little-endian
        }
        DatumReader<T> reader = null;
        for (int i = 0; i < fingerprints.length && reader == null; i++) {
            reader = fingerprints[i] == fingerprint ? readers.get(i) : null;
        }
        if (reader == null) {
            throw new DecodeException("schema fingerprint must be known to this reader (" + name() + " knows "
                    + known + "); fingerprint=" + hex(fingerprint));
        }
        // A decoder of the array itself, so that the bytes left are known to LengthCheckedDecoder.
        body = DecoderFactory.get().binaryDecoder(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES, body);
        T value;
        try {
            value = reader.read(null, checked.reset(body));
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new DecodeException("value must be a valid " + type.getSimpleName() + " body; error=" + e, e);
        }
        if (body.remainingBytes() != 0) {
            // Bytes after the body are no part of the record: two records glued together would otherwise pass as
            // the first alone, and the second be lost without a dead letter.
            throw new DecodeException("value must end with its " + type.getSimpleName() + " body; trailing bytes="
                    + body.remainingBytes() + ", length=" + bytes.length);
        }
        return value;
    }

    /** A reader for this reader schema and one per registered writer schema (what BinaryMessageDecoder knew). */
    private void initReaders() {
        SpecificData model = SpecificData.getForClass(type);
        Schema reader = readerSchema();
        List<Schema> writers = new ArrayList<>();
        writers.add(reader);
        for (String s : writerSchemas) {
            writers.add(new Schema.Parser().parse(s));
        }
        fingerprints = new long[writers.size()];
        List<DatumReader<T>> byWriter = new ArrayList<>(writers.size());
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < writers.size(); i++) {
            fingerprints[i] = SchemaNormalization.parsingFingerprint64(writers.get(i));
            byWriter.add(datumReader(model, writers.get(i), reader));
            names.append(i == 0 ? "" : ", ").append(hex(fingerprints[i])).append(i == 0 ? " (current)" : "");
        }
        known = names.toString();
        readers = byWriter;
    }

    @SuppressWarnings("unchecked")
    private static <T> DatumReader<T> datumReader(SpecificData model, Schema writer, Schema reader) {
        return (DatumReader<T>) model.createDatumReader(writer, reader);
    }

    @Override
    public byte[] encode(T record) {
        if (encoder == null) {
            encoder = new BinaryMessageEncoder<>(SpecificData.getForClass(type), readerSchema());
        }
        try {
            ByteBuffer b = encoder.encode(record);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return "avro:" + type.getSimpleName();
    }
}
