package dev.lossconformance.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Java's cross-entropy forward + gradient with the gradient written into one array reused across
 * calls ({@code CrossEntropy.apply(input, target, gradInto)}), as a training loop would call it: the
 * same work as {@link CrossEntropyBenchmark#forwardGradient} without allocating (and zeroing) a new
 * gradient array per call. Java only: the engines' calls allocate their results.
 */
@State(Scope.Benchmark)
public class CrossEntropyReuseBenchmark extends BenchmarkSettings {
  @Param({"256x10", "4096x1000", "64x32000", "32x128256", "8x21x256x256"})
  public String shape;

  private Workload workload;

  @Setup
  public void setUp() {
    workload = JavaKernels.crossEntropyIntoReusedArray(Problems.CrossEntropy.of(shape));
  }

  @Benchmark
  public void forwardGradient(Blackhole bh) {
    workload.forwardGradient(bh);
  }
}
