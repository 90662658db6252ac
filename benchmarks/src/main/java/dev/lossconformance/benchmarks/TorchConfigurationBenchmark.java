package dev.lossconformance.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Every PyTorch configuration ({@link TorchConfigurations}, by id in {@code config}; a JMH parameter
 * must list its values literally, and {@link EngineCheck} checks that the list is the registry's):
 * forward + gradient on Java and on PyTorch. One fork, 2 warmup and 3 measured one-second iterations
 * (the shared settings' two forks of 3 + 4 would make its 52 parameter combinations take about 15 minutes
 * instead of about 7), so a ratio near its target needs a rerun before it is a verdict.
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
public class TorchConfigurationBenchmark extends BenchmarkSettings {
  @Param({JAVA, PYTORCH})
  public String engine;

  @Param({
    "cross_entropy.f32",
    "cross_entropy.weight.f32",
    "cross_entropy.ignore_index.f32",
    "cross_entropy.label_smoothing.f32",
    "cross_entropy.probabilities.f32",
    "cross_entropy.f64",
    "nll_loss.f32",
    "nll_loss.f64",
    "binary_cross_entropy.f32",
    "binary_cross_entropy.f64",
    "binary_cross_entropy_with_logits.f32",
    "binary_cross_entropy_with_logits.weight_pos_weight.f32",
    "binary_cross_entropy_with_logits.f64",
    "kl_div.f32",
    "kl_div.f64",
    "l1_loss.f32",
    "l1_loss.f64",
    "poisson_nll_loss.f32",
    "poisson_nll_loss.f64",
    "gaussian_nll_loss.f32",
    "gaussian_nll_loss.f64",
    "cosine_embedding_loss.f32",
    "cosine_embedding_loss.f64",
    "hinge_embedding_loss.f32",
    "hinge_embedding_loss.f64",
    "ctc_loss.f64",
  })
  public String config;

  private Workload workload;

  @Setup
  public void setUp() {
    workload = Configurations.byId(config).workload().apply(engine);
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
