package io.vectorstream.bench.ann;

/**
 * The graph parameters every library of one run builds with: M (each library keeps 2M on its base layer) and
 * efConstruction. The one place for the defaults, M 16 and efConstruction 100. Immutable.
 *
 * @param m the per-node degree above the base layer, in [2, 512]
 * @param efConstruction the beam width of an insert's search, in [m, 3200]
 */
record GraphParams(int m, int efConstruction) {
    /** M 16, efConstruction 100: what every run used before the parameters could be chosen. */
    static final GraphParams DEFAULT = new GraphParams(16, 100);

    GraphParams {
        if (m < 2 || m > 512) {
            throw new IllegalArgumentException("--m must be in [2, 512]; m=" + m);
        }
        // 3200: Lucene's formats refuse a larger beam width, and a refusal inside one worker would lose the run.
        if (efConstruction < m || efConstruction > 3200) {
            throw new IllegalArgumentException("--ef-construction must be in [m, 3200] (Lucene's limit); efConstruction="
                    + efConstruction + ", m=" + m);
        }
    }

    /** The base layer's degree: 2M, as in hnswlib, Lucene and our index. */
    int m0() {
        return 2 * m;
    }

    /** For reports: {@code M 16 (2M on layer 0), efConstruction 100}. */
    String describe() {
        return "M " + m + " (2M on layer 0), efConstruction " + efConstruction;
    }

    /** Added to result file names when not the default, so a run never overwrites the default run's files. */
    String fileTag() {
        return equals(DEFAULT) ? "" : "-m" + m + "-efc" + efConstruction;
    }
}
