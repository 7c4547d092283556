package io.vectorstream.operators.internal;

import io.vectorstream.index.SearchResults;
import io.vectorstream.operators.DeadLetter;
import io.vectorstream.operators.QueryResult;
import io.vectorstream.operators.RecordValidator;
import io.vectorstream.operators.VectorQuery;
import io.vectorstream.operators.VectorSearchConfig;

/**
 * Answers one (validated) query from one key's index: checks what only the index can check (dimension, the
 * index's own vector rules), picks ef and searches. Not thread-safe: one per operator instance, Flink's task
 * thread only.
 */
public final class QueryAnswerer {
    private final VectorSearchConfig config;
    private long lastSearchMicros;

    public QueryAnswerer(VectorSearchConfig config) {
        this.config = config;
    }

    /**
     * The answer of {@code query} from {@code ki} (null: the key has no vectors).
     *
     * @throws RecordRejected when the query does not fit this index
     */
    public QueryResult answer(VectorQuery query, KeyIndex ki) throws RecordRejected {
        if (ki == null) {
            return empty(query);
        }
        SearchResults r = search(query, ki);
        return new QueryResult(query.queryId(), query.key(), query.k(), r.ids(), r.distances(),
                ki.index().size(), lastSearchMicros, query.shard(), 1, fanOut(query), query.eventTime());
    }

    /** The answer of a query that found no index. */
    public QueryResult empty(VectorQuery query) {
        return new QueryResult(query.queryId(), query.key(), query.k(), new long[0], new float[0], 0, 0,
                query.shard(), 1, fanOut(query), query.eventTime());
    }

    /**
     * Searches {@code ki} for {@code query}; the time it took is then {@link #lastSearchMicros()}.
     *
     * @throws RecordRejected when the query does not fit this index
     */
    public SearchResults search(VectorQuery query, KeyIndex ki) throws RecordRejected {
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
        int ef = query.efSearch() > 0 ? query.efSearch() : Math.max(config.efSearch(), query.k());
        long t0 = System.nanoTime();
        SearchResults r = ki.index().search(query.vector(), query.k(), ef, ki.acceptedOrdinals(query.filter()));
        lastSearchMicros = (System.nanoTime() - t0) / 1_000;
        return r;
    }

    /** Microseconds the last {@link #search} took. */
    public long lastSearchMicros() {
        return lastSearchMicros;
    }

    /** How many partial answers the merge waits for: 1 in KEYED mode, the shards the query was sent to in GLOBAL. */
    public int fanOut(VectorQuery query) {
        if (query.shard() < 0) {
            return 1;
        }
        return query.key() == null ? config.shards() : config.shardsPerKey();
    }
}
