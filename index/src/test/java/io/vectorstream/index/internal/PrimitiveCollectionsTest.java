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
            // Phases of 4,000 ops alternate between growth (3 pushes, 1 pop, 1 replace in 5 ops) and draining
            // (1 push, 3 pops, 1 replace), so the size climbs to about 1,600 and comes back near 0 every 8,000 ops.
            // Values are mostly distinct, as the search's packed (distance, ordinal) pairs are; one in eight comes
            // from a tiny range below all others, so the smallest is often held twice.
            boolean growing = op % 8_000 < 4_000;
            int dice = r.nextInt(5);
            long v = r.nextInt(8) == 0 ? Long.MIN_VALUE + r.nextInt(4) : r.nextLong();
            boolean replace = dice == (growing ? 3 : 1);
            if (size == 0 || (growing ? dice < 3 : dice == 0)) {
                heap.push(v);
                ref.merge(v, 1, Integer::sum);
                size++;
            } else if (!replace) {
                long smallest = ref.firstKey();
                assertThat(heap.pop()).as("seed=%d op=%d", seed, op).isEqualTo(smallest);
                removeOne(ref, smallest);
                size--;
            } else {
                removeOne(ref, ref.firstKey());
                heap.replaceTop(v);
                ref.merge(v, 1, Integer::sum);
            }
            assertSmallestTwo(heap, ref, size, "seed=" + seed + " op=" + op);
        }
    }

    @Test
    void longHeapKeepsItsTopTwoAtEverySmallSize() {
        // Sizes 0 to 7 cover a top without children, a partial first group of four, and a second level.
        long[] values = {50, 20, 70, 20, 10, 90, 30};
        for (int n = 1; n <= values.length; n++) {
            LongHeap heap = new LongHeap(1);
            TreeMap<Long, Integer> ref = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                heap.push(values[i]);
                ref.merge(values[i], 1, Integer::sum);
                assertSmallestTwo(heap, ref, i + 1, "push, n=" + n + " i=" + i);
            }
            heap.replaceTop(60);
            removeOne(ref, ref.firstKey());
            ref.merge(60L, 1, Integer::sum);
            assertSmallestTwo(heap, ref, n, "replaceTop, n=" + n);
            for (int left = n - 1; left >= 0; left--) {
                long smallest = ref.firstKey();
                assertThat(heap.pop()).as("pop, n=%d", n).isEqualTo(smallest);
                removeOne(ref, smallest);
                assertSmallestTwo(heap, ref, left, "pop, n=" + n);
            }
            assertThat(heap.isEmpty()).isTrue();
        }
    }

    /** The heap holds {@code size} values, and its two smallest are the multiset's. */
    private static void assertSmallestTwo(LongHeap heap, TreeMap<Long, Integer> ref, int size, String where) {
        assertThat(heap.size()).as(where).isEqualTo(size);
        if (size > 0) {
            long first = ref.firstKey();
            assertThat(heap.peek()).as(where).isEqualTo(first);
            if (size > 1) {
                long second = ref.get(first) > 1 ? first : ref.higherKey(first);
                assertThat(heap.peekSecond()).as(where).isEqualTo(second);
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
