package io.vectorstream.operators.internal;

import io.vectorstream.index.IndexChangeListener;
import java.util.Arrays;

/**
 * Collects which ordinals one index mutation touched, so the operator writes exactly those state entries.
 * Reused across mutations ({@link #clear()}); no allocation once its arrays have grown. Not thread-safe.
 */
public final class ChangeTracker implements IndexChangeListener {
    private int[] changed = new int[64];
    private int changedCount;
    private int[] removed = new int[4];
    private int removedCount;

    public void clear() {
        changedCount = 0;
        removedCount = 0;
    }

    @Override
    public void nodeChanged(int ord) {
        if (changedCount == changed.length) {
            changed = Arrays.copyOf(changed, changedCount * 2);
        }
        changed[changedCount++] = ord;
    }

    @Override
    public void nodeRemoved(int ord) {
        if (removedCount == removed.length) {
            removed = Arrays.copyOf(removed, removedCount * 2);
        }
        removed[removedCount++] = ord;
    }

    @Override
    public void metadataChanged() {
        // The operator rewrites the metadata after every mutation anyway.
    }

    /** Sorts and de-duplicates the changed ordinals in place; returns how many remain. */
    public int distinctChanged() {
        Arrays.sort(changed, 0, changedCount);
        int n = 0;
        for (int i = 0; i < changedCount; i++) {
            if (n == 0 || changed[n - 1] != changed[i]) {
                changed[n++] = changed[i];
            }
        }
        changedCount = n;
        return n;
    }

    public int changed(int i) {
        return changed[i];
    }

    public int removedCount() {
        return removedCount;
    }

    public int removed(int i) {
        return removed[i];
    }
}
