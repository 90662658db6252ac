package dev.lossconformance.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/** CTC (T=200, N=16, C=50, S=40), mean, float32: the forward with the gradient, on each engine. */
@State(Scope.Benchmark)
public class CtcBenchmark extends BenchmarkSettings {
  @Param({JAVA, PYTORCH, TENSORFLOW})
  public String engine;

  private Workload workload;

  @Setup
  public void setUp() {
    workload = Workloads.ctc(engine);
  }

  @TearDown
  public void tearDown() {
    workload.close();
  }

  @Benchmark
  public void forwardGradient(Blackhole bh) {
    workload.forwardGradient(bh);
  }
}
