package io.vectorstream.connectors;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermarks of one Kafka partition (the source creates one generator per partition): the largest event time
 * seen minus the allowed out-of-orderness, and, once the partition has had no record for {@code idleness}, at
 * least {@code wall clock - idleness - outOfOrderness}.
 *
 * <p>Why not Flink's {@code withIdleness}: that removes an idle partition from the watermark altogether, so (a)
 * when every partition is idle the watermark stops, and a lone query in EVENT_TIME mode is never answered, and
 * (b) the other partitions may run arbitrarily far ahead of it, so its next records arrive late. Here an idle
 * partition keeps holding the watermark, at a point that follows the clock: a record whose event time is at most
 * {@code idleness} behind the clock when it is read is never late. With historical event times (a replay) an
 * idle partition's clock-based watermark lies far ahead of the others, which then alone decide, as with
 * {@code withIdleness}. A partition that never had a record is marked idle (left out) instead, and records with
 * timestamp {@link Long#MIN_VALUE} (dead letters) are neither event time nor activity.
 *
 * <p>Threading: one source thread per generator.
 */
public final class IdleAwareWatermarks<T> implements WatermarkGenerator<T> {
    private final long outOfOrderness;
    private final long idleness;
    private final LongSupplier activityClock;
    private final LongSupplier wallClock;
    private long maxTimestamp = Long.MIN_VALUE;
    private long lastActivity;
    private long emitted = Long.MIN_VALUE;
    private boolean markedIdle;

    /**
     * @param activityClock measures idleness; Flink's input activity clock stands still while the source is
     *                      back-pressured or paused, so a partition that is merely slow to be read is never idle
     * @param wallClock     the clock an idle partition's watermark follows
     */
    public IdleAwareWatermarks(Duration outOfOrderness, Duration idleness, LongSupplier activityClock,
                               LongSupplier wallClock) {
        if (outOfOrderness.isNegative() || idleness.isNegative() || idleness.isZero()) {
            throw new IllegalArgumentException("outOfOrderness must be >= 0 and idleness > 0; outOfOrderness="
                    + outOfOrderness + ", idleness=" + idleness);
        }
        this.outOfOrderness = outOfOrderness.toMillis();
        this.idleness = idleness.toMillis();
        this.activityClock = activityClock;
        this.wallClock = wallClock;
        this.lastActivity = activityClock.getAsLong();
    }

    /** The strategy for a source: these watermarks, with timestamps from {@code assigner}. */
    public static <T> WatermarkStrategy<T> strategy(Duration outOfOrderness, Duration idleness,
                                                    SerializableTimestampAssigner<T> assigner) {
        WatermarkStrategy<T> s = ctx -> new IdleAwareWatermarks<>(outOfOrderness, idleness,
                ctx.getInputActivityClock()::relativeTimeMillis, System::currentTimeMillis);
        return s.withTimestampAssigner(assigner);
    }

    @Override
    public void onEvent(T event, long timestamp, WatermarkOutput output) {
        if (timestamp == Long.MIN_VALUE) {
            return; // a dead letter: neither event time nor activity
        }
        lastActivity = activityClock.getAsLong();
        if (timestamp > maxTimestamp) {
            maxTimestamp = timestamp;
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        boolean idle = activityClock.getAsLong() - lastActivity >= idleness;
        if (maxTimestamp == Long.MIN_VALUE) {
            // Never saw a record: an empty partition, or the reader's main output (records go through the
            // per-partition outputs). A clock-based watermark here would bypass the other partitions' minimum,
            // so step aside instead, as Flink's idleness does.
            if (idle && !markedIdle) {
                markedIdle = true;
                output.markIdle();
            }
            return;
        }
        long wm = maxTimestamp - outOfOrderness - 1;
        if (idle) {
            wm = Math.max(wm, wallClock.getAsLong() - idleness - outOfOrderness - 1);
        }
        if (wm > emitted) {
            emitted = wm;
            output.emitWatermark(new Watermark(wm));
        }
    }
}
