package io.vectorstream.bench.ann;

import io.vectorstream.index.HnswConfig;
import io.vectorstream.index.HnswIndex;
import io.vectorstream.index.HnswSearcher;
import io.vectorstream.index.Quantization;
import io.vectorstream.index.SearchResults;
import io.vectorstream.index.VectorMetric;

/** VectorStream's own index, with float or int8 traversal, and the greedy descent or a wider upper-layer beam. */
final class VectorStreamLibrary implements AnnLibrary {
    private final VectorMetric metric;
    private final Quantization quantization;
    private final int upperBeamWidth;
    private HnswSearcher searcher;
    private SearchWork work;

    VectorStreamLibrary(VectorMetric metric, Quantization quantization) {
        this(metric, quantization, HnswConfig.DEFAULT_UPPER_BEAM_WIDTH);
    }

    VectorStreamLibrary(VectorMetric metric, Quantization quantization, int upperBeamWidth) {
        this.metric = metric;
        this.quantization = quantization;
        this.upperBeamWidth = upperBeamWidth;
    }

    @Override
    public String name() {
        String name = quantization == Quantization.INT8 ? "vectorstream-int8" : "vectorstream";
        return upperBeamWidth == HnswConfig.DEFAULT_UPPER_BEAM_WIDTH ? name : name + "-ub" + upperBeamWidth;
    }

    @Override
    public boolean buildsConcurrently() {
        return false; // one writer by design: the Flink operator inserts one event at a time
    }

    @Override
    public void build(float[][] base, int threads, GraphParams graph) {
        HnswIndex index = new HnswIndex(HnswConfig.builder(base[0].length).metric(metric).maxConn(graph.m())
                .beamWidth(graph.efConstruction())
                .quantization(quantization).quantizationTrainingSize(Math.min(base.length, 5_000))
                .exactSearchThreshold(0).upperBeamWidth(upperBeamWidth).build(), base.length);
        for (int i = 0; i < base.length; i++) {
            index.add(i, base[i]);
        }
        searcher = index.newSearcher();
        int dim = base[0].length;
        work = new SearchWork(quantization == Quantization.INT8 ? dim : 4 * dim, 4 * dim, true);
    }

    @Override
    public SearchWork work() {
        return work;
    }

    @Override
    public int search(float[] query, int k, int efSearch, int[] out) {
        SearchResults r = searcher.search(query, k, Math.max(k, efSearch));
        work.add(r.visitedCount(), searcher.lastRerankedCount(), searcher.lastExpandedCount());
        for (int i = 0; i < r.size(); i++) {
            out[i] = (int) r.id(i);
        }
        return r.size();
    }
}
