package dev.lossconformance.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the two configuration benchmarks share ({@link TorchConfigurationBenchmark}, {@link
 * TfConfigurationBenchmark}; JMH generates this class's benchmark for each of them): the
 * {@link Configurations} workload of one (engine, configuration) made once per fork and released after
 * it, as {@link EngineWorkloadState} does, and its forward + gradient timed. Each subclass declares the
 * two JMH parameters (a parameter must list its values literally, so each lists its own engines and
 * configuration ids; {@link EngineCheck} checks the ids against the registry).
 *
 * <p>One fork, 2 warmup and 3 measured one-second iterations per (engine, configuration): the shared
 * settings' two forks of 3 + 4 would make the 116 parameter combinations take about 30 minutes instead
 * of about 15, so a ratio near its target needs a rerun before it is a verdict. JMH takes a class's
 * {@code @Fork} whole, not merged with {@link BenchmarkSettings}', so it lists {@link BenchmarkSettings}'
 * JVM arguments again (the same heap, Vector API module, thread counts and offline DJL).
 */
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {
      BenchmarkSettings.HEAP,
      BenchmarkSettings.VECTOR_MODULE,
      BenchmarkSettings.JAVA_THREADS,
      BenchmarkSettings.DJL_OFFLINE,
      BenchmarkSettings.TORCH_THREADS,
      BenchmarkSettings.TORCH_INTEROP_THREADS,
    })
public abstract class ConfigurationBenchmark extends BenchmarkSettings {
  private Workload workload;

  /** The {@code engine} parameter's value. */
  abstract String engine();

  /** The {@code config} parameter's value: a {@link Configurations} id. */
  abstract String config();

  @Setup
  public void setUp() {
    workload = Configurations.byId(config()).workload().apply(engine());
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
