package io.vectorstream.bench.ann;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorstream.jobs.Datasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding-like pair: deterministic, the asked shape, and outlier coordinates that stand out. */
class EmbeddingLikeFvecsTest {

    private static void generate(Path dir, String... extra) throws IOException {
        String[] base = {"--out", dir.toString(), "--base", "2000", "--queries", "50", "--dimension", "24",
                "--clusters", "20", "--seed", "7"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        EmbeddingLikeFvecs.main(args);
    }

    @Test
    void theSameSeedWritesTheSameFiles(@TempDir Path a, @TempDir Path b) throws IOException {
        generate(a);
        generate(b);

        for (String f : new String[] {"embedlike-2000-base.fvecs", "embedlike-2000-query.fvecs"}) {
            assertThat(Files.readAllBytes(a.resolve(f))).isEqualTo(Files.readAllBytes(b.resolve(f)));
        }
        float[][] base = Datasets.readFvecs(a.resolve("embedlike-2000-base.fvecs"), Integer.MAX_VALUE);
        float[][] queries = Datasets.readFvecs(a.resolve("embedlike-2000-query.fvecs"), Integer.MAX_VALUE);
        assertThat(base).hasNumberOfRows(2000);
        assertThat(queries).hasNumberOfRows(50);
        assertThat(base[0]).hasSize(24);
        // Signed, dense components: a rotation of centred data leaves no coordinate all positive.
        assertThat(meanAbs(base, 0)).isGreaterThan(0.05);
        assertThat(minimum(base)).isNegative();
    }

    @Test
    void outlierCoordinatesAreLargerThanTheRest(@TempDir Path dir) throws IOException {
        generate(dir, "--outlier-dims", "2", "--outlier-scale", "10");

        float[][] base = Datasets.readFvecs(dir.resolve("embedlike-2000-o2-base.fvecs"), Integer.MAX_VALUE);
        double rest = 0;
        for (int j = 2; j < 24; j++) {
            rest = Math.max(rest, meanAbs(base, j));
        }
        assertThat(meanAbs(base, 0)).isGreaterThan(5 * rest);
        assertThat(meanAbs(base, 1)).isGreaterThan(5 * rest);
    }

    @Test
    void rejectsMoreOutliersThanDimensions(@TempDir Path dir) {
        assertThatThrownBy(() -> generate(dir, "--outlier-dims", "25"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--outlier-dims must be in [0, dimension]")
                .hasMessageContaining("outlier-dims=25");
    }

    private static double meanAbs(float[][] rows, int j) {
        double s = 0;
        for (float[] r : rows) {
            s += Math.abs(r[j]);
        }
        return s / rows.length;
    }

    private static float minimum(float[][] rows) {
        float m = Float.POSITIVE_INFINITY;
        for (float[] r : rows) {
            for (float x : r) {
                m = Math.min(m, x);
            }
        }
        return m;
    }
}
