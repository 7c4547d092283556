package io.vectorstream.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The JobManager's REST API, read-only: what the web UI shows. Thread-safe. */
final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    FlinkRest(int port) {
        this.base = "http://localhost:" + port;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " must answer 200; status=" + r.statusCode() + " body=" + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Registered TaskManagers. */
    int taskManagerCount() throws IOException, InterruptedException {
        return get("/overview").path("taskmanagers").asInt();
    }

    /** TaskManager id (the {@code taskmanager.resource-id} the harness gave it) to its number of busy slots. */
    Map<String, Integer> busySlots() throws IOException, InterruptedException {
        Map<String, Integer> busy = new TreeMap<>();
        for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
            busy.put(tm.path("id").asText(), tm.path("slotsNumber").asInt() - tm.path("freeSlots").asInt());
        }
        return busy;
    }

    List<String> jobIds() throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        for (JsonNode j : get("/jobs").path("jobs")) {
            ids.add(j.path("id").asText());
        }
        return ids;
    }

    /** The job's state (RUNNING, RESTARTING, FINISHED...). */
    String jobState(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** RUNNING with every task of every vertex RUNNING (not merely deployed or initializing). */
    boolean allTasksRunning(String jobId) throws IOException, InterruptedException {
        JsonNode job = get("/jobs/" + jobId);
        if (!"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode v : job.path("vertices")) {
            JsonNode counts = v.path("tasks");
            if (counts.path("RUNNING").asInt() != v.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    /** Vertex name to parallelism. */
    Map<String, Integer> parallelism(String jobId) throws IOException, InterruptedException {
        Map<String, Integer> p = new TreeMap<>();
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            p.put(v.path("name").asText(), v.path("parallelism").asInt());
        }
        return p;
    }

    /** Checkpoint statistics: how many restores, and the id of the latest completed checkpoint (-1: none). */
    record Checkpoints(long restored, long latestCompletedId, long latestRestoredId) {}

    Checkpoints checkpoints(String jobId) throws IOException, InterruptedException {
        JsonNode c = get("/jobs/" + jobId + "/checkpoints");
        JsonNode completed = c.path("latest").path("completed");
        JsonNode restored = c.path("latest").path("restored");
        return new Checkpoints(c.path("counts").path("restored").asLong(),
                completed.isMissingNode() || completed.isNull() ? -1 : completed.path("id").asLong(),
                restored.isMissingNode() || restored.isNull() ? -1 : restored.path("id").asLong());
    }

    /** The root cause text of the job's latest failure, or "" (for failure messages). */
    String latestException(String jobId) {
        try {
            JsonNode e = get("/jobs/" + jobId + "/exceptions");
            return e.path("exceptionHistory").path("entries").path(0).path("stacktrace").asText("");
        } catch (IOException | InterruptedException e) {
            return "(exceptions not readable: " + e + ")";
        }
    }
}
