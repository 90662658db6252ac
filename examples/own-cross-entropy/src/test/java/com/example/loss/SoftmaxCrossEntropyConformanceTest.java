package com.example.loss;

import dev.lossconformance.check.Deviations;
import dev.lossconformance.impl.LossImplementation;
import dev.lossconformance.tck.ConformanceSuite;
import java.nio.file.Path;
import java.util.Set;

/** The whole conformance check of this library's cross-entropy: one subclass of the TCK's suite. */
class SoftmaxCrossEntropyConformanceTest extends ConformanceSuite {
  @Override
  protected LossImplementation implementation() {
    return new SoftmaxCrossEntropyImplementation();
  }

  /** This library follows PyTorch; the TensorFlow goldens are another API. */
  @Override
  protected Set<String> engines() {
    return Set.of("torch");
  }

  @Override
  protected Deviations deviations() throws Exception {
    return Deviations.read(Path.of("src/test/resources/known-deviations.txt"));
  }
}
