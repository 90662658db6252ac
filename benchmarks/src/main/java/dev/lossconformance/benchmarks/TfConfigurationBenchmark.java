package dev.lossconformance.benchmarks;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Every Keras and tf.nn configuration of {@link TfConfigurations} (by id in {@code config}), forward +
 * gradient with respect to the prediction on Java and on TensorFlow only (PyTorch has no Keras losses),
 * as {@link ConfigurationBenchmark} times it.
 */
@State(Scope.Benchmark)
public class TfConfigurationBenchmark extends ConfigurationBenchmark {
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

  @Override
  String engine() {
    return engine;
  }

  @Override
  String config() {
    return config;
  }
}
