package io.vectorstream.index.internal;

import java.util.Arrays;

/**
 * A binary min-heap of primitive longs that grows on demand and is reused across queries ({@link #clear()}
 * keeps the array). Candidates are packed by {@link ScoredOrd}; a max-heap stores {@code ~packed}.
 * Not thread-safe.
 */
public final class LongHeap {
    private long[] heap;
    private int size;

    /** An empty heap with room for {@code initialCapacity} values before it grows. */
    public LongHeap(int initialCapacity) {
        heap = new long[Math.max(4, initialCapacity)];
    }

    /** Number of values held. */
    public int size() {
        return size;
    }

    /** Whether no value is held. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Empties the heap, keeping its array. */
    public void clear() {
        size = 0;
    }

    /** The smallest value; the heap must not be empty. */
    public long peek() {
        assert size > 0;
        return heap[0];
    }

    /** Adds {@code v}, growing when full. */
    public void push(long v) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, heap.length * 2);
        }
        // Sift up.
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            long p = heap[parent];
            if (p <= v) {
                break;
            }
            heap[i] = p;
            i = parent;
        }
        heap[i] = v;
    }

    /** Removes and returns the smallest value; the heap must not be empty. */
    public long pop() {
        assert size > 0;
        long top = heap[0];
        long last = heap[--size];
        if (size > 0) {
            siftDown(last);
        }
        return top;
    }

    /** Replaces the top with {@code v} (one sift instead of pop + push). */
    public void replaceTop(long v) {
        assert size > 0;
        siftDown(v);
    }

    private void siftDown(long v) {
        long[] h = heap;
        int n = size;
        int i = 0;
        int half = n >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            long c = h[child];
            int right = child + 1;
            if (right < n && h[right] < c) {
                child = right;
                c = h[right];
            }
            if (v <= c) {
                break;
            }
            h[i] = c;
            i = child;
        }
        h[i] = v;
    }

    /** Direct access to the backing array, valid in {@code [0, size())}, in heap order. */
    public long[] array() {
        return heap;
    }
}
