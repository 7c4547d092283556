package io.vectorstream.operators;

import io.vectorstream.operators.typeutils.RecordTypeInfoFactories;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import java.util.Arrays;
import java.util.Objects;

/**
 * The answer to a {@link VectorQuery}: neighbour ids with distances (lower is closer), closest first.
 * A partial answer of one shard has {@code shard >= 0}; merged and keyed answers have {@code shard == -1}.
 * {@code searchMicros} is wall-clock and so differs between runs; {@link #sameAnswer} ignores it.
 * Immutable by contract; thread-safe.
 */
@TypeInfo(RecordTypeInfoFactories.Result.class)
public final class QueryResult {
    /** {@link #queryEventTime()} of a result made without its query's event time. */
    public static final long UNKNOWN_EVENT_TIME = Long.MIN_VALUE;

    private final String queryId;
    private final String key;
    private final int k;
    private final long[] ids;
    private final float[] distances;
    private final int indexSize;
    private final long searchMicros;
    private final int shard;
    private final int shardsAnswered;
    private final int shardCount;
    private final long queryEventTime;
    private final Kind kind;

    /** What a result is. */
    public enum Kind {
        /** The answer to a query ({@link VectorQuery.Standing#ONCE}). */
        ANSWER,
        /** A standing query's whole current top k: its first answer, and each change after it. */
        STANDING_UPDATE,
        /** A standing query ended (unregistered or expired); no neighbours. */
        STANDING_REMOVED,
        /** An upsert's nearest neighbours among the vectors indexed before it; the query id names the upsert. */
        INSERT_NEIGHBORS
    }

    public QueryResult(String queryId, String key, int k, long[] ids, float[] distances, int indexSize,
                       long searchMicros, int shard, int shardsAnswered, int shardCount) {
        this(queryId, key, k, ids, distances, indexSize, searchMicros, shard, shardsAnswered, shardCount,
                UNKNOWN_EVENT_TIME);
    }

    /** @param queryEventTime the query's event time (epoch ms), or {@link #UNKNOWN_EVENT_TIME} */
    public QueryResult(String queryId, String key, int k, long[] ids, float[] distances, int indexSize,
                       long searchMicros, int shard, int shardsAnswered, int shardCount, long queryEventTime) {
        this(queryId, key, k, ids, distances, indexSize, searchMicros, shard, shardsAnswered, shardCount,
                queryEventTime, Kind.ANSWER);
    }

    /** @param kind what this result is (null: {@link Kind#ANSWER}) */
    public QueryResult(String queryId, String key, int k, long[] ids, float[] distances, int indexSize,
                       long searchMicros, int shard, int shardsAnswered, int shardCount, long queryEventTime,
                       Kind kind) {
        this.kind = kind == null ? Kind.ANSWER : kind;
        this.queryEventTime = queryEventTime;
        this.queryId = queryId;
        this.key = key;
        this.k = k;
        this.ids = ids;
        this.distances = distances;
        this.indexSize = indexSize;
        this.searchMicros = searchMicros;
        this.shard = shard;
        this.shardsAnswered = shardsAnswered;
        this.shardCount = shardCount;
    }

    public String queryId() { return queryId; }
    /** The partition key searched, or null for a global query. */
    public String key() { return key; }
    /** The k the query asked for (there may be fewer results). */
    public int k() { return k; }
    public long[] ids() { return ids; }
    public float[] distances() { return distances; }
    /** Live vectors in the searched index (summed over shards for a merged answer). */
    public int indexSize() { return indexSize; }
    /** Time spent searching, in microseconds (summed over shards for a merged answer). */
    public long searchMicros() { return searchMicros; }
    /** The shard of a partial answer, or -1. */
    public int shard() { return shard; }
    /** How many shards contributed (1 for a keyed answer). */
    public int shardsAnswered() { return shardsAnswered; }
    /** How many shards exist (1 for a keyed answer). */
    public int shardCount() { return shardCount; }
    /** The query's event time (epoch ms), or {@link #UNKNOWN_EVENT_TIME}; kept as a field, never a Kafka timestamp. */
    public long queryEventTime() { return queryEventTime; }
    /** What this result is. */
    public Kind kind() { return kind; }
    /** This result as another kind. */
    public QueryResult withKind(Kind kind) {
        return new QueryResult(queryId, key, k, ids, distances, indexSize, searchMicros, shard, shardsAnswered,
                shardCount, queryEventTime, kind);
    }
    /** Whether every shard contributed (false when the merge timed out). */
    public boolean complete() { return shardsAnswered == shardCount; }

    /** Same query, key, neighbours, distances and size: everything but the timing. */
    public boolean sameAnswer(QueryResult o) {
        return Objects.equals(queryId, o.queryId) && Objects.equals(key, o.key) && k == o.k && Arrays.equals(ids, o.ids)
                && Arrays.equals(distances, o.distances) && indexSize == o.indexSize && shard == o.shard
                && shardsAnswered == o.shardsAnswered && shardCount == o.shardCount && queryEventTime == o.queryEventTime
                && kind == o.kind;
    }

    /** A timing-free string, handy to compare runs as sets. */
    public String answerString() {
        return queryId + "|" + key + "|k=" + k + "|" + Arrays.toString(ids) + "|" + Arrays.toString(distances) + "|" + indexSize
                + "|" + shard + "|" + shardsAnswered + "/" + shardCount + (kind == Kind.ANSWER ? "" : "|" + kind);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QueryResult && sameAnswer((QueryResult) o) && searchMicros == ((QueryResult) o).searchMicros;
    }

    @Override
    public int hashCode() {
        return Objects.hash(queryId, key, indexSize, shard) * 31 + Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return "QueryResult{" + answerString() + ", searchMicros=" + searchMicros + '}';
    }
}
