package io.vectorstream.cluster;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a condition by polling it until a deadline, never by sleeping a guessed duration. A condition that
 * throws counts as not yet true (a REST endpoint that is not up yet); the last exception is reported on timeout.
 */
final class Poll {
    private static final long INTERVAL_NANOS = Duration.ofMillis(250).toNanos();

    private Poll() {}

    /** Polls {@code condition} every 250 ms until it is true; fails with {@code what} after {@code timeout}. */
    static void until(String what, Duration timeout, Callable<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError failure = new AssertionError(what + " within " + timeout);
                if (last != null) {
                    failure.initCause(last);
                }
                throw failure;
            }
            LockSupport.parkNanos(INTERVAL_NANOS);
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting until " + what);
            }
        }
    }
}
