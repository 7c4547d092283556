package io.vectorstream.bench.ann;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The harness's side of {@link WorkerProtocol}: one running worker process (a JVM, or Node for a native peer),
 * started with its command line; its stderr goes to the harness's. Not thread-safe: driven by the harness's main
 * thread.
 */
final class WorkerProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String library;
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final List<JsonNode> sweepPoints = new ArrayList<>();
    private boolean swept;

    private WorkerProcess(String library, Process process) {
        this.library = library;
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Starts the worker for {@code library} and waits until it has built its index and warmed up. */
    static WorkerProcess startAndAwaitReady(String library, List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        WorkerProcess w = new WorkerProcess(library, p);
        try {
            String line = w.readUntil(WorkerProtocol.READY);
            if (line == null) {
                throw w.failed("ended before " + WorkerProtocol.READY);
            }
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
        return w;
    }

    String library() {
        return library;
    }

    /** Whether the worker has measured its whole sweep (it answered a {@code NEXT} with {@code DONE}). */
    boolean swept() {
        return swept;
    }

    /** The points of its sweep this worker has measured so far, in order (not the points measured again). */
    List<JsonNode> sweepPoints() {
        return Collections.unmodifiableList(sweepPoints);
    }

    /**
     * Gives the worker one turn of its sweep: it measures its next point (returned), or, when its sweep is over,
     * says so (then null is returned and {@link #swept()} is true).
     */
    JsonNode next() throws IOException {
        send(WorkerProtocol.NEXT);
        String line = readUntil(null);
        if (line == null) {
            throw failed("ended during its sweep");
        }
        if (line.equals(WorkerProtocol.DONE)) {
            swept = true;
            return null;
        }
        if (!line.startsWith(WorkerProtocol.POINT)) {
            throw failed("answered " + WorkerProtocol.NEXT + " with " + line);
        }
        JsonNode p = JSON.readTree(line.substring(WorkerProtocol.POINT.length()));
        sweepPoints.add(p);
        return p;
    }

    /** After its sweep: has the worker measure efSearch {@code ef} once more, and returns that point. */
    JsonNode again(int ef) throws IOException {
        if (!swept) {
            throw new IllegalStateException("worker for " + library + " is still in its sweep");
        }
        send(WorkerProtocol.AGAIN + ef);
        String line = readUntil(null);
        if (line == null || !line.startsWith(WorkerProtocol.POINT)) {
            throw failed(line == null ? "ended while measuring ef " + ef + " again"
                    : "answered " + WorkerProtocol.AGAIN + ef + " with " + line);
        }
        JsonNode p = JSON.readTree(line.substring(WorkerProtocol.POINT.length()));
        if (p.path("ef").asInt() != ef || !p.path("again").asBoolean(false)) {
            throw failed("answered " + WorkerProtocol.AGAIN + ef + " with a point that is not ef " + ef
                    + " marked again: " + line);
        }
        return p;
    }

    /** Asks for the worker's report, waits until it has exited, and returns the report. */
    JsonNode report() throws IOException, InterruptedException {
        send(WorkerProtocol.REPORT);
        String line = readUntil(null);
        if (line == null || !line.startsWith(WorkerProtocol.RESULT)) {
            throw failed(line == null ? "ended without a " + WorkerProtocol.RESULT.trim() : "answered REPORT with "
                    + line);
        }
        JsonNode result = JSON.readTree(line.substring(WorkerProtocol.RESULT.length()));
        in.close();
        int code = process.waitFor();
        if (code != 0) {
            throw failed("exited with code " + code + " after its report");
        }
        return result;
    }

    private void send(String line) throws IOException {
        try {
            in.write(line + "\n");
            in.flush();
        } catch (IOException e) {
            throw failed("died before it was sent " + line + " (" + e.getMessage() + ")");
        }
    }

    /** The next protocol line ({@code expected}, or a POINT, DONE or RESULT when null); other output is skipped. */
    private String readUntil(String expected) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            if (expected != null ? line.equals(expected)
                    : line.startsWith(WorkerProtocol.POINT) || line.equals(WorkerProtocol.DONE)
                            || line.startsWith(WorkerProtocol.RESULT)) {
                return line;
            }
        }
        return null;
    }

    private IllegalStateException failed(String what) {
        return new IllegalStateException("worker for " + library + " " + what + " (its stderr is above)");
    }

    /**
     * Stops the worker if it is still running (after a failure elsewhere): asks first, so it can remove its
     * temporary files (the Node worker's usearch copy), then kills it after a few seconds.
     */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
    }
}
