package io.vectorstream.cluster;

import io.vectorstream.jobs.VectorProducer;
import io.vectorstream.operators.IndexMode;
import io.vectorstream.schemas.Neighbor;
import io.vectorstream.schemas.NeighborResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.apache.kafka.common.utils.Utils;

/**
 * A seeded stream of vector upserts, deletes and k-NN queries for one index mode, and the oracle: for each query,
 * the exact answer over the vectors whose event time is at or before the query's (EVENT_TIME consistency) and the
 * index size the job must report. Event times follow the wall clock (the job dead-letters records far from it) and
 * strictly increase in sending order, so the vectors sent before a query are exactly the ones it must see.
 *
 * <p>Keys are chosen so that every Kafka partition of the input topics carries some (no partition stays idle).
 * In KEYED mode a query names a key and searches that key's vectors; in GLOBAL mode it names none and searches all.
 * Ids are unique across keys, so both modes share one model. Not thread-safe: one feeding thread at a time.
 */
final class Workload {
    static final int DIMENSION = 8;
    static final int K = 5;
    /** A near-tie: two distances this close (relative) may be ordered either way by float arithmetic. */
    private static final double TIE = 1e-5;

    /**
     * What a query must return: its key and k, the exact neighbours (closest first, with runners-up) and the size.
     * A census query asks for every vector of its key (or of the whole index): its answer is the index's content.
     */
    record Expected(String key, int k, long[] ids, double[] distances, int indexSize, boolean census) {}

    private record Vector(String key, float[] values) {}

    private final Random random;
    private final IndexMode mode;
    private final String vectorsTopic;
    private final String queriesTopic;
    private final List<String> keys;
    private final Map<Long, Vector> live = new LinkedHashMap<>();
    private final Map<String, List<Long>> liveIdsByKey = new HashMap<>();
    private final Map<String, Expected> expected = new LinkedHashMap<>();
    /** Every id's events, "upsert@<event time>" / "delete@<event time>", to explain a census mismatch. */
    private final Map<Long, List<String>> history = new HashMap<>();
    private final int maxLivePerKey;
    private long nextId = 1;
    private long lastEventTime;
    private int upserts;
    private int deletes;

    Workload(long seed, IndexMode mode, String topicPrefix, int partitions, int maxLivePerKey) {
        this.random = new Random(seed);
        this.mode = mode;
        this.vectorsTopic = topicPrefix + "-vectors";
        this.queriesTopic = topicPrefix + "-queries";
        this.maxLivePerKey = maxLivePerKey;
        this.keys = keysCovering(partitions, topicPrefix);
        keys.forEach(k -> liveIdsByKey.put(k, new ArrayList<>()));
    }

    /** Six or more keys whose records land, with Kafka's default partitioner, on every one of the partitions. */
    private static List<String> keysCovering(int partitions, String prefix) {
        List<String> chosen = new ArrayList<>();
        TreeSet<Integer> covered = new TreeSet<>();
        for (int i = 0; covered.size() < partitions || chosen.size() < 6; i++) {
            String key = prefix + "-key-" + i;
            int partition = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
            if (covered.add(partition) || covered.size() == partitions) {
                chosen.add(key);
            }
        }
        return chosen;
    }

    String vectorsTopic() {
        return vectorsTopic;
    }

    String queriesTopic() {
        return queriesTopic;
    }

    List<String> keys() {
        return keys;
    }

    /** Every query sent so far, with its exact answer. */
    Map<String, Expected> expected() {
        return expected;
    }

    int liveVectors() {
        return live.size();
    }

    String summary() {
        return upserts + " upserts, " + deletes + " deletes, " + expected.size() + " queries, " + live.size()
                + " live vectors over " + keys.size() + " keys";
    }

    /** Sends one record: 20 % queries, 10 % deletes, else upserts (new ids or new vectors for existing ones). */
    void step(VectorProducer producer) {
        double r = random.nextDouble();
        String key = keys.get(random.nextInt(keys.size()));
        List<Long> ids = liveIdsByKey.get(key);
        if (r < 0.2) {
            query(producer, mode == IndexMode.KEYED ? key : null);
        } else if (r < 0.3 && !ids.isEmpty()) {
            long id = ids.remove(random.nextInt(ids.size()));
            live.remove(id);
            deletes++;
            long t = nextEventTime();
            history.get(id).add("delete@" + t);
            producer.send(vectorsTopic, VectorProducer.delete(key, id, t));
        } else {
            long id = ids.size() < maxLivePerKey && (ids.isEmpty() || random.nextDouble() < 0.6) ? nextId++
                    : ids.get(random.nextInt(ids.size()));
            float[] v = randomVector();
            if (live.put(id, new Vector(key, v)) == null) {
                ids.add(id);
            }
            upserts++;
            long t = nextEventTime();
            history.computeIfAbsent(id, i -> new ArrayList<>()).add("upsert@" + t);
            producer.send(vectorsTopic, VectorProducer.upsert(key, id, v, Map.of(), t));
        }
    }

    /**
     * The last queries, after every vector: one per key (KEYED) or one global query (GLOBAL) with the usual k, then
     * the same as census queries, whose k is the number of live vectors: their answers list the whole index.
     */
    List<String> finalQueries(VectorProducer producer) {
        List<String> ids = new ArrayList<>();
        List<String> scopes = new ArrayList<>();
        if (mode == IndexMode.KEYED) {
            scopes.addAll(keys);
        } else {
            scopes.add(null);
        }
        for (String key : scopes) {
            ids.add(query(producer, key, K, false));
        }
        for (String key : scopes) {
            int size = key == null ? live.size() : liveIdsByKey.get(key).size();
            ids.add(query(producer, key, Math.max(1, size), true));
        }
        return ids;
    }

    private String query(VectorProducer producer, String key) {
        return query(producer, key, K, false);
    }

    private String query(VectorProducer producer, String key, int k, boolean census) {
        String id = (census ? "census-" : "q-") + (expected.size() + 1);
        float[] q = randomVector();
        int size = 0;
        List<Map.Entry<Long, Double>> candidates = new ArrayList<>();
        for (Map.Entry<Long, Vector> e : live.entrySet()) {
            if (key != null && !key.equals(e.getValue().key())) {
                continue;
            }
            size++;
            candidates.add(Map.entry(e.getKey(), squaredL2(q, e.getValue().values())));
        }
        candidates.sort(Map.Entry.<Long, Double>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
        // Keep a few runners-up: an answer may swap near-tied neighbours at the k-th place.
        int keep = Math.min(candidates.size(), k + 3);
        long[] ids = new long[keep];
        double[] ds = new double[keep];
        for (int i = 0; i < keep; i++) {
            ids[i] = candidates.get(i).getKey();
            ds[i] = candidates.get(i).getValue();
        }
        expected.put(id, new Expected(key, k, ids, ds, size, census));
        producer.send(queriesTopic, VectorProducer.query(id, key, q, k, nextEventTime()));
        return id;
    }

    private long nextEventTime() {
        lastEventTime = Math.max(lastEventTime + 1, System.currentTimeMillis());
        return lastEventTime;
    }

    private float[] randomVector() {
        float[] v = new float[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = random.nextFloat();
        }
        return v;
    }

    private static double squaredL2(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    /**
     * Why {@code actual} is not the exact answer to {@code queryId}, or null when it is: the same k ids in the same
     * order (a swap only between near-tied distances), distances equal to float precision, the expected index size.
     * For a census query: exactly the live ids, and for each id missing or extra its history of events.
     */
    String mismatch(String queryId, NeighborResult actual) {
        Expected e = expected.get(queryId);
        if (e == null) {
            return "answer to an unknown query " + queryId;
        }
        List<Neighbor> got = actual.getNeighbors();
        if (e.census()) {
            java.util.Set<Long> want = new java.util.TreeSet<>();
            for (int i = 0; i < Math.min(e.k(), e.ids().length); i++) {
                want.add(e.ids()[i]);
            }
            java.util.Set<Long> have = new java.util.TreeSet<>();
            got.forEach(n -> have.add(n.getId()));
            if (want.equals(have) && actual.getIndexSize() == e.indexSize()) {
                return null;
            }
            java.util.Set<Long> missing = new java.util.TreeSet<>(want);
            missing.removeAll(have);
            java.util.Set<Long> extra = new java.util.TreeSet<>(have);
            extra.removeAll(want);
            StringBuilder why = new StringBuilder("census " + queryId + " (key " + e.key() + "): size "
                    + actual.getIndexSize() + " (expected " + e.indexSize() + ")");
            missing.forEach(id -> why.append("; missing id ").append(id).append(" ").append(history.get(id)));
            extra.forEach(id -> why.append("; extra id ").append(id).append(" ").append(history.get(id)));
            return why.toString();
        }
        int k = Math.min(e.k(), e.ids().length);
        String where = queryId + " (key " + e.key() + "): expected ids " + Arrays.toString(Arrays.copyOf(e.ids(), k))
                + " size " + e.indexSize() + ", got " + got + " size " + actual.getIndexSize();
        if (actual.getIndexSize() != e.indexSize()) {
            return "index size differs for " + where;
        }
        if (got.size() != k) {
            return "neighbour count differs for " + where;
        }
        for (int i = 0; i < k; i++) {
            long id = got.get(i).getId();
            double reported = got.get(i).getDistance();
            if (Math.abs(reported - e.distances()[i]) > TIE * (1 + e.distances()[i]) * 10) {
                return "distance " + i + " differs (" + reported + " != " + e.distances()[i] + ") for " + where;
            }
            if (id != e.ids()[i]) {
                int j = indexOf(e.ids(), id);
                if (j < 0 || Math.abs(e.distances()[j] - e.distances()[i]) > TIE * (1 + e.distances()[i])) {
                    return "neighbour " + i + " differs for " + where;
                }
            }
        }
        return null;
    }

    private static int indexOf(long[] a, long v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
