package dev.lossconformance.loss;

import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.junit.Conformance;
import dev.lossconformance.junit.FixtureSource;
import org.junit.jupiter.params.ParameterizedTest;

/** Every {@code binary_cross_entropy_with_logits} golden of both engines against the Java kernel of its API. */
class BinaryCrossEntropyWithLogitsConformanceTest {

  @ParameterizedTest(name = "{argumentSetName}")
  @FixtureSource(engine = "torch", op = "binary_cross_entropy_with_logits")
  void matchesTorch(FixtureCase c) {
    Conformance.assertConforms(c);
  }

  @ParameterizedTest(name = "{argumentSetName}")
  @FixtureSource(engine = "tensorflow", op = "binary_cross_entropy_with_logits")
  void matchesTensorflow(FixtureCase c) {
    Conformance.assertConforms(c);
  }
}
