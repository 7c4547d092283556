package io.vectorstream.cluster;

import io.vectorstream.jobs.VectorProducer;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends a {@link Workload}'s records at a steady rate from a background thread while the test kills and restarts
 * parts of the cluster (the input keeps arriving, as in production). The pacing is the load's shape, not a wait for
 * a condition. Only the feeding thread touches the workload until {@link #stop()} returns.
 */
final class Feeder {
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopping;
    private volatile int sent;

    private Feeder(Workload workload, VectorProducer producer, int recordsPerSecond, int limit) {
        long periodNanos = 1_000_000_000L / recordsPerSecond;
        thread = new Thread(() -> {
            long next = System.nanoTime();
            try {
                while (!stopping && sent < limit) {
                    workload.step(producer);
                    sent++;
                    next += periodNanos;
                    LockSupport.parkNanos(next - System.nanoTime());
                }
                producer.flush();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "feeder");
        thread.setDaemon(true);
    }

    /** Feeds until {@link #stop()}. */
    static Feeder start(Workload workload, VectorProducer producer, int recordsPerSecond) {
        return start(workload, producer, recordsPerSecond, Integer.MAX_VALUE);
    }

    /** Feeds {@code limit} records, then ends by itself ({@link #stop()} still joins it). */
    static Feeder start(Workload workload, VectorProducer producer, int recordsPerSecond, int limit) {
        Feeder f = new Feeder(workload, producer, recordsPerSecond, limit);
        f.thread.start();
        return f;
    }

    int sent() {
        return sent;
    }

    /** Stops feeding, waits for the thread, flushes; rethrows what the thread failed with. */
    void stop() throws InterruptedException {
        stopping = true;
        thread.join();
        if (failure.get() != null) {
            throw new AssertionError("the feeder failed", failure.get());
        }
    }

    /** Waits until the limit is sent (then flushed). */
    void awaitDone() throws InterruptedException {
        thread.join();
        if (failure.get() != null) {
            throw new AssertionError("the feeder failed", failure.get());
        }
    }
}
