package io.vectorstream.index;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The saved-index format: written by {@link HnswIndex#save(OutputStream)}, read by {@link HnswIndex#load}, which
 * rebuilds the index through the public {@link HnswIndex.Restorer} (the path the Flink operators restore by).
 *
 * <p>Version 6, written today (big-endian; streamed: nothing is buffered beyond a 64 KiB buffer):
 * <pre>
 *   int    magic 'VSHW'
 *   int    format version (6)
 *   long   body length: the bytes between this field and the footer
 *   body:
 *     config    int dimension, byte metric code ({@link VectorMetric#code()}), int maxConn, int beamWidth,
 *               double levelMultiplier, long seed, byte quantization code ({@link Quantization#code()}),
 *               int quantizationTrainingSize, int exactSearchThreshold, int rerankCandidates, int upperBeamWidth
 *     metadata  long level-generator state, int highWater, int liveCount, int entryPoint, int maxLevel,
 *               int freeCount, int[freeCount], int pendingCount, int[pendingCount],
 *               int recentCount, int[recentCount] (the latest inserts, most recent first),
 *               byte quantized, [int ranges (1, or dimension: one per coordinate), float[ranges] mids,
 *               float[ranges] scales]
 *     nodes     liveCount times, by ascending ordinal: int ord, long id, int level, float[dimension] stored
 *               vector, then per layer 0..level: int count, int[count] neighbour ordinals
 *   int    footer: CRC32C of every byte before it, magic included
 * </pre>
 * Every count is checked against the configuration and the metadata before anything is allocated for it (and
 * highWater must equal liveCount + freeCount + pendingCount), so a damaged header cannot make the reader
 * allocate without bound. The index is built while reading and returned only once the footer matched; when
 * reading stops at an inconsistency, the rest of the body is still read so the message can say whether the
 * checksum shows corruption.
 *
 * <p>Version 5 (still read, no longer written) is version 6 without {@code upperBeamWidth}: such a file loads
 * with the greedy descent (1), the only one there was.
 *
 * <p>Version 4 (still read, no longer written) is version 5 without the latest inserts: such a file loads as if
 * nothing had been inserted just before it was saved.
 *
 * <p>Version 3 (still read, no longer written) is version 4 with one quantiser range: {@code byte quantized,
 * [float mid, float scale]}.
 *
 * <p>Version 2 (still read, no longer written) is version 3 without {@code rerankCandidates}: a version-2 file
 * loads with the automatic re-rank depth (0). {@code vectorsOnHeap} is in neither: only an index with its floats
 * on the heap can be saved, and it loads with them there.
 *
 * <p>Version 1 (still read, no longer written) buffered the whole payload: magic, version, long payload length,
 * the payload (config, counters, level-generator state, free and pending slots, quantiser, then per slot a live
 * flag and, for live slots, id, level, vector and lists), then the CRC32C of the payload alone. Its enum bytes
 * were {@code ordinal()}s, which equal today's codes.
 *
 * <p>Threading: stateless; each call uses only its arguments.
 */
final class IndexCodec {
    static final int MAGIC = 0x56534857; // "VSHW"
    /** The first version with the upper-layer beam width; frozen, unlike {@link #VERSION}. */
    static final int VERSION_6 = 6;
    /** The version written: a newer format adds its own frozen constant and points this at it. */
    static final int VERSION = VERSION_6;
    /** The first version with the latest inserts: still read. */
    static final int VERSION_5 = 5;
    /** The first version with a quantiser range per coordinate: still read. */
    static final int VERSION_4 = 4;
    /** The first version with the re-rank depth: still read. */
    static final int VERSION_3 = 3;
    /** Version 3 without the re-rank depth: still read. */
    static final int VERSION_2 = 2;
    /** The first version: still read. */
    static final int VERSION_1 = 1;
    /** Bytes of the config part of a version-2 body; version 3 adds an int, version 6 another. */
    private static final int CONFIG_BYTES_V2 = 4 + 1 + 4 + 4 + 8 + 8 + 1 + 4 + 4;

    private static int configBytes(int version) {
        return version >= VERSION_6 ? CONFIG_BYTES_V2 + 8 : version >= VERSION_3 ? CONFIG_BYTES_V2 + 4 : CONFIG_BYTES_V2;
    }

    private IndexCodec() {}

    // ---------------------------------------------------------------- writing (version 6)

    static void write(HnswIndex index, OutputStream out) throws IOException {
        HnswGraph g = index.graph();
        StoredVectors vectors = index.storedVectors();
        if (!vectors.floatsOnHeap()) {
            throw new IllegalStateException("save needs the float vectors on the heap; this index keeps int8 codes "
                    + "only (vectorsOnHeap=false): persist it node by node (metadata, neighbours, stored vectors)");
        }
        HnswConfig c = index.config();
        int dim = c.dimension();
        int[] free = g.freeOrdinals();
        int[] pending = g.pendingOrdinals();
        int[] recent = g.recentInserts();
        ScalarQuantizer q = vectors.quantizer();
        int ranges = q == null ? 0 : q.mids().length;
        long bodyLength = bodyLength(g, dim, free.length, pending.length, recent.length, ranges);

        ChecksumOutputStream checked = new ChecksumOutputStream(out);
        DataOutputStream d = new DataOutputStream(new BufferedOutputStream(checked, 1 << 16));
        d.writeInt(MAGIC);
        d.writeInt(VERSION);
        d.writeLong(bodyLength);

        d.writeInt(dim);
        d.writeByte(c.metric().code());
        d.writeInt(c.maxConn());
        d.writeInt(c.beamWidth());
        d.writeDouble(c.levelMultiplier());
        d.writeLong(c.seed());
        d.writeByte(c.quantization().code());
        d.writeInt(c.quantizationTrainingSize());
        d.writeInt(c.exactSearchThreshold());
        d.writeInt(c.rerankCandidates());
        d.writeInt(c.upperBeamWidth());

        d.writeLong(g.levelGeneratorState());
        d.writeInt(g.highWater());
        d.writeInt(g.size());
        d.writeInt(g.entryPoint());
        d.writeInt(g.maxLevel());
        writeInts(d, free);
        writeInts(d, pending);
        writeInts(d, recent);
        d.writeBoolean(q != null);
        if (q != null) {
            d.writeInt(ranges);
            for (float mid : q.mids()) {
                d.writeFloat(mid);
            }
            for (float scale : q.scales()) {
                d.writeFloat(scale);
            }
        }

        // One record per live node; a float vector goes out as one bulk write, not dim writeFloat calls.
        ByteBuffer vector = ByteBuffer.allocate(4 * dim);
        ByteBuffer list = ByteBuffer.allocate(4 * (1 + c.maxConn0()));
        float[] data = vectors.floatData();
        for (int ord = 0, hw = g.highWater(); ord < hw; ord++) {
            if (!g.isLive(ord)) {
                continue; // a free or pending slot: removed nodes are fully detached, nothing to keep
            }
            int level = g.level(ord);
            d.writeInt(ord);
            d.writeLong(g.id(ord));
            d.writeInt(level);
            vector.clear();
            vector.asFloatBuffer().put(data, ord * dim, dim);
            d.write(vector.array(), 0, 4 * dim);
            for (int l = 0; l <= level; l++) {
                int count = g.neighborCount(ord, l);
                list.clear();
                list.putInt(count);
                for (int j = 0; j < count; j++) {
                    list.putInt(g.neighbor(ord, l, j));
                }
                d.write(list.array(), 0, list.position());
            }
        }
        d.flush();
        long written = checked.count - 16;
        if (written != bodyLength) {
            throw new IllegalStateException("the body written must be as long as announced; announced="
                    + bodyLength + ", written=" + written);
        }
        int crc = (int) checked.crc.getValue();
        // The footer goes around the checksum stream: it covers everything before it, not itself.
        out.write(new byte[] {(byte) (crc >>> 24), (byte) (crc >>> 16), (byte) (crc >>> 8), (byte) crc});
        out.flush();
    }

    private static void writeInts(DataOutputStream d, int[] values) throws IOException {
        d.writeInt(values.length);
        for (int v : values) {
            d.writeInt(v);
        }
    }

    /** The exact byte length of the body written, computed before writing so the reader can bound it. */
    private static long bodyLength(HnswGraph g, int dim, int free, int pending, int recent, int ranges) {
        long bytes = configBytes(VERSION) + metadataBytes(VERSION, free, pending, recent) + quantizerBytes(ranges);
        for (int ord = 0, hw = g.highWater(); ord < hw; ord++) {
            if (g.isLive(ord)) {
                bytes += nodeBytes(dim, 0);
                for (int l = 0, level = g.level(ord); l <= level; l++) {
                    bytes += 4L + 4L * g.neighborCount(ord, l);
                }
            }
        }
        return bytes;
    }

    /** The metadata's bytes up to and including the quantized flag, in {@code version} (2 to 6). */
    private static long metadataBytes(int version, int free, int pending, int recent) {
        long bytes = 8 + 4 + 4 + 4 + 4 + 4 + 4L * free + 4 + 4L * pending + 1;
        return version >= VERSION_5 ? bytes + 4 + 4L * recent : bytes;
    }

    /** The bytes of {@code ranges} quantiser ranges in version 4: none when not quantised. */
    private static long quantizerBytes(int ranges) {
        return ranges == 0 ? 0 : 4 + 8L * ranges;
    }

    /** A node record's bytes before its lists, plus {@code listBytes}. */
    private static long nodeBytes(int dim, long listBytes) {
        return 4 + 8 + 4 + 4L * dim + listBytes;
    }

    // ---------------------------------------------------------------- reading

    static HnswIndex read(InputStream in) throws IOException {
        DataInputStream raw = new DataInputStream(in);
        int magic;
        int version;
        try {
            magic = raw.readInt();
            if (magic != MAGIC) {
                throw new IndexFormatException(String.format(
                        "not a VectorStream index: magic must be 0x%08x; magic=0x%08x", MAGIC, magic));
            }
            version = raw.readInt();
        } catch (EOFException e) {
            throw new IndexFormatException("truncated index: the data ends inside the header", e);
        }
        switch (version) {
            case VERSION:
            case VERSION_5:
            case VERSION_4:
            case VERSION_3:
            case VERSION_2:
                return readStreamed(in, version);
            case VERSION_1: return readVersion1(raw);
            default:
                throw new IndexFormatException("format version must be one of [" + VERSION_1 + ", " + VERSION_2
                        + ", " + VERSION_3 + ", " + VERSION_4 + ", " + VERSION_5 + ", " + VERSION + "]; version="
                        + version);
        }
    }

    /** Version 2, 3, 4, 5 or 6, after magic and version: streamed into a {@link HnswIndex.Restorer}. */
    private static HnswIndex readStreamed(InputStream in, int version) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] head = new byte[16];
        ByteBuffer.wrap(head).putInt(MAGIC).putInt(version);
        if (in.readNBytes(head, 8, 8) < 8) {
            throw new IndexFormatException("truncated index: the data ends inside the header");
        }
        crc.update(head);
        long bodyLength = ByteBuffer.wrap(head, 8, 8).getLong();
        long minBody = configBytes(version) + metadataBytes(version, 0, 0, 0);
        ChecksumReader body = new ChecksumReader(in, Math.max(0, bodyLength), crc);
        if (bodyLength < minBody) {
            throw diagnose(body, "header", "body length must be >= " + minBody + "; bodyLength=" + bodyLength, null);
        }
        StreamedReader reader = new StreamedReader(body, bodyLength, version);
        HnswIndex.Restorer restorer;
        try {
            restorer = reader.read();
        } catch (EOFException e) {
            throw diagnose(body, reader.part, "the body ends before its content", e);
        } catch (IndexFormatException | IllegalArgumentException | IllegalStateException e) {
            throw diagnose(body, reader.part, e.getMessage(), e);
        }
        if (!body.atEnd()) {
            // The content ended before the announced length: the length field is wrong (or data follows). The
            // footer should come next; check it over what was read.
            String detail = "the body length field says " + bodyLength + " bytes but the content ends after "
                    + body.consumed();
            int computed = body.checksum();
            int stored;
            try {
                stored = body.readInt();
            } catch (EOFException e) {
                throw new IndexFormatException("truncated index: the data ends before the checksum footer ("
                        + detail + ")", e);
            }
            if (stored != computed) {
                throw checksumMismatch(stored, computed, detail);
            }
            throw new IndexFormatException("corrupted index: " + detail);
        }
        int computed = body.checksum();
        int stored = readFooter(in);
        if (stored != computed) {
            throw checksumMismatch(stored, computed, null);
        }
        try {
            return restorer.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IndexFormatException("corrupted index: " + e.getMessage(), e);
        }
    }

    /**
     * Reading stopped at an inconsistency in {@code part}: reads the rest of the announced body and the footer,
     * so the message can tell truncation, corruption (the checksum does not match) and a consistent file this
     * reader rejects apart.
     */
    private static IndexFormatException diagnose(ChecksumReader body, String part, String message, Exception cause)
            throws IOException {
        String where = "reading stopped in the " + part + ": " + message;
        body.drain();
        if (body.sourceEnded()) {
            return new IndexFormatException("truncated index: the data ends inside the body (" + where + ")", cause);
        }
        int computed = body.checksum();
        int stored;
        try {
            stored = readFooter(body.source());
        } catch (IndexFormatException e) {
            return new IndexFormatException("truncated index: the data ends inside the checksum footer (" + where
                    + ")", cause);
        }
        if (stored != computed) {
            return checksumMismatch(stored, computed, where);
        }
        return new IndexFormatException("corrupted index: " + part + ": " + message, cause);
    }

    private static IndexFormatException checksumMismatch(int stored, int computed, String detail) {
        return new IndexFormatException(String.format("checksum mismatch: stored 0x%08x, computed 0x%08x%s",
                stored, computed, detail == null ? "" : " (" + detail + ")"));
    }

    private static int readFooter(InputStream in) throws IOException {
        byte[] footer = in.readNBytes(4);
        if (footer.length < 4) {
            throw new IndexFormatException("truncated index: the data ends inside the checksum footer");
        }
        return ByteBuffer.wrap(footer).getInt();
    }

    /** Parses a version-2 to -6 body into a restorer; {@link #part} names where it is, for messages. */
    private static final class StreamedReader {
        private final ChecksumReader d;
        private final long bodyLength;
        private final int version;
        String part = "config";

        StreamedReader(ChecksumReader d, long bodyLength, int version) {
            this.d = d;
            this.bodyLength = bodyLength;
            this.version = version;
        }

        HnswIndex.Restorer read() throws IOException {
            int dim = d.readInt();
            VectorMetric metric = VectorMetric.fromCode(d.readByte());
            HnswConfig config = HnswConfig.builder(dim).metric(metric).maxConn(d.readInt()).beamWidth(d.readInt())
                    .levelMultiplier(Double.longBitsToDouble(d.readLong())).seed(d.readLong())
                    .quantization(Quantization.fromCode(d.readByte()))
                    .quantizationTrainingSize(d.readInt()).exactSearchThreshold(d.readInt())
                    .rerankCandidates(version >= VERSION_3 ? d.readInt() : 0)
                    .upperBeamWidth(version >= VERSION_6 ? d.readInt() : HnswConfig.DEFAULT_UPPER_BEAM_WIDTH).build();

            part = "metadata";
            long rngState = d.readLong();
            int highWater = d.readInt();
            int liveCount = d.readInt();
            int entryPoint = d.readInt();
            int maxLevel = d.readInt();
            check(highWater >= 0, "highWater must be >= 0", "highWater", highWater);
            check(liveCount >= 0 && liveCount <= highWater, "liveCount must be in [0, highWater]", "liveCount",
                    liveCount);
            // Bound every count by the body length before allocating for it.
            check((long) liveCount * nodeBytes(dim, 4) <= bodyLength, "liveCount nodes must fit the body of " + bodyLength
                    + " bytes", "liveCount", liveCount);
            int[] free = readOrdinals("free", highWater - liveCount);
            int[] pending = readOrdinals("pending", highWater - liveCount - free.length);
            check(liveCount + free.length + pending.length == highWater,
                    "highWater must equal liveCount + freeCount + pendingCount (" + liveCount + " + " + free.length
                            + " + " + pending.length + ")", "highWater", highWater);
            int[] recent = version >= VERSION_5
                    ? readOrdinals("recent", Math.min(highWater, IndexMetadata.MAX_RECENT_INSERTS)) : new int[0];
            boolean quantized = d.readByte() != 0;
            int ranges = !quantized ? 0 : version >= VERSION_4 ? d.readInt() : 1;
            check(ranges == (quantized ? 1 : 0) || ranges == dim, "quantizer ranges must be 1 or the dimension "
                    + dim, "ranges", ranges);
            float[] mids = readFloats(ranges);
            float[] scales = readFloats(ranges);
            HnswIndex.Restorer restorer = HnswIndex.restorer(config, new IndexMetadata(highWater, liveCount,
                    entryPoint, maxLevel, rngState, free, pending, quantized, mids, scales, recent));

            part = "nodes";
            byte[] vectorBytes = new byte[4 * dim];
            float[] vector = new float[dim];
            int previous = -1;
            for (int i = 0; i < liveCount; i++) {
                int ord = d.readInt();
                check(ord > previous, "node ordinals must ascend (previous " + previous + ")", "ord", ord);
                previous = ord;
                long id = d.readLong();
                int level = d.readInt();
                check(level >= 0 && level <= HnswGraph.MAX_LEVEL, "level must be in [0, " + HnswGraph.MAX_LEVEL
                        + "]", "level", level);
                d.readFully(vectorBytes);
                ByteBuffer.wrap(vectorBytes).asFloatBuffer().get(vector);
                int[][] neighbors = new int[level + 1][];
                for (int l = 0; l <= level; l++) {
                    int count = d.readInt();
                    int max = l == 0 ? config.maxConn0() : config.maxConn();
                    check(count >= 0 && count <= max, "neighbour count must be in [0, " + max + "] on layer " + l,
                            "count", count);
                    neighbors[l] = new int[count];
                    for (int j = 0; j < count; j++) {
                        neighbors[l][j] = d.readInt();
                    }
                }
                restorer.node(ord, id, vector, neighbors);
            }
            part = "end of the body";
            return restorer;
        }

        private float[] readFloats(int count) throws IOException {
            float[] values = new float[count];
            for (int i = 0; i < count; i++) {
                values[i] = Float.intBitsToFloat(d.readInt());
            }
            return values;
        }

        private int[] readOrdinals(String what, int max) throws IOException {
            int count = d.readInt();
            check(count >= 0 && count <= max, what + " count must be in [0, " + max + "]", what + "Count", count);
            check(4L * count <= bodyLength, what + " ordinals must fit the body of " + bodyLength + " bytes",
                    what + "Count", count);
            int[] ords = new int[count];
            for (int i = 0; i < count; i++) {
                ords[i] = d.readInt();
            }
            return ords;
        }
    }

    /** Version 1, after magic and version: the payload is buffered and its checksum verified, then parsed. */
    private static HnswIndex readVersion1(DataInputStream d) throws IOException {
        byte[] payload;
        int storedCrc;
        try {
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
            throw checksumMismatch(storedCrc, (int) crc.getValue(), "format version 1: the checksum covers the payload");
        }
        try {
            return parseVersion1(ByteBuffer.wrap(payload));
        } catch (BufferUnderflowException | IllegalArgumentException | IllegalStateException e) {
            throw new IndexFormatException("corrupted index payload: " + e.getMessage(), e);
        }
    }

    private static HnswIndex parseVersion1(ByteBuffer b) throws IndexFormatException {
        int dim = b.getInt();
        VectorMetric metric = VectorMetric.fromCode(b.get()); // version 1 wrote ordinal(), which equals code()
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
        int live = countLiveNodesVersion1(b, highWater, dim);
        b.position(nodes);
        HnswIndex.Restorer restorer = HnswIndex.restorer(config, new IndexMetadata(highWater, live, entryPoint,
                maxLevel, rngState, free, pending, quantized, mid, scale));
        float[] vector = new float[dim];
        for (int ord = 0; ord < highWater; ord++) {
            if (b.get() == 0) {
                continue; // a free or pending slot: removed nodes are fully detached, nothing else was kept
            }
            long id = b.getLong();
            int level = b.getInt();
            check(level >= 0 && level <= HnswGraph.MAX_LEVEL, "level", level);
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
    private static int countLiveNodesVersion1(ByteBuffer b, int highWater, int dim) throws IndexFormatException {
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

    private static void check(boolean ok, String rule, String field, long value) throws IndexFormatException {
        if (!ok) {
            throw new IndexFormatException(rule + "; " + field + "=" + value);
        }
    }

    // ---------------------------------------------------------------- streams

    /** Passes bytes through (without closing the target), updating a CRC32C and a count in bulk. */
    private static final class ChecksumOutputStream extends FilterOutputStream {
        final CRC32C crc = new CRC32C();
        long count;

        ChecksumOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            crc.update(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            crc.update(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            flush(); // the caller owns the target stream
        }
    }

    /**
     * Reads a version-2 or -3 body: big-endian primitives from its own buffer, pulling at most the announced body
     * length from the source (so the footer and whatever follows stay unread), and folding exactly the bytes it
     * hands out into the CRC32C, in bulk. Faster than DataInputStream over BufferedInputStream (no per-byte
     * calls), and it knows how many bytes were consumed, which the diagnosis of a bad length field needs.
     */
    private static final class ChecksumReader {
        private final InputStream in;
        private final CRC32C crc;
        private final long announced;
        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private int limit;
        /** Bytes of {@code buf} before this index are in the checksum. */
        private int crcFrom;
        /** Body bytes not yet pulled from the source. */
        private long unread;
        private boolean sourceEnded;

        ChecksumReader(InputStream in, long announced, CRC32C crc) {
            this.in = in;
            this.crc = crc;
            this.announced = announced;
            this.unread = announced;
        }

        InputStream source() {
            return in;
        }

        boolean sourceEnded() {
            return sourceEnded;
        }

        /** Body bytes handed out so far. */
        long consumed() {
            return announced - unread - (limit - pos);
        }

        /** Whether the whole announced body was handed out. */
        boolean atEnd() {
            return unread == 0 && pos == limit;
        }

        /** Folds the bytes handed out into the checksum and returns it. */
        int checksum() {
            crc.update(buf, crcFrom, pos - crcFrom);
            crcFrom = pos;
            return (int) crc.getValue();
        }

        /** Makes {@code n} (at most the buffer's length) bytes available at {@code pos}. */
        private void need(int n) throws IOException {
            if (limit - pos >= n) {
                return;
            }
            crc.update(buf, crcFrom, pos - crcFrom);
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
            crcFrom = 0;
            while (limit < n) {
                if (unread == 0) {
                    throw new EOFException("past the announced body");
                }
                int r = in.read(buf, limit, (int) Math.min(buf.length - limit, unread));
                if (r < 0) {
                    sourceEnded = true;
                    throw new EOFException("the data ends inside the body");
                }
                limit += r;
                unread -= r;
            }
        }

        byte readByte() throws IOException {
            need(1);
            return buf[pos++];
        }

        int readInt() throws IOException {
            need(4);
            byte[] b = buf;
            int p = pos;
            pos = p + 4;
            return (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff);
        }

        long readLong() throws IOException {
            return (long) readInt() << 32 | (readInt() & 0xffffffffL);
        }

        void readFully(byte[] dst) throws IOException {
            int done = 0;
            while (done < dst.length) {
                need(1);
                int n = Math.min(dst.length - done, limit - pos);
                System.arraycopy(buf, pos, dst, done, n);
                pos += n;
                done += n;
            }
        }

        /** Hands out (into the checksum) the rest of the announced body, stopping early if the source ends. */
        void drain() throws IOException {
            pos = limit;
            checksum();
            while (unread > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, unread));
                if (r < 0) {
                    sourceEnded = true;
                    return;
                }
                crc.update(buf, 0, r);
                unread -= r;
            }
            pos = 0;
            limit = 0;
            crcFrom = 0;
        }
    }
}
