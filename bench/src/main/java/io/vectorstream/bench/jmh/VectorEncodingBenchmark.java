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
 * The vector encoding choice for the Avro schemas: decoding a whole VectorEvent to a {@code float[]} with the
 * vector as little-endian float32 {@code bytes} (the shipped schema) versus {@code array<float>}.
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

    static final Schema ARRAY_SCHEMA = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"VectorEventArray\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"partitionKey\",\"type\":\"string\"},"
            + "{\"name\":\"vector\",\"type\":{\"type\":\"array\",\"items\":\"float\"}},"
            + "{\"name\":\"eventTime\",\"type\":\"long\"}]}");

    ByteBuffer bytesEncoded;
    byte[] arrayEncoded;
    GenericDatumReader<GenericRecord> arrayReader;
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
        bytesEncoded = VectorEvent.newBuilder().setOp(Op.UPSERT).setId(1L).setPartitionKey("k")
                .setVector(VectorBytes.encode(vector)).setAttributes(Map.of()).setEventTime(Instant.ofEpochMilli(1))
                .build().toByteBuffer();
        GenericRecord rec = new GenericData.Record(ARRAY_SCHEMA);
        rec.put("id", 1L);
        rec.put("partitionKey", "k");
        rec.put("vector", boxed);
        rec.put("eventTime", 1L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(ARRAY_SCHEMA).write(rec, enc);
        enc.flush();
        arrayEncoded = out.toByteArray();
        arrayReader = new GenericDatumReader<>(ARRAY_SCHEMA);
    }

    @Benchmark
    public float[] decodeBytesVector() throws IOException {
        return VectorBytes.decode(VectorEvent.fromByteBuffer(bytesEncoded.duplicate()).getVector());
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
