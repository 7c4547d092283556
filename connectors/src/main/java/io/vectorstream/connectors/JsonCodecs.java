package io.vectorstream.connectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorstream.schemas.Op;
import io.vectorstream.schemas.Standing;
import io.vectorstream.schemas.VectorEvent;
import io.vectorstream.schemas.VectorQuery;
import io.vectorstream.schemas.codec.VectorBytes;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * JSON forms of events and queries, for typing records by hand:
 * <pre>
 * {"op":"upsert","id":7,"partitionKey":"shop-1","vector":[0.1,0.2],"attributes":{"color":"red"},"eventTime":1700000000000}
 * {"queryId":"q1","partitionKey":"shop-1","vector":[0.1,0.2],"k":5,"filter":{"color":["red","blue"]},"eventTime":"2026-11-27T10:00:00Z"}
 * </pre>
 * As strict as the Avro schema: a record is one JSON object with only the schema's fields, each at most once,
 * and nothing after it. Every value has its field's type and fits its Java type; nothing is coerced.
 * <ul>
 *   <li>{@code id}, {@code routingHash}: integers in [-2^63, 2^63-1]; {@code k}, {@code efSearch}: integers in
 *       [-2^31, 2^31-1]. {@code 1.5}, {@code 1.0}, {@code 1e3} and {@code "7"} are not integers.
 *   <li>{@code op} ({@code "upsert"} or {@code "delete"}, any case), {@code partitionKey}, {@code queryId}: strings.
 *   <li>{@code vector}: an array of numbers, each a finite float32 once rounded ({@code 1e39} is an error).
 *   <li>{@code attributes}: an object of string values. {@code filter}: an object of arrays of strings.
 *   <li>{@code eventTime}: required; epoch milliseconds (an integer) or an ISO-8601 instant string with at most
 *       millisecond precision, such as {@code "2026-11-27T10:00:00Z"}.
 * </ul>
 * <ul>
 *   <li>{@code neighborsK} (events; integer or null), {@code neighborsRadius} (events) and {@code radius}
 *       (queries): a number, a finite float32 once rounded, or null. {@code standing} (queries): {@code "once"},
 *       {@code "register"} or {@code "unregister"}, any case. {@code expiresAt} (queries): as {@code eventTime}, or
 *       null.
 * </ul>
 * Required: {@code op}, {@code id}, {@code eventTime} (events); {@code queryId}, {@code vector}, {@code k},
 * {@code eventTime} (queries; an unregistration needs no {@code vector} or {@code k}). Absent optional fields take the schema's defaults: {@code partitionKey} ""
 * (events) or null (queries), an empty {@code vector} and {@code attributes}, null {@code routingHash},
 * {@code efSearch} and {@code filter}. JSON null is accepted only where the schema has a null branch
 * ({@code partitionKey} of queries, {@code efSearch}, {@code filter}, {@code routingHash}). A record that breaks a
 * rule is a {@link RecordCodec.DecodeException} naming the field, the rule and the value, e.g.
 * {@code k must be an integer in [-2^31, 2^31-1]; k=1.5}; no reason quotes more than
 * 64 characters of a value (a longer value is cut and its length given).
 *
 * <p>Threading: the codecs are stateless and may be shared.
 */
public final class JsonCodecs {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> EVENT_FIELDS =
            List.of("op", "id", "partitionKey", "vector", "attributes", "eventTime", "routingHash", "neighborsK",
                    "neighborsRadius");
    private static final List<String> QUERY_FIELDS =
            List.of("queryId", "partitionKey", "vector", "k", "efSearch", "filter", "eventTime", "standing", "radius",
                    "expiresAt");

    private JsonCodecs() {}

    /** The codec of {@link VectorEvent}s as JSON objects. */
    public static RecordCodec<VectorEvent> events() {
        return new EventCodec();
    }

    /** The codec of {@link VectorQuery}s as JSON objects. */
    public static RecordCodec<VectorQuery> queries() {
        return new QueryCodec();
    }

    static RecordCodec.DecodeException missing(String field) {
        return new RecordCodec.DecodeException(field + " must be set; " + field + " is missing");
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
            Op op = null;
            Long id = null;
            String partitionKey = "";
            float[] vector = null;
            Map<String, String> attributes = new LinkedHashMap<>();
            Instant eventTime = null;
            Long routingHash = null;
            Integer neighborsK = null;
            Float neighborsRadius = null;
            try (StrictJsonReader r = StrictJsonReader.open(bytes, EVENT_FIELDS)) {
                for (String field = r.nextField(); field != null; field = r.nextField()) {
                    switch (field) {
                        case "op":
                            op = op(r);
                            break;
                        case "id":
                            id = r.int64(field);
                            break;
                        case "partitionKey":
                            partitionKey = r.string(field);
                            break;
                        case "vector":
                            vector = r.floats(field);
                            break;
                        case "attributes":
                            attributes = r.stringMap(field);
                            break;
                        case "eventTime":
                            eventTime = r.instant(field);
                            break;
                        case "routingHash":
                            routingHash = r.nullableInt64(field);
                            break;
                        case "neighborsK":
                            neighborsK = r.nullableInt32(field);
                            break;
                        case "neighborsRadius":
                            neighborsRadius = r.nullableFloat32(field);
                            break;
                        default:
                            throw new AssertionError("a field of EVENT_FIELDS without a case: " + field);
                    }
                }
            }
            if (op == null) {
                throw missing("op");
            }
            if (id == null) {
                throw missing("id");
            }
            if (eventTime == null) {
                throw missing("eventTime");
            }
            return VectorEvent.newBuilder().setOp(op).setId(id).setPartitionKey(partitionKey)
                    .setVector(vector == null ? ByteBuffer.allocate(0) : VectorBytes.encode(vector))
                    .setAttributes(attributes).setEventTime(eventTime).setRoutingHash(routingHash)
                    .setNeighborsK(neighborsK).setNeighborsRadius(neighborsRadius).build();
        }

        private static Op op(StrictJsonReader r) throws DecodeException {
            String s = r.string("op");
            for (Op op : Op.values()) {
                if (op.name().equalsIgnoreCase(s)) {
                    return op;
                }
            }
            throw new DecodeException("op must be one of [upsert, delete]; op=" + StrictJsonReader.quoted(s));
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
            if (e.getNeighborsK() != null) {
                o.put("neighborsK", e.getNeighborsK());
            }
            if (e.getNeighborsRadius() != null) {
                o.put("neighborsRadius", e.getNeighborsRadius());
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
            String queryId = null;
            String partitionKey = null;
            float[] vector = null;
            Integer k = null;
            Integer efSearch = null;
            Map<String, List<String>> filter = null;
            Instant eventTime = null;
            Standing standing = Standing.ONCE;
            Float radius = null;
            Instant expiresAt = null;
            try (StrictJsonReader r = StrictJsonReader.open(bytes, QUERY_FIELDS)) {
                for (String field = r.nextField(); field != null; field = r.nextField()) {
                    switch (field) {
                        case "queryId":
                            queryId = r.string(field);
                            break;
                        case "partitionKey":
                            partitionKey = r.nullableString(field);
                            break;
                        case "vector":
                            vector = r.floats(field);
                            break;
                        case "k":
                            k = r.int32(field);
                            break;
                        case "efSearch":
                            efSearch = r.nullableInt32(field);
                            break;
                        case "filter":
                            filter = r.nullableStringListMap(field);
                            break;
                        case "eventTime":
                            eventTime = r.instant(field);
                            break;
                        case "standing":
                            standing = standing(r);
                            break;
                        case "radius":
                            radius = r.nullableFloat32(field);
                            break;
                        case "expiresAt":
                            expiresAt = r.nullableInstant(field);
                            break;
                        default:
                            throw new AssertionError("a field of QUERY_FIELDS without a case: " + field);
                    }
                }
            }
            if (queryId == null) {
                throw missing("queryId");
            }
            if (vector == null && standing != Standing.UNREGISTER) {
                throw missing("vector");
            }
            if (k == null && standing != Standing.UNREGISTER) {
                throw missing("k");
            }
            if (eventTime == null) {
                throw missing("eventTime");
            }
            // An unregistration needs only its id and key: the Avro record still carries a vector and a k.
            return VectorQuery.newBuilder().setQueryId(queryId).setPartitionKey(partitionKey)
                    .setVector(VectorBytes.encode(vector == null ? new float[0] : vector)).setK(k == null ? 1 : k)
                    .setEfSearch(efSearch).setFilter(filter).setEventTime(eventTime).setStanding(standing)
                    .setRadius(radius).setExpiresAt(expiresAt).build();
        }

        private static Standing standing(StrictJsonReader r) throws DecodeException {
            String s = r.string("standing");
            for (Standing st : Standing.values()) {
                if (st.name().equalsIgnoreCase(s)) {
                    return st;
                }
            }
            throw new DecodeException("standing must be one of [once, register, unregister]; standing="
                    + StrictJsonReader.quoted(s));
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
            if (q.getStanding() != null && q.getStanding() != Standing.ONCE) {
                o.put("standing", q.getStanding().name().toLowerCase(Locale.ROOT));
            }
            if (q.getRadius() != null) {
                o.put("radius", q.getRadius());
            }
            if (q.getExpiresAt() != null) {
                o.put("expiresAt", q.getExpiresAt().toEpochMilli());
            }
            return write(o);
        }

        @Override
        public String name() {
            return "json:VectorQuery";
        }
    }
}
