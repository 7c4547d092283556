package io.vectorstream.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JVM the harness started: its stdout and stderr go to {@code <name>.out}, as flink-daemon.sh redirects them.
 * {@link #kill9()} is {@code kill -9} (SIGKILL: no shutdown hook, no clean close); {@link #close()} is
 * {@code kill} (SIGTERM), then SIGKILL after a grace period. Not thread-safe.
 */
final class ManagedProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagedProcess.class);
    /** Every process still running: killed if the test JVM itself is stopped (SIGTERM, e.g. a build timeout). */
    private static final java.util.Set<Process> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "kill-cluster-processes"));
    }

    final String name;
    final Path out;
    private final Process process;

    private ManagedProcess(String name, Path out, Process process) {
        this.name = name;
        this.out = out;
        this.process = process;
    }

    static ManagedProcess start(String name, List<String> command, Map<String, String> env, Path out)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        RUNNING.add(p);
        p.onExit().thenRun(() -> RUNNING.remove(p));
        List<String> shown = new java.util.ArrayList<>(command);
        int cp = shown.indexOf("-classpath");
        if (cp >= 0 && cp + 1 < shown.size()) {
            shown.set(cp + 1, "<" + shown.get(cp + 1).split(java.io.File.pathSeparator).length + " jars>");
        }
        LOG.info("started {} (pid {}): {}", name, p.pid(), String.join(" ", shown));
        return new ManagedProcess(name, out, p);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, then waits until the process is gone. */
    void kill9() throws InterruptedException {
        LOG.info("kill -9 {} (pid {})", name, process.pid());
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " must die within 30 s of SIGKILL; pid=" + process.pid());
        }
    }

    /** Waits for the process to end by itself; returns its exit code. */
    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " must end within " + timeout + "; output:\n" + output());
        }
        return process.exitValue();
    }

    String output() {
        try {
            return Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + out + ": " + e + ")";
        }
    }

    /** SIGTERM (the JVM's shutdown hooks run), SIGKILL if it is still alive after 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            LOG.warn("{} (pid {}) ignored SIGTERM for 30 s; SIGKILL", name, process.pid());
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
