package io.vectorstream.index;

/**
 * A predicate on external ids, applied <em>during</em> graph traversal: rejected nodes are still used as
 * routes but never enter the results. To filter on attributes, look the id's attributes up in the
 * predicate. Must be side-effect free; when used by {@link HnswIndex#searchBatch} it is called from
 * several threads at once.
 */
@FunctionalInterface
public interface IdFilter {
    /** Whether the node with external id {@code id} may be returned. */
    boolean accept(long id);
}
