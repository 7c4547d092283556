package io.vectorstream.bench.ann;

/**
 * Where a library's search time goes, summed over the queries of one sweep point, as far as the library reports
 * it: the distances it computed while traversing the graph, the exact distances of a re-rank, the nodes whose
 * neighbour lists it read, and the bytes of vectors those distances read. A library that does not report a figure
 * leaves it at -1. Used by the worker's one thread.
 */
final class SearchWork {
    /** Bytes one traversal distance reads (a float vector, or a code); one exact distance reads 4 x dimension. */
    private final int traversalVectorBytes;
    private final int exactVectorBytes;
    private long queries;
    private long distances;
    private long reranked;
    private long expanded;

    /** {@code expandedKnown} false: the library does not report expanded nodes. */
    SearchWork(int traversalVectorBytes, int exactVectorBytes, boolean expandedKnown) {
        this.traversalVectorBytes = traversalVectorBytes;
        this.exactVectorBytes = exactVectorBytes;
        this.expanded = expandedKnown ? 0 : -1;
    }

    /** Adds one query's work; {@code expandedNodes} is ignored when the library does not report it. */
    void add(int traversalDistances, int rerankDistances, int expandedNodes) {
        queries++;
        distances += traversalDistances;
        reranked += rerankDistances;
        if (expanded >= 0) {
            expanded += expandedNodes;
        }
    }

    void reset() {
        queries = 0;
        distances = 0;
        reranked = 0;
        expanded = expanded >= 0 ? 0 : -1;
    }

    double distancesPerQuery() {
        return queries == 0 ? 0 : (double) distances / queries;
    }

    double rerankedPerQuery() {
        return queries == 0 ? 0 : (double) reranked / queries;
    }

    /** Nodes expanded per query, or -1 when the library does not report it. */
    double expandedPerQuery() {
        return expanded < 0 || queries == 0 ? -1 : (double) expanded / queries;
    }

    /** KiB of vector data read per query: traversal distances and re-rank distances by their vectors' sizes. */
    double vectorKibPerQuery() {
        return queries == 0 ? 0
                : ((double) distances * traversalVectorBytes + (double) reranked * exactVectorBytes) / queries / 1024;
    }
}
