package io.vectorstream.jobs;

import io.vectorstream.operators.VectorSearchConfig;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Everything the VectorStream job needs beyond the operator settings: Kafka topics and format, delivery,
 * watermarks, state backend and checkpoints. Immutable; build with {@link #builder(String)}.
 */
public final class PipelineSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Default for {@link #idleness()}: a record read at most this long after its event time is never late, and a
     * lone event-time query is answered about this long after it was sent.
     */
    public static final Duration DEFAULT_IDLENESS = Duration.ofSeconds(5);
    /** Default for {@link #maxEventTimeAhead()}. */
    public static final Duration DEFAULT_MAX_EVENT_TIME_AHEAD = Duration.ofHours(1);

    /** Wire format of the input topics. */
    public enum Format { AVRO, JSON }

    private final String bootstrap;
    private final String vectorsTopic;
    private final String queriesTopic;
    private final String resultsTopic;
    private final String deadLettersTopic;
    private final Format format;
    private final String groupId;
    private final boolean exactlyOnce;
    private final String transactionalIdPrefix;
    private final boolean bounded;
    private final Duration outOfOrderness;
    private final Duration idleness;
    private final Duration maxEventTimeAhead;
    private final Properties kafkaProperties;
    private final List<String> eventWriterSchemas;
    private final List<String> queryWriterSchemas;
    private final VectorSearchConfig search;

    private PipelineSpec(Builder b) {
        bootstrap = b.bootstrap;
        vectorsTopic = b.vectorsTopic;
        queriesTopic = b.queriesTopic;
        resultsTopic = b.resultsTopic;
        deadLettersTopic = b.deadLettersTopic;
        format = b.format;
        groupId = b.groupId;
        exactlyOnce = b.exactlyOnce;
        transactionalIdPrefix = b.transactionalIdPrefix;
        bounded = b.bounded;
        outOfOrderness = b.outOfOrderness;
        idleness = b.idleness;
        maxEventTimeAhead = b.maxEventTimeAhead;
        kafkaProperties = b.kafkaProperties;
        eventWriterSchemas = List.copyOf(b.eventWriterSchemas);
        queryWriterSchemas = List.copyOf(b.queryWriterSchemas);
        search = b.search;
    }

    /** The spec from a Flink configuration ({@link VectorStreamJobOptions} and the operators' options). */
    public static PipelineSpec fromConfiguration(ReadableConfig c, Properties kafkaProperties) {
        return builder(c.get(VectorStreamJobOptions.BOOTSTRAP))
                .topics(c.get(VectorStreamJobOptions.VECTORS_TOPIC), c.get(VectorStreamJobOptions.QUERIES_TOPIC),
                        c.get(VectorStreamJobOptions.RESULTS_TOPIC), c.get(VectorStreamJobOptions.DEAD_LETTERS_TOPIC))
                .format(c.get(VectorStreamJobOptions.FORMAT)).groupId(c.get(VectorStreamJobOptions.GROUP_ID))
                .transactionalIdPrefix(c.get(VectorStreamJobOptions.TRANSACTIONAL_ID_PREFIX))
                .exactlyOnce(c.get(VectorStreamJobOptions.EXACTLY_ONCE)).bounded(c.get(VectorStreamJobOptions.BOUNDED))
                .outOfOrderness(c.get(VectorStreamJobOptions.OUT_OF_ORDERNESS))
                .idleness(c.get(VectorStreamJobOptions.IDLENESS))
                .maxEventTimeAhead(c.get(VectorStreamJobOptions.MAX_EVENT_TIME_AHEAD))
                .kafkaProperties(kafkaProperties)
                .writerSchemas(readSchemaFiles(c.get(VectorStreamJobOptions.WRITER_SCHEMA_FILES)))
                .search(VectorSearchConfig.fromConfiguration(c))
                .build();
    }

    /** The text of each {@code .avsc} file, read where the job graph is built. */
    static List<String> readSchemaFiles(List<String> paths) {
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            try {
                out.add(Files.readString(Path.of(p), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalArgumentException(VectorStreamJobOptions.WRITER_SCHEMA_FILES.key()
                        + " must name readable files; path=" + p + ", error=" + e, e);
            }
        }
        return out;
    }

    public static Builder builder(String bootstrap) {
        return new Builder(bootstrap);
    }

    public String bootstrap() { return bootstrap; }
    public String vectorsTopic() { return vectorsTopic; }
    public String queriesTopic() { return queriesTopic; }
    public String resultsTopic() { return resultsTopic; }
    public String deadLettersTopic() { return deadLettersTopic; }
    public Format format() { return format; }
    public String groupId() { return groupId; }
    public boolean exactlyOnce() { return exactlyOnce; }
    public String transactionalIdPrefix() { return transactionalIdPrefix; }
    /** Stop at the offsets that are latest at start (tests, backfills). */
    public boolean bounded() { return bounded; }
    public Duration outOfOrderness() { return outOfOrderness; }
    /**
     * After this long without records a source partition's watermark follows the clock (minus this span) instead
     * of its last record. Trade-off in EVENT_TIME mode: too short, and a record read more than this long after its
     * event time (a slow producer, a restart) arrives late (a dead letter); too long, and a lone query waits this
     * long for its answer when no other traffic moves the watermark.
     */
    public Duration idleness() { return idleness; }
    /**
     * Records whose event time lies further than this ahead of the job's clock are dead letters (one such record
     * would carry its partition's watermark into the future and make every later record there late). Zero: off.
     */
    public Duration maxEventTimeAhead() { return maxEventTimeAhead; }
    /** Kafka client properties for every source and sink (TLS, SASL, ...); a copy. */
    public Properties kafkaProperties() {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        return p;
    }
    /**
     * Writer schemas (Avro schema JSON) of {@code VectorEvent} that the vectors source accepts besides the current
     * and the released ones ({@link io.vectorstream.schemas.SchemaHistory}); unmodifiable.
     */
    public List<String> eventWriterSchemas() { return eventWriterSchemas; }
    /** As {@link #eventWriterSchemas()}, for {@code VectorQuery} and the queries source. */
    public List<String> queryWriterSchemas() { return queryWriterSchemas; }
    public VectorSearchConfig search() { return search; }

    /** Mutable builder; setters check their argument. */
    public static final class Builder {
        private final String bootstrap;
        private String vectorsTopic = "vectors";
        private String queriesTopic = "queries";
        private String resultsTopic = "results";
        private String deadLettersTopic = "dead-letters";
        private Format format = Format.AVRO;
        private String groupId = "vectorstream";
        private boolean exactlyOnce = true;
        private String transactionalIdPrefix = "vectorstream";
        private boolean bounded;
        private Duration outOfOrderness = Duration.ZERO;
        private Duration idleness = DEFAULT_IDLENESS;
        private Duration maxEventTimeAhead = DEFAULT_MAX_EVENT_TIME_AHEAD;
        private final Properties kafkaProperties = new Properties();
        private final List<String> eventWriterSchemas = new ArrayList<>();
        private final List<String> queryWriterSchemas = new ArrayList<>();
        private VectorSearchConfig search = VectorSearchConfig.builder().build();

        private Builder(String bootstrap) {
            if (bootstrap == null || bootstrap.isBlank()) {
                throw new IllegalArgumentException("bootstrap must be host:port[,host:port]; bootstrap=" + bootstrap);
            }
            this.bootstrap = bootstrap;
        }

        public Builder topics(String vectors, String queries, String results, String deadLetters) {
            vectorsTopic = requireName("vectorsTopic", vectors);
            queriesTopic = requireName("queriesTopic", queries);
            resultsTopic = requireName("resultsTopic", results);
            deadLettersTopic = requireName("deadLettersTopic", deadLetters);
            return this;
        }

        public Builder format(Format f) { format = f; return this; }
        public Builder groupId(String g) { groupId = requireName("groupId", g); return this; }
        public Builder exactlyOnce(boolean e) { exactlyOnce = e; return this; }
        public Builder transactionalIdPrefix(String p) { transactionalIdPrefix = requireName("transactionalIdPrefix", p); return this; }
        public Builder bounded(boolean b) { bounded = b; return this; }

        public Builder outOfOrderness(Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("outOfOrderness must be >= 0; outOfOrderness=" + d);
            }
            outOfOrderness = d;
            return this;
        }

        public Builder idleness(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("idleness must be > 0; idleness=" + d);
            }
            idleness = d;
            return this;
        }

        public Builder maxEventTimeAhead(Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("maxEventTimeAhead must be >= 0 (0: no limit); maxEventTimeAhead=" + d);
            }
            maxEventTimeAhead = d;
            return this;
        }

        /** Adds Kafka client properties for every source and sink; later calls override earlier keys. */
        public Builder kafkaProperties(Properties p) {
            if (p == null) {
                throw new IllegalArgumentException("kafkaProperties must not be null; kafkaProperties=null");
            }
            kafkaProperties.putAll(p);
            return this;
        }

        /**
         * Adds writer schemas (Avro schema JSON of {@code VectorEvent} or {@code VectorQuery}, routed by record name)
         * that the Avro sources accept besides the current and the released ones, e.g. of a producer upgraded to a
         * newer schema before the job. The job checks, when it is built, that the current schema can read each.
         */
        public Builder writerSchemas(List<String> schemaJson) {
            if (schemaJson == null) {
                throw new IllegalArgumentException("writerSchemas must not be null; writerSchemas=null");
            }
            for (String json : schemaJson) {
                if (json == null) {
                    throw new IllegalArgumentException("writerSchemas must not contain null; writerSchemas=" + schemaJson);
                }
                Schema s;
                try {
                    s = new Schema.Parser().parse(json);
                } catch (SchemaParseException e) {
                    throw new IllegalArgumentException("writerSchemas must be Avro schema JSON; error=" + e.getMessage(), e);
                }
                if (s.getFullName().equals(io.vectorstream.schemas.VectorEvent.getClassSchema().getFullName())) {
                    eventWriterSchemas.add(json);
                } else if (s.getFullName().equals(io.vectorstream.schemas.VectorQuery.getClassSchema().getFullName())) {
                    queryWriterSchemas.add(json);
                } else {
                    throw new IllegalArgumentException("writerSchemas must be schemas of "
                            + io.vectorstream.schemas.VectorEvent.getClassSchema().getFullName() + " or "
                            + io.vectorstream.schemas.VectorQuery.getClassSchema().getFullName() + "; name="
                            + s.getFullName());
                }
            }
            return this;
        }

        public Builder search(VectorSearchConfig c) {
            if (c == null) {
                throw new IllegalArgumentException("search must not be null; search=null");
            }
            search = c;
            return this;
        }

        public PipelineSpec build() {
            if (format == Format.JSON && !(eventWriterSchemas.isEmpty() && queryWriterSchemas.isEmpty())) {
                throw new IllegalArgumentException("writerSchemas apply to Avro input only; format=JSON, writerSchemas="
                        + (eventWriterSchemas.size() + queryWriterSchemas.size()));
            }
            return new PipelineSpec(this);
        }

        private static String requireName(String field, String v) {
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException(field + " must not be blank; " + field + "=" + v);
            }
            return v;
        }
    }
}
