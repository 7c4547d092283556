package io.vectorstream.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kafka broker in its own JVM: {@code vectorstream broker} (a single KRaft node from Kafka's jars) on the test's
 * classpath, as a user would start it with the project's CLI. Its address is the {@code bootstrap host:port} line
 * it prints. Not thread-safe.
 */
final class BrokerProcess implements AutoCloseable {
    private static final Pattern BOOTSTRAP = Pattern.compile("(?m)^bootstrap (\\S+)$");

    final String bootstrap;
    private final ManagedProcess process;

    private BrokerProcess(ManagedProcess process, String bootstrap) {
        this.process = process;
        this.bootstrap = bootstrap;
    }

    static BrokerProcess start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path log4j = dir.resolve("log4j2-broker.properties");
        Files.writeString(log4j, String.join("\n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.file.ref = file",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = " + dir.resolve("broker.log"),
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c - %m%n", ""));
        List<String> cmd = List.of(FlinkDistribution.javaBinary(), "-Xmx768m", "-XX:+UseSerialGC",
                "-Dlog4j2.configurationFile=" + log4j, "-Dlog4j.configurationFile=" + log4j,
                "-classpath", classpath, "io.vectorstream.jobs.VectorStreamCli", "broker");
        ManagedProcess p = ManagedProcess.start("broker", cmd, Map.of(), dir.resolve("broker.out"));
        AtomicReference<String> address = new AtomicReference<>();
        try {
            Poll.until("the broker JVM prints 'bootstrap host:port'", Duration.ofMinutes(2), () -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException("the broker JVM must stay up; output:\n" + p.output());
                }
                Matcher m = BOOTSTRAP.matcher(p.output());
                if (m.find()) {
                    address.set(m.group(1));
                }
                return address.get() != null;
            });
        } catch (AssertionError | RuntimeException e) {
            p.close();
            throw e;
        }
        return new BrokerProcess(p, address.get());
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
