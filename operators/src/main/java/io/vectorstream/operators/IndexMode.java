package io.vectorstream.operators;

/** How vectors are partitioned into indexes. */
public enum IndexMode {
    /** One index per partition key; queries must name a key. */
    KEYED,
    /**
     * Vector ids are hashed onto S shard keys; every query fans out to all shards and the partial top-k are
     * merged. A query's partition key, if any, becomes a filter on the vectors' partition key.
     */
    GLOBAL
}
