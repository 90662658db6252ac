package dev.lossconformance.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cross-entropy with class-index targets, mean reduction, float32, classes on dim 1: the forward and
 * the forward with the gradient with respect to the input, on each engine and shape ({@link
 * Problems.CrossEntropy#SHAPES}; a JMH parameter must list its values literally).
 */
public class CrossEntropyBenchmark extends EngineWorkloadState {
  @Param({"256x10", "4096x1000", "64x32000", "32x128256", "8x21x256x256"})
  public String shape;

  @Override
  protected Workload create(String engine) {
    return Workloads.crossEntropy(engine, shape);
  }

  @Benchmark
  public void forward(Blackhole bh) {
    workload.forward(bh);
  }

  @Benchmark
  public void forwardGradient(Blackhole bh) {
    workload.forwardGradient(bh);
  }
}
