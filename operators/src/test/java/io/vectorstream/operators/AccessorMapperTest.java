package io.vectorstream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** An accessor that throws on a user's record turns it into a dead letter; the stream goes on. */
class AccessorMapperTest {

    /** A user's event type: "id,x,y", or garbage. */
    static final VectorSearch.EventAccessor<String> CSV = new VectorSearch.EventAccessor<>() {
        @Override public String op(String s) { return "upsert"; }
        @Override public Long id(String s) { return Long.parseLong(s.split(",")[0]); }
        @Override public String key(String s) { return "k"; }
        @Override public float[] vector(String s) {
            String[] p = s.split(",");
            return new float[] {Float.parseFloat(p[1]), Float.parseFloat(p[2])};
        }
        @Override public long eventTime(String s) { return 7L; }
    };

    @Test
    void throwingAccessorBecomesADeadLetterAndGoodRecordsPass() throws Exception {
        VectorSearch.AccessorMapper<String, VectorEvent> mapper =
                new VectorSearch.AccessorMapper<>(s -> VectorSearch.toEvent(CSV, s), "vector-event");
        try (OneInputStreamOperatorTestHarness<String, VectorEvent> h =
                     ProcessFunctionTestHarnesses.forProcessFunction(mapper)) {
            h.processElement("1,0.5,2", 10L);
            h.processElement("two,0.5,2", 11L);
            h.processElement("3,1,1", 12L);
            List<VectorEvent> out = h.extractOutputValues();
            assertThat(out).extracting(VectorEvent::id).containsExactly(1L, 3L);
            assertThat(out.get(0).vector()).containsExactly(0.5f, 2f);
            var dead = h.getSideOutput(VectorIndexFunction.DEAD_LETTERS);
            assertThat(dead).hasSize(1);
            DeadLetter d = dead.peek().getValue();
            assertThat(d.reason()).startsWith("vector-event accessor must read the record; error=")
                    .contains("NumberFormatException").contains("two");
            assertThat(d.record()).isEqualTo("two,0.5,2");
            assertThat(d.timestamp()).isEqualTo(11L);
            assertThat(dead).extracting(StreamRecord::getValue).hasSize(1);
        }
    }
}
