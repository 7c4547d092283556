package io.vectorstream.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Files written by earlier versions of the code still load, and the loaded index is exactly the one that was
 * saved: every slot, vector, neighbour list and metadata field, the same search answers (distances bit for bit),
 * and the same answers after a fixed continuation of adds and removals. The expectations were recorded by the
 * code that wrote each file ({@link GoldenIndexFiles}), not typed in.
 */
class GoldenIndexFilesTest {

    static byte[] resource(String name) throws IOException {
        try (InputStream in = GoldenIndexFilesTest.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as("test resource golden/%s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** The kernels that recorded the expectations (from the files' {@code # kernels} line). */
    static String recordedKernels;

    static List<String> expected(GoldenIndexFiles.Spec spec) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : new String(resource(spec.name + ".expected"), StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("# kernels ")) {
                recordedKernels = line.substring("# kernels ".length());
            } else if (!line.isEmpty() && !line.startsWith("#")) {
                out.add(line);
            }
        }
        return out;
    }

    static void assertLoadsAsRecorded(String tag) throws IOException {
        for (GoldenIndexFiles.Spec spec : GoldenIndexFiles.specs(Integer.parseInt(tag.substring(1)))) {
            String file = tag + "-" + spec.name + ".vshw";
            HnswIndex loaded = HnswIndex.load(new java.io.ByteArrayInputStream(resource(file)));
            assertThat(loaded.config()).as(file).isEqualTo(spec.config);
            List<String> actual = GoldenIndexFiles.describe(spec, loaded);
            actual.addAll(GoldenIndexFiles.describeAfterContinuation(spec, loaded));
            List<String> expected = expected(spec);
            for (int i = 0; i < Math.min(actual.size(), expected.size()); i++) {
                assertSameFact(file + ", fact " + i, actual.get(i), expected.get(i));
            }
            assertThat(actual).as(file).hasSameSizeAs(expected);
        }
    }

    /**
     * Structure lines must be equal. Answer lines must have the same path and ids; their distances must be bit
     * for bit equal under the kernels that recorded them and within a few ulps under others (the scalar and the
     * Panama kernels sum in different orders).
     */
    static void assertSameFact(String what, String actual, String expected) {
        if (!expected.contains("answer ") && !expected.startsWith("filtered ")) {
            assertThat(actual).as(what).isEqualTo(expected);
            return;
        }
        String[] a = actual.split(" ");
        String[] e = expected.split(" ");
        assertThat(a.length).as(what + ": " + actual).isEqualTo(e.length);
        for (int i = 0; i < e.length; i++) {
            int colon = e[i].indexOf(':');
            if (colon < 0) {
                assertThat(a[i]).as(what).isEqualTo(e[i]);
                continue;
            }
            assertThat(a[i].substring(0, a[i].indexOf(':'))).as(what + ": id at " + i).isEqualTo(e[i].substring(0, colon));
            float ad = Float.intBitsToFloat(Integer.parseUnsignedInt(a[i].substring(a[i].indexOf(':') + 1), 16));
            float ed = Float.intBitsToFloat(Integer.parseUnsignedInt(e[i].substring(colon + 1), 16));
            if (VectorMath.implementationName().equals(recordedKernels)) {
                assertThat(ad).as(what + ": distance at " + i).isEqualTo(ed);
            } else {
                assertThat(ad).as(what + ": distance at " + i)
                        .isCloseTo(ed, org.assertj.core.data.Offset.offset(1e-5f * Math.max(1f, Math.abs(ed))));
            }
        }
    }

    @Test
    void version1FilesLoadAsRecorded() throws IOException {
        assertLoadsAsRecorded("v1");
    }

    @Test
    void version2FilesLoadAsRecorded() throws IOException {
        assertLoadsAsRecorded("v2");
    }

    @Test
    void version3FilesLoadAsRecorded() throws IOException {
        assertLoadsAsRecorded("v3");
    }

    @Test
    void version4FilesLoadAsRecorded() throws IOException {
        assertLoadsAsRecorded("v4");
    }

    @Test
    void version5FilesLoadAsRecorded() throws IOException {
        assertLoadsAsRecorded("v5");
    }

    @Test
    void version6FilesLoadAsRecorded() throws IOException {
        assertLoadsAsRecorded("v6");
    }

    /**
     * Saving what was loaded reproduces the version-6 golden bytes exactly, whether it was loaded from the
     * version-6 file or converted from any older file of the same index: the format is stable, and nothing is
     * lost on the way.
     */
    @Test
    void resavingAnyVersionGivesTheVersion6Bytes() throws IOException {
        for (GoldenIndexFiles.Spec spec : GoldenIndexFiles.specs()) {
            byte[] v6 = resource("v6-" + spec.name + ".vshw");
            for (int version = spec.since; version <= 6; version++) {
                String tag = "v" + version;
                HnswIndex loaded = HnswIndex.load(new java.io.ByteArrayInputStream(resource(tag + "-" + spec.name
                        + ".vshw")));
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                loaded.save(out);
                assertThat(out.toByteArray()).as("%s-%s saved again", tag, spec.name).isEqualTo(v6);
            }
        }
    }

    /** The version-6 file keeps a search setting older files had no room for: older ones load with 1. */
    @Test
    void theUpperBeamGoldenIndexKeepsItsBeamWidth() throws IOException {
        HnswIndex loaded = HnswIndex.load(new java.io.ByteArrayInputStream(resource("v6-float-l2-bursts-upper-beam.vshw")));
        assertThat(loaded.config().upperBeamWidth()).isEqualTo(2);
        assertThat(HnswIndex.load(new java.io.ByteArrayInputStream(resource("v5-float-l2-bursts.vshw"))).config()
                .upperBeamWidth()).as("version 5 had none").isEqualTo(HnswConfig.DEFAULT_UPPER_BEAM_WIDTH);
    }

    /** The version-5 index built in bursts was saved with its latest inserts, and loads with them. */
    @Test
    void theBurstGoldenIndexKeepsItsLatestInserts() throws IOException {
        HnswIndex loaded = HnswIndex.load(new java.io.ByteArrayInputStream(resource("v5-float-l2-bursts.vshw")));
        assertThat(loaded.metadata().recentInserts()).hasSize(IndexMetadata.MAX_RECENT_INSERTS);
        assertThat(HnswIndex.load(new java.io.ByteArrayInputStream(resource("v5-float-l2.vshw"))).metadata()
                .recentInserts()).as("resaved from version 4, which had none").isEmpty();
    }

    /** The version-4 index with outlier coordinates was written with a range per coordinate, and loads so. */
    @Test
    void thePerCoordinateGoldenIndexKeepsARangePerCoordinate() throws IOException {
        HnswIndex loaded = HnswIndex.load(new java.io.ByteArrayInputStream(resource("v4-int8-l2-per-coordinate.vshw")));
        assertThat(loaded.metadata().quantizerRanges()).isEqualTo(GoldenIndexFiles.DIM);
        assertThat(HnswIndex.load(new java.io.ByteArrayInputStream(resource("v4-int8-cosine.vshw"))).metadata()
                .quantizerRanges()).isEqualTo(1);
    }

    /** The recorded answers are right, not only stable: on these small indexes they equal brute force. */
    @Test
    void recordedFloatAnswersEqualBruteForceOverTheRecordedVectors() throws IOException {
        GoldenIndexFiles.Spec spec = GoldenIndexFiles.specs().get(0);
        assertThat(spec.config.metric()).isEqualTo(VectorMetric.L2);
        List<float[]> vectors = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        for (String line : expected(spec)) {
            String[] t = line.split(" ");
            if (t[0].equals("node")) {
                ids.add(Long.parseLong(t[3]));
                String[] hex = t[7].split(",");
                float[] v = new float[hex.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = Float.intBitsToFloat(Integer.parseUnsignedInt(hex[i], 16));
                }
                vectors.add(v);
            } else if (t[0].equals("answer")) {
                answers.add(line);
            }
        }
        float[][] data = vectors.toArray(new float[0][]);
        long[] idArray = ids.stream().mapToLong(Long::longValue).toArray();
        float[][] queries = GoldenIndexFiles.queries(spec);
        assertThat(answers).hasSize(queries.length);
        for (int q = 0; q < queries.length; q++) {
            long[] truth = TestData.bruteForce(VectorMetric.L2, data, idArray, null, queries[q], GoldenIndexFiles.K,
                    null);
            String[] t = answers.get(q).split(" ");
            long[] got = new long[t.length - 3];
            for (int i = 0; i < got.length; i++) {
                got[i] = Long.parseLong(t[3 + i].substring(0, t[3 + i].indexOf(':')));
            }
            assertThat(got).as("query %d", q).containsExactly(truth);
        }
    }
}
