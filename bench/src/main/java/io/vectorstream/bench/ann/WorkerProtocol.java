package io.vectorstream.bench.ann;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A worker's side of the line protocol through which {@link AnnBenchmark} paces its sweep, so that the libraries of
 * a round can be measured point by point in turn (a slow minute on a shared host then lands on every library's point
 * of that step, not on one library's whole sweep). The Node worker ({@code bench/peers/ann-worker.mjs}) speaks the
 * same protocol:
 * <ol>
 *   <li>after its build and warm-up the worker prints {@code READY};</li>
 *   <li>for each {@code NEXT} line it reads, it measures its next sweep point and prints {@code POINT <json>};</li>
 *   <li>when its sweep is over, it answers the next {@code NEXT} with {@code DONE};</li>
 *   <li>then for each {@code AGAIN <ef>} line it measures that efSearch once more and prints {@code POINT <json>}
 *       (marked {@code "again": true}; the harness uses this to measure the points around each recall target side
 *       by side);</li>
 *   <li>{@code REPORT} gets {@code RESULT <json>} (the whole report, every point included) and the worker exits.</li>
 * </ol>
 * At the end of input every remaining sweep point runs without waiting and the report follows, so a worker started
 * by hand, or with stdin closed, measures its whole sweep as before. Not thread-safe: used by the worker's main
 * thread only.
 */
final class WorkerProtocol {
    /** Printed once the index is built and warm: the worker waits for its first turn. */
    static final String READY = "READY";
    /** A turn: measure the next sweep point. */
    static final String NEXT = "NEXT";
    /** The answer to a {@link #NEXT} after the last sweep point. */
    static final String DONE = "DONE";
    /** Prefix of a turn that measures the efSearch after it once more. */
    static final String AGAIN = "AGAIN ";
    /** The last turn: print the report and exit. */
    static final String REPORT = "REPORT";
    /** Prefix of one measured point's JSON. */
    static final String POINT = "POINT ";
    /** Prefix of the final report's JSON. */
    static final String RESULT = "RESULT ";

    private static final Pattern AGAIN_LINE = Pattern.compile("AGAIN ([1-9][0-9]{0,8})");

    private final BufferedReader in;
    private final String library;
    private boolean endOfInput;

    private WorkerProtocol(BufferedReader in, String library) {
        this.in = in;
        this.library = library;
    }

    /** The protocol on this process's stdin and stdout, for the worker of {@code library} (named in errors). */
    static WorkerProtocol onStdin(String library) {
        return over(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), library);
    }

    /** The protocol reading its turns from {@code in} (tests); it still prints to stdout. */
    static WorkerProtocol over(BufferedReader in, String library) {
        return new WorkerProtocol(in, library);
    }

    /** Says the worker is built and warm. */
    void ready() {
        System.out.println(READY);
        System.out.flush();
    }

    /**
     * Blocks until the harness gives this worker its next sweep point; returns at once when the input has ended (the
     * rest of the sweep then runs without waiting).
     */
    void awaitNext() {
        String line = readLine();
        if (line != null && !line.equals(NEXT)) {
            throw new IllegalStateException("worker for " + library + ": input must be " + NEXT
                    + " during the sweep; line=" + line);
        }
    }

    /** Called after the last sweep point: answers the harness's next {@link #NEXT} with {@link #DONE}. */
    void sweepOver() {
        awaitNext();
        if (!endOfInput) {
            System.out.println(DONE);
            System.out.flush();
        }
    }

    /**
     * After {@link #sweepOver()}: the efSearch the harness asks to measure again, or -1 when it asks for the report
     * (or the input has ended).
     */
    int awaitAgainOrReport() {
        String line = readLine();
        if (line == null || line.equals(REPORT)) {
            return -1;
        }
        Matcher m = AGAIN_LINE.matcher(line);
        if (m.matches()) {
            return Integer.parseInt(m.group(1));
        }
        throw new IllegalStateException("worker for " + library + ": input after the sweep must be " + AGAIN
                + "<ef in [1, 999999999]> or " + REPORT + "; line=" + line);
    }

    /** Reports one measured point. */
    void point(String json) {
        System.out.println(POINT + json);
        System.out.flush();
    }

    /** Prints the report; the worker exits after it. */
    void report(String json) {
        System.out.println(RESULT + json);
        System.out.flush();
    }

    /** The next input line, or null once the input has ended. */
    private String readLine() {
        if (endOfInput) {
            return null;
        }
        try {
            String line = in.readLine();
            endOfInput = line == null;
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
