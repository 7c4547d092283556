package io.vectorstream.connectors;

import java.io.Serial;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
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
 * {@code withIdleness}. A partition that had no record since the job (re)started is idle once {@code idleness}
 * has passed since its assignment, so after a restore with no backlog it holds the watermark at the clock minus {@code idleness}
 * like any other idle partition (stepping aside instead would let a busy partition's clock-stamped records push
 * the watermark past records the quiet one is about to deliver). Records with timestamp {@link Long#MIN_VALUE}
 * (dead letters) are neither event time nor activity.
 *
 * <p>Flink's source creates one more generator than there are partitions: the reader's main output, whose
 * watermarks bypass the per-partition minimum. The Kafka reader emits every record through a partition's output,
 * so that generator never sees one; {@link #strategy} gives it the {@link Role#MAIN_OUTPUT} role, which emits no
 * watermark and marks itself idle after {@code idleness}, so a reader without partitions (more source subtasks
 * than partitions) is left out instead of holding the job's watermark at its start.
 *
 * <p>Threading: one source thread per generator.
 */
public final class IdleAwareWatermarks<T> implements WatermarkGenerator<T> {
    /** Which of a source reader's outputs a generator serves. */
    public enum Role {
        /** One Kafka partition (a split): watermarks as described above. */
        PARTITION,
        /** The reader's main output: no records pass through it; it emits no watermark and goes idle. */
        MAIN_OUTPUT
    }

    private final Role role;
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
    public IdleAwareWatermarks(Role role, Duration outOfOrderness, Duration idleness, LongSupplier activityClock,
                               LongSupplier wallClock) {
        if (outOfOrderness.isNegative() || idleness.isNegative() || idleness.isZero()) {
            throw new IllegalArgumentException("outOfOrderness must be >= 0 and idleness > 0; outOfOrderness="
                    + outOfOrderness + ", idleness=" + idleness);
        }
        this.role = role;
        this.outOfOrderness = outOfOrderness.toMillis();
        this.idleness = idleness.toMillis();
        this.activityClock = activityClock;
        this.wallClock = wallClock;
        this.lastActivity = activityClock.getAsLong();
    }

    /** The strategy for a Kafka source: these watermarks, with timestamps from {@code assigner}. */
    public static <T> WatermarkStrategy<T> strategy(Duration outOfOrderness, Duration idleness,
                                                    SerializableTimestampAssigner<T> assigner) {
        return strategy(outOfOrderness, idleness, assigner, System::currentTimeMillis);
    }

    /** As {@link #strategy(Duration, Duration, SerializableTimestampAssigner)}, with the wall clock given (tests). */
    public static <T> WatermarkStrategy<T> strategy(Duration outOfOrderness, Duration idleness,
                                                    SerializableTimestampAssigner<T> assigner,
                                                    SerializableLongSupplier wallClock) {
        return new Strategy<T>(outOfOrderness, idleness, wallClock).withTimestampAssigner(assigner);
    }

    /** A {@link LongSupplier} a strategy can carry to the task managers. */
    @FunctionalInterface
    public interface SerializableLongSupplier extends LongSupplier, java.io.Serializable {
    }

    /**
     * Each source subtask deserializes its own copy of the strategy, and Flink's source asks it for the main
     * output's generator before any partition's (ProgressiveTimestampsAndWatermarks.createMainOutput, once per
     * subtask), so the first generator a copy makes is the main output's.
     */
    private static final class Strategy<T> implements WatermarkStrategy<T> {
        @Serial
        private static final long serialVersionUID = 1L;
        private final Duration outOfOrderness;
        private final Duration idleness;
        private final SerializableLongSupplier wallClock;
        private transient boolean mainOutputCreated;

        Strategy(Duration outOfOrderness, Duration idleness, SerializableLongSupplier wallClock) {
            this.outOfOrderness = outOfOrderness;
            this.idleness = idleness;
            this.wallClock = wallClock;
        }

        @Override
        public WatermarkGenerator<T> createWatermarkGenerator(WatermarkGeneratorSupplier.Context ctx) {
            Role role = mainOutputCreated ? Role.PARTITION : Role.MAIN_OUTPUT;
            mainOutputCreated = true;
            return new IdleAwareWatermarks<>(role, outOfOrderness, idleness,
                    ctx.getInputActivityClock()::relativeTimeMillis, wallClock);
        }
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
        if (role == Role.MAIN_OUTPUT) {
            // Never a watermark (it would bypass the partitions' minimum), but say idle: a reader with no
            // partition at all (more source subtasks than partitions) must not hold the job's watermark back.
            // Flink marks the subtask idle only when its partitions' side is idle too.
            if (idle && !markedIdle) {
                markedIdle = true;
                output.markIdle();
            }
            return;
        }
        long wm = maxTimestamp == Long.MIN_VALUE ? Long.MIN_VALUE : maxTimestamp - outOfOrderness - 1;
        if (idle) {
            wm = Math.max(wm, wallClock.getAsLong() - idleness - outOfOrderness - 1);
        }
        if (wm > emitted) {
            emitted = wm;
            output.emitWatermark(new Watermark(wm));
        }
    }
}
