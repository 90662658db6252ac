package dev.lossconformance.benchmarks;

import java.util.List;

/** The configurations benchmarked against PyTorch: see {@link Configuration}. */
final class TorchConfigurations {
  private TorchConfigurations() {}

  static List<Configuration> all() {
    return List.of();
  }
}
