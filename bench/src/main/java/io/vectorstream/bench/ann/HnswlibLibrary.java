package io.vectorstream.bench.ann;

import com.github.jelmerk.hnswlib.core.DistanceFunction;
import com.github.jelmerk.hnswlib.core.DistanceFunctions;
import com.github.jelmerk.hnswlib.core.Item;
import com.github.jelmerk.hnswlib.core.SearchResult;
import com.github.jelmerk.hnswlib.core.hnsw.HnswIndex;
import io.vectorstream.index.VectorMetric;
import java.util.ArrayList;
import java.util.List;

/** hnswlib-core (com.github.jelmerk), the pure-Java port of hnswlib. */
final class HnswlibLibrary implements AnnLibrary {
    private final DistanceFunction<float[], Float> distance;
    private HnswIndex<Integer, float[], Vec, Float> index;

    HnswlibLibrary(VectorMetric metric) {
        this.distance = metric == VectorMetric.L2 ? DistanceFunctions.FLOAT_EUCLIDEAN_DISTANCE
                : DistanceFunctions.FLOAT_INNER_PRODUCT; // cosine runs get unit vectors (BenchData)
    }

    /** An indexed vector. */
    static final class Vec implements Item<Integer, float[]> {
        private static final long serialVersionUID = 1L;
        private final int id;
        private final float[] vector;

        Vec(int id, float[] vector) {
            this.id = id;
            this.vector = vector;
        }

        @Override public Integer id() { return id; }
        @Override public float[] vector() { return vector; }
        @Override public int dimensions() { return vector.length; }
    }

    @Override
    public String name() {
        return "hnswlib-core-1.2.1";
    }

    @Override
    public void build(float[][] base, int threads, GraphParams graph) throws Exception {
        index = HnswIndex.newBuilder(base[0].length, distance, base.length).withM(graph.m())
                .withEfConstruction(graph.efConstruction())
                .withEf(10).build();
        List<Vec> items = new ArrayList<>(base.length);
        for (int i = 0; i < base.length; i++) {
            items.add(new Vec(i, base[i]));
        }
        index.addAll(items, threads, (done, max) -> { }, Integer.MAX_VALUE);
    }

    @Override
    public int search(float[] query, int k, int efSearch, int[] out) {
        index.setEf(Math.max(k, efSearch));
        List<SearchResult<Vec, Float>> r = index.findNearest(query, k);
        for (int i = 0; i < r.size(); i++) {
            out[i] = r.get(i).item().id();
        }
        return r.size();
    }
}
