package io.vectorstream.connectors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding ({@code C3 01}, the writer schema's 8-byte CRC-64-AVRO fingerprint, then the
 * body): a registry-free wire format where every record names its schema. The reader knows its own schema
 * plus any older or newer writer schemas registered with {@link #withWriterSchemas}; a record with an unknown
 * fingerprint, a bad header or a torn body is a {@link DecodeException}, never a job failure.
 */
public final class AvroSingleObjectCodec<T extends SpecificRecord> implements RecordCodec<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final List<String> writerSchemas;
    private transient BinaryMessageDecoder<T> decoder;
    private transient BinaryMessageEncoder<T> encoder;

    private AvroSingleObjectCodec(Class<T> type, List<String> writerSchemas) {
        this.type = type;
        this.writerSchemas = writerSchemas;
    }

    public static <T extends SpecificRecord> AvroSingleObjectCodec<T> of(Class<T> type) {
        return new AvroSingleObjectCodec<>(type, List.of());
    }

    /** Also accepts records written with these schemas (JSON text of older or newer versions). */
    public AvroSingleObjectCodec<T> withWriterSchemas(List<String> schemaJson) {
        List<String> all = new ArrayList<>(writerSchemas);
        all.addAll(schemaJson);
        return new AvroSingleObjectCodec<>(type, List.copyOf(all));
    }

    private Schema readerSchema() {
        return SpecificData.get().getSchema(type);
    }

    @Override
    public T decode(byte[] bytes) throws DecodeException {
        if (bytes == null) {
            throw new DecodeException("value must not be null (tombstone); value=null");
        }
        if (decoder == null) {
            SchemaStore.Cache store = new SchemaStore.Cache();
            for (String s : writerSchemas) {
                store.addSchema(new Schema.Parser().parse(s));
            }
            decoder = new BinaryMessageDecoder<>(SpecificData.getForClass(type), readerSchema(), store);
        }
        try {
            return decoder.decode(ByteBuffer.wrap(bytes));
        } catch (MissingSchemaException e) {
            throw new DecodeException("schema fingerprint must be known to this reader; " + e.getMessage(), e);
        } catch (BadHeaderException e) {
            throw new DecodeException("value must be Avro single-object encoded (header C3 01); "
                    + e.getMessage() + "; length=" + bytes.length, e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new DecodeException("value must be a valid " + type.getSimpleName() + " body; error=" + e, e);
        }
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
