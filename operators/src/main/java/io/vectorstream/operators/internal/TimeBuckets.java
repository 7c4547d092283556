package io.vectorstream.operators.internal;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.runtime.TupleSerializer;

/**
 * Values of the current key grouped by a timestamp, in keyed state: one state entry per value, keyed by
 * (timestamp, sequence), plus one counter per timestamp. Adding a value is one counter read and two small writes
 * whatever the bucket holds, where a list per timestamp would rewrite the whole list on every add.
 * {@link #drain} returns a bucket's values in the order they were added and removes them.
 *
 * <p>Used for the EVENT_TIME buffers (records waiting for the watermark) and the TTL index (ids expiring at a
 * time). Not thread-safe: Flink's task thread only, with the key set by the caller's context.
 */
public final class TimeBuckets<T> {
    /** Suffix of the per-timestamp counter state's name; its keys are the keys that have buffered values. */
    public static final String COUNTS_SUFFIX = "-counts";

    private final MapState<Long, Integer> counts;
    private final MapState<Tuple2<Long, Integer>, T> values;
    private final Tuple2<Long, Integer> probe = new Tuple2<>();

    /** Declares the two states {@code name + "-counts"} and {@code name + "-values"}. */
    @SuppressWarnings("unchecked")
    public TimeBuckets(RuntimeContext ctx, String name, TypeSerializer<T> valueSerializer) {
        this.counts = ctx.getMapState(new MapStateDescriptor<>(name + COUNTS_SUFFIX, LongSerializer.INSTANCE,
                IntSerializer.INSTANCE));
        TupleSerializer<Tuple2<Long, Integer>> key = new TupleSerializer<>((Class<Tuple2<Long, Integer>>) (Class<?>) Tuple2.class,
                new TypeSerializer<?>[] {LongSerializer.INSTANCE, IntSerializer.INSTANCE});
        this.values = ctx.getMapState(new MapStateDescriptor<>(name + "-values", key, valueSerializer));
    }

    /** Adds {@code value} to the bucket of {@code time}. */
    public void add(long time, T value) throws Exception {
        Integer n = counts.get(time);
        int seq = n == null ? 0 : n;
        values.put(Tuple2.of(time, seq), value);
        counts.put(time, seq + 1);
    }

    /** Whether the current key has no values in any bucket. */
    public boolean isEmpty() throws Exception {
        return counts.isEmpty();
    }

    /** The values of {@code time}'s bucket in insertion order (empty if none), removed from state. */
    public List<T> drain(long time) throws Exception {
        Integer n = counts.get(time);
        if (n == null) {
            return List.of();
        }
        List<T> out = new ArrayList<>(n);
        probe.f0 = time;
        for (int seq = 0; seq < n; seq++) {
            probe.f1 = seq;
            T v = values.get(probe);
            if (v != null) {
                out.add(v);
                values.remove(probe);
            }
        }
        counts.remove(time);
        return out;
    }
}
