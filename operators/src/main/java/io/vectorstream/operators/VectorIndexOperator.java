package io.vectorstream.operators;

import io.vectorstream.operators.internal.KeyIndexStore;
import java.util.stream.Stream;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;

/**
 * The index operator: Flink's {@link KeyedCoProcessOperator} running a {@link VectorIndexFunction}, plus the one
 * thing a function cannot do, because only an operator reaches the keyed state backend: after a restore (failure,
 * rescale, savepoint) it rebuilds the indexes of the keys this subtask owns in {@link #open()}, before the first
 * record, up to the cache budget ({@link VectorSearchConfig#eagerRestore()}; without it, or for the keys beyond
 * the budget, each key's index is rebuilt on its first record). {@link VectorSearch} wires this operator; use it,
 * not a plain {@code KeyedCoProcessOperator}, wherever the function runs.
 *
 * <p>The keys come from the backend's key iterator over the per-key metadata state
 * ({@link KeyedStateBackend#getKeys(String, Object)}), which holds the key groups of this subtask only, so a
 * rescaled subtask loads exactly the keys it owns.
 *
 * <p>GLOBAL mode also needs it to switch the current key: a query without a key searches every index of its shard
 * (see {@link VectorIndexFunction}).
 *
 * <p>Threading: Flink calls every method on the task thread. {@link #open()} holds that thread until the loading
 * is done, so records wait for it and are never answered from a partly built graph.
 */
public class VectorIndexOperator extends KeyedCoProcessOperator<String, VectorEvent, VectorQuery, QueryResult> {
    private static final long serialVersionUID = 1L;

    private final boolean eagerRestore;
    private transient boolean restored;

    public VectorIndexOperator(VectorSearchConfig config) {
        super(new VectorIndexFunction(config));
        this.eagerRestore = config.eagerRestore();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
    }

    /** Opens the function, then, after a restore, loads the restored keys' indexes (see the class comment). */
    @Override
    public void open() throws Exception {
        super.open();
        function().setKeySwitcher(this::setCurrentKey);
        if (!restored) {
            return;
        }
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        for (String state : VectorIndexFunction.keyedStatesOfIndexes()) {
            try (Stream<String> keys = backend.getKeys(state, VoidNamespace.INSTANCE)) {
                function().registerRestoredKeys(keys.iterator());
            }
        }
        try (Stream<String> keys = backend.getKeys(KeyIndexStore.META_STATE, VoidNamespace.INSTANCE)) {
            function().refuseIndexesWithoutLayout(keys.findAny().isPresent());
        }
        if (!eagerRestore) {
            return;
        }
        try (Stream<String> keys = backend.getKeys(KeyIndexStore.META_STATE, VoidNamespace.INSTANCE)) {
            function().loadRestoredKeys(keys.iterator(), this::setCurrentKey);
        }
    }

    /**
     * Heap bytes per live vector of the indexes cached on this subtask (the {@code heapBytesPerVector} gauge);
     * for benchmarks and tests. Task thread.
     */
    public long heapBytesPerVector() {
        return function().store().heapBytesPerVector();
    }

    /** The function this operator runs. */
    VectorIndexFunction function() {
        return (VectorIndexFunction) userFunction;
    }
}
