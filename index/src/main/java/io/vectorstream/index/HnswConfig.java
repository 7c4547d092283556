package io.vectorstream.index;

import java.util.Objects;

/**
 * Immutable configuration of an {@link HnswIndex}. Build with {@link #builder(int)}: each setter checks its
 * own argument, {@link Builder#build()} checks the rules between fields.
 *
 * <p>Names follow Lucene; the paper (Malkov &amp; Yashunin, "Efficient and robust approximate nearest
 * neighbor search using HNSW graphs", 2016/2018) calls them: {@code maxConn} = M (layer 0 keeps up to
 * {@code 2*M} = M<sub>max0</sub>), {@code beamWidth} = efConstruction, {@code levelMultiplier} =
 * m<sub>L</sub> (default {@code 1/ln(M)}), and the search-time {@code efSearch} = ef.
 *
 * <p>Thread-safe (immutable).
 */
public final class HnswConfig {

    /** Largest accepted dimension. */
    public static final int MAX_DIMENSION = 65_536;
    /** Largest accepted {@code maxConn}. */
    public static final int MAX_CONN_LIMIT = 512;
    /** Largest accepted {@code beamWidth}. */
    public static final int MAX_BEAM_WIDTH = 10_000;
    /**
     * Default {@link #exactSearchThreshold()}: the one place for it (the operators' option reads it). Below a
     * few hundred vectors a brute-force scan costs about what a graph search does and is always exact.
     */
    public static final int DEFAULT_EXACT_SEARCH_THRESHOLD = 256;
    /**
     * Default {@link #upperBeamWidth()}: 1, the paper's greedy descent (the one place for it; the operators' option
     * reads it).
     */
    public static final int DEFAULT_UPPER_BEAM_WIDTH = 1;
    /** Largest accepted {@link #upperBeamWidth()}. */
    public static final int MAX_UPPER_BEAM_WIDTH = 64;

    private final int dimension;
    private final VectorMetric metric;
    private final int maxConn;
    private final int beamWidth;
    private final double levelMultiplier;
    private final long seed;
    private final Quantization quantization;
    private final int quantizationTrainingSize;
    private final int exactSearchThreshold;
    private final boolean vectorsOnHeap;
    private final int rerankCandidates;
    private final int upperBeamWidth;

    private HnswConfig(Builder b) {
        this.dimension = b.dimension;
        this.metric = b.metric;
        this.maxConn = b.maxConn;
        this.beamWidth = b.beamWidth;
        this.levelMultiplier = Double.isNaN(b.levelMultiplier) ? 1.0 / Math.log(b.maxConn) : b.levelMultiplier;
        this.seed = b.seed;
        this.quantization = b.quantization;
        this.quantizationTrainingSize = b.quantizationTrainingSize;
        this.exactSearchThreshold = b.exactSearchThreshold;
        this.vectorsOnHeap = b.vectorsOnHeap;
        this.rerankCandidates = b.rerankCandidates;
        this.upperBeamWidth = b.upperBeamWidth;
    }

    /** A builder with the defaults: L2, M 16, efConstruction 100, seed 42, no quantisation. */
    public static Builder builder(int dimension) {
        return new Builder().dimension(dimension);
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.dimension = dimension;
        b.metric = metric;
        b.maxConn = maxConn;
        b.beamWidth = beamWidth;
        b.levelMultiplier = levelMultiplier;
        b.seed = seed;
        b.quantization = quantization;
        b.quantizationTrainingSize = quantizationTrainingSize;
        b.exactSearchThreshold = exactSearchThreshold;
        b.vectorsOnHeap = vectorsOnHeap;
        b.rerankCandidates = rerankCandidates;
        b.upperBeamWidth = upperBeamWidth;
        return b;
    }

    /** Components per vector. */
    public int dimension() { return dimension; }
    /** How vectors are compared; every distance is lower-is-closer. */
    public VectorMetric metric() { return metric; }
    /** M: neighbours kept per node on layers above 0. */
    public int maxConn() { return maxConn; }
    /** M<sub>max0</sub> = 2M: neighbours kept per node on layer 0. */
    public int maxConn0() { return 2 * maxConn; }
    /** efConstruction: the candidate list size while inserting. */
    public int beamWidth() { return beamWidth; }
    /** m<sub>L</sub>: a node's top layer is {@code floor(-ln(U) * mL)}. */
    public double levelMultiplier() { return levelMultiplier; }
    /** Seed of the level generator: same seed + same operations = same graph. */
    public long seed() { return seed; }
    /**
     * Whether the index uses int8 codes (once trained) or floats: with INT8, searches traverse the codes and re-rank
     * their best candidates exactly, and inserts build the graph with the codes too.
     */
    public Quantization quantization() { return quantization; }
    /** How many vectors train the int8 quantiser. */
    public int quantizationTrainingSize() { return quantizationTrainingSize; }
    /**
     * At or below this many live (or filter-accepted) vectors, search is exact brute force. A filtered search
     * also answers exactly when its accepted set is at most efSearch, or once its graph traversal has scored
     * more nodes than the set holds (see {@link HnswSearcher#search(float[], int, int, OrdinalBitSet)}).
     */
    public int exactSearchThreshold() { return exactSearchThreshold; }
    /**
     * Whether the float vectors stay on the heap. With INT8 quantisation, false drops them once the quantiser is
     * trained: the heap then holds the graph and one byte per component, traversal scores int8 codes, and exact
     * re-ranking reads the float vectors through the index's {@link ExactVectorSource} (e.g. from a state
     * backend). Until the quantiser is trained (see {@link #quantizationTrainingSize()}) the floats stay.
     */
    public boolean vectorsOnHeap() { return vectorsOnHeap; }
    /**
     * How many of a quantised search's best candidates (by int8 distance) are re-ranked by exact float
     * distance, at least k and at most efSearch. 0 (the default) chooses: 2 k while the floats are on the heap,
     * 1.5 k once they are off it (each is then a read through the {@link ExactVectorSource}); a graph search then
     * goes on down the int8 order while a candidate's int8 distance, corrected by the largest error the
     * re-ranked candidates showed (with a margin), could still beat the k-th exact distance. Where the int8
     * error is small beside the gaps between neighbours (Fashion-MNIST, SIFT) that stops at once; on dense
     * embeddings under cosine it re-ranks a few dozen, without which recall stays below 0.99 at any efSearch.
     * A positive value re-ranks exactly that many.
     */
    public int rerankCandidates() { return rerankCandidates; }
    /**
     * How many nodes a query keeps on each layer above 0 on its way down (a search setting: construction does not
     * read it, so it changes no graph). 1 (the default) is the paper's greedy descent, which hnswlib, Lucene and
     * jvector use too. Wider costs distances on every query and pays where the greedy walk stops in the wrong
     * place: vectors inserted cluster by cluster, where a cluster's members look alike from far away and hold
     * different edges out of it, so a walk that reached the wrong member stops there and the layer-0 search, its
     * beam filled by that cluster, never leaves it. 2 there lifts recall@10 at efSearch 20 from 0.92-0.98 to
     * 0.98-0.99 for about 8 % more distances; on data in random order it only adds the distances, 2-6 % of the
     * QPS on Fashion-MNIST (docs/operations.md, "Vectors that arrive in bursts"; docs/benchmarks.md, section 1f).
     */
    public int upperBeamWidth() { return upperBeamWidth; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HnswConfig)) {
            return false;
        }
        HnswConfig c = (HnswConfig) o;
        return dimension == c.dimension && metric == c.metric && maxConn == c.maxConn
                && beamWidth == c.beamWidth && Double.compare(levelMultiplier, c.levelMultiplier) == 0
                && seed == c.seed && quantization == c.quantization
                && quantizationTrainingSize == c.quantizationTrainingSize
                && exactSearchThreshold == c.exactSearchThreshold && vectorsOnHeap == c.vectorsOnHeap
                && rerankCandidates == c.rerankCandidates && upperBeamWidth == c.upperBeamWidth;
    }

    @Override
    public int hashCode() {
        return Objects.hash(dimension, metric, maxConn, beamWidth, levelMultiplier, seed, quantization,
                quantizationTrainingSize, exactSearchThreshold, vectorsOnHeap, rerankCandidates, upperBeamWidth);
    }

    @Override
    public String toString() {
        return "HnswConfig{dimension=" + dimension + ", metric=" + metric + ", maxConn=" + maxConn
                + ", beamWidth=" + beamWidth + ", levelMultiplier=" + levelMultiplier + ", seed=" + seed
                + ", quantization=" + quantization + ", quantizationTrainingSize=" + quantizationTrainingSize
                + ", exactSearchThreshold=" + exactSearchThreshold + ", vectorsOnHeap=" + vectorsOnHeap
                + ", rerankCandidates=" + rerankCandidates + ", upperBeamWidth=" + upperBeamWidth + '}';
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private int dimension = -1;
        private VectorMetric metric = VectorMetric.L2;
        private int maxConn = 16;
        private int beamWidth = 100;
        private double levelMultiplier = Double.NaN;
        private long seed = 42L;
        private Quantization quantization = Quantization.NONE;
        private int quantizationTrainingSize = 1_000;
        private int exactSearchThreshold = DEFAULT_EXACT_SEARCH_THRESHOLD;
        private boolean vectorsOnHeap = true;
        private int rerankCandidates = 0;
        private int upperBeamWidth = DEFAULT_UPPER_BEAM_WIDTH;

        private Builder() {}

        /** Components per vector, in [1, {@value HnswConfig#MAX_DIMENSION}]; required. */
        public Builder dimension(int dimension) {
            if (dimension < 1 || dimension > MAX_DIMENSION) {
                throw new IllegalArgumentException(
                        "dimension must be in [1, " + MAX_DIMENSION + "]; dimension=" + dimension);
            }
            this.dimension = dimension;
            return this;
        }

        /** The metric (default L2); not null. */
        public Builder metric(VectorMetric metric) {
            if (metric == null) {
                throw new IllegalArgumentException("metric must not be null; metric=null");
            }
            this.metric = metric;
            return this;
        }

        /** M, in [2, {@value HnswConfig#MAX_CONN_LIMIT}] (default 16); layer 0 keeps 2M. */
        public Builder maxConn(int maxConn) {
            if (maxConn < 2 || maxConn > MAX_CONN_LIMIT) {
                throw new IllegalArgumentException("maxConn must be in [2, " + MAX_CONN_LIMIT + "]; maxConn=" + maxConn);
            }
            this.maxConn = maxConn;
            return this;
        }

        /** efConstruction, in [1, {@value HnswConfig#MAX_BEAM_WIDTH}] (default 100). */
        public Builder beamWidth(int beamWidth) {
            if (beamWidth < 1 || beamWidth > MAX_BEAM_WIDTH) {
                throw new IllegalArgumentException(
                        "beamWidth must be in [1, " + MAX_BEAM_WIDTH + "]; beamWidth=" + beamWidth);
            }
            this.beamWidth = beamWidth;
            return this;
        }

        /** m<sub>L</sub>, finite and &gt; 0 (default {@code 1/ln(M)}). */
        public Builder levelMultiplier(double levelMultiplier) {
            if (!(levelMultiplier > 0) || Double.isInfinite(levelMultiplier)) {
                throw new IllegalArgumentException(
                        "levelMultiplier must be finite and > 0; levelMultiplier=" + levelMultiplier);
            }
            this.levelMultiplier = levelMultiplier;
            return this;
        }

        /** The level generator's seed (default 42). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The traversal form (default NONE); not null. */
        public Builder quantization(Quantization quantization) {
            if (quantization == null) {
                throw new IllegalArgumentException("quantization must not be null; quantization=null");
            }
            this.quantization = quantization;
            return this;
        }

        /** How many vectors train the int8 quantiser, in [1, 1000000] (default 1000). */
        public Builder quantizationTrainingSize(int n) {
            if (n < 1 || n > 1_000_000) {
                throw new IllegalArgumentException(
                        "quantizationTrainingSize must be in [1, 1000000]; quantizationTrainingSize=" + n);
            }
            this.quantizationTrainingSize = n;
            return this;
        }

        /** See {@link HnswConfig#exactSearchThreshold()}; &gt;= 0 (default {@value HnswConfig#DEFAULT_EXACT_SEARCH_THRESHOLD}). */
        public Builder exactSearchThreshold(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("exactSearchThreshold must be >= 0; exactSearchThreshold=" + n);
            }
            this.exactSearchThreshold = n;
            return this;
        }

        /** See {@link HnswConfig#vectorsOnHeap()}; false needs INT8 quantisation. */
        public Builder vectorsOnHeap(boolean vectorsOnHeap) {
            this.vectorsOnHeap = vectorsOnHeap;
            return this;
        }

        /** See {@link HnswConfig#rerankCandidates()}. */
        public Builder rerankCandidates(int n) {
            if (n < 0 || n > HnswSearcher.MAX_EF) {
                throw new IllegalArgumentException("rerankCandidates must be in [0, " + HnswSearcher.MAX_EF
                        + "] (0: automatic, see rerankCandidates()); rerankCandidates=" + n);
            }
            this.rerankCandidates = n;
            return this;
        }

        /**
         * See {@link HnswConfig#upperBeamWidth()}; in [1, {@value HnswConfig#MAX_UPPER_BEAM_WIDTH}] (default
         * {@value HnswConfig#DEFAULT_UPPER_BEAM_WIDTH}).
         */
        public Builder upperBeamWidth(int width) {
            if (width < 1 || width > MAX_UPPER_BEAM_WIDTH) {
                throw new IllegalArgumentException("upperBeamWidth must be in [1, " + MAX_UPPER_BEAM_WIDTH
                        + "]; upperBeamWidth=" + width);
            }
            this.upperBeamWidth = width;
            return this;
        }

        /** Checks the cross-field rules and builds. */
        public HnswConfig build() {
            if (dimension < 1) {
                throw new IllegalStateException("dimension must be set");
            }
            if (!vectorsOnHeap && quantization != Quantization.INT8) {
                throw new IllegalArgumentException("vectorsOnHeap may be false only with INT8 quantization (the "
                        + "heap must hold something to traverse); quantization=" + quantization);
            }
            return new HnswConfig(this);
        }
    }
}
