package dev.lossconformance.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.infra.Blackhole;

/** BCE-with-logits on (4096, 1000), mean, float32: the forward with the gradient, on each engine. */
public class BceWithLogitsBenchmark extends EngineWorkloadState {
  @Override
  protected Workload create(String engine) {
    return Workloads.bceWithLogits(engine);
  }

  @Benchmark
  public void forwardGradient(Blackhole bh) {
    workload.forwardGradient(bh);
  }
}
