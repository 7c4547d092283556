package io.vectorstream.bench.ann;

import io.vectorstream.index.VectorMath;
import io.vectorstream.index.VectorMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * Lucene's own quantized HNSW, as a Lucene user runs it: {@code Lucene104HnswScalarQuantizedVectorsFormat} (OSQ
 * scalar quantisation, 7 bits) written by an {@code IndexWriter} into one segment of an {@code MMapDirectory},
 * searched through the segment reader. Like our int8 variant, the ef candidates the quantised graph search returns
 * are re-ranked by exact float distance (Lucene's quantised search alone scores codes; users rescore by
 * oversampling), here against the float vectors in memory.
 */
final class LuceneQuantizedLibrary implements AnnLibrary {
    private static final String FIELD = "v";
    private final VectorSimilarityFunction similarity;
    private final VectorMetric metric;
    private Path dir;
    private DirectoryReader reader;
    private LeafReader leaf;
    private float[][] base;
    private SearchWork work;

    LuceneQuantizedLibrary(VectorMetric metric) {
        this.metric = metric;
        this.similarity = metric == VectorMetric.L2 ? VectorSimilarityFunction.EUCLIDEAN
                : metric == VectorMetric.COSINE ? VectorSimilarityFunction.DOT_PRODUCT // unit vectors: BenchData
                : VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
    }

    @Override
    public String name() {
        return "lucene-" + org.apache.lucene.util.Version.LATEST + "-int7";
    }

    @Override
    public boolean buildsConcurrently() {
        return false; // the format's merge workers apply to merges; one writer thread builds the flushed graph
    }

    @Override
    public void build(float[][] base, int threads, GraphParams graph) throws Exception {
        work = new SearchWork(base[0].length, 4 * base[0].length, false);
        this.base = base;
        dir = Files.createTempDirectory("lucene-int7-");
        KnnVectorsFormat format = new Lucene104HnswScalarQuantizedVectorsFormat(ScalarEncoding.SEVEN_BIT, graph.m(),
                graph.efConstruction());
        IndexWriterConfig iwc = new IndexWriterConfig().setCodec(new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        }).setRAMBufferSizeMB(1900).setRAMPerThreadHardLimitMB(1900).setUseCompoundFile(false);
        MMapDirectory directory = new MMapDirectory(dir);
        try (IndexWriter w = new IndexWriter(directory, iwc)) {
            for (float[] v : base) {
                Document doc = new Document();
                doc.add(new KnnFloatVectorField(FIELD, v, similarity));
                w.addDocument(doc);
            }
            w.commit();
        }
        reader = DirectoryReader.open(directory);
        if (reader.leaves().size() != 1) {
            throw new IllegalStateException("the index must be one segment (doc id = position); segments="
                    + reader.leaves().size());
        }
        leaf = reader.leaves().get(0).reader();
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    }

    @Override
    public SearchWork work() {
        return work;
    }

    @Override
    public int search(float[] query, int k, int efSearch, int[] out) throws Exception {
        TopKnnCollector collector = new TopKnnCollector(Math.max(k, efSearch), Integer.MAX_VALUE);
        leaf.searchNearestVectors(FIELD, query, collector, AcceptDocs.fromLiveDocs(null, leaf.maxDoc()));
        ScoreDoc[] docs = collector.topDocs().scoreDocs;
        work.add((int) collector.visitedCount(), docs.length, 0);
        // Exact re-rank of the candidates, closest first: a partial selection of k from the ef.
        int n = docs.length;
        int[] ids = new int[n];
        float[] ds = new float[n];
        for (int i = 0; i < n; i++) {
            ids[i] = docs[i].doc;
            ds[i] = VectorMath.distance(metric, query, base[ids[i]]);
        }
        int m = Math.min(k, n);
        for (int i = 0; i < m; i++) {
            int best = i;
            for (int j = i + 1; j < n; j++) {
                if (ds[j] < ds[best]) {
                    best = j;
                }
            }
            float td = ds[i];
            ds[i] = ds[best];
            ds[best] = td;
            int ti = ids[i];
            ids[i] = ids[best];
            ids[best] = ti;
            out[i] = ids[i];
        }
        return m;
    }

    private void close() {
        try {
            if (reader != null) {
                reader.close();
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // A temporary directory: say so and go on, the measurement is done.
            System.err.println("lucene-int7: could not delete " + dir + ": " + e);
        }
    }
}
