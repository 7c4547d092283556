package io.vectorstream.bench.ann;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import io.vectorstream.index.VectorMetric;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/** jvector's in-memory graph ({@code GraphIndexBuilder}, hierarchical, no PQ), exact float scoring. */
final class JVectorLibrary implements AnnLibrary {
    // Per instance, not static: the provider is chosen when jvector first initialises it (see withProvider).
    private final VectorTypeSupport vts;
    private final VectorSimilarityFunction similarity;
    private ListRandomAccessVectorValues ravv;
    private ImmutableGraphIndex graph;
    private GraphSearcher searcher;
    private SearchWork work;

    JVectorLibrary(VectorMetric metric) {
        this.vts = VectorizationProvider.getInstance().getVectorTypeSupport();
        // Cosine runs get unit vectors (BenchData), on which DOT_PRODUCT is cosine without the norms.
        this.similarity = metric == VectorMetric.L2 ? VectorSimilarityFunction.EUCLIDEAN
                : VectorSimilarityFunction.DOT_PRODUCT;
    }

    /**
     * jvector on one of its vector providers ({@code panama}: the Java Vector API; {@code native}: its bundled
     * SIMD library through the FFM API). jvector reads the choice once, when its provider class initialises: call
     * this before any other jvector use in the JVM (the worker JVM measures one library).
     */
    static JVectorLibrary withProvider(String provider, VectorMetric metric) {
        System.setProperty("jvector.vectorization_provider", provider);
        return new JVectorLibrary(metric);
    }

    @Override
    public String name() {
        return "jvector-4.0.2-" + VectorizationProvider.getInstance().getClass().getSimpleName()
                .replace("VectorizationProvider", "").toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void build(float[][] base, int threads, GraphParams params) throws Exception {
        work = new SearchWork(4 * base[0].length, 4 * base[0].length, true);
        List<VectorFloat<?>> list = new ArrayList<>(base.length);
        for (float[] v : base) {
            list.add(vts.createFloatVector(v));
        }
        int dim = base[0].length;
        ravv = new ListRandomAccessVectorValues(list, dim);
        BuildScoreProvider bsp = BuildScoreProvider.randomAccessScoreProvider(ravv, similarity);
        ForkJoinPool pool = new ForkJoinPool(threads);
        // Degrees as HNSW's: 2M on the base layer, M above; jvector's default overflow and alpha (1.2).
        try (GraphIndexBuilder builder = new GraphIndexBuilder(bsp, dim, List.of(params.m0(), params.m()),
                params.efConstruction(), 1.2f, 1.2f, true, true,
                pool, pool)) {
            graph = builder.build(ravv);
        } finally {
            pool.shutdown();
        }
        searcher = new GraphSearcher(graph);
    }

    @Override
    public SearchWork work() {
        return work;
    }

    @Override
    public int search(float[] query, int k, int efSearch, int[] out) {
        SearchResult r = searcher.search(DefaultSearchScoreProvider.exact(vts.createFloatVector(query), similarity, ravv),
                k, Math.max(k, efSearch), 0f, 0f, Bits.ALL);
        // Exact scores throughout: no re-rank (getRerankedCount() counts only a re-rank after approximate scores).
        work.add(r.getVisitedCount(), r.getRerankedCount(), r.getExpandedCount());
        SearchResult.NodeScore[] nodes = r.getNodes();
        int n = Math.min(k, nodes.length);
        for (int i = 0; i < n; i++) {
            out[i] = nodes[i].node;
        }
        return n;
    }
}
