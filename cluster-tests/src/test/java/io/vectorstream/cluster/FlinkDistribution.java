package io.vectorstream.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * A Flink installation as {@code flink-dist} lays it out, assembled from Maven artifacts: {@code FLINK_HOME} with
 * {@code lib/} (the jars the build copied), {@code conf/} (the shipped {@code docker/flink-conf/config.yaml} with
 * only the overrides a loopback run needs, and log4j files), {@code log/} and {@code usrlib/}.
 *
 * <p>JVMs are started the way {@code bin/config.sh}, {@code jobmanager.sh}, {@code taskmanager.sh},
 * {@code standalone-job.sh} and {@code bin/flink} start them: memory flags and dynamic properties from
 * {@code BashJavaUtils GET_JM_RESOURCE_PARAMS}/{@code GET_TM_RESOURCE_PARAMS}, then
 * {@code -XX:+IgnoreUnrecognizedVMOptions}, {@code env.java.default-opts.all}, {@code env.java.opts.all} and the
 * role's own {@code env.java.opts.<role>}, the {@code log.file} and log4j settings, the sorted {@code lib/} jars.
 *
 * <p>Not thread-safe.
 */
final class FlinkDistribution {
    /** Which JVM: decides the role-specific options and log4j file. */
    enum Role {
        JOBMANAGER("env.java.default-opts.jobmanager", "env.java.opts.jobmanager", "log4j.properties"),
        TASKMANAGER("env.java.default-opts.taskmanager", "env.java.opts.taskmanager", "log4j.properties"),
        CLIENT(null, "env.java.opts.client", "log4j-cli.properties");

        final String defaultOptsKey;
        final String optsKey;
        final String log4jFile;

        Role(String defaultOptsKey, String optsKey, String log4jFile) {
            this.defaultOptsKey = defaultOptsKey;
            this.optsKey = optsKey;
            this.log4jFile = log4jFile;
        }
    }

    /** What BashJavaUtils prints for a process: JVM flags (memory) and {@code -D key=value} dynamic properties. */
    record ResourceParams(List<String> jvmFlags, List<String> dynamicProperties) {}

    final Path home;
    final Path conf;
    final Path logDir;
    final Path usrlib;
    private final List<Path> libJars;
    private final Configuration config;
    private final Map<String, String> overrides;

    private FlinkDistribution(Path home, List<Path> libJars, Configuration config, Map<String, String> overrides) {
        this.home = home;
        this.conf = home.resolve("conf");
        this.logDir = home.resolve("log");
        this.usrlib = home.resolve("usrlib");
        this.libJars = libJars;
        this.config = config;
        this.overrides = overrides;
    }

    /**
     * Lays out {@code home}: {@code lib} links to {@code libDir}; {@code conf/config.yaml} is {@code shippedConfDir}'s
     * config.yaml, parsed by Flink itself, with {@code overrides} set on top and written back flattened.
     */
    static FlinkDistribution create(Path home, Path libDir, Path shippedConfDir, Map<String, String> overrides)
            throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(home.resolve("log"));
        Files.createDirectories(home.resolve("usrlib"));
        Path lib = home.resolve("lib");
        if (!Files.exists(lib)) {
            Files.createSymbolicLink(lib, libDir.toAbsolutePath());
        }
        List<Path> jars;
        try (Stream<Path> s = Files.list(libDir)) {
            // config.sh's constructFlinkClassPath: the jars sorted by name (flink-dist last; there is none here).
            jars = s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().collect(Collectors.toList());
        }
        if (jars.isEmpty()) {
            throw new IllegalStateException("libDir must hold the Flink jars (mvn generate-test-resources copies "
                    + "them); libDir=" + libDir);
        }
        Configuration config = GlobalConfiguration.loadConfiguration(shippedConfDir.toString());
        overrides.forEach(config::setString);
        Files.write(home.resolve("conf/config.yaml"), ConfigurationUtils.convertConfigToWritableLines(config, true),
                StandardCharsets.UTF_8);
        for (String log4j : List.of("log4j.properties", "log4j-cli.properties")) {
            try (var in = FlinkDistribution.class.getResourceAsStream("/flink-conf/" + log4j)) {
                Files.copy(in, home.resolve("conf").resolve(log4j), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return new FlinkDistribution(home, jars, config, new LinkedHashMap<>(overrides));
    }

    /** The merged configuration the cluster reads. */
    Configuration config() {
        return config;
    }

    /** The keys the harness changed relative to the shipped file, for the test log. */
    Map<String, String> overrides() {
        return overrides;
    }

    String classpath() {
        return libJars.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator));
    }

    /**
     * The JVM options config.sh derives from the configuration for {@code role}, in its order:
     * {@code -XX:+IgnoreUnrecognizedVMOptions}, env.java.default-opts.all, env.java.opts.all (else the deprecated
     * env.java.opts), {@code -Djava.security.manager=allow} on Java 18+, then the role's default and own options.
     */
    List<String> jvmOptions(Role role) {
        List<String> opts = new ArrayList<>();
        opts.add("-XX:+IgnoreUnrecognizedVMOptions");
        opts.addAll(split(config.getString("env.java.default-opts.all", "")));
        String all = config.getString("env.java.opts.all", "");
        opts.addAll(split(all.isBlank() ? config.getString("env.java.opts", "") : all));
        if (Runtime.version().feature() > 17) {
            opts.add("-Djava.security.manager=allow");
        }
        if (role.defaultOptsKey != null) {
            opts.addAll(split(config.getString(role.defaultOptsKey, "")));
        }
        opts.addAll(split(config.getString(role.optsKey, "")));
        return opts;
    }

    /** {@code -Dlog.file} and the log4j configuration, as flink-daemon.sh and bin/flink pass them. */
    List<String> logSettings(Role role, String logName) {
        String log4j = "file:" + conf.resolve(role.log4jFile);
        return List.of("-Dlog.file=" + logDir.resolve(logName + ".log"), "-Dlog4j.configuration=" + log4j,
                "-Dlog4j.configurationFile=" + log4j);
    }

    /**
     * Runs {@code BashJavaUtils <command> --configDir conf <dynamic>} as config.sh's parseResourceParamsAndExportLogs
     * does and returns its two result lines.
     */
    ResourceParams resourceParams(String command, List<String> dynamic) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-classpath", classpath(),
                "org.apache.flink.runtime.util.bash.BashJavaUtils", command, "--configDir", conf.toString()));
        cmd.addAll(dynamic);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("BashJavaUtils " + command + " must succeed; output:\n" + out);
        }
        String prefix = "BASH_JAVA_UTILS_EXEC_RESULT:";
        List<String> results = out.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .collect(Collectors.toList());
        if (results.size() < 2) {
            throw new IllegalStateException("BashJavaUtils " + command + " must print JVM flags and dynamic "
                    + "properties; output:\n" + out);
        }
        return new ResourceParams(split(results.get(results.size() - 2)), split(results.get(results.size() - 1)));
    }

    /** A free loopback port (the kernel's choice; closed again at once). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Splits a shell-style option string on whitespace, dropping surrounding double quotes as config.sh does. */
    static List<String> split(String s) {
        String t = s.trim();
        if (t.startsWith("\"") && t.endsWith("\"") && t.length() >= 2) {
            t = t.substring(1, t.length() - 1);
        }
        return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+"));
    }

    /** Deadline helper used by the harness's polling loops. */
    static long deadline(Duration d) {
        return System.nanoTime() + d.toNanos();
    }
}
