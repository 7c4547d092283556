package io.vectorstream.operators.internal;

import io.vectorstream.operators.DeadLetter;
import java.util.EnumMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The dead-letter metrics of one operator: {@code vectorstream.deadLetters} (all) and one counter per reason
 * class, {@code vectorstream.deadLettersByReason.<class label>}. Task-thread only.
 */
public final class DeadLetterCounters {
    private final Counter total;
    private final EnumMap<DeadLetter.ReasonClass, Counter> byReason = new EnumMap<>(DeadLetter.ReasonClass.class);

    /** @param group the operator's {@code vectorstream} metric group */
    public DeadLetterCounters(MetricGroup group) {
        total = group.counter("deadLetters");
        MetricGroup reasons = group.addGroup("deadLettersByReason");
        for (DeadLetter.ReasonClass c : DeadLetter.ReasonClass.values()) {
            byReason.put(c, reasons.counter(c.label()));
        }
    }

    /** Counts {@code d} and returns it. */
    public DeadLetter count(DeadLetter d) {
        total.inc();
        byReason.get(d.reasonClass()).inc();
        return d;
    }
}
