package io.vectorstream.operators.internal;

import io.vectorstream.operators.VectorEvent;
import io.vectorstream.operators.VectorQuery;
import io.vectorstream.operators.typeutils.VectorEventSerializer;
import io.vectorstream.operators.typeutils.VectorQuerySerializer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.array.LongPrimitiveArraySerializer;

/**
 * The EVENT_TIME buffers and TTL index as releases before {@link TimeBuckets} kept them (one list or array per
 * timestamp). Nothing writes them any more; a savepoint of such a release may still hold entries, which the
 * timers they registered drain through here. Not thread-safe: Flink's task thread only.
 */
public final class LegacyTimeBuffers {
    private final MapState<Long, List<VectorEvent>> events;
    private final MapState<Long, List<VectorQuery>> queries;
    private final MapState<Long, long[]> expirations;

    public LegacyTimeBuffers(RuntimeContext ctx) {
        events = ctx.getMapState(new MapStateDescriptor<>("vectorstream-pending-events",
                LongSerializer.INSTANCE, new ListSerializer<>(VectorEventSerializer.INSTANCE)));
        queries = ctx.getMapState(new MapStateDescriptor<>("vectorstream-pending-queries",
                LongSerializer.INSTANCE, new ListSerializer<>(VectorQuerySerializer.INSTANCE)));
        expirations = ctx.getMapState(new MapStateDescriptor<>("vectorstream-expirations",
                LongSerializer.INSTANCE, LongPrimitiveArraySerializer.INSTANCE));
    }

    public List<VectorEvent> drainEvents(long time) throws Exception {
        List<VectorEvent> l = events.get(time);
        if (l == null) {
            return List.of();
        }
        events.remove(time);
        return l;
    }

    public List<VectorQuery> drainQueries(long time) throws Exception {
        List<VectorQuery> l = queries.get(time);
        if (l == null) {
            return List.of();
        }
        queries.remove(time);
        return l;
    }

    public List<Long> drainExpirations(long time) throws Exception {
        long[] ids = expirations.get(time);
        if (ids == null) {
            return List.of();
        }
        expirations.remove(time);
        List<Long> out = new ArrayList<>(ids.length);
        for (long id : ids) {
            out.add(id);
        }
        return out;
    }
}
