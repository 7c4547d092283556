package io.vectorstream.index;

/**
 * Distances from one query to the stored vectors of an index, for one metric and one representation (float or
 * int8): the role of Lucene's {@code RandomVectorScorer}, made reusable so that a query allocates nothing. Set a
 * query ({@link #setQuery} or {@link #setQueryToNode}), then score any number of ordinals. Lower is closer.
 *
 * <p>Implementations are final classes, one per metric and representation, chosen once when a searcher is built
 * ({@link FloatVectorScorer#create}, {@link Int8VectorScorer#forCodes}) instead of a switch on the metric per
 * distance. In a JVM whose indexes share one metric and one kind of codes, each call site therefore sees at most
 * two receiver types (float, and int8 once quantised), which the JIT inlines; indexes with one range and with a
 * range per coordinate in one JVM make it three.
 *
 * <p>Threading: not thread-safe (the query is state); one per searcher. {@link #distanceBetween} does not touch
 * the query.
 */
abstract class VectorScorer {

    /** Sets the query to {@code query}, which is in stored form (unit length under cosine); it is copied. */
    abstract void setQuery(float[] query);

    /** Sets the query to the stored vector of node {@code ord}. */
    abstract void setQueryToNode(int ord);

    /** Re-reads the stored vectors' arrays, which a mutation may have replaced or released. */
    abstract void refresh();

    /** The distance from the query to node {@code ord}. */
    abstract float distance(int ord);

    /** The distance between stored nodes {@code a} and {@code b}: symmetric, bit for bit. */
    abstract float distanceBetween(int a, int b);

    /**
     * Starts reading the stored vectors of {@code ords[0, count)} before they are scored. A search scores a
     * node's unvisited neighbours one after another, each a random read far bigger than a cache line: one
     * load per cache line of every neighbour first lets the memory system fetch them all at once, instead of
     * one vector's latency after the other. No effect on any result.
     */
    void prefetch(int[] ords, int count) {
    }
}
