package io.vectorstream.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.streaming.api.operators.source.TimestampsAndWatermarks;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.io.PushingAsyncDataInput;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

/**
 * {@link IdleAwareWatermarks} inside Flink's own source event-time logic (the classes a {@code SourceOperator}
 * uses: main output, one output per partition, the per-partition minimum), with manual clocks, so the order of
 * records and watermark emissions is fixed by the test, not by timing.
 */
class IdleAwareWatermarksInSourceTest {
    private static final long START = 1_800_000_000_000L;

    private final AtomicLong wallClock = new AtomicLong(START);
    private final ManualClock activityClock = new ManualClock(0);
    private final List<Long> watermarks = new ArrayList<>();
    private final List<String> late = new ArrayList<>();
    private final List<WatermarkStatus> statuses = new ArrayList<>();

    /**
     * After a restore with no backlog, neither partition has had a record. Partition 0 then gets a clock-stamped
     * record; partition 1 gets one stamped 100 ms earlier that arrives later. With zero out-of-orderness that
     * record must not be late: partition 1 holds the watermark at the clock minus the idleness. (When a partition
     * with no record stepped aside, partition 0 alone set the watermark and the record was late.)
     */
    @Test
    void aQuietPartitionAfterARestoreHoldsTheWatermarkAtTheClock() throws Exception {
        TimestampsAndWatermarks<Long> logic = logic(Duration.ZERO, Duration.ofSeconds(5));
        ReaderOutput<Long> main = logic.createMainOutput(dataOutput(), listener());
        SourceOutput<Long> p0 = main.createOutputForSplit("vectors-0");
        SourceOutput<Long> p1 = main.createOutputForSplit("vectors-1");

        advance(6_000);
        logic.emitImmediateWatermark(0);
        assertThat(watermarks).as("both partitions idle since assignment: the clock minus the idleness")
                .containsExactly(wallClock.get() - 5_000 - 1);

        long now = wallClock.get();
        p0.collect(now, now);
        advance(50);
        logic.emitImmediateWatermark(0);
        p1.collect(now - 100, now - 100);
        advance(50);
        logic.emitImmediateWatermark(0);

        assertThat(late).as("records behind the watermark when they arrived").isEmpty();
        assertThat(watermarks).as("never beyond the quiet partition's clock-based hold")
                .allSatisfy(wm -> assertThat(wm).isLessThan(now - 100));
    }

    /** Historical event times (a replay): a partition with no record does not hold the others back. */
    @Test
    void aQuietPartitionDoesNotHoldBackAReplay() throws Exception {
        TimestampsAndWatermarks<Long> logic = logic(Duration.ZERO, Duration.ofSeconds(5));
        ReaderOutput<Long> main = logic.createMainOutput(dataOutput(), listener());
        SourceOutput<Long> p0 = main.createOutputForSplit("vectors-0");
        main.createOutputForSplit("vectors-1");
        long old = START - Duration.ofDays(30).toMillis();
        for (int i = 0; i < 10; i++) {
            p0.collect(old + i * 1_000L, old + i * 1_000L);
            advance(1_000);
            logic.emitImmediateWatermark(0);
        }
        assertThat(late).isEmpty();
        assertThat(watermarks).last().as("partition 0's own watermark decides").isEqualTo(old + 9_000 - 1);
    }

    /** The reader's main output never emits a watermark, so it cannot bypass the partitions' minimum. */
    @Test
    void theMainOutputEmitsNoWatermark() throws Exception {
        TimestampsAndWatermarks<Long> logic = logic(Duration.ZERO, Duration.ofSeconds(1));
        ReaderOutput<Long> main = logic.createMainOutput(dataOutput(), listener());
        SourceOutput<Long> p0 = main.createOutputForSplit("vectors-0");
        p0.collect(START, START);
        advance(10_000);
        logic.emitImmediateWatermark(0);
        assertThat(watermarks).as("only partition 0's clock-based hold").containsExactly(wallClock.get() - 1_000 - 1);
        assertThat(statuses).as("the subtask stays active while a partition holds the watermark")
                .doesNotContain(WatermarkStatus.IDLE);
    }

    /**
     * A reader with no partition at all (more source subtasks than partitions) goes idle, so it does not hold
     * the job's watermark at its start.
     */
    @Test
    void aReaderWithoutPartitionsGoesIdle() throws Exception {
        TimestampsAndWatermarks<Long> logic = logic(Duration.ZERO, Duration.ofSeconds(5));
        logic.createMainOutput(dataOutput(), listener());
        advance(4_000);
        logic.emitImmediateWatermark(0);
        assertThat(statuses).as("not idle before the idleness").doesNotContain(WatermarkStatus.IDLE);
        advance(1_000);
        logic.emitImmediateWatermark(0);
        assertThat(statuses).contains(WatermarkStatus.IDLE);
        assertThat(watermarks).isEmpty();
    }

    private void advance(long millis) {
        wallClock.addAndGet(millis);
        activityClock.advanceTime(Duration.ofMillis(millis));
    }

    private TimestampsAndWatermarks<Long> logic(Duration outOfOrderness, Duration idleness) {
        WatermarkStrategy<Long> strategy = IdleAwareWatermarks.strategy(outOfOrderness, idleness,
                (record, ts) -> record, wallClock::get);
        return TimestampsAndWatermarks.createProgressiveEventTimeLogic(strategy, new UnregisteredMetricsGroup(),
                null, 200, activityClock, activityClock,
                UnregisteredMetricGroups.createUnregisteredTaskMetricGroup().getIOMetricGroup());
    }

    private PushingAsyncDataInput.DataOutput<Long> dataOutput() {
        return new PushingAsyncDataInput.DataOutput<>() {
            @Override
            public void emitRecord(StreamRecord<Long> record) {
                if (!watermarks.isEmpty() && record.getTimestamp() <= watermarks.get(watermarks.size() - 1)) {
                    late.add(record.getTimestamp() + " <= " + watermarks.get(watermarks.size() - 1));
                }
            }

            @Override
            public void emitWatermark(Watermark watermark) {
                watermarks.add(watermark.getTimestamp());
            }

            @Override
            public void emitWatermarkStatus(WatermarkStatus status) {
                statuses.add(status);
            }

            @Override
            public void emitLatencyMarker(LatencyMarker marker) {
            }

            @Override
            public void emitRecordAttributes(RecordAttributes attributes) {
            }

            @Override
            public void emitWatermark(WatermarkEvent watermark) {
            }
        };
    }

    private static TimestampsAndWatermarks.WatermarkUpdateListener listener() {
        return new TimestampsAndWatermarks.WatermarkUpdateListener() {
            @Override public void updateIdle(boolean idle) { }
            @Override public void updateCurrentEffectiveWatermark(long watermark) { }
            @Override public void updateCurrentSplitWatermark(String splitId, long watermark) { }
            @Override public void updateCurrentSplitIdle(String splitId, boolean idle) { }
            @Override public void splitFinished(String splitId) { }
        };
    }
}
