package io.vectorstream.index.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PrimitiveCollectionsTest {

    @Test
    void longIntHashMapMatchesHashMapUnderRandomChurn() {
        long seed = 11L;
        SplittableRandom r = new SplittableRandom(seed);
        LongIntHashMap map = new LongIntHashMap(4);
        Map<Long, Integer> ref = new HashMap<>();
        for (int op = 0; op < 200_000; op++) {
            // A small key space forces collisions, probe chains and backward shifts.
            long key = r.nextInt(5_000) * 0x100000001L - 7;
            int choice = r.nextInt(3);
            if (choice == 0) {
                int v = r.nextInt(1_000_000);
                Integer old = ref.put(key, v);
                assertThat(map.put(key, v)).isEqualTo(old == null ? -1 : old);
            } else if (choice == 1) {
                Integer old = ref.remove(key);
                assertThat(map.remove(key)).as("seed=%d op=%d", seed, op).isEqualTo(old == null ? -1 : old);
            } else {
                Integer v = ref.get(key);
                assertThat(map.get(key)).as("seed=%d op=%d", seed, op).isEqualTo(v == null ? -1 : v);
            }
            assertThat(map.size()).isEqualTo(ref.size());
        }
    }

    @Test
    void longHeapAndScoredOrdOrderByDistanceThenOrdinal() {
        SplittableRandom r = new SplittableRandom(5);
        LongHeap heap = new LongHeap(2);
        PriorityQueue<Long> ref = new PriorityQueue<>();
        for (int i = 0; i < 5_000; i++) {
            float d = (float) (r.nextDouble() * 200 - 100);
            long p = ScoredOrd.pack(d, r.nextInt(1 << 30));
            assertThat(ScoredOrd.distance(p)).isEqualTo(d);
            heap.push(p);
            ref.add(p);
            if (r.nextInt(4) == 0) {
                assertThat(heap.pop()).isEqualTo(ref.poll());
            }
        }
        float last = Float.NEGATIVE_INFINITY;
        while (!heap.isEmpty()) {
            long p = heap.pop();
            assertThat(p).isEqualTo(ref.poll());
            assertThat(ScoredOrd.distance(p)).isGreaterThanOrEqualTo(last);
            last = ScoredOrd.distance(p);
        }
        assertThat(ScoredOrd.pack(1f, 2)).isLessThan(ScoredOrd.pack(1f, 3));
        assertThat(ScoredOrd.pack(-0.5f, 9)).isLessThan(ScoredOrd.pack(0.25f, 1));
    }
}
