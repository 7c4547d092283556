package io.vectorstream.index;

import java.util.Arrays;

/**
 * The answer to one query: up to k external ids with their distances, closest first (ties by internal
 * ordinal, so answers are deterministic). Immutable once returned; the arrays it hands out are its own.
 */
public final class SearchResults {
    private static final SearchResults EMPTY = new SearchResults(new long[0], new float[0], 0, 0, false);

    private final long[] ids;
    private final float[] distances;
    private final int size;
    private final int visited;
    private final boolean exact;

    SearchResults(long[] ids, float[] distances, int size, int visited, boolean exact) {
        this.ids = ids;
        this.distances = distances;
        this.size = size;
        this.visited = visited;
        this.exact = exact;
    }

    static SearchResults empty() {
        return EMPTY;
    }

    public int size() {
        return size;
    }

    public long id(int i) {
        return ids[i];
    }

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

    /** How many nodes the search scored (a cost measure). */
    public int visitedCount() {
        return visited;
    }

    /** True when answered by exact brute force rather than the graph. */
    public boolean exact() {
        return exact;
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
