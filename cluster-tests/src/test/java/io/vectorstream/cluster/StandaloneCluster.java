package io.vectorstream.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standalone Flink cluster of separate JVMs on loopback: a JobManager (session or application mode) and any
 * number of TaskManagers, each started as Flink's scripts start it (see {@link FlinkDistribution}), plus Flink's
 * CLI ({@code CliFrontend} with {@code FLINK_CONF_DIR}). Not thread-safe.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneCluster.class);
    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");

    final FlinkDistribution dist;
    final FlinkRest rest;
    final Path checkpointDir;
    final Path savepointDir;
    private final Map<String, ManagedProcess> taskManagers = new LinkedHashMap<>();
    private ManagedProcess jobManager;
    private int taskManagersStarted;
    private int cliRuns;

    private StandaloneCluster(FlinkDistribution dist, int restPort) {
        this.dist = dist;
        this.rest = new FlinkRest(restPort);
        this.checkpointDir = dist.home.resolve("checkpoints");
        this.savepointDir = dist.home.resolve("savepoints");
    }

    /**
     * Lays out a distribution under {@code home} with the shipped configuration and the overrides a loopback run
     * on this machine needs: addresses and free ports on localhost, checkpoints and temporary files under
     * {@code home}, and process sizes that fit beside other work on a small machine.
     */
    static StandaloneCluster create(Path home, Path libDir, Path shippedConfDir) throws IOException {
        int restPort = FlinkDistribution.freePort();
        Map<String, String> o = new LinkedHashMap<>();
        o.put("jobmanager.rpc.address", "localhost");
        o.put("jobmanager.rpc.port", Integer.toString(FlinkDistribution.freePort()));
        o.put("jobmanager.bind-host", "localhost");
        o.put("taskmanager.bind-host", "localhost");
        o.put("taskmanager.host", "localhost");
        o.put("rest.address", "localhost");
        o.put("rest.bind-address", "localhost");
        o.put("rest.port", Integer.toString(restPort));
        o.put("execution.checkpointing.dir", home.resolve("checkpoints").toUri().toString());
        o.put("execution.checkpointing.savepoint-dir", home.resolve("savepoints").toUri().toString());
        o.put("io.tmp.dirs", home.resolve("tmp").toString());
        o.put("jobmanager.memory.process.size", "1024m");
        o.put("taskmanager.memory.process.size", "1536m");
        Files.createDirectories(home.resolve("tmp"));
        FlinkDistribution dist = FlinkDistribution.create(home, libDir, shippedConfDir, o);
        LOG.info("Flink home {}: shipped {}/config.yaml with loopback overrides {}", home, shippedConfDir, o);
        return new StandaloneCluster(dist, restPort);
    }

    /** bin/jobmanager.sh start: StandaloneSessionClusterEntrypoint. */
    void startSessionJobManager() throws IOException, InterruptedException {
        startJobManager("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                List.of("--executionMode", "cluster"), "standalonesession");
    }

    /**
     * bin/standalone-job.sh start (the image's {@code standalone-job}): StandaloneApplicationClusterEntryPoint,
     * which runs {@code jobClass}'s main in this JVM with the jar(s) from {@code FLINK_HOME/usrlib}.
     */
    void startApplicationJobManager(String jobClass, List<String> programArgs) throws IOException,
            InterruptedException {
        List<String> args = new ArrayList<>(List.of("--job-classname", jobClass));
        args.addAll(programArgs);
        startJobManager("org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint", args,
                "standalonejob");
    }

    private void startJobManager(String entrypoint, List<String> args, String logName)
            throws IOException, InterruptedException {
        if (jobManager != null) {
            throw new IllegalStateException("this cluster already has a JobManager: " + jobManager.name);
        }
        FlinkDistribution.ResourceParams params = dist.resourceParams("GET_JM_RESOURCE_PARAMS", List.of());
        List<String> cmd = new ArrayList<>();
        cmd.add(FlinkDistribution.javaBinary());
        cmd.addAll(params.jvmFlags());
        cmd.addAll(dist.jvmOptions(FlinkDistribution.Role.JOBMANAGER));
        cmd.addAll(dist.logSettings(FlinkDistribution.Role.JOBMANAGER, logName));
        cmd.addAll(List.of("-classpath", dist.classpath(), entrypoint));
        cmd.addAll(params.dynamicProperties());
        cmd.addAll(List.of("--configDir", dist.conf.toString()));
        cmd.addAll(args);
        jobManager = ManagedProcess.start(logName, cmd, environment(), dist.logDir.resolve(logName + ".out"));
    }

    /** bin/taskmanager.sh start, with {@code taskmanager.resource-id} tm-N so the REST API names it; returns N's id. */
    String startTaskManager() throws IOException, InterruptedException {
        String id = "tm-" + (++taskManagersStarted);
        List<String> extra = List.of("-D", "taskmanager.resource-id=" + id);
        FlinkDistribution.ResourceParams params = dist.resourceParams("GET_TM_RESOURCE_PARAMS", extra);
        List<String> cmd = new ArrayList<>();
        cmd.add(FlinkDistribution.javaBinary());
        cmd.addAll(params.jvmFlags());
        cmd.addAll(dist.jvmOptions(FlinkDistribution.Role.TASKMANAGER));
        cmd.addAll(dist.logSettings(FlinkDistribution.Role.TASKMANAGER, "taskexecutor-" + id));
        cmd.addAll(List.of("-classpath", dist.classpath(), "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                "--configDir", dist.conf.toString()));
        cmd.addAll(params.dynamicProperties());
        cmd.addAll(extra);
        taskManagers.put(id, ManagedProcess.start(id, cmd, environment(),
                dist.logDir.resolve("taskexecutor-" + id + ".out")));
        return id;
    }

    /** kill -9 of a TaskManager this cluster started. */
    void killTaskManager(String id) throws InterruptedException {
        ManagedProcess tm = taskManagers.remove(id);
        if (tm == null) {
            throw new IllegalArgumentException("id must name a running TaskManager; id=" + id + ", running="
                    + taskManagers.keySet());
        }
        tm.kill9();
    }

    /** The TaskManagers this cluster started and has not killed. */
    List<String> liveTaskManagers() {
        return new ArrayList<>(taskManagers.keySet());
    }

    /** Waits until every live TaskManager is registered at the ResourceManager. */
    void awaitRegisteredTaskManagers(Duration timeout) throws InterruptedException {
        Poll.until("TaskManagers " + taskManagers.keySet() + " registered", timeout, () -> {
            assertJobManagerAlive();
            return rest.busySlots().keySet().containsAll(taskManagers.keySet());
        });
    }

    void assertJobManagerAlive() {
        if (jobManager == null || !jobManager.isAlive()) {
            throw new IllegalStateException("the JobManager must be alive; its output:\n"
                    + (jobManager == null ? "(not started)" : jobManager.output()));
        }
    }

    /** The outcome of one CLI run: exit code and everything it printed. */
    record CliResult(int exitCode, String output) {}

    /** bin/flink {@code args}: CliFrontend in its own JVM with FLINK_CONF_DIR, as the script runs it. */
    CliResult flink(Duration timeout, List<String> args) throws IOException, InterruptedException {
        String name = "flink-cli-" + (++cliRuns);
        List<String> cmd = new ArrayList<>();
        cmd.add(FlinkDistribution.javaBinary());
        cmd.addAll(dist.jvmOptions(FlinkDistribution.Role.CLIENT));
        cmd.addAll(dist.logSettings(FlinkDistribution.Role.CLIENT, name));
        cmd.addAll(List.of("-classpath", dist.classpath(), "org.apache.flink.client.cli.CliFrontend"));
        cmd.addAll(args);
        try (ManagedProcess cli = ManagedProcess.start(name, cmd, environment(), dist.logDir.resolve(name + ".out"))) {
            int code = cli.waitFor(timeout);
            return new CliResult(code, cli.output());
        }
    }

    /** {@code flink run -d <options> <jar> <programArgs>}; returns the job id. */
    String submit(Path jar, List<String> options, List<String> programArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("run", "-d"));
        args.addAll(options);
        args.add(jar.toString());
        args.addAll(programArgs);
        CliResult r = flink(Duration.ofMinutes(2), args);
        Matcher m = JOB_ID.matcher(r.output());
        if (r.exitCode() != 0 || !m.find()) {
            throw new AssertionError("flink " + String.join(" ", args) + " must submit a job; exit code "
                    + r.exitCode() + ", output:\n" + r.output());
        }
        LOG.info("submitted job {} with {}", m.group(1), options);
        return m.group(1);
    }

    /** {@code flink stop --savepointPath <dir> <jobId>}; returns the savepoint's path. */
    String stopWithSavepoint(String jobId) throws IOException, InterruptedException {
        CliResult r = flink(Duration.ofMinutes(3),
                List.of("stop", "--savepointPath", savepointDir.toUri().toString(), jobId));
        Matcher m = SAVEPOINT.matcher(r.output());
        if (r.exitCode() != 0 || !m.find()) {
            throw new AssertionError("flink stop must take a savepoint of " + jobId + "; exit code " + r.exitCode()
                    + ", output:\n" + r.output());
        }
        LOG.info("job {} stopped with savepoint {}", jobId, m.group(1));
        return m.group(1);
    }

    /**
     * Every line at {@code level} (ERROR, WARN) in the JobManager and TaskManager logs that says data may have been
     * lost (the Kafka connector's "most likely signals data loss" and "data has been potentially lost").
     */
    List<String> linesClaimingDataLoss(String level) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> logs = Files.list(dist.logDir)) {
            for (Path log : (Iterable<Path>) logs.filter(p -> p.toString().endsWith(".log")
                    && !p.getFileName().toString().startsWith("flink-cli"))::iterator) {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    if (line.contains(" " + level + " ") && line.toLowerCase(java.util.Locale.ROOT).matches(
                            ".*(data loss|potentially lost|data has been lost|lost data).*")) {
                        found.add(log.getFileName() + ": " + line);
                    }
                }
            }
        }
        return found;
    }

    private Map<String, String> environment() {
        return Map.of("FLINK_CONF_DIR", dist.conf.toString(), "FLINK_HOME", dist.home.toString(),
                "FLINK_LIB_DIR", dist.home.resolve("lib").toString());
    }

    /** Stops the TaskManagers, then the JobManager (SIGTERM, as stop-cluster.sh). */
    @Override
    public void close() throws InterruptedException {
        for (ManagedProcess tm : taskManagers.values()) {
            tm.close();
        }
        taskManagers.clear();
        if (jobManager != null) {
            jobManager.close();
        }
    }
}
