package io.vectorstream.operators.typeutils;

import io.vectorstream.operators.RecordOrigin;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Field codecs shared by the serializers: nullable strings, primitive arrays, string maps. Stateless. */
public final class Fields {
    /** Values per bulk read or write: bounds the scratch array whatever the length. */
    private static final int CHUNK = 1024;

    private Fields() {}

    public static void writeString(DataOutputView out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    public static String readString(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    /**
     * A nullable float array: length -1 for null, then the big-endian IEEE 754 bits (the layout of
     * {@code writeFloat}). Read and written in bulk: a restore reads state from checkpoint streams that are not
     * always buffered, where one {@code readFloat} per component meant four single-byte reads each (a 60k x 784
     * heap-backend restore took over 100 s).
     */
    public static void writeFloats(DataOutputView out, float[] v) throws IOException {
        if (v == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(v.length);
        byte[] chunk = new byte[Math.min(v.length, CHUNK) * Float.BYTES];
        for (int from = 0; from < v.length; from += CHUNK) {
            int n = Math.min(CHUNK, v.length - from);
            ByteBuffer.wrap(chunk).asFloatBuffer().put(v, from, n);
            out.write(chunk, 0, n * Float.BYTES);
        }
    }

    public static float[] readFloats(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        float[] v = new float[checkLength(n)];
        byte[] chunk = new byte[Math.min(n, CHUNK) * Float.BYTES];
        for (int from = 0; from < n; from += CHUNK) {
            int c = Math.min(CHUNK, n - from);
            in.readFully(chunk, 0, c * Float.BYTES);
            ByteBuffer.wrap(chunk, 0, c * Float.BYTES).asFloatBuffer().get(v, from, c);
        }
        return v;
    }

    public static void writeLongs(DataOutputView out, long[] v) throws IOException {
        out.writeInt(v.length);
        for (long x : v) {
            out.writeLong(x);
        }
    }

    public static long[] readLongs(DataInputView in) throws IOException {
        long[] v = new long[checkLength(in.readInt())];
        for (int i = 0; i < v.length; i++) {
            v[i] = in.readLong();
        }
        return v;
    }

    /** An int array: its length, then the big-endian values (the layout of {@code writeInt}), in bulk. */
    public static void writeInts(DataOutputView out, int[] v) throws IOException {
        out.writeInt(v.length);
        byte[] chunk = new byte[Math.min(v.length, CHUNK) * Integer.BYTES];
        for (int from = 0; from < v.length; from += CHUNK) {
            int n = Math.min(CHUNK, v.length - from);
            ByteBuffer.wrap(chunk).asIntBuffer().put(v, from, n);
            out.write(chunk, 0, n * Integer.BYTES);
        }
    }

    public static int[] readInts(DataInputView in) throws IOException {
        int n = checkLength(in.readInt());
        int[] v = new int[n];
        byte[] chunk = new byte[Math.min(n, CHUNK) * Integer.BYTES];
        for (int from = 0; from < n; from += CHUNK) {
            int c = Math.min(CHUNK, n - from);
            in.readFully(chunk, 0, c * Integer.BYTES);
            ByteBuffer.wrap(chunk, 0, c * Integer.BYTES).asIntBuffer().get(v, from, c);
        }
        return v;
    }

    public static void writeStringMap(DataOutputView out, Map<String, String> m) throws IOException {
        out.writeInt(m.size());
        for (Map.Entry<String, String> e : m.entrySet()) {
            out.writeUTF(e.getKey());
            writeString(out, e.getValue());
        }
    }

    public static Map<String, String> readStringMap(DataInputView in) throws IOException {
        int n = checkLength(in.readInt());
        if (n == 0) {
            return Collections.emptyMap();
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(in.readUTF(), readString(in));
        }
        return Collections.unmodifiableMap(m);
    }

    public static void writeStringSetMap(DataOutputView out, Map<String, Set<String>> m) throws IOException {
        out.writeInt(m.size());
        for (Map.Entry<String, Set<String>> e : m.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().size());
            for (String v : e.getValue()) {
                out.writeUTF(v);
            }
        }
    }

    public static Map<String, Set<String>> readStringSetMap(DataInputView in) throws IOException {
        int n = checkLength(in.readInt());
        Map<String, Set<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String k = in.readUTF();
            int c = checkLength(in.readInt());
            Set<String> s = new LinkedHashSet<>();
            for (int j = 0; j < c; j++) {
                s.add(in.readUTF());
            }
            m.put(k, s);
        }
        return m;
    }

    /** A nullable {@link RecordOrigin}: a presence flag, then topic, partition and offset. */
    public static void writeOrigin(DataOutputView out, RecordOrigin o) throws IOException {
        out.writeBoolean(o != null);
        if (o != null) {
            out.writeUTF(o.topic());
            out.writeInt(o.partition());
            out.writeLong(o.offset());
        }
    }

    public static RecordOrigin readOrigin(DataInputView in) throws IOException {
        return in.readBoolean() ? new RecordOrigin(in.readUTF(), in.readInt(), in.readLong()) : null;
    }

    private static int checkLength(int n) throws IOException {
        if (n < 0 || n > (1 << 28)) {
            throw new IOException("corrupt data: length must be in [0, 2^28]; length=" + n);
        }
        return n;
    }
}
