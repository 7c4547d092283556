package io.vectorstream.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorstream.operators.internal.TimeBuckets;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/** {@link TimeBuckets}: insertion order per bucket, buckets of other keys and times untouched, nothing left after the drains. */
class TimeBucketsTest {

    @Test
    void addsOneEntryPerValueAndDrainsInInsertionOrder() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new Probe()),
                (Tuple2<String, String> r) -> r.f0, Types.STRING)) {
            h.setStateBackend(new HashMapStateBackend());
            h.open();
            for (int i = 0; i < 50; i++) {
                h.processElement(Tuple2.of("k", "add 7 v" + i), 1L);
            }
            h.processElement(Tuple2.of("k", "add 9 w"), 1L);
            h.processElement(Tuple2.of("other", "add 7 x"), 1L);
            // The heap backend counts one entry per (key, state): counts and values under "k" and "other".
            assertThat(h.numKeyedStateEntries()).isEqualTo(4);

            h.processElement(Tuple2.of("k", "drain 7"), 2L);
            List<String> drained = h.extractOutputValues();
            assertThat(drained).hasSize(50);
            for (int i = 0; i < 50; i++) {
                assertThat(drained.get(i)).isEqualTo("v" + i);
            }
            assertThat(h.numKeyedStateEntries()).isEqualTo(4);

            h.processElement(Tuple2.of("k", "drain 9"), 3L);
            h.processElement(Tuple2.of("k", "drain 9"), 3L);
            h.processElement(Tuple2.of("other", "drain 7"), 3L);
            List<String> all = h.extractOutputValues();
            assertThat(all.subList(0, 50)).isEqualTo(drained);
            assertThat(all.subList(50, all.size())).as("a second drain finds nothing").containsExactly("w", "x");
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    /** "add <time> <value>" adds; "drain <time>" emits the bucket's values. */
    private static final class Probe extends KeyedProcessFunction<String, Tuple2<String, String>, String> {
        private transient TimeBuckets<String> buckets;

        @Override
        public void open(OpenContext ctx) {
            buckets = new TimeBuckets<>(getRuntimeContext(), "probe", StringSerializer.INSTANCE);
        }

        @Override
        public void processElement(Tuple2<String, String> r, Context ctx, Collector<String> out) throws Exception {
            String[] cmd = r.f1.split(" ");
            if (cmd[0].equals("add")) {
                buckets.add(Long.parseLong(cmd[1]), cmd[2]);
            } else {
                buckets.drain(Long.parseLong(cmd[1])).forEach(out::collect);
            }
        }
    }
}
