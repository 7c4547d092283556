package io.vectorstream.bench;

/** Heap in use after the collector settled: what the benchmarks report as memory. Call from one thread. */
public final class HeapMeter {
    private HeapMeter() {}

    /** Bytes in use after three full collections, each given time to finish its concurrent and reference work. */
    public static long settledUsedBytes() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
