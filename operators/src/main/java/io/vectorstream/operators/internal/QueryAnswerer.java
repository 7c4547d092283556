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
        Hits r = search(query, ki);
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
    public Hits search(VectorQuery query, KeyIndex ki) throws RecordRejected {
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
        long[] ids = r.ids(); // the result's own arrays: it is not used again
        float[] ds = r.distances();
        sortByDistanceThenId(ids, ds);
        return new Hits(ids, ds);
    }

    /** A search's answer: ids and distances, closest first, equal distances by id. */
    public record Hits(long[] ids, float[] distances) {}

    /**
     * The index orders equal distances by ordinal; answers order them by id, the order the GLOBAL merge assumes
     * (it keeps the first of a repeated id), so that a merge never depends on which shard or graph came first.
     */
    static void sortByDistanceThenId(long[] ids, float[] ds) {
        // k is small and the input nearly sorted: insertion sort on (distance, id).
        for (int i = 1; i < ids.length; i++) {
            long id = ids[i];
            float d = ds[i];
            int j = i - 1;
            while (j >= 0 && (ds[j] > d || (ds[j] == d && ids[j] > id))) {
                ids[j + 1] = ids[j];
                ds[j + 1] = ds[j];
                j--;
            }
            ids[j + 1] = id;
            ds[j + 1] = d;
        }
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
