package io.vectorstream.index;

import java.util.Arrays;

/**
 * The answer to one query: up to k external ids with their distances, closest first (ties by internal
 * ordinal, so answers are deterministic), and which {@link Path} answered. Immutable once returned, so it may be
 * read from any thread; the arrays it hands out are its own.
 */
public final class SearchResults {
    private static final SearchResults EMPTY = new SearchResults(new long[0], new float[0], 0, 0, Path.NONE);

    /** Which way a query was answered. */
    public enum Path {
        /** Nothing to search: the index is empty or the filter accepts no node. */
        NONE,
        /** Exact brute force over the live (filter-accepted) nodes, chosen up front. */
        EXACT,
        /** HNSW graph traversal. */
        GRAPH,
        /**
         * A filtered graph traversal scored more nodes than the filter accepts and gave up; exact brute force
         * over the accepted set answered.
         */
        EXACT_AFTER_GRAPH,
        /**
         * The floats are off the heap ({@link HnswConfig#vectorsOnHeap()} false): a scan of the live
         * (filter-accepted) nodes' int8 codes, its best candidates re-ranked by exact distance. Where
         * {@link #EXACT} would answer with the floats on the heap.
         */
        CODES_SCAN
    }

    private final long[] ids;
    private final float[] distances;
    private final int size;
    private final int visited;
    private final Path path;

    SearchResults(long[] ids, float[] distances, int size, int visited, Path path) {
        this.ids = ids;
        this.distances = distances;
        this.size = size;
        this.visited = visited;
        this.path = path;
    }

    static SearchResults empty() {
        return EMPTY;
    }

    /** How many results (at most k; fewer when fewer vectors are live or accepted). */
    public int size() {
        return size;
    }

    /** The external id of the {@code i}-th closest result, {@code i < size()}. */
    public long id(int i) {
        return ids[i];
    }

    /** The distance of the {@code i}-th closest result (lower is closer; see {@link VectorMetric}). */
    public float distance(int i) {
        return distances[i];
    }

    /** The ids, closest first (length {@link #size()}). */
    public long[] ids() {
        return size == ids.length ? ids : Arrays.copyOf(ids, size);
    }

    /** The distances, ascending (length {@link #size()}). */
    public float[] distances() {
        return size == distances.length ? distances : Arrays.copyOf(distances, size);
    }

    /** How many nodes the search scored (a cost measure; an abandoned traversal's nodes included). */
    public int visitedCount() {
        return visited;
    }

    /** Which way the query was answered. */
    public Path path() {
        return path;
    }

    /** True when answered by exact brute force ({@link Path#EXACT} or {@link Path#EXACT_AFTER_GRAPH}). */
    public boolean exact() {
        return path == Path.EXACT || path == Path.EXACT_AFTER_GRAPH;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SearchResults[");
        for (int i = 0; i < size; i++) {
            sb.append(i == 0 ? "" : ", ").append(ids[i]).append('@').append(distances[i]);
        }
        return sb.append(']').toString();
    }
}
