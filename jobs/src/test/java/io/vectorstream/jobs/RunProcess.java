package io.vectorstream.jobs;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code vectorstream run} in a JVM of its own, started from this test JVM's classpath and module flags, and
 * killed as a process ({@code SIGKILL}: no shutdown hook, no final checkpoint, no transaction abort).
 */
final class RunProcess implements AutoCloseable {
    private final Process process;

    private RunProcess(Process process) {
        this.process = process;
    }

    static RunProcess start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx768m");
        cmd.add("-XX:+UseParallelGC");
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc")) {
                cmd.add(a);
            }
        }
        cmd.add("-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.vectorstream.schemas");
        cmd.add("-Dlog4j2.configurationFile=" + Path.of("conf", "log4j2-cli.properties").toAbsolutePath());
        cmd.add("-cp");
        String cp = System.getProperty("surefire.test.class.path");
        cmd.add(cp != null ? cp : System.getProperty("java.class.path"));
        cmd.add(VectorStreamCli.class.getName());
        cmd.add("run");
        cmd.addAll(List.of(args));
        File out = log.toFile();
        return new RunProcess(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out)).start());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9, and wait until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the run process did not die after SIGKILL");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
