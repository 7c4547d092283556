package io.vectorstream.index;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The saved-index format. Layout (big-endian):
 * <pre>
 *   int   magic 'VSHW'
 *   int   format version
 *   long  payload length
 *   byte[payload length]  config, counters, level-generator state, free and pending slots, quantiser,
 *                         then per slot:
 *                         id, live, level, vector, and each layer's neighbour list
 *   int   CRC32C of the payload
 * </pre>
 * The reader checks length and checksum before parsing, and validates every ordinal while parsing, so a
 * damaged file is rejected before an index object exists.
 */
final class IndexCodec {
    static final int MAGIC = 0x56534857; // "VSHW"
    static final int VERSION = 1;

    private IndexCodec() {}

    static void write(HnswIndex index, OutputStream out) throws IOException {
        HnswGraph g = index.graph();
        StoredVectors vectors = index.storedVectors();
        if (!vectors.floatsOnHeap()) {
            throw new IllegalStateException("save needs the float vectors on the heap; this index keeps int8 codes "
                    + "only (vectorsOnHeap=false): persist it node by node (metadata, neighbours, stored vectors)");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(
                (int) Math.min(Integer.MAX_VALUE - 8, index.ramBytesUsed()));
        DataOutputStream p = new DataOutputStream(bytes);
        HnswConfig c = index.config();
        p.writeInt(c.dimension());
        p.writeByte(c.metric().code());
        p.writeInt(c.maxConn());
        p.writeInt(c.beamWidth());
        p.writeDouble(c.levelMultiplier());
        p.writeLong(c.seed());
        p.writeByte(c.quantization().code());
        p.writeInt(c.quantizationTrainingSize());
        p.writeInt(c.exactSearchThreshold());

        p.writeLong(g.levelGeneratorState());
        p.writeInt(g.highWater());
        p.writeInt(g.entryPoint());
        p.writeInt(g.maxLevel());
        int[] free = g.freeOrdinals();
        p.writeInt(free.length);
        for (int ord : free) {
            p.writeInt(ord);
        }
        int[] pending = g.pendingOrdinals();
        p.writeInt(pending.length);
        for (int ord : pending) {
            p.writeInt(ord);
        }
        ScalarQuantizer q = vectors.quantizer();
        p.writeBoolean(q != null);
        if (q != null) {
            p.writeFloat(q.mid);
            p.writeFloat(q.scale);
        }
        int dim = c.dimension();
        float[] data = vectors.floatData();
        for (int ord = 0; ord < g.highWater(); ord++) {
            p.writeBoolean(g.isLive(ord));
            if (!g.isLive(ord)) {
                continue; // a free slot: removed nodes are fully detached, nothing else to keep
            }
            p.writeLong(g.id(ord));
            int level = g.level(ord);
            p.writeInt(level);
            for (int i = 0; i < dim; i++) {
                p.writeFloat(data[ord * dim + i]);
            }
            for (int l = 0; l <= level; l++) {
                int count = g.neighborCount(ord, l);
                p.writeInt(count);
                for (int j = 0; j < count; j++) {
                    p.writeInt(g.neighbor(ord, l, j));
                }
            }
        }
        p.flush();
        byte[] payload = bytes.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(payload);
        DataOutputStream o = new DataOutputStream(out);
        o.writeInt(MAGIC);
        o.writeInt(VERSION);
        o.writeLong(payload.length);
        o.write(payload);
        o.writeInt((int) crc.getValue());
        o.flush();
    }

    static HnswIndex read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        byte[] payload;
        int storedCrc;
        try {
            int magic = d.readInt();
            if (magic != MAGIC) {
                throw new IndexFormatException(String.format(
                        "not a VectorStream index: magic must be 0x%08x; magic=0x%08x", MAGIC, magic));
            }
            int version = d.readInt();
            if (version != VERSION) {
                throw new IndexFormatException("format version must be " + VERSION + "; version=" + version);
            }
            long length = d.readLong();
            if (length < 0 || length > Integer.MAX_VALUE - 8) {
                throw new IndexFormatException("payload length must be in [0, 2^31-9]; length=" + length);
            }
            payload = d.readNBytes((int) length);
            if (payload.length != length) {
                throw new IndexFormatException(
                        "truncated index: payload must be " + length + " bytes; read=" + payload.length);
            }
            storedCrc = d.readInt();
        } catch (EOFException e) {
            throw new IndexFormatException("truncated index: the file ends inside the header or checksum", e);
        }
        CRC32C crc = new CRC32C();
        crc.update(payload);
        if ((int) crc.getValue() != storedCrc) {
            throw new IndexFormatException(String.format(
                    "corrupted index: CRC32C must be 0x%08x; computed=0x%08x", storedCrc, (int) crc.getValue()));
        }
        try {
            return parse(ByteBuffer.wrap(payload));
        } catch (BufferUnderflowException | IllegalArgumentException | IllegalStateException e) {
            throw new IndexFormatException("corrupted index payload: " + e.getMessage(), e);
        }
    }

    private static HnswIndex parse(ByteBuffer b) throws IndexFormatException {
        int dim = b.getInt();
        VectorMetric metric = VectorMetric.fromCode(b.get());
        HnswConfig.Builder cb = HnswConfig.builder(dim).metric(metric).maxConn(b.getInt()).beamWidth(b.getInt())
                .levelMultiplier(b.getDouble()).seed(b.getLong());
        cb.quantization(Quantization.fromCode(b.get()))
                .quantizationTrainingSize(b.getInt()).exactSearchThreshold(b.getInt());
        HnswConfig config = cb.build();

        long rngState = b.getLong();
        int highWater = b.getInt();
        int entryPoint = b.getInt();
        int maxLevel = b.getInt();
        check(highWater >= 0, "highWater", highWater);
        int freeCount = b.getInt();
        check(freeCount >= 0 && freeCount <= highWater, "freeCount", freeCount);
        int[] free = new int[freeCount];
        for (int i = 0; i < freeCount; i++) {
            free[i] = b.getInt();
        }
        int pendingCount = b.getInt();
        check(pendingCount >= 0 && pendingCount + freeCount <= highWater, "pendingCount", pendingCount);
        int[] pending = new int[pendingCount];
        for (int i = 0; i < pendingCount; i++) {
            pending[i] = b.getInt();
        }
        boolean quantized = b.get() != 0;
        float mid = quantized ? b.getFloat() : 0f;
        float scale = quantized ? b.getFloat() : 0f;

        // Version 1 has a live flag per slot and no live count, which the restorer needs first: count, then read.
        int nodes = b.position();
        int live = countLiveNodes(b, highWater, dim);
        b.position(nodes);
        HnswIndex.Restorer restorer = HnswIndex.restorer(config, new IndexMetadata(highWater, live, entryPoint,
                maxLevel, rngState, free, pending, quantized, mid, scale));
        for (int ord = 0; ord < highWater; ord++) {
            if (b.get() == 0) {
                continue; // a free or pending slot: removed nodes are fully detached, nothing else was kept
            }
            long id = b.getLong();
            int level = b.getInt();
            check(level >= 0 && level <= HnswGraph.MAX_LEVEL, "level", level);
            float[] vector = new float[dim];
            for (int i = 0; i < dim; i++) {
                vector[i] = b.getFloat();
            }
            int[][] neighbors = new int[level + 1][];
            for (int l = 0; l <= level; l++) {
                int count = b.getInt();
                check(count >= 0 && count <= (l == 0 ? config.maxConn0() : config.maxConn()), "neighbour count", count);
                neighbors[l] = new int[count];
                for (int j = 0; j < count; j++) {
                    neighbors[l][j] = b.getInt();
                }
            }
            restorer.node(ord, id, vector, neighbors);
        }
        if (b.hasRemaining()) {
            throw new IndexFormatException("corrupted index payload: " + b.remaining() + " trailing bytes");
        }
        return restorer.build();
    }

    /** Skips over the version-1 slot records of {@code highWater} slots, counting the live ones. */
    private static int countLiveNodes(ByteBuffer b, int highWater, int dim) throws IndexFormatException {
        int live = 0;
        for (int ord = 0; ord < highWater; ord++) {
            if (b.get() == 0) {
                continue;
            }
            live++;
            b.position(b.position() + 8); // id
            int level = b.getInt();
            check(level >= 0 && level <= HnswGraph.MAX_LEVEL, "level", level);
            b.position(b.position() + 4 * dim);
            for (int l = 0; l <= level; l++) {
                int count = b.getInt();
                check(count >= 0 && count <= b.remaining() / 4, "neighbour count", count);
                b.position(b.position() + 4 * count);
            }
        }
        return live;
    }

    private static void check(boolean ok, String field, long value) throws IndexFormatException {
        if (!ok) {
            throw new IndexFormatException("corrupted index payload: invalid " + field + "; " + field + "=" + value);
        }
    }
}
