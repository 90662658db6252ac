package dev.lossconformance.benchmarks;

import java.util.List;

/** The configurations benchmarked against TensorFlow: see {@link Configuration}. */
final class TfConfigurations {
  private TfConfigurations() {}

  static List<Configuration> all() {
    return List.of();
  }
}
