package dev.lossconformance.benchmarks;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A benchmark that times one loss on each engine ({@code engine} parameter): the workload is made once
 * per fork by {@link #create} and released after it. JMH takes the parameter, setup and teardown of a
 * superclass as its own.
 */
@State(Scope.Benchmark)
public abstract class EngineWorkloadState extends BenchmarkSettings {
  @Param({JAVA, PYTORCH, TENSORFLOW})
  public String engine;

  protected Workload workload;

  /** The workload of this benchmark's loss on {@code engine}. */
  protected abstract Workload create(String engine);

  @Setup
  public void setUp() {
    workload = create(engine);
  }

  @TearDown
  public void tearDown() {
    workload.close();
  }
}
