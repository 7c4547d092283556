package io.vectorstream.operators;

/** How vectors are partitioned into indexes. */
public enum IndexMode {
    /** One index per partition key; queries must name a key. */
    KEYED,
    /**
     * (Partition key, id) pairs are hashed onto S shards, each key onto its own {@code shardsPerKey} of them, with
     * one graph per (shard, key); a keyed query fans out to its key's shards, a query without a key to all, and
     * the partial top-k are merged. See {@link GlobalRouting}.
     */
    GLOBAL
}
