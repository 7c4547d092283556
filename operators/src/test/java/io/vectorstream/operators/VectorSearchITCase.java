package io.vectorstream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole operator graph on a MiniCluster with RocksDB and checkpoints: a run with a failure injected
 * after a completed checkpoint (restart from it) answers exactly like a run without failure.
 */
class VectorSearchITCase {
    static final int EVENTS = 1_600;
    static final int QUERIES = 160;
    static final int DIM = 12;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @ParameterizedTest
    @EnumSource(IndexMode.class)
    void failureAndRestartGiveTheSameAnswersAsARunWithout(IndexMode mode) throws Exception {
        List<String> clean = run(mode, false);
        assertThat(clean).hasSize(QUERIES);
        assertThat(new TreeSet<>(clean)).as("one answer per query").hasSize(QUERIES);
        List<String> recovered = run(mode, true);
        assertThat(MiniClusterRuns.FAILED.get()).as("the failure was injected").isTrue();
        // As multisets (sorted lists): a duplicate answer after the restore would show.
        assertThat(recovered).isEqualTo(clean);
    }

    /** The answers of one run, sorted, duplicates kept. */
    private static List<String> run(IndexMode mode, boolean injectFailure) throws Exception {
        StreamExecutionEnvironment env = MiniClusterRuns.environment(injectFailure);

        VectorSearchConfig config = VectorSearchConfig.builder().mode(mode).shards(4).dimension(DIM)
                .consistency(ConsistencyMode.EVENT_TIME).maxConn(8).efConstruction(40).exactThreshold(0).build();
        DataStream<VectorEvent> events = MiniClusterRuns.events(env, new EventGenerator(), EVENTS, 1_600,
                injectFailure);
        DataStream<VectorQuery> queries = MiniClusterRuns.queries(env, new QueryGenerator(), QUERIES, 160);
        VectorSearch.Output out = VectorSearch.builder(config).events(events).queries(queries).build();
        List<String> answers = new ArrayList<>();
        List<QueryResult> all = new ArrayList<>();
        try (CloseableIterator<QueryResult> it = out.results().executeAndCollect("vectorstream-it-" + mode)) {
            it.forEachRemaining(all::add);
        }
        for (QueryResult r : all) {
            assertThat(r.complete()).isTrue();
            answers.add(r.answerString());
        }
        answers.sort(null);
        return answers;
    }

    static final class EventGenerator implements GeneratorFunction<Long, VectorEvent> {
        @Override
        public VectorEvent map(Long i) {
            SplittableRandom r = new SplittableRandom(i);
            String key = "key-" + (i % 4);
            if (i % 10 == 9) {
                return VectorEvent.delete(key, i - 5, i);
            }
            return VectorEvent.upsert(key, i, OperatorTestSupport.vector(r, DIM), i);
        }
    }

    static final class QueryGenerator implements GeneratorFunction<Long, VectorQuery> {
        @Override
        public VectorQuery map(Long j) {
            SplittableRandom r = new SplittableRandom(1_000_000 + j);
            // One query per 10 event-time units, interleaved with the events.
            return new VectorQuery("q" + j, "key-" + (j % 4), OperatorTestSupport.vector(r, DIM), 5, 0, null, j * 10 + 5);
        }
    }
}
