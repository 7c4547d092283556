package io.vectorstream.index.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
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

    @Test
    void longHeapMatchesASortedMultisetUnderPushPopAndReplaceTop() {
        long seed = 31L;
        SplittableRandom r = new SplittableRandom(seed);
        LongHeap heap = new LongHeap(1);
        TreeMap<Long, Integer> ref = new TreeMap<>(); // value -> copies held
        int size = 0;
        for (int op = 0; op < 300_000; op++) {
            // A small value range makes duplicates common; sizes swing between empty and a few thousand.
            long v = r.nextInt(2_000) - 1_000;
            int choice = size == 0 ? 0 : r.nextInt(op % 20_000 < 10_000 ? 5 : 3);
            if (choice == 0 || choice >= 3) {
                heap.push(v);
                ref.merge(v, 1, Integer::sum);
                size++;
            } else if (choice == 1) {
                long smallest = ref.firstKey();
                assertThat(heap.pop()).as("seed=%d op=%d", seed, op).isEqualTo(smallest);
                removeOne(ref, smallest);
                size--;
            } else {
                removeOne(ref, ref.firstKey());
                heap.replaceTop(v);
                ref.merge(v, 1, Integer::sum);
            }
            assertThat(heap.size()).isEqualTo(size);
            if (size > 0) {
                long first = ref.firstKey();
                assertThat(heap.peek()).as("seed=%d op=%d", seed, op).isEqualTo(first);
                if (size > 1) {
                    long second = ref.get(first) > 1 ? first : ref.higherKey(first);
                    assertThat(heap.peekSecond()).as("seed=%d op=%d", seed, op).isEqualTo(second);
                }
            }
        }
    }

    private static void removeOne(TreeMap<Long, Integer> multiset, long v) {
        multiset.computeIfPresent(v, (k, c) -> c == 1 ? null : c - 1);
    }

    @Test
    void visitedSetMatchesHashSetAcrossSparseAndDenseResetsAndGrowth() {
        long seed = 23L;
        SplittableRandom r = new SplittableRandom(seed);
        VisitedSet visited = new VisitedSet(10);
        Set<Integer> ref = new HashSet<>();
        int capacity = 10;
        for (int query = 0; query < 400; query++) {
            // Queries alternate between a few visits (sparse clear), most of the range (full clear) and growth.
            if (query % 50 == 49) {
                capacity = capacity * 3 + 65;
            }
            visited.reset(capacity);
            ref.clear();
            int visits = query % 3 == 0 ? capacity * 2 : 1 + r.nextInt(8);
            for (int v = 0; v < visits; v++) {
                int ord = r.nextInt(capacity);
                assertThat(visited.visit(ord)).as("seed=%d query=%d ord=%d", seed, query, ord).isEqualTo(ref.add(ord));
            }
            if (query % 5 != 4) {
                continue;
            }
            // Every ordinal answers as the reference does, word edges (63, 64) included: nothing a sparse or a
            // full clear should have removed survives it. (This fills the set, so the next reset is a full one.)
            for (int ord = 0; ord < capacity; ord++) {
                assertThat(visited.visit(ord)).as("seed=%d query=%d ord=%d", seed, query, ord).isEqualTo(ref.add(ord));
            }
        }
    }
}
