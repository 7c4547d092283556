package io.vectorstream.bench.ann;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A worker's side of the line protocol through which {@link AnnBenchmark} paces its sweep, so that the libraries of
 * a round can be measured point by point in turn (a slow minute on a shared host then lands on every library's point
 * of that step, not on one library's whole sweep). The Node worker ({@code bench/peers/ann-worker.mjs}) speaks the
 * same protocol:
 * <ol>
 *   <li>after its build and warm-up the worker prints {@code READY};</li>
 *   <li>for each {@code NEXT} line it reads, it measures its next sweep point and prints {@code POINT <json>};</li>
 *   <li>when its sweep is over, it answers the next {@code NEXT} (or the end of input) with {@code RESULT <json>}
 *       (the whole report, points included) and exits.</li>
 * </ol>
 * At the end of input every remaining point runs without waiting, so a worker started by hand, or with stdin
 * closed, measures its whole sweep as before. Not thread-safe: used by the worker's main thread only.
 */
final class WorkerProtocol {
    /** Printed once the index is built and warm: the worker waits for its first turn. */
    static final String READY = "READY";
    /** A turn: measure the next point. */
    static final String NEXT = "NEXT";
    /** Prefix of one measured point's JSON. */
    static final String POINT = "POINT ";
    /** Prefix of the final report's JSON. */
    static final String RESULT = "RESULT ";

    private final BufferedReader in;
    private boolean endOfInput;

    private WorkerProtocol(BufferedReader in) {
        this.in = in;
    }

    /** The protocol on this process's stdin and stdout. */
    static WorkerProtocol onStdin() {
        return new WorkerProtocol(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    }

    /** Says the worker is built and warm. */
    void ready() {
        System.out.println(READY);
        System.out.flush();
    }

    /**
     * Blocks until the harness gives this worker its next turn (a point, or the report after the last one); returns
     * at once when the input has ended (the rest of the sweep then runs without waiting).
     */
    void awaitTurn() {
        if (endOfInput) {
            return;
        }
        try {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals(NEXT)) {
                    return;
                }
                throw new IllegalStateException("worker input must be " + NEXT + " lines; line=" + line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        endOfInput = true;
    }

    /** Reports one measured point. */
    void point(String json) {
        System.out.println(POINT + json);
        System.out.flush();
    }
}
