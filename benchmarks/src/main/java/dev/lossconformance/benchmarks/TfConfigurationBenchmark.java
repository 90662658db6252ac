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
 * Every Keras and tf.nn configuration of {@link TfConfigurations} (the {@code config} parameter, its
 * ids listed literally as JMH requires; {@link TfConfigurations#check} fails when they drift apart),
 * forward + gradient with respect to the prediction, on Java and on TensorFlow only (the {@code
 * engine} parameter; PyTorch has no Keras losses). The workload is made once per fork and released
 * after it, as {@link EngineWorkloadState} does.
 *
 * <p>One fork, 2 warmup and 3 measured one-second iterations per (engine, config): 64 forks. JMH takes
 * a class's {@code @Fork} whole, not merged with {@link BenchmarkSettings}', so it lists
 * {@link BenchmarkSettings}' JVM arguments again (the same heap, Vector API module, thread counts and offline DJL).
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
public class TfConfigurationBenchmark extends BenchmarkSettings {
  @Param({JAVA, TENSORFLOW})
  public String engine;

  @Param({
    "keras.SparseCategoricalCrossentropy.from_logits.f32",
    "keras.SparseCategoricalCrossentropy.from_logits.f64",
    "keras.SparseCategoricalCrossentropy.probabilities.f32",
    "keras.CategoricalCrossentropy.from_logits.f32",
    "keras.CategoricalCrossentropy.from_logits.f64",
    "keras.CategoricalCrossentropy.probabilities.f32",
    "keras.CategoricalCrossentropy.label_smoothing.f32",
    "keras.BinaryCrossentropy.probabilities.f32",
    "keras.BinaryCrossentropy.from_logits.f32",
    "keras.BinaryCrossentropy.from_logits.f64",
    "keras.KLDivergence.f32",
    "keras.KLDivergence.f64",
    "keras.MeanAbsoluteError.f32",
    "keras.MeanAbsoluteError.f64",
    "keras.Poisson.f32",
    "keras.Poisson.f64",
    "keras.CosineSimilarity.f32",
    "keras.CosineSimilarity.f64",
    "keras.Hinge.f32",
    "keras.Hinge.f64",
    "tf.nn.softmax_cross_entropy_with_logits.f32",
    "tf.nn.softmax_cross_entropy_with_logits.f64",
    "tf.nn.sparse_softmax_cross_entropy_with_logits.f32",
    "tf.nn.sparse_softmax_cross_entropy_with_logits.f64",
    "tf.nn.sigmoid_cross_entropy_with_logits.f32",
    "tf.nn.sigmoid_cross_entropy_with_logits.f64",
    "tf.nn.weighted_cross_entropy_with_logits.f32",
    "tf.nn.weighted_cross_entropy_with_logits.f64",
    "tf.nn.log_poisson_loss.f32",
    "tf.nn.log_poisson_loss.f64",
    "tf.nn.ctc_loss.f32",
    "tf.nn.ctc_loss.f64",
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
