package io.vectorstream.operators.avro;

import io.vectorstream.operators.AttributeFilter;
import io.vectorstream.operators.DeadLetter;
import io.vectorstream.operators.QueryResult;
import io.vectorstream.operators.VectorEvent;
import io.vectorstream.operators.VectorQuery;
import io.vectorstream.operators.VectorSearch;
import io.vectorstream.schemas.Neighbor;
import io.vectorstream.schemas.NeighborResult;
import io.vectorstream.schemas.codec.VectorBytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Direct support for the project's Avro records: accessors that feed {@link VectorSearch} from
 * {@code io.vectorstream.schemas} types, and converters of results and dead letters back to Avro.
 * Stateless; thread-safe.
 */
public final class AvroRecords {
    private AvroRecords() {}

    /** Reads {@link io.vectorstream.schemas.VectorEvent}s. A malformed vector becomes a dead letter. */
    public static final VectorSearch.EventAccessor<io.vectorstream.schemas.VectorEvent> EVENTS = new EventAccessor();

    /** Reads {@link io.vectorstream.schemas.VectorQuery}s. */
    public static final VectorSearch.QueryAccessor<io.vectorstream.schemas.VectorQuery> QUERIES = new QueryAccessor();

    /** The Avro form of a (merged or keyed) result. */
    public static NeighborResult toAvro(QueryResult r) {
        List<Neighbor> ns = new ArrayList<>(r.ids().length);
        for (int i = 0; i < r.ids().length; i++) {
            ns.add(new Neighbor(r.ids()[i], r.distances()[i]));
        }
        return NeighborResult.newBuilder().setQueryId(r.queryId()).setPartitionKey(r.key()).setNeighbors(ns)
                .setIndexSize(r.indexSize()).setSearchMicros(r.searchMicros()).setShardsAnswered(r.shardsAnswered())
                .setShardCount(r.shardCount())
                .setQueryEventTime(r.queryEventTime() == QueryResult.UNKNOWN_EVENT_TIME ? null
                        : java.time.Instant.ofEpochMilli(r.queryEventTime()))
                .setKind(io.vectorstream.schemas.ResultKind.valueOf(r.kind().name()))
                .build();
    }

    /** The Avro form of an operator dead letter, with the record's origin when it has one. */
    public static io.vectorstream.schemas.DeadLetter toAvro(DeadLetter d) {
        var b = io.vectorstream.schemas.DeadLetter.newBuilder().setReason(d.reason())
                .setReasonClass(d.reasonClass().label()).setRecordType(d.recordType()).setRecord(d.record())
                .setTimestamp(java.time.Instant.ofEpochMilli(Math.max(0, d.timestamp())));
        if (d.origin() != null) {
            b.setSourceTopic(d.origin().topic()).setSourcePartition(d.origin().partition())
                    .setSourceOffset(d.origin().offset());
        }
        return b.build();
    }

    /** The operator form of an Avro event (exposed for tests and custom wiring). */
    public static VectorEvent toEvent(io.vectorstream.schemas.VectorEvent e) {
        return VectorSearch.toEvent(EVENTS, e);
    }

    /** The operator form of an Avro query. */
    public static VectorQuery toQuery(io.vectorstream.schemas.VectorQuery q) {
        return VectorSearch.toQuery(QUERIES, q);
    }

    private static final class EventAccessor implements VectorSearch.EventAccessor<io.vectorstream.schemas.VectorEvent> {
        private static final long serialVersionUID = 1L;

        @Override public String op(io.vectorstream.schemas.VectorEvent e) {
            return e.getOp() == null ? null : e.getOp().name().toLowerCase(Locale.ROOT);
        }
        @Override public Long id(io.vectorstream.schemas.VectorEvent e) { return e.getId(); }
        @Override public String key(io.vectorstream.schemas.VectorEvent e) { return e.getPartitionKey(); }
        @Override public float[] vector(io.vectorstream.schemas.VectorEvent e) {
            return e.getVector() == null || !e.getVector().hasRemaining() ? null : VectorBytes.decode(e.getVector());
        }
        @Override public Map<String, String> attributes(io.vectorstream.schemas.VectorEvent e) {
            return e.getAttributes() == null ? Map.of() : e.getAttributes();
        }
        @Override public long eventTime(io.vectorstream.schemas.VectorEvent e) {
            return e.getEventTime().toEpochMilli();
        }
        @Override public Long routingHash(io.vectorstream.schemas.VectorEvent e) { return e.getRoutingHash(); }
        @Override public Integer neighborsK(io.vectorstream.schemas.VectorEvent e) { return e.getNeighborsK(); }
        @Override public Float neighborsRadius(io.vectorstream.schemas.VectorEvent e) { return e.getNeighborsRadius(); }
    }

    private static final class QueryAccessor implements VectorSearch.QueryAccessor<io.vectorstream.schemas.VectorQuery> {
        private static final long serialVersionUID = 1L;

        @Override public String queryId(io.vectorstream.schemas.VectorQuery q) { return q.getQueryId(); }
        @Override public String key(io.vectorstream.schemas.VectorQuery q) { return q.getPartitionKey(); }
        @Override public float[] vector(io.vectorstream.schemas.VectorQuery q) {
            return q.getVector() == null ? null : VectorBytes.decode(q.getVector());
        }
        @Override public int k(io.vectorstream.schemas.VectorQuery q) { return q.getK(); }
        @Override public int efSearch(io.vectorstream.schemas.VectorQuery q) {
            return q.getEfSearch() == null ? 0 : q.getEfSearch();
        }
        @Override public AttributeFilter filter(io.vectorstream.schemas.VectorQuery q) {
            return q.getFilter() == null ? null : AttributeFilter.of(q.getFilter());
        }
        @Override public long eventTime(io.vectorstream.schemas.VectorQuery q) { return q.getEventTime().toEpochMilli(); }
        @Override public VectorQuery.Standing standing(io.vectorstream.schemas.VectorQuery q) {
            return q.getStanding() == null ? VectorQuery.Standing.ONCE : VectorQuery.Standing.valueOf(q.getStanding().name());
        }
        @Override public Float radius(io.vectorstream.schemas.VectorQuery q) { return q.getRadius(); }
        @Override public Long expiresAt(io.vectorstream.schemas.VectorQuery q) {
            return q.getExpiresAt() == null ? null : q.getExpiresAt().toEpochMilli();
        }
    }
}
