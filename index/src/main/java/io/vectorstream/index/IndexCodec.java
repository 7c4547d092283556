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
        if (!index.floatsOnHeap) {
            throw new IllegalStateException("save needs the float vectors on the heap; this index keeps int8 codes "
                    + "only (vectorsOnHeap=false): persist it node by node (metadata, neighbours, stored vectors)");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(
                (int) Math.min(Integer.MAX_VALUE - 8, index.ramBytesUsed()));
        DataOutputStream p = new DataOutputStream(bytes);
        HnswConfig c = index.config;
        p.writeInt(c.dimension());
        p.writeByte(c.metric().code());
        p.writeInt(c.maxConn());
        p.writeInt(c.beamWidth());
        p.writeDouble(c.levelMultiplier());
        p.writeLong(c.seed());
        p.writeByte(c.quantization().code());
        p.writeInt(c.quantizationTrainingSize());
        p.writeInt(c.exactSearchThreshold());

        p.writeLong(index.levels.state());
        p.writeInt(index.highWater);
        p.writeInt(index.entryPoint);
        p.writeInt(index.maxLevel);
        p.writeInt(index.freeCount);
        for (int i = 0; i < index.freeCount; i++) {
            p.writeInt(index.freeOrds[i]);
        }
        p.writeInt(index.pendingCount);
        for (int i = 0; i < index.pendingCount; i++) {
            p.writeInt(index.pendingOrds[i]);
        }
        p.writeBoolean(index.quantizer != null);
        if (index.quantizer != null) {
            p.writeFloat(index.quantizer.mid);
            p.writeFloat(index.quantizer.scale);
        }
        int dim = c.dimension();
        float[] data = index.vectors.data();
        for (int ord = 0; ord < index.highWater; ord++) {
            p.writeBoolean(index.live[ord]);
            if (!index.live[ord]) {
                continue; // a free slot: removed nodes are fully detached, nothing else to keep
            }
            p.writeLong(index.ids[ord]);
            int level = index.graph.level(ord);
            p.writeInt(level);
            for (int i = 0; i < dim; i++) {
                p.writeFloat(data[ord * dim + i]);
            }
            for (int l = 0; l <= level; l++) {
                int[] b = index.graph.block(ord, l);
                int o = index.graph.offset(ord, l);
                p.writeInt(b[o]);
                for (int j = 1; j <= b[o]; j++) {
                    p.writeInt(b[o + j]);
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
        check(entryPoint >= -1 && entryPoint < highWater, "entryPoint", entryPoint);
        int freeCount = b.getInt();
        check(freeCount >= 0 && freeCount <= highWater, "freeCount", freeCount);
        int[] free = new int[Math.max(8, freeCount)];
        for (int i = 0; i < freeCount; i++) {
            free[i] = b.getInt();
            check(free[i] >= 0 && free[i] < highWater, "free ordinal", free[i]);
        }
        int pendingCount = b.getInt();
        check(pendingCount >= 0 && pendingCount + freeCount <= highWater, "pendingCount", pendingCount);
        int[] pending = new int[Math.max(8, pendingCount)];
        for (int i = 0; i < pendingCount; i++) {
            pending[i] = b.getInt();
            check(pending[i] >= 0 && pending[i] < highWater, "pending ordinal", pending[i]);
        }
        ScalarQuantizer quantizer = b.get() != 0 ? new ScalarQuantizer(b.getFloat(), b.getFloat()) : null;

        HnswIndex index = new HnswIndex(config, Math.max(1, highWater));
        index.ensureCapacity(highWater);
        index.levels.setState(rngState);
        int[] list = new int[config.maxConn0()];
        float[] noDists = new float[config.maxConn0()];
        float[] v = new float[dim];
        int live = 0;
        for (int ord = 0; ord < highWater; ord++) {
            boolean isLive = b.get() != 0;
            if (!isLive) {
                index.graph.clearNode(ord);
                continue;
            }
            long id = b.getLong();
            int level = b.getInt();
            check(level >= 0 && level <= 32, "level", level);
            for (int i = 0; i < dim; i++) {
                v[i] = b.getFloat();
            }
            index.vectors.set(ord, v);
            index.graph.initNode(ord, level);
            for (int l = 0; l <= level; l++) {
                int count = b.getInt();
                check(count >= 0 && count <= (l == 0 ? config.maxConn0() : config.maxConn()), "neighbour count", count);
                for (int j = 0; j < count; j++) {
                    list[j] = b.getInt();
                    check(list[j] >= 0 && list[j] < highWater, "neighbour ordinal", list[j]);
                }
                index.graph.set(ord, l, list, noDists, count);
            }
            index.ids[ord] = id;
            index.live[ord] = true;
            check(index.idToOrd.put(id, ord) < 0, "duplicate live id", id);
            live++;
        }
        if (b.hasRemaining()) {
            throw new IndexFormatException("corrupted index payload: " + b.remaining() + " trailing bytes");
        }
        index.highWater = highWater;
        index.liveCount = live;
        index.entryPoint = entryPoint;
        index.maxLevel = maxLevel;
        index.freeOrds = free;
        index.freeCount = freeCount;
        index.pendingOrds = pending;
        index.pendingCount = pendingCount;
        if (quantizer != null) {
            index.setQuantizer(quantizer);
        }
        index.markEdgeDistancesStale();
        return index;
    }

    private static void check(boolean ok, String field, long value) throws IndexFormatException {
        if (!ok) {
            throw new IndexFormatException("corrupted index payload: invalid " + field + "; " + field + "=" + value);
        }
    }
}
