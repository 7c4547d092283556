package io.vectorstream.bench.ann;

import io.vectorstream.index.VectorMetric;
import java.lang.reflect.Constructor;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsScorer;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.hnsw.HnswConcurrentMergeBuilder;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/** Apache Lucene's HNSW ({@code HnswGraphBuilder} / {@code HnswGraphSearcher}) on in-memory float vectors. */
final class LuceneLibrary implements AnnLibrary {
    private final VectorSimilarityFunction similarity;
    private final FlatVectorsScorer flat = FlatVectorScorerUtil.getLucene99FlatVectorsScorer();
    private FloatVectorValues vectors;
    private OnHeapHnswGraph graph;
    private SearchWork work;

    LuceneLibrary(VectorMetric metric) {
        this.similarity = metric == VectorMetric.L2 ? VectorSimilarityFunction.EUCLIDEAN
                : metric == VectorMetric.COSINE ? VectorSimilarityFunction.DOT_PRODUCT // unit vectors: BenchData
                : VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
    }

    @Override
    public String name() {
        return "lucene-" + org.apache.lucene.util.Version.LATEST;
    }

    @Override
    public void build(float[][] base, int threads, GraphParams params) throws Exception {
        work = new SearchWork(4 * base[0].length, 4 * base[0].length, false);
        vectors = FloatVectorValues.fromFloats(Arrays.asList(base), base[0].length);
        RandomVectorScorerSupplier supplier = flat.getRandomVectorScorerSupplier(similarity, vectors);
        if (threads == 1) {
            graph = HnswGraphBuilder.create(supplier, params.m(), params.efConstruction(), 42L).build(base.length);
            return;
        }
        // Lucene's concurrent builder (the one its merges use); its empty graph has no public constructor.
        Constructor<OnHeapHnswGraph> c = OnHeapHnswGraph.class.getDeclaredConstructor(int.class, int.class);
        c.setAccessible(true);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            graph = new HnswConcurrentMergeBuilder(new TaskExecutor(pool), threads, supplier, params.m(),
                    params.efConstruction(), c.newInstance(params.m(), base.length), null).build(base.length);
        } finally {
            pool.shutdown();
        }
    }

    @Override
    public SearchWork work() {
        return work;
    }

    @Override
    public int search(float[] query, int k, int efSearch, int[] out) throws Exception {
        TopKnnCollector collector = new TopKnnCollector(Math.max(k, efSearch), Integer.MAX_VALUE);
        HnswGraphSearcher.search(flat.getRandomVectorScorer(similarity, vectors, query), collector, graph, null);
        ScoreDoc[] docs = collector.topDocs().scoreDocs;
        // Lucene counts the vectors it scored; it does not report expanded nodes.
        work.add((int) collector.visitedCount(), 0, 0);
        int n = Math.min(k, docs.length);
        for (int i = 0; i < n; i++) {
            out[i] = docs[i].doc;
        }
        return n;
    }

}
