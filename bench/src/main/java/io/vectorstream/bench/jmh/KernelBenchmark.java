package io.vectorstream.bench.jmh;

import io.vectorstream.index.internal.vectorization.KernelProvider;
import io.vectorstream.index.internal.vectorization.ScalarKernels;
import io.vectorstream.index.internal.vectorization.VectorKernels;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.util.VectorUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Distance kernels at 128 and 784 dimensions: VectorStream's Panama kernels, its scalar reference, and
 * Lucene's {@code VectorUtil} (Panama-vectorised when the JVM has jdk.incubator.vector).
 * Run: {@code java --add-modules jdk.incubator.vector -cp ... org.openjdk.jmh.Main KernelBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelBenchmark {
    @Param({"128", "784"})
    int dim;

    float[] a;
    float[] b;
    final VectorKernels ours = KernelProvider.kernels();
    final VectorKernels scalar = new ScalarKernels();

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        a = new float[dim];
        b = new float[dim];
        for (int i = 0; i < dim; i++) {
            a[i] = (float) r.nextDouble();
            b[i] = (float) r.nextDouble();
        }
    }

    @Benchmark public float dotVectorStream() { return ours.dot(a, 0, b, 0, dim); }
    @Benchmark public float dotScalar() { return scalar.dot(a, 0, b, 0, dim); }
    @Benchmark public float dotLucene() { return VectorUtil.dotProduct(a, b); }
    @Benchmark public float l2VectorStream() { return ours.squareDistance(a, 0, b, 0, dim); }
    @Benchmark public float l2Scalar() { return scalar.squareDistance(a, 0, b, 0, dim); }
    @Benchmark public float l2Lucene() { return VectorUtil.squareDistance(a, b); }
}
