package io.vectorstream.operators.internal;

import io.vectorstream.index.SearchResults;
import io.vectorstream.operators.AttributeFilter;
import io.vectorstream.operators.DeadLetter;
import io.vectorstream.operators.IndexMode;
import io.vectorstream.operators.QueryResult;
import io.vectorstream.operators.RecordValidator;
import io.vectorstream.operators.VectorQuery;
import io.vectorstream.operators.VectorSearchConfig;

/**
 * Answers one (validated) query from one key's index: checks what only the index can check (dimension, the
 * index's own vector rules), turns a GLOBAL-mode key into a filter, picks ef, searches, and maps index ids
 * back to the callers' ids. Not thread-safe: one per operator instance, Flink's task thread only.
 */
public final class QueryAnswerer {
    private final VectorSearchConfig config;

    public QueryAnswerer(VectorSearchConfig config) {
        this.config = config;
    }

    /**
     * The answer of {@code query} from {@code ki} (null: the key has no vectors).
     *
     * @throws RecordRejected when the query does not fit this index
     */
    public QueryResult answer(VectorQuery query, KeyIndex ki) throws RecordRejected {
        int shard = query.shard();
        int shardCount = shard >= 0 ? config.shards() : 1;
        if (ki == null) {
            return new QueryResult(query.queryId(), query.key(), query.k(), new long[0], new float[0], 0, 0,
                    shard, 1, shardCount, query.eventTime());
        }
        String reason = RecordValidator.checkDimension("vector", query.vector(), ki.dimension());
        if (reason != null) {
            throw new RecordRejected(reason, DeadLetter.ReasonClass.DIMENSION);
        }
        try {
            ki.index().checkVector(query.vector());
        } catch (IllegalArgumentException rejected) {
            throw new RecordRejected("query must be accepted by the index; error=" + rejected.getMessage(),
                    DeadLetter.ReasonClass.INDEX_REJECTED);
        }
        AttributeFilter filter = query.filter();
        if (config.mode() == IndexMode.GLOBAL && query.key() != null) {
            filter = filter == null ? AttributeFilter.eq(IndexIds.KEY_ATTRIBUTE, query.key())
                    : filter.and(IndexIds.KEY_ATTRIBUTE, java.util.Set.of(query.key()));
        }
        int ef = query.efSearch() > 0 ? query.efSearch() : Math.max(config.efSearch(), query.k());
        long t0 = System.nanoTime();
        SearchResults r = ki.index().search(query.vector(), query.k(), ef, ki.acceptedOrdinals(filter));
        long micros = (System.nanoTime() - t0) / 1_000;
        return new QueryResult(query.queryId(), query.key(), query.k(), ki.externalIds(r.ids()), r.distances(),
                ki.index().size(), micros, shard, 1, shardCount, query.eventTime());
    }
}
