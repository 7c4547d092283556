package io.vectorstream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorstream.schemas.NeighborResult;
import io.vectorstream.schemas.VectorEvent;
import io.vectorstream.schemas.VectorQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The extra writer schemas of the Avro sources: routed by record name, read from files, checked when the job is built. */
class PipelineSpecTest {
    static final Schema EVENT_V0 = EarlierSchemas.without(VectorEvent.getClassSchema(), "routingHash");
    static final Schema QUERY_V0 = EarlierSchemas.without(VectorQuery.getClassSchema(), "efSearch");

    @Test
    void writerSchemasGoToTheSourceOfTheirRecord() {
        PipelineSpec spec = PipelineSpec.builder("localhost:9092")
                .writerSchemas(List.of(EVENT_V0.toString(), QUERY_V0.toString())).build();
        assertThat(spec.eventWriterSchemas()).containsExactly(EVENT_V0.toString());
        assertThat(spec.queryWriterSchemas()).containsExactly(QUERY_V0.toString());
        assertThat(PipelineSpec.builder("localhost:9092").build().eventWriterSchemas()).isEmpty();
    }

    @Test
    void writerSchemasOfOtherRecordsOrOfJsonInputAreRefused() {
        assertThatThrownBy(() -> PipelineSpec.builder("localhost:9092")
                .writerSchemas(List.of(NeighborResult.getClassSchema().toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("writerSchemas must be schemas of io.vectorstream.schemas.VectorEvent or "
                        + "io.vectorstream.schemas.VectorQuery; name=io.vectorstream.schemas.NeighborResult");
        assertThatThrownBy(() -> PipelineSpec.builder("localhost:9092").writerSchemas(List.of("{")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("writerSchemas must be Avro schema JSON");
        assertThatThrownBy(() -> PipelineSpec.builder("localhost:9092").format(PipelineSpec.Format.JSON)
                .writerSchemas(List.of(EVENT_V0.toString())).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("writerSchemas apply to Avro input only; format=JSON, writerSchemas=1");
    }

    @Test
    void theConfigurationNamesSchemaFiles(@TempDir Path tmp) throws Exception {
        Path event = Files.writeString(tmp.resolve("VectorEvent-v0.avsc"), EVENT_V0.toString(true));
        Configuration c = new Configuration();
        c.set(VectorStreamJobOptions.WRITER_SCHEMA_FILES, List.of(event.toString()));
        PipelineSpec spec = PipelineSpec.fromConfiguration(c, new Properties());
        assertThat(spec.eventWriterSchemas()).singleElement()
                .satisfies(json -> assertThat(new Schema.Parser().parse(json)).isEqualTo(EVENT_V0));
        assertThat(spec.queryWriterSchemas()).isEmpty();

        Path missing = tmp.resolve("missing.avsc");
        c.set(VectorStreamJobOptions.WRITER_SCHEMA_FILES, List.of(missing.toString()));
        assertThatThrownBy(() -> PipelineSpec.fromConfiguration(c, new Properties()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("vectorstream.avro.writer-schema-files must name readable files; path=" + missing);
    }

    @Test
    void aWriterSchemaTheJobCannotReadFailsTheBuildNotARecord() {
        // eventTime has no default: records of a writer without it cannot be read.
        Schema noTime = EarlierSchemas.without(VectorEvent.getClassSchema(), "eventTime");
        PipelineSpec spec = PipelineSpec.builder("localhost:9092").writerSchemas(List.of(noTime.toString())).build();
        StreamExecutionEnvironment env = LocalFlink.environment(1, "hashmap", null, Duration.ofSeconds(1), 0,
                Duration.ZERO);
        assertThatThrownBy(() -> VectorStreamPipeline.build(env, spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("writer schema must be readable with the current VectorEvent schema; writer="
                        + "io.vectorstream.schemas.VectorEvent " + EarlierSchemas.hex(noTime));
    }
}
