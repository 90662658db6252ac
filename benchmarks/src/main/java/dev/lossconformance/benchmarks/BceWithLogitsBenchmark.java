package dev.lossconformance.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/** BCE-with-logits on (4096, 1000), mean, float32: the forward with the gradient, on each engine. */
@State(Scope.Benchmark)
public class BceWithLogitsBenchmark extends BenchmarkSettings {
  @Param({JAVA, PYTORCH, TENSORFLOW})
  public String engine;

  private Workload workload;

  @Setup
  public void setUp() {
    workload = Workloads.bceWithLogits(engine);
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
