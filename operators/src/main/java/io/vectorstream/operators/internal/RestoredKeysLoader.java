package io.vectorstream.operators.internal;

import java.util.Iterator;
import java.util.function.Consumer;

/**
 * After a restore, rebuilds the cached indexes of the keys a subtask owns before it takes its first record, so
 * that no key's first answer waits for its own rebuild. Keys load in the order given until the cache budget is
 * reached: the first key that does not fit ends the loading, and it and the keys after it stay lazy (rebuilt on
 * their first record, as without eager loading). One summary line is logged, a WARN when keys stayed lazy.
 *
 * <p>Synchronous by design: it runs on the task thread inside the operator's {@code open()}, so records wait for
 * it, no answer can see a partly built graph, and keyed state (RocksDB's is not thread-safe) is read on the task
 * thread only. An interrupt (Flink cancelling the task) ends the loading early; the remaining keys stay lazy.
 */
public final class RestoredKeysLoader {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RestoredKeysLoader.class);

    private RestoredKeysLoader() {}

    /** What one loading did. */
    public record Result(int loaded, int lazy, long millis) {}

    /**
     * Loads {@code keys} into {@code store}'s cache, each after {@code setCurrentKey} made it the keyed state's
     * current key.
     *
     * @param keys every key with an index, each once (the keyed state backend's keys of
     *             {@link KeyIndexStore#META_STATE})
     */
    public static Result load(Iterator<String> keys, Consumer<String> setCurrentKey, KeyIndexStore store)
            throws Exception {
        long t0 = System.nanoTime();
        int loaded = 0;
        int lazy = 0;
        boolean loading = true;
        String firstLazy = null;
        while (keys.hasNext()) {
            String key = keys.next();
            if (Thread.currentThread().isInterrupted()) {
                // Cancelled: leave at once (counting the rest would scan every remaining key).
                lazy++;
                break;
            }
            if (loading) {
                setCurrentKey.accept(key);
                if (store.preload(key)) {
                    loaded++;
                    continue;
                }
                loading = false;
                firstLazy = key;
            }
            // Counted, not loaded: iterating keys alone is cheap next to rebuilding them.
            lazy++;
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        if (lazy == 0) {
            LOG.info("rebuilt the indexes of all {} restored keys before the first record in {} ms: {} bytes, {} "
                    + "bytes per vector", loaded, millis, store.cacheBytes(), store.heapBytesPerVector());
        } else if (firstLazy == null) {
            LOG.warn("rebuilt the indexes of {} restored keys before the first record in {} ms, then stopped: the "
                    + "task thread was interrupted; the other keys are rebuilt on their first record", loaded, millis);
        } else {
            LOG.warn("rebuilt the indexes of {} restored keys before the first record in {} ms ({} bytes, {} bytes "
                            + "per vector); key {} and {} more do not fit cacheMaxBytes={} and are rebuilt on their "
                            + "first record. Raise cacheMaxBytes (CLI --cache-max-bytes) or spread the keys over more "
                            + "subtasks.", loaded, millis, store.cacheBytes(), store.heapBytesPerVector(), firstLazy,
                    lazy - 1, store.cacheMaxBytes());
        }
        return new Result(loaded, lazy, millis);
    }
}
