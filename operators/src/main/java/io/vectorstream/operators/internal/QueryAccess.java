package io.vectorstream.operators.internal;

import io.vectorstream.operators.AttributeFilter;
import io.vectorstream.operators.VectorQuery;

/** Builds a {@link VectorQuery} with its shard field (not public API); for the serializer. */
public final class QueryAccess {
    private QueryAccess() {}

    public static VectorQuery create(String queryId, String key, float[] vector, int k, int efSearch,
                                     AttributeFilter filter, long eventTime, int shard) {
        VectorQuery q = new VectorQuery(queryId, key, vector, k, efSearch, filter, eventTime);
        return shard < 0 ? q : q.toShard(shard);
    }
}
