package io.vectorstream.jobs;

import io.vectorstream.index.VectorMath;
import io.vectorstream.operators.ConsistencyMode;
import io.vectorstream.operators.IndexMode;
import io.vectorstream.operators.VectorSearchConfig;
import io.vectorstream.schemas.NeighborResult;
import io.vectorstream.schemas.ResultKind;
import io.vectorstream.schemas.VectorEvent;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code vectorstream demo --dedup}: near-duplicates found in a stream as they arrive. A catalogue of vectors
 * streams into the job, and a share of them are planted near-copies of an earlier one (the vector plus a little
 * noise). Every upsert asks for its nearest neighbour closer than a radius (kNN on insert), so each copy is flagged
 * by the result its own upsert emits. The demo prints the first finds as they arrive and how many planted copies
 * were found, beside the pairs flagged that were not planted (vectors of the data set that are that close anyway).
 *
 * <p>The radius is a tenth of the median nearest-neighbour distance of a sample of the originals; the noise puts a
 * copy at about a hundredth of it. Not thread-safe; one run per instance.
 */
public final class DedupDemo {
    /** What to run. */
    public static final class Options {
        public int vectors = 5_000;
        public double duplicateShare = 0.1;
        public boolean synthetic;
        public int syntheticDimension = 64;
        public int parallelism = 2;
        public Duration timeout = Duration.ofMinutes(5);
        public long seed = 17;
    }

    /** What it found. */
    public static final class Summary {
        public int upserts;
        public int planted;
        public int plantedFound;
        public int otherPairs;
        public int answered;
        public float radius;
        public double p50Millis;
    }

    private final Options o;
    private final PrintStream out;

    public DedupDemo(Options o, PrintStream out) {
        this.o = o;
        this.out = out;
    }

    public Summary run() throws Exception {
        Datasets.Dataset data = o.synthetic ? Datasets.synthetic(7L, o.vectors, 1, o.syntheticDimension)
                : Datasets.fashionMnistOrSynthetic(o.vectors, 1);
        int n = data.base.length;
        int dim = data.dimension();
        float medianNn = medianNearestNeighbour(data.base, new SplittableRandom(o.seed));
        float radius = medianNn / 10;
        // Squared L2 of a copy: dim x sigma^2 = a hundredth of the median nearest-neighbour distance.
        double sigma = Math.sqrt(medianNn / 100.0 / dim);
        SplittableRandom r = new SplittableRandom(o.seed);
        int maxEvents = n + (int) Math.ceil(n * o.duplicateShare) + 1;
        long[] ids = new long[maxEvents];
        float[][] vectors = new float[maxEvents][];
        long[] sourceOf = new long[maxEvents]; // the original a copy was made from; -1 for originals
        int m = 0;
        for (int i = 0; i < n; i++) {
            ids[m] = i;
            vectors[m] = data.base[i];
            sourceOf[m++] = -1;
            if (i > 0 && r.nextDouble() < o.duplicateShare) {
                int src = r.nextInt(i + 1);
                float[] copy = data.base[src].clone();
                for (int c = 0; c < dim; c++) {
                    copy[c] += (float) (r.nextGaussian() * sigma);
                }
                ids[m] = n + m;
                vectors[m] = copy;
                sourceOf[m++] = src;
            }
        }
        Summary s = new Summary();
        s.upserts = m;
        s.radius = radius;
        Map<Long, Integer> position = new java.util.HashMap<>();
        for (int i = 0; i < m; i++) {
            position.put(ids[i], i);
            if (sourceOf[i] >= 0) {
                s.planted++;
            }
        }
        out.printf("VectorStream dedup demo: %s, %d vectors x %d dims, %d planted near-copies; radius %.4g (a tenth "
                + "of the median nearest-neighbour distance %.4g)%n", data.name, m, dim, s.planted, radius, medianNn);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String bootstrap = kafka.bootstrapServers();
            kafka.createTopics(2, "vectors", "queries", "results", "dead-letters");
            VectorSearchConfig search = VectorSearchConfig.builder().mode(IndexMode.KEYED)
                    .consistency(ConsistencyMode.PROCESSING).insertNeighbors(1, radius).build();
            PipelineSpec spec = PipelineSpec.builder(bootstrap).search(search)
                    .topics("vectors", "queries", "results", "dead-letters")
                    .transactionalIdPrefix("vectorstream-dedup-" + Long.toHexString(System.nanoTime())).build();
            StreamExecutionEnvironment env = LocalFlink.environment(o.parallelism, "rocksdb", null,
                    Duration.ofMillis(500), 0, Duration.ZERO);
            VectorStreamPipeline.build(env, spec);
            JobClient job = env.executeAsync("vectorstream-dedup-demo");
            long[] sentAt = new long[m];
            long[] foundAfter = new long[m];
            int finds = 0;
            try (VectorProducer producer = new VectorProducer(bootstrap, PipelineSpec.Format.AVRO);
                 ResultConsumer<NeighborResult> results = new ResultConsumer<>(bootstrap, "results",
                         NeighborResult.class, true)) {
                for (int i = 0; i < m; i++) {
                    sentAt[i] = System.nanoTime();
                    producer.send("vectors", VectorProducer.upsert("catalog", ids[i], vectors[i], Map.of(), i));
                }
                producer.flush();
                long deadline = System.nanoTime() + o.timeout.toNanos();
                int[] answered = {0};
                int[] printed = {0};
                while (answered[0] < m && System.nanoTime() < deadline) {
                    results.poll(Duration.ofMillis(200), (res, at) -> {
                        if (res.getKind() != ResultKind.INSERT_NEIGHBORS) {
                            return;
                        }
                        answered[0]++;
                        if (res.getNeighbors().isEmpty()) {
                            return;
                        }
                        long id = Long.parseLong(res.getQueryId());
                        long other = res.getNeighbors().get(0).getId();
                        int pos = position.get(id);
                        boolean planted = sourceOf[pos] >= 0 && root(other, position, sourceOf) == sourceOf[pos];
                        if (planted) {
                            s.plantedFound++;
                            foundAfter[pos] = at - sentAt[pos];
                        } else {
                            s.otherPairs++;
                        }
                        if (printed[0]++ < 10) {
                            out.printf("  near-duplicate: %d ~ %d (distance %.4g)%s%n", id, other,
                                    res.getNeighbors().get(0).getDistance(), planted ? "" : ", not planted");
                        }
                    });
                }
                s.answered = answered[0];
            } finally {
                job.cancel().get();
            }
            long[] lat = Arrays.stream(foundAfter).filter(x -> x > 0).sorted().toArray();
            s.p50Millis = lat.length == 0 ? Double.NaN : lat[lat.length / 2] / 1e6;
        }
        out.printf("found %d of %d planted near-copies (%.1f %%), and %d other pairs closer than the radius; every "
                        + "upsert answered: %s; a copy was flagged %.0f ms (median) after it was sent%n", s.plantedFound,
                s.planted, 100.0 * s.plantedFound / Math.max(1, s.planted), s.otherPairs, s.answered == s.upserts,
                s.p50Millis);
        return s;
    }

    /** The original a vector is a copy of (itself for an original). */
    private static long root(long id, Map<Long, Integer> position, long[] sourceOf) {
        long src = sourceOf[position.get(id)];
        return src >= 0 ? src : id;
    }

    /** The median squared-L2 distance from 200 sampled vectors to their nearest other vector. */
    static float medianNearestNeighbour(float[][] base, SplittableRandom r) {
        int samples = Math.min(200, base.length);
        float[] nn = new float[samples];
        for (int s = 0; s < samples; s++) {
            int i = r.nextInt(base.length);
            float best = Float.POSITIVE_INFINITY;
            for (int j = 0; j < base.length; j++) {
                if (j != i) {
                    best = Math.min(best, VectorMath.squareDistance(base[i], base[j]));
                }
            }
            nn[s] = best;
        }
        Arrays.sort(nn);
        return nn[samples / 2];
    }
}
