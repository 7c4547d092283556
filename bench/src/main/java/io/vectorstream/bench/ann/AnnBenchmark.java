package io.vectorstream.bench.ann;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorstream.index.VectorMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The ANN harness: computes (or reuses) the ground truth, runs every library in a fresh JVM with the same data,
 * parameters and JVM flags, in interleaved rounds (every library, then every library again), waiting for the
 * machine to be quiet before each sweep point and recording the other processes' CPU during it. Within a round the
 * libraries build one at a time, then measure their sweeps in lockstep, one point each in turn
 * ({@link WorkerProtocol}), so that a slow spell of the shared host, which the CPU load of this VM does not show,
 * falls on the same step of every library. After the sweeps, the points each library's figure at 0.95 and at 0.99
 * is read from are measured once more ({@code --remeasure} times), the same role of every library in the same step
 * ({@link TargetBrackets}), and each curve keeps the better measurement of a point. Every worker of a round
 * holds its data and index at once (about 1.5 GB per library at 1M x 128); with {@code --sequential} each library
 * measures its whole sweep right after its build, and only one worker is alive at a time. Then it writes
 * {@code bench/results/<dataset>-<date>.json}, a markdown table and a recall-vs-QPS plot, updates
 * {@code docs/benchmarks.md}, and prints as its last line
 * {@code RATIO qps@0.95=<ours/best peer> qps@0.99=<...> build=<best peer build/ours>}: each the median over the
 * rounds of the ratio within the round, with QPS at a recall interpolated on each library's Pareto curve.
 *
 * <p>Usage: {@code AnnBenchmark [--dataset fashion-mnist | --base B.fvecs --query Q.fvecs] [--metric l2|ip|cosine]
 * [--quick] [--rounds 3] [--libraries a,b,...] [--efs 10,12,...] [--m 16] [--ef-construction 100] [--reach 0.995]
 * [--max-ef 4000] [--tag name] [--sequential] [--remeasure 1]}: every library builds with the same M and
 * efConstruction ({@link GraphParams}) and is measured over the grid, then beyond it up to {@code --max-ef} while its
 * recall is below {@code --reach} ({@link SweepGrid}). Run through {@code bench/run.sh}.
 */
public final class AnnBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> PEERS = List.of("lucene", "jvector", "hnswlib");

    private static final String USAGE = "[--dataset fashion-mnist | --base B.fvecs --query Q.fvecs] [--metric l2|ip|cosine] "
            + "[--quick] [--rounds N] [--libraries a,b] [--efs 10,12,..] [--m 16] [--ef-construction 100] [--reach 0.995] "
            + "[--max-ef 4000] [--tag name] [--sequential] [--remeasure 1] | --from-json bench/results/<run>.json";

    private AnnBenchmark() {}

    /** The value after the option at {@code args[i]}. */
    private static String value(String[] args, int i) {
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException(args[i] + " needs a value; usage: " + USAGE);
        }
        return args[i + 1];
    }

    private static int intArg(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer; " + name.substring(2) + "=" + value);
        }
    }

    private static double doubleArg(String name, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number; " + name.substring(2) + "=" + value);
        }
    }

    public static void main(String[] args) throws Exception {
        String dataset = "fashion-mnist";
        String base = "-";
        String query = "-";
        String metricName = "l2";
        boolean quick = false;
        int rounds = 3;
        String fromJson = null;
        String efsOverride = null;
        int m = GraphParams.DEFAULT.m();
        int efConstruction = GraphParams.DEFAULT.efConstruction();
        double reach = SweepGrid.DEFAULT_REACH;
        int maxEf = SweepGrid.DEFAULT_MAX_EF;
        String tag = null;
        boolean sequential = false;
        int remeasure = 1;
        String libraries = "vectorstream,vectorstream-int8,lucene,lucene-int7,jvector-panama,jvector-native,hnswlib,usearch,"
                + "hnswlib-native";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dataset": dataset = args[++i]; break;
                case "--base": base = args[++i]; dataset = "fvecs"; break;
                case "--query": query = args[++i]; break;
                case "--metric": metricName = args[++i]; break;
                case "--quick": quick = true; break;
                case "--libraries": libraries = args[++i]; break;
                case "--rounds": rounds = intArg("--rounds", value(args, i++)); break;
                case "--from-json": fromJson = args[++i]; break;
                case "--efs": efsOverride = args[++i]; break;
                case "--m": m = intArg("--m", value(args, i++)); break;
                case "--ef-construction": efConstruction = intArg("--ef-construction", value(args, i++)); break;
                case "--reach": reach = doubleArg("--reach", value(args, i++)); break;
                case "--max-ef": maxEf = intArg("--max-ef", value(args, i++)); break;
                case "--tag": tag = checkTag(value(args, i++)); break;
                case "--sequential": sequential = true; break;
                case "--remeasure": remeasure = checkRemeasure(intArg("--remeasure", value(args, i++))); break;
                default: throw new IllegalArgumentException("unknown argument: " + args[i] + "; usage: " + USAGE);
            }
        }
        if (fromJson != null) {
            // Re-renders a finished run's report (tables, plot, docs section) without measuring again.
            Path json = Paths.get(fromJson);
            render(Paths.get(System.getProperty("vectorstream.root", ".")), JSON.readTree(json.toFile()),
                    json.getParent(), json.getFileName().toString().replace(".json", ""), true);
            return;
        }
        VectorMetric metric = VectorMetric.parse(metricName);
        int limitBase = quick ? 20_000 : Integer.MAX_VALUE;
        int limitQueries = quick ? 1_000 : 10_000;
        // A fine grid: "QPS at recall x" is read off each library's curve between its two neighbouring points.
        // --efs widens it for data whose recall climbs slowly (every library then needs a larger ef for 0.99).
        String efs = efsOverride != null ? checkGrid(efsOverride) : quick ? "10,12,14,16,20,24,28,32,40,48,64,80,100,128"
                : "10,12,14,16,20,24,28,32,40,48,64,80,100,128,160,200";
        GraphParams params = new GraphParams(m, efConstruction);
        // Checked here, before any build: the workers apply it (see SweepGrid).
        SweepGrid grid = SweepGrid.parse(efs, reach, maxEf);
        List<String> sweepArgs = List.of(String.valueOf(m), String.valueOf(efConstruction), String.valueOf(reach),
                String.valueOf(grid.maxEf()));
        Path root = Paths.get(System.getProperty("vectorstream.root", "."));
        Path cache = root.resolve("bench/results/cache");

        BenchData data = BenchData.load(dataset, base.equals("-") ? null : Paths.get(base),
                query.equals("-") ? null : Paths.get(query), limitBase, limitQueries, metric, cache);
        System.err.printf("dataset %s: %d base, %d queries, dimension %d, metric %s%n", data.name, data.base.length,
                data.queries.length, data.base[0].length, metric);

        // The native peers run in Node on raw copies of the same data and ground truth.
        Path raw = data.writeRaw(cache);

        ObjectNode report = JSON.createObjectNode();
        report.put("dataset", data.name);
        report.put("base", data.base.length);
        report.put("queries", data.queries.length);
        report.put("dimension", data.base[0].length);
        report.put("metric", metricName);
        report.put("date", LocalDate.now().toString());
        report.put("jdk", Runtime.version().toString());
        report.put("machine", machine());
        report.put("command", "bench/run.sh " + String.join(" ", args));
        report.put("parameters", params.describe() + ", k 10, one query thread");
        report.put("m", m);
        report.put("efConstruction", efConstruction);
        report.put("grid", grid.describe());
        report.put("rounds", rounds);
        if (tag != null) {
            report.put("tag", tag);
        }
        report.put("schedule", sequential ? "sequential" : "lockstep");
        report.put("remeasure", remeasure);
        ArrayNode results = report.putArray("results");
        // Interleaved rounds: every library, then every library again, each in a fresh JVM, so a noisy minute hits
        // one round of each rather than all rounds of one.
        for (int r = 0; r < rounds; r++) {
            List<WorkerProcess> workers = new ArrayList<>();
            List<JsonNode> reports = new ArrayList<>();
            try {
                for (String lib : libraries.split(",")) {
                    System.err.println("== round " + (r + 1) + "/" + rounds + ": " + lib);
                    List<String> cmd = NATIVE_PEERS.contains(lib)
                            ? nativeWorker(root, lib, metricName, raw, efs, sweepArgs)
                            : javaWorker(lib, metricName, dataset, base, query, limitBase, limitQueries, cache, efs,
                                    sweepArgs);
                    WorkerProcess w = WorkerProcess.startAndAwaitReady(lib, cmd);
                    workers.add(w);
                    if (sequential) {
                        sweepInLockstep(List.of(w));
                        remeasureTargets(List.of(w), remeasure);
                        reports.add(w.report()); // the worker exits: one alive at a time
                    }
                }
                if (!sequential) {
                    // Lockstep: the builds ran one at a time (the other workers idle); now every library measures
                    // one point in turn, in alternating order, so a slow minute of the host lands on the same step
                    // of each library's sweep rather than on one library's whole sweep.
                    sweepInLockstep(workers);
                    remeasureTargets(workers, remeasure);
                    for (WorkerProcess w : workers) {
                        reports.add(w.report());
                    }
                }
            } finally {
                workers.forEach(WorkerProcess::close);
            }
            for (JsonNode workerReport : reports) {
                ObjectNode res = (ObjectNode) workerReport;
                res.put("round", r);
                results.add(res);
                System.err.println("   " + res);
            }
        }

        String stem = data.name + "-" + metricName + runTag(report) + (quick ? "-quick" : "") + "-" + LocalDate.now();
        Path out = root.resolve("bench/results");
        Files.createDirectories(out);
        Files.writeString(out.resolve(stem + ".json"), JSON.writeValueAsString(report));
        render(root, report, out, stem, false);
    }

    /**
     * Checks a --tag: it names a run's result files and docs section beside the dataset's, so a run with, say, a
     * subset of the libraries does not replace the full run's table.
     */
    static String checkTag(String tag) {
        if (!tag.matches("[a-z0-9][a-z0-9-]{0,31}")) {
            throw new IllegalArgumentException("--tag must be 1-32 of [a-z0-9-], starting with a letter or digit; tag="
                    + tag);
        }
        return tag;
    }

    /** Checks an --efs grid: comma-separated efSearch values in [10, 100000], rising (k is 10). */
    static String checkGrid(String grid) {
        int last = 9;
        for (String part : grid.split(",")) {
            int ef;
            try {
                ef = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--efs must be comma-separated integers; efs=" + grid);
            }
            if (ef <= last || ef > 100_000) {
                throw new IllegalArgumentException("--efs must rise within [10, 100000]; efs=" + grid + ", ef=" + ef);
            }
            last = ef;
        }
        return grid.replace(" ", "");
    }

    /**
     * Writes a run's tables ({@code stem.md}), plot ({@code stem.png}) and docs section, and prints them. A
     * re-render ({@code rerender}, from --from-json) rewrites the docs section only if it is this run's or missing: an
     * archived run ({@code *-sessionN.json}) never replaces the live run's section.
     */
    private static void render(Path root, JsonNode report, Path out, String stem, boolean rerender)
            throws java.io.IOException {
        String table = markdown(report);
        Files.writeString(out.resolve(stem + ".md"), table);
        plot(report, out.resolve(stem + ".png"));
        String ratio = ratio(report);
        if (!updateDocs(root.resolve("docs/benchmarks.md"), report, table, stem, ratio, rerender)) {
            System.err.println("docs/benchmarks.md left as is: its section shows another run than " + stem);
        }
        System.out.println(table);
        System.out.println(ratio);
    }

    /** Peers run as a Node process on the raw data ({@code bench/peers}, installed by {@code bench/run.sh}). */
    static final Set<String> NATIVE_PEERS = Set.of("usearch", "hnswlib-native");

    private static List<String> nativeWorker(Path root, String lib, String metric, Path raw, String efs,
                                             List<String> sweepArgs) {
        Path script = root.resolve("bench/peers/ann-worker.mjs");
        if (!Files.isDirectory(root.resolve("bench/peers/node_modules"))) {
            throw new IllegalStateException("bench/peers/node_modules must exist to run " + lib + ": run bench/run.sh "
                    + "(it installs the peers with npm), or leave " + lib + " out of --libraries");
        }
        List<String> cmd = new ArrayList<>(List.of("node", script.toString(), lib, metric, raw.toString(), efs));
        cmd.addAll(sweepArgs);
        return cmd;
    }

    private static List<String> javaWorker(String lib, String metric, String dataset, String base, String query,
                                           int limitBase, int limitQueries, Path cache, String efs,
                                           List<String> sweepArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx8g", "-Xms2g", "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                AnnWorker.class.getName(), lib, metric, dataset.equals("fvecs") ? "-" : dataset, base, query,
                String.valueOf(limitBase), String.valueOf(limitQueries), cache.toString(), efs));
        cmd.addAll(sweepArgs);
        return cmd;
    }

    /**
     * Gives every worker still in its sweep one turn per step (a point each), first to last on even steps and last
     * to first on odd ones, until every worker's sweep is over.
     */
    private static void sweepInLockstep(List<WorkerProcess> workers) throws Exception {
        for (int step = 0; ; step++) {
            boolean any = false;
            for (WorkerProcess w : inTurn(workers, step)) {
                if (!w.swept()) {
                    JsonNode p = w.next();
                    if (p != null) {
                        any = true;
                        log(w, p, "");
                    }
                }
            }
            if (!any) {
                return;
            }
        }
    }

    /**
     * After the sweeps, {@code passes} times: measures each library's points that its figures at the recall targets
     * are read from ({@link TargetBrackets}) once more, the same slot of every library in the same step (in lockstep;
     * with one worker, right after its sweep). The workers add these points to their reports, and the curves use the
     * better measurement of each point (the best-of rule the rounds already follow): a figure is then the best of the
     * sweep's measurement and one taken side by side with the other libraries'. The order of the libraries alternates
     * from slot to slot and from pass to pass.
     */
    private static void remeasureTargets(List<WorkerProcess> workers, int passes) throws Exception {
        Map<WorkerProcess, int[]> slots = new HashMap<>();
        for (WorkerProcess w : workers) {
            slots.put(w, TargetBrackets.efs(w.sweepPoints()));
        }
        for (int pass = 0; pass < passes; pass++) {
            for (int slot = 0; slot < TargetBrackets.SLOTS; slot++) {
                for (WorkerProcess w : inTurn(workers, slot + pass)) {
                    int ef = slots.get(w)[slot];
                    if (ef > 0) {
                        log(w, w.again(ef), " (again)");
                    }
                }
            }
        }
    }

    /** The workers in the order of one step: first to last on even steps, last to first on odd ones. */
    private static List<WorkerProcess> inTurn(List<WorkerProcess> workers, int step) {
        List<WorkerProcess> order = new ArrayList<>(workers);
        if (step % 2 == 1) {
            Collections.reverse(order);
        }
        return order;
    }

    private static void log(WorkerProcess w, JsonNode p, String what) {
        System.err.printf(Locale.ROOT, "   %s ef %d%s: recall %.4f, %.0f QPS%n", w.library(), p.get("ef").asInt(),
                what, p.get("recall").asDouble(), p.get("qps").asDouble());
    }

    /** Checks --remeasure: how many times the points around the targets are measured again, in [0, 5]. */
    static int checkRemeasure(int passes) {
        if (passes < 0 || passes > 5) {
            throw new IllegalArgumentException("--remeasure must be in [0, 5]; remeasure=" + passes);
        }
        return passes;
    }

    static String machine() {
        String cpu = "unknown cpu";
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (java.io.IOException e) {
            cpu = "unknown cpu (" + e.getMessage() + ")";
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores";
    }

    /**
     * QPS at recall {@code target} on the recall-QPS Pareto curve of {@code points} ({recall, qps} pairs): the
     * best QPS among points with recall >= r, interpolated linearly between the two curve points around the
     * target; the curve's QPS at its lowest recall when that already reaches the target; 0 when no point does.
     */
    static double qpsAtRecall(List<double[]> points, double target) {
        List<double[]> sorted = new ArrayList<>(points);
        // By recall, equal recalls slowest first: the point below the target is then the fastest of its recall
        // (TargetBrackets reads the curve in the same order).
        sorted.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
        int n = sorted.size();
        double[] frontier = new double[n];
        double best = 0;
        for (int i = n - 1; i >= 0; i--) {
            best = Math.max(best, sorted.get(i)[1]);
            frontier[i] = best;
        }
        for (int i = 0; i < n; i++) {
            double r = sorted.get(i)[0];
            if (r >= target) {
                if (i == 0 || r == sorted.get(i - 1)[0]) {
                    return frontier[i];
                }
                double r0 = sorted.get(i - 1)[0];
                return frontier[i] + (frontier[i - 1] - frontier[i]) * (r - target) / (r - r0);
            }
        }
        return 0;
    }

    /** The {recall, qps} points of one worker result. */
    static List<double[]> points(JsonNode result) {
        List<double[]> out = new ArrayList<>();
        for (JsonNode p : result.get("sweep")) {
            out.add(new double[] {p.get("recall").asDouble(), p.get("qps").asDouble()});
        }
        return out;
    }

    /** Per library, its best QPS per ef over all rounds (ann-benchmarks' rule), as {recall, qps, ef} points. */
    static Map<String, List<double[]>> bestPerEf(JsonNode report) {
        Map<String, TreeMap<Integer, double[]>> byLib = new LinkedHashMap<>();
        for (JsonNode r : report.get("results")) {
            var perEf = byLib.computeIfAbsent(r.get("library").asText(), x -> new TreeMap<>());
            for (JsonNode p : r.get("sweep")) {
                int ef = p.get("ef").asInt();
                double[] cur = perEf.get(ef);
                if (cur == null || p.get("qps").asDouble() > cur[1]) {
                    perEf.put(ef, new double[] {p.get("recall").asDouble(), p.get("qps").asDouble(), ef});
                }
            }
        }
        Map<String, List<double[]>> out = new LinkedHashMap<>();
        byLib.forEach((lib, m) -> out.put(lib, new ArrayList<>(m.values())));
        return out;
    }

    private static boolean ours(String library) {
        return library.startsWith("vectorstream");
    }

    /** Whether a result is a native peer's (run in Node), not a Java library's. */
    static boolean nativePeer(JsonNode result) {
        return result.path("jdk").asText().startsWith("node");
    }

    /** Within each round, against the best Java peer: ours / peer at 0.95 and 0.99, and peer build / our build. */
    static double[][] roundRatios(JsonNode report) {
        return roundRatios(report, false);
    }

    /**
     * Within each round: best of ours / best peer at the target (0.95, 0.99) and best peer build / our build, the
     * peers being the Java libraries or ({@code nativePeers}) the native ones.
     */
    static double[][] roundRatios(JsonNode report, boolean nativePeers) {
        return roundRatios(report, AnnBenchmark::ours, r -> !ours(r.get("library").asText()) && nativePeer(r) == nativePeers);
    }

    /** Our libraries that run full floats, and the float peers (Java) they are compared with like for like. */
    private static boolean oursFloat(String library) {
        return library.equals("vectorstream") || library.matches("vectorstream-ub\\d+");
    }

    private static boolean javaFloatPeer(JsonNode r) {
        String lib = r.get("library").asText();
        return !ours(lib) && !nativePeer(r) && !lib.contains("-int");
    }

    /** Our quantised variant, and the quantised Java peer (Lucene's own quantised HNSW). */
    private static boolean oursQuantized(String library) {
        return library.equals("vectorstream-int8") || library.matches("vectorstream-int8-ub\\d+");
    }

    private static boolean javaQuantizedPeer(JsonNode r) {
        String lib = r.get("library").asText();
        return !ours(lib) && !nativePeer(r) && lib.contains("-int");
    }

    /**
     * Within each round: the best of the libraries {@code mine} accepts over the best result {@code peer} accepts,
     * at 0.95 and 0.99, and the peer's best build over ours.
     */
    static double[][] roundRatios(JsonNode report, java.util.function.Predicate<String> mine,
                                  java.util.function.Predicate<JsonNode> peer) {
        int rounds = report.get("rounds").asInt();
        double[][] out = new double[rounds][3];
        for (int round = 0; round < rounds; round++) {
            double o95 = 0, o99 = 0, p95 = 0, p99 = 0, oBuild = Double.MAX_VALUE, pBuild = Double.MAX_VALUE;
            for (JsonNode r : report.get("results")) {
                if (r.get("round").asInt() != round) {
                    continue;
                }
                List<double[]> pts = points(r);
                double q95 = qpsAtRecall(pts, TargetBrackets.TARGETS[0]);
                double q99 = qpsAtRecall(pts, TargetBrackets.TARGETS[1]);
                double build = r.get("build1Seconds").asDouble();
                if (mine.test(r.get("library").asText())) {
                    o95 = Math.max(o95, q95);
                    o99 = Math.max(o99, q99);
                    oBuild = Math.min(oBuild, build);
                } else if (peer.test(r)) {
                    p95 = Math.max(p95, q95);
                    p99 = Math.max(p99, q99);
                    pBuild = Math.min(pBuild, build);
                }
            }
            // n/a when a side has no library in the round (e.g. only native peers were named).
            boolean bothSides = pBuild != Double.MAX_VALUE && oBuild != Double.MAX_VALUE;
            out[round][0] = bothSides && p95 > 0 ? o95 / p95 : Double.NaN;
            out[round][1] = bothSides && p99 > 0 ? o99 / p99 : Double.NaN;
            out[round][2] = bothSides ? pBuild / oBuild : Double.NaN;
        }
        return out;
    }

    /** The median; NaN when any round has none (a side never reached the recall in it). */
    static double median(double[] v) {
        for (double x : v) {
            if (Double.isNaN(x)) {
                return Double.NaN;
            }
        }
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /**
     * The {@code RATIO} line (against the best Java peer, issue 15's measure), then a {@code NATIVE} line against
     * the best native peer when the run had one.
     */
    static String ratio(JsonNode report) {
        boolean anyNative = false;
        boolean anyFloat = false;
        boolean anyQuantized = false;
        boolean anyFloatPeer = false;
        boolean anyQuantizedPeer = false;
        for (JsonNode r : report.get("results")) {
            anyNative |= nativePeer(r);
            anyFloat |= oursFloat(r.get("library").asText());
            anyQuantized |= oursQuantized(r.get("library").asText());
            anyFloatPeer |= javaFloatPeer(r);
            anyQuantizedPeer |= javaQuantizedPeer(r);
        }
        StringBuilder out = new StringBuilder(ratio(roundRatios(report, false), "RATIO", "the best Java peer"));
        if (anyNative) {
            out.append('\n').append(ratio(roundRatios(report, true), "NATIVE", "the best native peer"));
        }
        // Like for like: our float index against the Java peers that run floats, our int8 one against Lucene's
        // own quantised HNSW (both re-rank their candidates by exact distance).
        // A like-for-like line needs both sides in the run (--libraries may leave one out).
        if (anyFloat && anyFloatPeer) {
            out.append('\n').append(ratio(roundRatios(report, AnnBenchmark::oursFloat, AnnBenchmark::javaFloatPeer),
                    "FLOAT", "vectorstream (and any vectorstream-ub<width> in the run) against the best Java float peer"));
        }
        if (anyQuantized && anyQuantizedPeer) {
            out.append('\n').append(ratio(roundRatios(report, AnnBenchmark::oursQuantized,
                    AnnBenchmark::javaQuantizedPeer), "QUANTIZED",
                    "vectorstream-int8 (and any vectorstream-int8-ub<width> in the run) against Lucene's quantised HNSW"));
        }
        return out.toString();
    }

    private static String ratio(double[][] rr, String label, String against) {
        double[] r95 = new double[rr.length];
        double[] r99 = new double[rr.length];
        double[] rb = new double[rr.length];
        StringBuilder each = new StringBuilder();
        for (int i = 0; i < rr.length; i++) {
            r95[i] = rr[i][0];
            r99[i] = rr[i][1];
            rb[i] = rr[i][2];
            each.append(String.format(Locale.ROOT, "%s%s/%s/%s", i == 0 ? "" : ", ", two(r95[i]), two(r99[i]),
                    two(rb[i])));
        }
        return String.format(Locale.ROOT, "%s qps@0.95=%s qps@0.99=%s build=%s (median of %d rounds; per round "
                + "qps@0.95/qps@0.99/build: %s; %s)", label, two(median(r95)), two(median(r99)),
                two(median(rb)), rr.length, each, against);
    }

    /** Two decimals, or n/a where a side never reached the recall (the ratio is then NaN). */
    private static String two(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** "best (min .. max)", or "not reached" when no round's curve got to the recall (the sweep's last ef too low). */
    private static String qpsCell(double best, double min, double max) {
        if (!(best > 0)) {
            return "not reached";
        }
        return String.format(Locale.ROOT, "%.0f (%s .. %.0f)", best, min > 0 ? String.format(Locale.ROOT, "%.0f", min)
                : "not reached", max);
    }

    static String markdown(JsonNode report) {
        StringBuilder sb = new StringBuilder();
        // Runs before the lockstep schedule have no "schedule": each library measured its sweep after its build.
        boolean lockstep = report.path("schedule").asText().equals("lockstep");
        sb.append(String.format(Locale.ROOT, "%s, %d base x %d queries, %d-d, %s; %s; JDK %s; %s; %d interleaved "
                        + "rounds, each library in a fresh JVM%s%s%n%n",
                report.get("dataset").asText(), report.get("base").asInt(), report.get("queries").asInt(),
                report.get("dimension").asInt(), report.get("metric").asText(), report.get("parameters").asText(),
                report.get("jdk").asText(), report.get("machine").asText(), report.get("rounds").asInt(),
                lockstep ? "; within a round the libraries built one at a time, then measured their sweeps in "
                        + "lockstep, one point each in turn" : "",
                remeasured(report)));
        if (report.has("grid")) {
            sb.append("efSearch: ").append(report.get("grid").asText()).append(".\n\n");
        }
        sb.append("QPS at a recall is read off the library's recall-QPS curve (best round per ef), interpolated between "
                + "its two neighbouring points; the spread is that figure's range over the rounds' own curves.\n\n");
        sb.append("| library | build 1 thread (s), best (range) | build 2 threads (s) | heap after build (MiB) "
                + "| QPS @ recall 0.95 (range) | QPS @ recall 0.99 (range) |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        Map<String, List<double[]>> best = bestPerEf(report);
        for (String lib : best.keySet()) {
            double bMin = Double.MAX_VALUE, bMax = 0, q95Min = Double.MAX_VALUE, q95Max = 0, q99Min = Double.MAX_VALUE,
                    q99Max = 0, heap = 0;
            String build2 = "n/a";
            for (JsonNode r : report.get("results")) {
                if (!r.get("library").asText().equals(lib)) {
                    continue;
                }
                double b = r.get("build1Seconds").asDouble();
                bMin = Math.min(bMin, b);
                bMax = Math.max(bMax, b);
                double q95 = qpsAtRecall(points(r), TargetBrackets.TARGETS[0]);
                double q99 = qpsAtRecall(points(r), TargetBrackets.TARGETS[1]);
                q95Min = Math.min(q95Min, q95);
                q95Max = Math.max(q95Max, q95);
                q99Min = Math.min(q99Min, q99);
                q99Max = Math.max(q99Max, q99);
                heap = r.get("heapBytes").asDouble();
                if (r.has("build2Seconds")) {
                    build2 = String.format(Locale.ROOT, "%.1f", r.get("build2Seconds").asDouble());
                }
            }
            double best95 = qpsAtRecall(best.get(lib), TargetBrackets.TARGETS[0]);
            double best99 = qpsAtRecall(best.get(lib), TargetBrackets.TARGETS[1]);
            sb.append(String.format(Locale.ROOT, "| %s | %.1f (%.1f .. %.1f) | %s | %.0f | %s | %s |%n", lib, bMin, bMin,
                    bMax, build2, heap / 1048576.0, qpsCell(best95, q95Min, q95Max), qpsCell(best99, q99Min, q99Max)));
        }
        sb.append("\nefSearch sweep, best round per point (recall@10 / single-thread QPS / p50 / p99 latency in µs / "
                + "other processes' CPU during the point, in cores), and per query where the time went, as far as the "
                + "library reports it (n/a where it does not): distances computed while traversing, exact distances "
                + "of the re-rank, nodes whose neighbour lists were read, and KiB of vectors those distances read "
                + "(4 bytes per component for floats, 1 for int8/int7 codes):\n\n");
        sb.append("| library | ef | recall@10 | QPS | p50 µs | p99 µs | foreign cores | distances | re-ranked "
                + "| expanded | vector KiB |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String lib : best.keySet()) {
            for (double[] p : best.get(lib)) {
                JsonNode point = pointOf(report, lib, (int) p[2], p[1]);
                // A batch search (usearch) times the whole batch only: its figure is the mean, shown once.
                boolean batch = point.path("latencyIsBatchMean").asBoolean(false);
                sb.append(String.format(Locale.ROOT, "| %s | %d | %.4f | %.0f | %s | %s | %.2f | %s | %s | %s | %s |%n",
                        lib, (int) p[2], p[0], p[1], String.format(Locale.ROOT, batch ? "%.0f (batch mean)" : "%.0f",
                                point.get("p50Micros").asDouble()),
                        batch ? "n/a" : String.format(Locale.ROOT, "%.0f", point.get("p99Micros").asDouble()),
                        point.has("foreignCores") ? point.get("foreignCores").asDouble() : Double.NaN,
                        work(point, "distances", "%.0f"), work(point, "reranked", "%.0f"),
                        work(point, "expanded", "%.0f"), work(point, "vectorKib", "%.0f")));
            }
        }
        return sb.toString();
    }

    /** For the header: how the points the figures are read from were measured again, if they were. */
    private static String remeasured(JsonNode report) {
        int passes = report.path("remeasure").asInt(0);
        if (passes == 0) {
            return "";
        }
        boolean lockstep = report.path("schedule").asText().equals("lockstep");
        return String.format(Locale.ROOT, "; then the points each figure at %s and %s is read from measured again "
                + "%s, %s, each point keeping its better measurement", TargetBrackets.TARGETS[0],
                TargetBrackets.TARGETS[1], passes == 1 ? "once" : passes + " times",
                lockstep ? "every library's point of the same role in the same step"
                        : "each library's right after its own sweep");
    }

    /** A work counter of a sweep point, or n/a when the library does not report it. */
    private static String work(JsonNode point, String field, String format) {
        double v = point.path(field).asDouble(-1);
        return v < 0 ? "n/a" : String.format(Locale.ROOT, format, v);
    }

    private static JsonNode pointOf(JsonNode report, String lib, int ef, double qps) {
        for (JsonNode r : report.get("results")) {
            if (r.get("library").asText().equals(lib)) {
                for (JsonNode p : r.get("sweep")) {
                    if (p.get("ef").asInt() == ef && p.get("qps").asDouble() == qps) {
                        return p;
                    }
                }
            }
        }
        throw new IllegalStateException("no point " + lib + " ef " + ef);
    }

    static void plot(JsonNode report, Path png) throws java.io.IOException {
        XYChart chart = new XYChartBuilder().width(900).height(600)
                .title("Recall-QPS tradeoff: " + report.get("dataset").asText() + " (" + report.get("metric").asText() + ", k=10)")
                .xAxisTitle("recall@10").yAxisTitle("queries per second (1 thread, log)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
        for (var e : bestPerEf(report).entrySet()) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (double[] p : e.getValue()) {
                x.add(p[0]);
                y.add(p[1]);
            }
            chart.addSeries(e.getKey(), x, y);
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * What tells a run's files and docs section apart from the default run's: the graph parameters when not the
     * default, then the {@code --tag}. Empty for a default run (and for reports older than either field).
     */
    static String runTag(JsonNode report) {
        String params = report.has("m") ? new GraphParams(report.get("m").asInt(), report.get("efConstruction").asInt())
                .fileTag() : "";
        return params + (report.has("tag") ? "-" + report.get("tag").asText() : "");
    }

    /**
     * Writes the run's section of {@code docs} (between its markers, appended when missing). With
     * {@code onlyOwnSection}, a section that names another run's raw file is left as is; returns whether written.
     */
    static boolean updateDocs(Path docs, JsonNode report, String table, String stem, String ratio,
            boolean onlyOwnSection) throws java.io.IOException {
        // One section per (dataset, metric, run tag): a run at other parameters or with another tag never replaces
        // the default's.
        String begin = "<!-- ann:" + report.get("dataset").asText() + "-" + report.get("metric").asText()
                + runTag(report) + ":begin -->";
        String end = begin.replace(":begin", ":end");
        String raw = "raw: `bench/results/" + stem + ".json`";
        String section = begin + "\n"
                + "Command: `" + report.get("command").asText() + "` (" + report.get("date").asText() + ")\n\n"
                + table + "\n" + "Plot: `bench/results/" + stem + ".png`; " + raw + ".\n\n"
                + "`" + ratio.replace("\n", "`\n\n`") + "`\n" + end;
        String text = Files.exists(docs) ? Files.readString(docs) : "# Benchmarks\n";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b >= 0 && e > b) {
            if (onlyOwnSection && !text.substring(b, e).contains(raw)) {
                return false;
            }
            text = text.substring(0, b) + section + text.substring(e + end.length());
        } else {
            text = text + "\n" + section + "\n";
        }
        Files.writeString(docs, text);
        return true;
    }
}
