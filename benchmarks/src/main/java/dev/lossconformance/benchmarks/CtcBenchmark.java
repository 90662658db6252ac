package dev.lossconformance.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.infra.Blackhole;

/** CTC (T=200, N=16, C=50, S=40), mean, float32: the forward with the gradient, on each engine. */
public class CtcBenchmark extends EngineWorkloadState {
  @Override
  protected Workload create(String engine) {
    return Workloads.ctc(engine);
  }

  @Benchmark
  public void forwardGradient(Blackhole bh) {
    workload.forwardGradient(bh);
  }
}
