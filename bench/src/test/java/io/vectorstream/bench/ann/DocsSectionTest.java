package io.vectorstream.bench.ann;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a run's docs section is written: a new run replaces it; a re-render of an archived run does not. */
class DocsSectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode report(String command) {
        return JSON.createObjectNode().put("dataset", "fashion-mnist").put("metric", "l2").put("command", command)
                .put("date", "2026-11-29");
    }

    private static Path docsWithLiveRun(Path dir) throws IOException {
        Path docs = dir.resolve("benchmarks.md");
        Files.writeString(docs, "# Benchmarks\n\nbefore\n");
        assertThat(AnnBenchmark.updateDocs(docs, report("live run"), "| live table |", "fashion-mnist-l2-2026-11-29",
                "RATIO live", false)).isTrue();
        return docs;
    }

    @Test
    void aRerenderOfAnArchivedRunLeavesTheLiveSection(@TempDir Path dir) throws IOException {
        Path docs = docsWithLiveRun(dir);
        String before = Files.readString(docs);

        boolean written = AnnBenchmark.updateDocs(docs, report("archived run"), "| archived table |",
                "fashion-mnist-l2-2026-11-29-session20", "RATIO archived", true);

        assertThat(written).isFalse();
        assertThat(Files.readString(docs)).isEqualTo(before).contains("| live table |")
                .doesNotContain("archived");
    }

    @Test
    void aRerenderOfTheLiveRunAndANewRunBothReplaceIt(@TempDir Path dir) throws IOException {
        Path docs = docsWithLiveRun(dir);

        assertThat(AnnBenchmark.updateDocs(docs, report("live run"), "| re-rendered table |",
                "fashion-mnist-l2-2026-11-29", "RATIO live", true)).isTrue();
        assertThat(Files.readString(docs)).contains("| re-rendered table |").doesNotContain("| live table |");

        assertThat(AnnBenchmark.updateDocs(docs, report("new run"), "| new table |", "fashion-mnist-l2-2026-11-30",
                "RATIO new", false)).isTrue();
        String text = Files.readString(docs);
        assertThat(text).contains("| new table |", "raw: `bench/results/fashion-mnist-l2-2026-11-30.json`")
                .doesNotContain("| re-rendered table |").startsWith("# Benchmarks\n\nbefore\n");
        assertThat(text.split("ann:fashion-mnist-l2:begin", -1)).as("one section").hasSize(2);
    }
}
