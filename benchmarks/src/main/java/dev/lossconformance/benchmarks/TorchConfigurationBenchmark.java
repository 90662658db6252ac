package dev.lossconformance.benchmarks;

import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Every PyTorch configuration ({@link TorchConfigurations}, by id in {@code config}), forward + gradient
 * on Java and on PyTorch, as {@link ConfigurationBenchmark} times it.
 */
@State(Scope.Benchmark)
public class TorchConfigurationBenchmark extends ConfigurationBenchmark {
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

  @Override
  String engine() {
    return engine;
  }

  @Override
  String config() {
    return config;
  }
}
