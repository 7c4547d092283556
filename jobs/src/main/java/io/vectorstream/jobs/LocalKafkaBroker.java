package io.vectorstream.jobs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A single-node KRaft Kafka broker (broker and controller in one node) in this JVM, run by Kafka's own server
 * ({@code KafkaRaftServer}, what {@code kafka-server-start} runs), for {@code vectorstream broker}. It listens on
 * loopback at a given port or a free one, and keeps its data in a given directory or in a temporary one deleted
 * on {@link #close()}. A given directory is formatted on the first start only: started again with the same port
 * and directory, the broker comes back at the same address with its topics, records and committed offsets, so
 * clients and a running job reconnect.
 *
 * <p>Why not {@link EmbeddedKafka}: Kafka's test kit picks its ports when it binds them, gives every start a new
 * cluster id and new directory ids, and formats with unstable features on, so it cannot restart on its own data.
 * Both brokers share {@link EmbeddedKafka#SETTINGS}. Unlike the test kit's, a fatal broker error ends the JVM, as
 * it does under {@code kafka-server-start}.
 *
 * <p>Not thread-safe to start and stop; its clients are.
 */
public final class LocalKafkaBroker implements AutoCloseable {
    private static final int NODE_ID = 1;
    private static final String HOST = "localhost";
    private static final String CLIENT_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String SECURE_LISTENER = "SECURE";
    /** Settings this class derives from the port and the directory; {@link Builder#setConfig} refuses them. */
    private static final Set<String> OWN_SETTINGS = Set.of("node.id", "process.roles", "listeners",
            "advertised.listeners", "listener.security.protocol.map", "controller.listener.names",
            "inter.broker.listener.name", "controller.quorum.voters", "controller.quorum.bootstrap.servers",
            "log.dirs", "log.dir", "metadata.log.dir");

    private final KafkaRaftServer server;
    private final int port;
    private final int securePort;
    private final Path dataDirectory;
    private final boolean temporary;

    private LocalKafkaBroker(KafkaRaftServer server, int port, int securePort, Path dataDirectory, boolean temporary) {
        this.server = server;
        this.port = port;
        this.securePort = securePort;
        this.dataDirectory = dataDirectory;
        this.temporary = temporary;
    }

    /** A builder for a broker at a free port with a temporary data directory. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code localhost:port}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /**
     * {@code localhost:port} of the secured listener added with {@link Builder#setSecureListener}.
     *
     * @throws IllegalStateException when the broker has none
     */
    public String secureBootstrapServers() {
        if (securePort == 0) {
            throw new IllegalStateException("the broker has no secure listener; call setSecureListener first");
        }
        return HOST + ":" + securePort;
    }

    /** The client listener's port. */
    public int port() {
        return port;
    }

    /** Where the broker keeps its data (log segments, the metadata log, {@code meta.properties}). */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Stops the broker (a controlled shutdown) and deletes its data directory if it was a temporary one. */
    @Override
    public void close() throws IOException {
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (temporary) {
                Utils.delete(dataDirectory.toFile());
            }
        }
    }

    /** Settings of a {@link LocalKafkaBroker}; each setter checks its argument. */
    public static final class Builder {
        private int port;
        private Path dataDirectory;
        private final Map<String, String> config = new HashMap<>();
        private String secureProtocol;
        private final Map<String, String> secureSettings = new HashMap<>();

        private Builder() {}

        /**
         * Adds a second client listener, on a free port, that requires {@code securityProtocol}
         * ({@code SASL_PLAINTEXT}, {@code SASL_SSL} or {@code SSL}), with its settings given without the
         * {@code listener.name.secure.} prefix (e.g. {@code plain.sasl.jaas.config}, {@code ssl.keystore.location}).
         * The plaintext listener stays, for the broker itself and for administration.
         */
        public Builder setSecureListener(String securityProtocol, Map<String, String> settings) {
            if (!Set.of("SASL_PLAINTEXT", "SASL_SSL", "SSL").contains(securityProtocol)) {
                throw new IllegalArgumentException("securityProtocol must be one of [SASL_PLAINTEXT, SASL_SSL, SSL]; "
                        + "securityProtocol=" + securityProtocol);
            }
            this.secureProtocol = securityProtocol;
            this.secureSettings.putAll(settings);
            return this;
        }

        /** The client listener's port on loopback; 0 (the default) picks a free one. */
        public Builder setPort(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be in [0, 65535]; port=" + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The broker's data directory: created and formatted when absent or empty, reused when it holds a broker's
         * data, kept on {@link #close()}. Not set (the default): a temporary directory deleted on close.
         */
        public Builder setDataDirectory(Path dataDirectory) {
            if (dataDirectory == null) {
                throw new IllegalArgumentException("dataDirectory must not be null; dataDirectory=null");
            }
            this.dataDirectory = dataDirectory.toAbsolutePath().normalize();
            return this;
        }

        /** A broker setting (e.g. {@code num.io.threads}) over the defaults of {@link EmbeddedKafka#SETTINGS}. */
        public Builder setConfig(String key, String value) {
            if (OWN_SETTINGS.contains(key)) {
                throw new IllegalArgumentException("config must not set the listeners, quorum or directories (use "
                        + "the port and the data directory); key=" + key);
            }
            if (value == null) {
                throw new IllegalArgumentException("config values must not be null; " + key + "=null");
            }
            config.put(key, value);
            return this;
        }

        /** {@link #setConfig(String, String)} for each entry. */
        public Builder setConfig(Map<String, String> settings) {
            settings.forEach(this::setConfig);
            return this;
        }

        /**
         * Formats the data directory if it is new, starts the broker and waits until it is registered and serves
         * clients.
         *
         * @throws IllegalArgumentException when the data directory holds files but no broker's data
         */
        public LocalKafkaBroker start() throws Exception {
            boolean temporary = dataDirectory == null;
            Path dir = temporary ? Files.createTempDirectory("vectorstream-kafka-") : dataDirectory;
            try {
                int clientPort = port == 0 ? freePort() : port;
                int securePort = secureProtocol == null ? 0 : freePort();
                Map<String, String> props = serverProperties(clientPort, freePort(), securePort, dir);
                if (!isFormatted(dir)) {
                    format(dir);
                }
                KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
                try {
                    server.startup();
                } catch (Throwable e) {
                    try {
                        server.shutdown();
                    } catch (Throwable t) {
                        e.addSuppressed(t);
                    }
                    throw e;
                }
                return new LocalKafkaBroker(server, clientPort, securePort, dir, temporary);
            } catch (Throwable e) {
                if (temporary) {
                    Utils.delete(dir.toFile());
                }
                throw e;
            }
        }

        /** The equivalent of a {@code server.properties} for one combined node on loopback. */
        private Map<String, String> serverProperties(int clientPort, int controllerPort, int securePort, Path dir) {
            Map<String, String> p = new HashMap<>(EmbeddedKafka.SETTINGS);
            // Kafka's default is 128 MiB of heap for the log cleaner's offset map; Kafka's test kit takes 2 MiB.
            p.put("log.cleaner.dedupe.buffer.size", "2097152");
            p.putAll(config);
            p.put("node.id", Integer.toString(NODE_ID));
            p.put("process.roles", "broker,controller");
            p.put("listeners", CLIENT_LISTENER + "://" + HOST + ":" + clientPort + ","
                    + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
            p.put("advertised.listeners", CLIENT_LISTENER + "://" + HOST + ":" + clientPort);
            p.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
            p.put("inter.broker.listener.name", CLIENT_LISTENER);
            if (secureProtocol != null) {
                p.put("listeners", p.get("listeners") + "," + SECURE_LISTENER + "://" + HOST + ":" + securePort);
                p.put("advertised.listeners", p.get("advertised.listeners") + "," + SECURE_LISTENER + "://" + HOST
                        + ":" + securePort);
                p.put("listener.security.protocol.map", p.get("listener.security.protocol.map") + ","
                        + SECURE_LISTENER + ":" + secureProtocol);
                secureSettings.forEach((k, v) -> p.put("listener.name.secure." + k, v));
            }
            p.put("controller.listener.names", CONTROLLER_LISTENER);
            // A static quorum of this one node: the voter's address is read from here at each start, so the
            // controller port may differ from one start to the next.
            p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
            p.put("log.dirs", dir.toString());
            return p;
        }

        /** True when {@code dir} holds a formatted broker directory, false when it is absent or empty. */
        private static boolean isFormatted(Path dir) throws IOException {
            if (Files.isRegularFile(dir.resolve("meta.properties"))) {
                return true;
            }
            if (Files.isDirectory(dir)) {
                try (Stream<Path> entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw new IllegalArgumentException("dataDirectory must be empty or hold a Kafka broker's data "
                                + "(meta.properties); dataDirectory=" + dir);
                    }
                }
            } else if (Files.exists(dir)) {
                throw new IllegalArgumentException("dataDirectory must be a directory; dataDirectory=" + dir);
            }
            return false;
        }

        /** What {@code kafka-storage format} does: a new cluster id, the latest production metadata version. */
        private static void format(Path dir) throws Exception {
            Files.createDirectories(dir);
            new Formatter().setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID).setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER).setMetadataLogDirectory(dir.toString())
                    .setDirectories(List.of(dir.toString())).run();
        }

        /** A port free on loopback now (the broker binds it a moment later). */
        private static int freePort() throws IOException {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                return s.getLocalPort();
            }
        }
    }
}
