package dev.lossconformance.loss;

import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.junit.Conformance;
import dev.lossconformance.junit.FixtureSource;
import org.junit.jupiter.params.ParameterizedTest;

/** Every {@code l1_loss} golden of both engines against the Java kernel of its API. */
class L1LossConformanceTest {

  @ParameterizedTest(name = "{argumentSetName}")
  @FixtureSource(engine = "torch", op = "l1_loss")
  void matchesTorch(FixtureCase c) {
    Conformance.assertConforms(c);
  }

  @ParameterizedTest(name = "{argumentSetName}")
  @FixtureSource(engine = "tensorflow", op = "l1_loss")
  void matchesTensorflow(FixtureCase c) {
    Conformance.assertConforms(c);
  }
}
