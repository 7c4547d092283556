package io.vectorstream.bench.jmh;

import io.vectorstream.schemas.Op;
import io.vectorstream.schemas.VectorEvent;
import io.vectorstream.schemas.codec.VectorBytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The vector encoding choice for the Avro schemas: decoding a record to a {@code float[]} with the vector as
 * little-endian float32 {@code bytes} (the shipped schema) versus {@code array<float>}, on otherwise identical
 * records read the same way ({@link #decodeBytes} vs {@link #decodeArrayOfFloat}), plus the shipped
 * single-object path for reference. Earlier versions compared the shipped path against a plain record, which
 * mixed the encoding with the single-object and generated-class overheads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.vectorstream.schemas"})
public class VectorEncodingBenchmark {
    @Param({"128", "784"})
    int dim;

    /** The same record shape twice, differing only in the vector's type, both read the same way. */
    static final Schema ARRAY_SCHEMA = schema("VectorEventArray", "{\"type\":\"array\",\"items\":\"float\"}");
    static final Schema BYTES_SCHEMA = schema("VectorEventBytes", "\"bytes\"");

    static Schema schema(String name, String vectorType) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"" + name + "\","
                + "\"fields\":[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"partitionKey\",\"type\":\"string\"},"
                + "{\"name\":\"vector\",\"type\":" + vectorType + "},"
                + "{\"name\":\"eventTime\",\"type\":\"long\"}]}");
    }

    ByteBuffer singleObjectEncoded;
    byte[] arrayEncoded;
    byte[] bytesEncoded;
    GenericDatumReader<GenericRecord> arrayReader;
    GenericDatumReader<GenericRecord> bytesReader;
    BinaryDecoder decoder;
    float[] vector;

    @Setup
    public void setup() throws IOException {
        SplittableRandom r = new SplittableRandom(2);
        vector = new float[dim];
        List<Float> boxed = new ArrayList<>();
        for (int i = 0; i < dim; i++) {
            vector[i] = (float) r.nextDouble();
            boxed.add(vector[i]);
        }
        singleObjectEncoded = VectorEvent.newBuilder().setOp(Op.UPSERT).setId(1L).setPartitionKey("k")
                .setVector(VectorBytes.encode(vector)).setAttributes(Map.of()).setEventTime(Instant.ofEpochMilli(1))
                .build().toByteBuffer();
        arrayEncoded = encode(ARRAY_SCHEMA, boxed);
        bytesEncoded = encode(BYTES_SCHEMA, VectorBytes.encode(vector));
        arrayReader = new GenericDatumReader<>(ARRAY_SCHEMA);
        bytesReader = new GenericDatumReader<>(BYTES_SCHEMA);
    }

    private static byte[] encode(Schema schema, Object vector) throws IOException {
        GenericRecord rec = new GenericData.Record(schema);
        rec.put("id", 1L);
        rec.put("partitionKey", "k");
        rec.put("vector", vector);
        rec.put("eventTime", 1L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(rec, enc);
        enc.flush();
        return out.toByteArray();
    }

    /** Float32 LE {@code bytes}, read exactly as {@link #decodeArrayOfFloat} reads its record. */
    @Benchmark
    public float[] decodeBytes() throws IOException {
        decoder = DecoderFactory.get().binaryDecoder(bytesEncoded, decoder);
        GenericRecord r = bytesReader.read(null, decoder);
        return VectorBytes.decode((ByteBuffer) r.get("vector"));
    }

    /**
     * The shipped path end to end: single-object header and fingerprint check, the full generated
     * {@code VectorEvent} (op enum, attributes map, timestamp conversion), then the vector.
     */
    @Benchmark
    public float[] decodeShippedSingleObject() throws IOException {
        return VectorBytes.decode(VectorEvent.fromByteBuffer(singleObjectEncoded.duplicate()).getVector());
    }

    @Benchmark
    @SuppressWarnings("unchecked")
    public float[] decodeArrayOfFloat() throws IOException {
        decoder = DecoderFactory.get().binaryDecoder(arrayEncoded, decoder);
        GenericRecord r = arrayReader.read(null, decoder);
        List<Float> v = (List<Float>) r.get("vector");
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }
}
