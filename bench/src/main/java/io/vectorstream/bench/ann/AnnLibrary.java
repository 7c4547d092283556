package io.vectorstream.bench.ann;

/**
 * One ANN library under test. Vectors are identified by their position in the base set. Used by one
 * thread (the worker JVM's main thread), except inside {@link #build} where the library may use
 * {@code threads} threads.
 */
interface AnnLibrary {
    /** Name in reports, e.g. {@code lucene-10.6.0}. */
    String name();

    /** Builds the index over {@code base} with {@code graph}'s M (2M on the base layer) and efConstruction. */
    void build(float[][] base, int threads, GraphParams graph) throws Exception;

    /** Whether {@link #build} really uses more than one thread (false: the 2-thread figure is n/a). */
    default boolean buildsConcurrently() {
        return true;
    }

    /**
     * The work counters {@link #search} adds to after each query, or null when the library reports none. Valid
     * after {@link #build}.
     */
    default SearchWork work() {
        return null;
    }

    /** Writes the positions of the k nearest to {@code query} into {@code out}; returns how many. */
    int search(float[] query, int k, int efSearch, int[] out) throws Exception;
}
