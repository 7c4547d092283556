package io.vectorstream.bench.ann;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * What the synthetic {@code .fvecs} generators ({@link SiftLikeFvecs}, {@link EmbeddingLikeFvecs}) share: their
 * common arguments, a Gaussian draw and the pick of an uneven cluster. Not thread-safe; one per generator run.
 */
final class SyntheticFvecs {
    private SyntheticFvecs() {}

    /** The arguments every generator takes, and the ones only it takes ({@link #extra}). */
    static final class Args {
        Path out;
        int base = 1_000_000;
        int queries = 10_000;
        int dim;
        int clusters = 1_000;
        long seed = 42;
        private final Map<String, String> extras = new HashMap<>();

        /**
         * Parses {@code --out DIR [--base N] [--queries N] [--dimension D] [--clusters C] [--seed S]} and any of
         * {@code extraNames}; rejects anything else with {@code usage}.
         */
        static Args parse(String[] args, int defaultDim, Set<String> extraNames, String usage) {
            Args a = new Args();
            a.dim = defaultDim;
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value; usage: " + usage);
                }
                String value = args[++i];
                switch (name) {
                    case "--out": a.out = Path.of(value); break;
                    case "--base": a.base = Integer.parseInt(value); break;
                    case "--queries": a.queries = Integer.parseInt(value); break;
                    case "--dimension": a.dim = Integer.parseInt(value); break;
                    case "--clusters": a.clusters = Integer.parseInt(value); break;
                    case "--seed": a.seed = Long.parseLong(value); break;
                    default:
                        if (!extraNames.contains(name)) {
                            throw new IllegalArgumentException("unknown argument " + name + "; usage: " + usage);
                        }
                        a.extras.put(name, value);
                }
            }
            if (a.out == null) {
                throw new IllegalArgumentException("--out must be given; --out=null");
            }
            if (a.base < 1 || a.queries < 1 || a.dim < 1 || a.clusters < 1) {
                throw new IllegalArgumentException("--base, --queries, --dimension and --clusters must be >= 1; base="
                        + a.base + ", queries=" + a.queries + ", dimension=" + a.dim + ", clusters=" + a.clusters);
            }
            return a;
        }

        /** The value of an extra argument, or {@code fallback} when it was not given. */
        String extra(String name, String fallback) {
            return extras.getOrDefault(name, fallback);
        }
    }

    /** A standard normal draw (Box-Muller; one of the pair is enough here). */
    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** A Pareto weight, so that cluster sizes are uneven. */
    static double clusterWeight(SplittableRandom r) {
        return 1 / Math.pow(1 - r.nextDouble(), 0.7);
    }

    /** The cluster a point falls in, given the clusters' cumulative weights (their sum is {@code total}). */
    static int pickCluster(double[] cumulative, double total, SplittableRandom r) {
        int c = Arrays.binarySearch(cumulative, r.nextDouble() * total);
        return c < 0 ? Math.min(-c - 1, cumulative.length - 1) : c;
    }
}
