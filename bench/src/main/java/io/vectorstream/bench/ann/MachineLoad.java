package io.vectorstream.bench.ann;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * The CPU the rest of the machine uses while a benchmark point runs: busy time from {@code /proc/stat} minus this
 * process's own CPU time, in cores. Linux only; elsewhere every figure is NaN. Not thread-safe.
 */
final class MachineLoad {
    private static final double JIFFY_SECONDS = 0.01; // USER_HZ is 100 on Linux
    private long busy0;
    private long own0;
    private long wall0;

    /** Starts a measurement window. */
    void start() {
        busy0 = busyJiffies();
        own0 = ownCpuNanos();
        wall0 = System.nanoTime();
    }

    /** Cores' worth of CPU used by other processes since {@link #start()}. */
    double foreignCores() {
        long busy = busyJiffies();
        long own = ownCpuNanos();
        double wall = (System.nanoTime() - wall0) / 1e9;
        if (busy < 0 || busy0 < 0 || own < 0 || wall <= 0) {
            return Double.NaN;
        }
        double foreign = (busy - busy0) * JIFFY_SECONDS - (own - own0) / 1e9;
        return Math.max(0, foreign / wall);
    }

    /**
     * Waits until other processes use at most {@code cores} over a 0.5 s window, or {@code maxMillis} passed;
     * returns the last foreign load seen.
     */
    double awaitQuiet(double cores, long maxMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + maxMillis;
        double seen;
        do {
            start();
            Thread.sleep(500); // a measuring window, not a synchronisation: the load is what is sampled
            seen = foreignCores();
        } while (!(seen <= cores) && System.currentTimeMillis() < deadline && !Double.isNaN(seen));
        return seen;
    }

    private static long busyJiffies() {
        try {
            String[] f = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return total - idle;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long ownCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
