package io.vectorstream.jobs;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;

/**
 * Checks, at most every {@code periodMillis}, that a Flink job is still running, so a client that waits for the
 * job's output fails at once with the job's own failure instead of waiting out its timeout.
 * Not thread-safe; one caller polls it.
 */
final class JobWatch {
    private final JobClient job;
    private final long periodNanos;
    private long nextCheck;

    JobWatch(JobClient job, long periodMillis) {
        this.job = job;
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
        this.nextCheck = System.nanoTime();
    }

    /** @throws IllegalStateException naming the job's final status and its failure cause, if it has ended */
    void check() throws InterruptedException {
        long now = System.nanoTime();
        if (now < nextCheck) {
            return;
        }
        nextCheck = now + periodNanos;
        // A local job's result future outlives its MiniCluster, so look at it first: it holds the failure.
        var result = job.getJobExecutionResult();
        if (result.isDone()) {
            throw ended(result, "finished");
        }
        JobStatus status;
        try {
            status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            if (result.isDone()) {
                throw ended(result, "finished");
            }
            throw new IllegalStateException("the Flink job " + job.getJobID() + " is unreachable: " + e, e);
        }
        if (status.isGloballyTerminalState()) {
            throw ended(result, status.toString());
        }
    }

    private IllegalStateException ended(java.util.concurrent.CompletableFuture<?> result, String status)
            throws InterruptedException {
        Throwable cause = null;
        try {
            result.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            cause = e.getCause();
        } catch (TimeoutException e) {
            cause = e;
        }
        return new IllegalStateException("the Flink job " + job.getJobID() + " ended early (" + status + ")"
                + (cause == null ? "" : ": " + rootMessage(cause)), cause);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? String.valueOf(t) : t + " (root cause: " + root + ")";
    }
}
