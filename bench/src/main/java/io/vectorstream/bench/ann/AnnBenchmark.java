package io.vectorstream.bench.ann;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorstream.index.VectorMetric;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The ANN harness: computes (or reuses) the ground truth, runs every library in a fresh JVM one after the
 * other with the same data, parameters and JVM flags, then writes {@code bench/results/<dataset>-<date>.json},
 * a markdown table and a recall-vs-QPS plot, updates {@code docs/benchmarks.md}, and prints as its last line
 * {@code RATIO qps@0.95=<ours/best peer> qps@0.99=<...> build=<best peer build/ours>}.
 *
 * <p>Usage: {@code AnnBenchmark [--dataset fashion-mnist | --base B.fvecs --query Q.fvecs] [--metric l2|ip|cosine]
 * [--quick] [--libraries a,b,...]}. Run through {@code bench/run.sh}.
 */
public final class AnnBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> PEERS = List.of("lucene", "jvector", "hnswlib");

    private AnnBenchmark() {}

    public static void main(String[] args) throws Exception {
        String dataset = "fashion-mnist";
        String base = "-";
        String query = "-";
        String metricName = "l2";
        boolean quick = false;
        String libraries = "vectorstream,vectorstream-int8,lucene,jvector,hnswlib";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dataset": dataset = args[++i]; break;
                case "--base": base = args[++i]; dataset = "fvecs"; break;
                case "--query": query = args[++i]; break;
                case "--metric": metricName = args[++i]; break;
                case "--quick": quick = true; break;
                case "--libraries": libraries = args[++i]; break;
                default: throw new IllegalArgumentException("unknown argument: " + args[i]
                        + "; usage: [--dataset fashion-mnist | --base B.fvecs --query Q.fvecs] [--metric l2|ip|cosine] [--quick]");
            }
        }
        VectorMetric metric = VectorMetric.parse(metricName);
        int limitBase = quick ? 20_000 : Integer.MAX_VALUE;
        int limitQueries = quick ? 1_000 : 10_000;
        String efs = quick ? "10,20,40,80,160" : "10,20,40,80,160,320";
        Path root = Paths.get(System.getProperty("vectorstream.root", "."));
        Path cache = root.resolve("bench/results/cache");

        BenchData data = BenchData.load(dataset, base.equals("-") ? null : Paths.get(base),
                query.equals("-") ? null : Paths.get(query), limitBase, limitQueries, metric, cache);
        System.err.printf("dataset %s: %d base, %d queries, dimension %d, metric %s%n", data.name, data.base.length,
                data.queries.length, data.base[0].length, metric);

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
        report.put("parameters", "M 16 (2M on layer 0), efConstruction 100, k 10, one query thread");
        ArrayNode results = report.putArray("results");
        for (String lib : libraries.split(",")) {
            System.err.println("== " + lib);
            results.add(runWorker(lib, metricName, dataset, base, query, limitBase, limitQueries, cache, efs));
        }

        String stem = data.name + "-" + metricName + (quick ? "-quick" : "") + "-" + LocalDate.now();
        Path out = root.resolve("bench/results");
        Files.createDirectories(out);
        Files.writeString(out.resolve(stem + ".json"), JSON.writeValueAsString(report));
        String table = markdown(report);
        Files.writeString(out.resolve(stem + ".md"), table);
        plot(report, out.resolve(stem + ".png"));
        String ratio = ratio(report);
        updateDocs(root.resolve("docs/benchmarks.md"), report, table, stem, ratio);
        System.out.println(table);
        System.out.println(ratio);
    }

    private static JsonNode runWorker(String lib, String metric, String dataset, String base, String query,
                                      int limitBase, int limitQueries, Path cache, String efs) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx8g", "-Xms2g", "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                AnnWorker.class.getName(), lib, metric, dataset.equals("fvecs") ? "-" : dataset, base, query,
                String.valueOf(limitBase), String.valueOf(limitQueries), cache.toString(), efs));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    result = line.substring(7);
                }
            }
        }
        int code = p.waitFor();
        if (code != 0 || result == null) {
            throw new IllegalStateException("worker for " + lib + " failed with exit code " + code);
        }
        JsonNode node = JSON.readTree(result);
        System.err.println("   " + node);
        return node;
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

    /** The highest QPS among sweep points with recall >= target, or 0 when none reaches it. */
    static double qpsAt(JsonNode lib, double target) {
        double best = 0;
        for (JsonNode p : lib.get("sweep")) {
            if (p.get("recall").asDouble() >= target) {
                best = Math.max(best, p.get("qps").asDouble());
            }
        }
        return best;
    }

    static String ratio(JsonNode report) {
        double ours95 = 0;
        double ours99 = 0;
        double oursBuild = Double.MAX_VALUE;
        double peer95 = 0;
        double peer99 = 0;
        double peerBuild = Double.MAX_VALUE;
        for (JsonNode r : report.get("results")) {
            boolean ours = r.get("library").asText().startsWith("vectorstream");
            double q95 = qpsAt(r, 0.95);
            double q99 = qpsAt(r, 0.99);
            double build = r.get("build1Seconds").asDouble();
            if (ours) {
                ours95 = Math.max(ours95, q95);
                ours99 = Math.max(ours99, q99);
                oursBuild = Math.min(oursBuild, build);
            } else {
                peer95 = Math.max(peer95, q95);
                peer99 = Math.max(peer99, q99);
                peerBuild = Math.min(peerBuild, build);
            }
        }
        return String.format(Locale.ROOT, "RATIO qps@0.95=%.2f qps@0.99=%.2f build=%.2f",
                peer95 == 0 ? Double.NaN : ours95 / peer95, peer99 == 0 ? Double.NaN : ours99 / peer99,
                peerBuild / oursBuild);
    }

    static String markdown(JsonNode report) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s, %d base x %d queries, %d-d, %s; %s; JDK %s; %s%n%n",
                report.get("dataset").asText(), report.get("base").asInt(), report.get("queries").asInt(),
                report.get("dimension").asInt(), report.get("metric").asText(), report.get("parameters").asText(),
                report.get("jdk").asText(), report.get("machine").asText()));
        sb.append("| library | build 1 thread (s) | build 2 threads (s) | heap after build (MiB) | QPS @ recall>=0.95 | QPS @ recall>=0.99 |\n");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        for (JsonNode r : report.get("results")) {
            sb.append(String.format(Locale.ROOT, "| %s | %.1f | %s | %.0f | %.0f | %.0f |%n", r.get("library").asText(),
                    r.get("build1Seconds").asDouble(),
                    r.has("build2Seconds") ? String.format(Locale.ROOT, "%.1f", r.get("build2Seconds").asDouble()) : "n/a",
                    r.get("heapBytes").asDouble() / 1048576.0, qpsAt(r, 0.95), qpsAt(r, 0.99)));
        }
        sb.append("\nefSearch sweep (recall@10 / single-thread QPS / p50 / p99 latency in µs):\n\n");
        sb.append("| library | ef | recall@10 | QPS | p50 µs | p99 µs |\n|---|---:|---:|---:|---:|---:|\n");
        for (JsonNode r : report.get("results")) {
            for (JsonNode p : r.get("sweep")) {
                sb.append(String.format(Locale.ROOT, "| %s | %d | %.4f | %.0f | %.0f | %.0f |%n", r.get("library").asText(),
                        p.get("ef").asInt(), p.get("recall").asDouble(), p.get("qps").asDouble(),
                        p.get("p50Micros").asDouble(), p.get("p99Micros").asDouble()));
            }
        }
        return sb.toString();
    }

    static void plot(JsonNode report, Path png) throws java.io.IOException {
        XYChart chart = new XYChartBuilder().width(900).height(600)
                .title("Recall-QPS tradeoff: " + report.get("dataset").asText() + " (" + report.get("metric").asText() + ", k=10)")
                .xAxisTitle("recall@10").yAxisTitle("queries per second (1 thread, log)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
        for (JsonNode r : report.get("results")) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (JsonNode p : r.get("sweep")) {
                x.add(p.get("recall").asDouble());
                y.add(p.get("qps").asDouble());
            }
            chart.addSeries(r.get("library").asText(), x, y);
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    static void updateDocs(Path docs, JsonNode report, String table, String stem, String ratio) throws java.io.IOException {
        String begin = "<!-- ann:" + report.get("dataset").asText() + "-" + report.get("metric").asText() + ":begin -->";
        String end = begin.replace(":begin", ":end");
        String section = begin + "\n"
                + "Command: `" + report.get("command").asText() + "` (" + report.get("date").asText() + ")\n\n"
                + table + "\n" + "Plot: `bench/results/" + stem + ".png`; raw: `bench/results/" + stem + ".json`.\n\n"
                + "`" + ratio + "`\n" + end;
        String text = Files.exists(docs) ? Files.readString(docs) : "# Benchmarks\n";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b >= 0 && e > b) {
            text = text.substring(0, b) + section + text.substring(e + end.length());
        } else {
            text = text + "\n" + section + "\n";
        }
        Files.writeString(docs, text);
    }
}
