package io.vectorstream.connectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorstream.schemas.Op;
import io.vectorstream.schemas.VectorEvent;
import io.vectorstream.schemas.VectorQuery;
import io.vectorstream.schemas.codec.VectorBytes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * JSON forms of events and queries, for typing records by hand:
 * <pre>
 * {"op":"upsert","id":7,"partitionKey":"shop-1","vector":[0.1,0.2],"attributes":{"color":"red"},"eventTime":1700000000000}
 * {"queryId":"q1","partitionKey":"shop-1","vector":[0.1,0.2],"k":5,"filter":{"color":["red","blue"]},"eventTime":1700000000001}
 * </pre>
 * {@code eventTime} defaults to 0, {@code partitionKey} to "" (events) or null (queries).
 */
public final class JsonCodecs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonCodecs() {}

    public static RecordCodec<VectorEvent> events() {
        return new EventCodec();
    }

    public static RecordCodec<VectorQuery> queries() {
        return new QueryCodec();
    }

    static JsonNode parse(byte[] bytes) throws RecordCodec.DecodeException {
        if (bytes == null) {
            throw new RecordCodec.DecodeException("value must not be null (tombstone); value=null");
        }
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || !n.isObject()) {
                throw new RecordCodec.DecodeException("value must be a JSON object; value=" + preview(bytes));
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new RecordCodec.DecodeException("value must be valid JSON; error=" + e.getOriginalMessage()
                    + "; value=" + preview(bytes), e);
        } catch (java.io.IOException e) {
            throw new RecordCodec.DecodeException("value must be valid JSON; error=" + e, e);
        }
    }

    static String preview(byte[] bytes) {
        String s = new String(bytes, 0, Math.min(bytes.length, 80), StandardCharsets.UTF_8);
        return bytes.length > 80 ? s + "..." : s;
    }

    static float[] vector(JsonNode n) throws RecordCodec.DecodeException {
        JsonNode v = n.get("vector");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw new RecordCodec.DecodeException("vector must be an array of numbers; vector=" + v);
        }
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode c = v.get(i);
            if (!c.isNumber()) {
                throw new RecordCodec.DecodeException("vector components must be numbers; vector[" + i + "]=" + c);
            }
            out[i] = c.floatValue();
        }
        return out;
    }

    static long requiredLong(JsonNode n, String field) throws RecordCodec.DecodeException {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToLong()) {
            throw new RecordCodec.DecodeException(field + " must be a 64-bit integer; " + field + "=" + v);
        }
        return v.longValue();
    }

    static String text(JsonNode n, String field, String dflt) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? dflt : v.asText();
    }

    static ArrayNode toArray(float[] v) {
        ArrayNode a = JSON.createArrayNode();
        for (float f : v) {
            a.add(f);
        }
        return a;
    }

    static byte[] write(ObjectNode o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static final class EventCodec implements RecordCodec<VectorEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public VectorEvent decode(byte[] bytes) throws DecodeException {
            JsonNode n = parse(bytes);
            String op = text(n, "op", null);
            Op parsed;
            try {
                parsed = op == null ? null : Op.valueOf(op.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                parsed = null;
            }
            if (parsed == null) {
                throw new DecodeException("op must be one of [upsert, delete]; op=" + op);
            }
            float[] v = vector(n);
            Map<String, String> attrs = new LinkedHashMap<>();
            JsonNode a = n.get("attributes");
            if (a != null && a.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    attrs.put(e.getKey(), e.getValue().asText());
                }
            }
            JsonNode rh = n.get("routingHash");
            return VectorEvent.newBuilder().setOp(parsed).setId(requiredLong(n, "id"))
                    .setPartitionKey(text(n, "partitionKey", ""))
                    .setVector(v == null ? java.nio.ByteBuffer.allocate(0) : VectorBytes.encode(v))
                    .setAttributes(attrs).setEventTime(Instant.ofEpochMilli(n.path("eventTime").asLong(0)))
                    .setRoutingHash(rh == null || rh.isNull() ? null : rh.longValue()).build();
        }

        @Override
        public byte[] encode(VectorEvent e) {
            ObjectNode o = JSON.createObjectNode();
            o.put("op", e.getOp().name().toLowerCase(Locale.ROOT));
            o.put("id", e.getId());
            o.put("partitionKey", e.getPartitionKey());
            if (e.getVector() != null && e.getVector().hasRemaining()) {
                o.set("vector", toArray(VectorBytes.decode(e.getVector())));
            }
            ObjectNode attrs = o.putObject("attributes");
            e.getAttributes().forEach(attrs::put);
            o.put("eventTime", e.getEventTime().toEpochMilli());
            if (e.getRoutingHash() != null) {
                o.put("routingHash", e.getRoutingHash());
            }
            return write(o);
        }

        @Override
        public String name() {
            return "json:VectorEvent";
        }
    }

    private static final class QueryCodec implements RecordCodec<VectorQuery> {
        private static final long serialVersionUID = 1L;

        @Override
        public VectorQuery decode(byte[] bytes) throws DecodeException {
            JsonNode n = parse(bytes);
            String queryId = text(n, "queryId", null);
            if (queryId == null) {
                throw new DecodeException("queryId must be set; queryId=null");
            }
            float[] v = vector(n);
            if (v == null) {
                throw new DecodeException("vector must be set; vector=null");
            }
            JsonNode k = n.get("k");
            if (k == null || !k.canConvertToInt()) {
                throw new DecodeException("k must be an integer; k=" + k);
            }
            Map<String, List<String>> filter = null;
            JsonNode f = n.get("filter");
            if (f != null && f.isObject()) {
                filter = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    List<String> values = new ArrayList<>();
                    if (e.getValue().isArray()) {
                        e.getValue().forEach(x -> values.add(x.asText()));
                    } else {
                        values.add(e.getValue().asText());
                    }
                    filter.put(e.getKey(), values);
                }
            }
            JsonNode ef = n.get("efSearch");
            return VectorQuery.newBuilder().setQueryId(queryId).setPartitionKey(text(n, "partitionKey", null))
                    .setVector(VectorBytes.encode(v)).setK(k.intValue())
                    .setEfSearch(ef == null || ef.isNull() ? null : ef.intValue()).setFilter(filter)
                    .setEventTime(Instant.ofEpochMilli(n.path("eventTime").asLong(0))).build();
        }

        @Override
        public byte[] encode(VectorQuery q) {
            ObjectNode o = JSON.createObjectNode();
            o.put("queryId", q.getQueryId());
            if (q.getPartitionKey() != null) {
                o.put("partitionKey", q.getPartitionKey());
            }
            o.set("vector", toArray(VectorBytes.decode(q.getVector())));
            o.put("k", q.getK());
            if (q.getEfSearch() != null) {
                o.put("efSearch", q.getEfSearch());
            }
            if (q.getFilter() != null) {
                ObjectNode f = o.putObject("filter");
                q.getFilter().forEach((key, vals) -> {
                    ArrayNode a = f.putArray(key);
                    vals.forEach(a::add);
                });
            }
            o.put("eventTime", q.getEventTime().toEpochMilli());
            return write(o);
        }

        @Override
        public String name() {
            return "json:VectorQuery";
        }
    }
}
