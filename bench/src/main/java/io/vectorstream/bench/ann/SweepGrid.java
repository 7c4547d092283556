package io.vectorstream.bench.ann;

/**
 * The efSearch values one library is measured at: the run's fixed grid, then, while the library's recall is still
 * below {@link #reach}, larger values (each 1.25x the last) up to {@link #maxEf}. Data whose recall climbs slowly
 * (1M vectors at M 16 need ef near 1000 for 0.98) thus gets the points that bracket 0.99 without a hand-picked
 * grid, and a library that reaches it early is not measured further. The Node worker
 * ({@code bench/peers/ann-worker.mjs}) applies the same rule to the same arguments. Immutable.
 *
 * @param efs the fixed grid, rising
 * @param reach the recall@10 after which no point is added beyond the grid (0.995: just above the 0.99 target, so
 *     the point that reads QPS at 0.99 is interpolated, not extrapolated)
 * @param maxEf the largest efSearch added
 */
record SweepGrid(int[] efs, double reach, int maxEf) {
    /** Default {@link #reach}. */
    static final double DEFAULT_REACH = 0.995;
    /** Default {@link #maxEf}: at 1M x 128 the slowest peer still answers 2,000 queries within a minute. */
    static final int DEFAULT_MAX_EF = 4000;

    SweepGrid {
        efs = efs.clone(); // immutable: the caller's array may change
        if (efs.length == 0) {
            throw new IllegalArgumentException("--efs must name at least one efSearch; efs=[]");
        }
        if (!(reach > 0 && reach <= 1)) {
            throw new IllegalArgumentException("--reach must be in (0, 1]; reach=" + reach);
        }
        if (maxEf < efs[efs.length - 1] || maxEf > 100_000) {
            throw new IllegalArgumentException("--max-ef must be in [the grid's last ef, 100000]; maxEf=" + maxEf
                    + ", last ef=" + efs[efs.length - 1]);
        }
    }

    /** A sweep over the comma-separated grid {@code efs} (as checked by {@code AnnBenchmark.checkGrid}). */
    static SweepGrid parse(String efs, double reach, int maxEf) {
        return new SweepGrid(java.util.Arrays.stream(efs.split(",")).mapToInt(Integer::parseInt).toArray(), reach,
                maxEf);
    }

    /** The fixed grid (a copy). */
    @Override
    public int[] efs() {
        return efs.clone();
    }

    /** For reports: the grid, and the rule beyond it when it can add points. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        for (int ef : efs) {
            sb.append(sb.length() == 0 ? "" : ",").append(ef);
        }
        return maxEf > efs[efs.length - 1] ? sb + ", then x1.25 while recall < " + reach + " up to ef " + maxEf
                : sb.toString();
    }

    /**
     * The efSearch to measure after {@code ef} (the one just measured, which reached {@code recall}), or -1 to stop:
     * the grid's next value, else 1.25x while below {@link #reach} and {@link #maxEf}.
     */
    int next(int ef, double recall) {
        for (int g : efs) {
            if (g > ef) {
                return g;
            }
        }
        if (recall >= reach || ef >= maxEf) {
            return -1;
        }
        return Math.min(maxEf, Math.max(ef + 1, (int) Math.round(ef * 1.25)));
    }
}
