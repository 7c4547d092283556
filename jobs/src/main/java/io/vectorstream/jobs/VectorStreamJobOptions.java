package io.vectorstream.jobs;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The job's own settings (Kafka, topics, watermarks, delivery, restore) as Flink {@link ConfigOption}s, the one
 * place for their defaults. Set them in {@code config.yaml}, with {@code -D key=value} (CLI or {@code flink run}),
 * or in a FlinkDeployment's {@code flinkConfiguration}; a {@code vectorstream run} flag overrides only the key it
 * names. The operators' settings are in {@link io.vectorstream.operators.VectorSearchOptions}.
 */
public final class VectorStreamJobOptions {
    private VectorStreamJobOptions() {}

    public static final ConfigOption<String> BOOTSTRAP = ConfigOptions.key("vectorstream.kafka.bootstrap-servers")
            .stringType().defaultValue("localhost:9092").withDescription("Kafka bootstrap servers.");

    public static final ConfigOption<String> VECTORS_TOPIC = ConfigOptions.key("vectorstream.topics.vectors")
            .stringType().defaultValue("vectors").withDescription("Input topic of vector events.");

    public static final ConfigOption<String> QUERIES_TOPIC = ConfigOptions.key("vectorstream.topics.queries")
            .stringType().defaultValue("queries").withDescription("Input topic of queries.");

    public static final ConfigOption<String> RESULTS_TOPIC = ConfigOptions.key("vectorstream.topics.results")
            .stringType().defaultValue("results").withDescription("Output topic of answers (NeighborResult).");

    public static final ConfigOption<String> DEAD_LETTERS_TOPIC = ConfigOptions.key("vectorstream.topics.dead-letters")
            .stringType().defaultValue("dead-letters").withDescription("Output topic of rejected records (DeadLetter).");

    public static final ConfigOption<PipelineSpec.Format> FORMAT = ConfigOptions.key("vectorstream.format")
            .enumType(PipelineSpec.Format.class).defaultValue(PipelineSpec.Format.AVRO)
            .withDescription("Wire format of the input topics: AVRO (single-object encoding) or JSON.");

    public static final ConfigOption<List<String>> WRITER_SCHEMA_FILES =
            ConfigOptions.key("vectorstream.avro.writer-schema-files").stringType().asList().defaultValues()
                    .withDescription("Avro schema files (.avsc) of VectorEvent or VectorQuery that the Avro sources "
                            + "accept besides the current and every released version (which the job always "
                            + "accepts), e.g. of a producer upgraded to a newer schema before the job. Read where the "
                            + "job graph is built; the current schema must be able to read each.");

    public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("vectorstream.kafka.group-id")
            .stringType().defaultValue("vectorstream").withDescription("Consumer group of the sources.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("vectorstream.kafka.transactional-id-prefix").stringType().defaultValue("vectorstream")
                    .withDescription("Prefix of the exactly-once sinks' transactional ids; unique per job on a cluster.");

    public static final ConfigOption<Boolean> EXACTLY_ONCE = ConfigOptions.key("vectorstream.exactly-once")
            .booleanType().defaultValue(true)
            .withDescription("Transactional sinks committed on checkpoints; false writes at least once, sooner.");

    public static final ConfigOption<Boolean> BOUNDED = ConfigOptions.key("vectorstream.bounded")
            .booleanType().defaultValue(false)
            .withDescription("Stop at the input offsets that are latest when the job first starts.");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = ConfigOptions.key("vectorstream.watermark.out-of-orderness")
            .durationType().defaultValue(Duration.ZERO)
            .withDescription("How far behind the latest event time of its partition a record may be and not be late.");

    public static final ConfigOption<Duration> IDLENESS = ConfigOptions.key("vectorstream.watermark.idleness")
            .durationType().defaultValue(PipelineSpec.DEFAULT_IDLENESS)
            .withDescription("After this long without records a partition's watermark follows the clock minus this "
                    + "span: a record read later than this after its event time is late, and a lone EVENT_TIME "
                    + "query is answered about this long after it was sent.");

    public static final ConfigOption<Duration> MAX_EVENT_TIME_AHEAD = ConfigOptions.key("vectorstream.max-event-time-ahead")
            .durationType().defaultValue(PipelineSpec.DEFAULT_MAX_EVENT_TIME_AHEAD)
            .withDescription("Records with an event time further ahead of the clock are dead letters; 0 turns it off.");

    public static final ConfigOption<Boolean> RESUME = ConfigOptions.key("vectorstream.resume-from-latest-checkpoint")
            .booleanType().defaultValue(true)
            .withDescription("When no savepoint is given, restore the latest completed checkpoint under the "
                    + "checkpoint directory (checkpoints are retained on cancel and failure). false starts fresh.");

    public static final ConfigOption<Duration> DEFAULT_CHECKPOINT_INTERVAL = ConfigOptions
            .key("vectorstream.default-checkpoint-interval").durationType().defaultValue(Duration.ofSeconds(10))
            .withDescription("Checkpoint interval used when neither the cluster (execution.checkpointing.interval) "
                    + "nor a flag sets one: exactly-once answers are visible only after a checkpoint.");
}
