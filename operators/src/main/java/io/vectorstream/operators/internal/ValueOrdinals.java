package io.vectorstream.operators.internal;

import io.vectorstream.index.OrdinalBitSet;
import java.util.Arrays;

/**
 * The ordinals of the nodes holding one attribute value ({@code name = value}). Kept as a plain list of
 * ordinals while the value is rare, as an {@link OrdinalBitSet} once that is smaller: a bitset costs
 * {@code ordinalBound / 8} bytes whatever its size, so a bitset per value of a high-cardinality attribute (GLOBAL
 * mode's partition key, a user id) would cost n<sup>2</sup>/8 bytes for n vectors. Not thread-safe.
 */
final class ValueOrdinals {
    final String name;
    final String value;
    /** The members while sparse, unsorted (only OR-ed into a bitset, so order is never needed). */
    private int[] list = new int[2];
    /** The members once dense; then {@link #list} is unused. */
    private OrdinalBitSet bits;
    private int size;

    ValueOrdinals(String name, String value) {
        this.name = name;
        this.value = value;
    }

    int size() {
        return size;
    }

    boolean isDense() {
        return bits != null;
    }

    /** Adds {@code ord}, which must not be a member; {@code bound} is the index's ordinal bound. */
    void add(int ord, int bound) {
        assert !contains(ord) : "ordinal added twice: " + ord;
        if (bits != null) {
            bits.set(ord);
        } else {
            if (size == list.length) {
                list = Arrays.copyOf(list, size * 2);
            }
            list[size] = ord;
        }
        size++;
        rebalance(bound);
    }

    /** Removes {@code ord} if it is a member. */
    void remove(int ord, int bound) {
        if (bits != null) {
            if (!bits.get(ord)) {
                return;
            }
            bits.clear(ord);
            size--;
            rebalance(bound);
            return;
        }
        for (int i = 0; i < size; i++) {
            if (list[i] == ord) {
                list[i] = list[--size]; // order does not matter: swap the last one in
                rebalance(bound);
                return;
            }
        }
    }

    /**
     * Picks the smaller form. A list entry costs 32 bits, a bitset 1 bit per ordinal below the bound: go dense
     * when the list would be larger, back to a list only at half that density (so a value at the boundary does
     * not flip on every change; the bound grows with the index, so a value that was dense in a small index turns
     * back into a list as it gets relatively rarer).
     */
    private void rebalance(int bound) {
        if (bits == null && (long) size * 32 > bound) {
            bits = new OrdinalBitSet(bound);
            for (int i = 0; i < size; i++) {
                bits.set(list[i]);
            }
            list = null;
        } else if (bits != null && (long) size * 64 < bound) {
            list = new int[Math.max(2, size)];
            int n = 0;
            for (int o = bits.nextSetBit(0); o >= 0; o = bits.nextSetBit(o + 1)) {
                list[n++] = o;
            }
            bits = null;
        }
    }

    boolean contains(int ord) {
        if (bits != null) {
            return bits.get(ord);
        }
        for (int i = 0; i < size; i++) {
            if (list[i] == ord) {
                return true;
            }
        }
        return false;
    }

    /** Adds every member to {@code target} (which grows if needed). */
    void orInto(OrdinalBitSet target) {
        if (bits != null) {
            target.or(bits);
            return;
        }
        int[] l = list;
        for (int i = 0, n = size; i < n; i++) {
            target.set(l[i]);
        }
    }

    /** Heap bytes of this object and its members; the name and value strings are counted by the caller. */
    long ramBytesUsed() {
        return 32L + (bits != null ? bits.ramBytesUsed() : 16L + 4L * list.length);
    }
}
