package dev.lossconformance.loss;

import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.junit.Conformance;
import dev.lossconformance.junit.FixtureSource;
import org.junit.jupiter.params.ParameterizedTest;

/** Every {@code poisson_nll_loss} golden of both engines against the Java kernel of its API. */
class PoissonNllLossConformanceTest {

  @ParameterizedTest(name = "{argumentSetName}")
  @FixtureSource(engine = "torch", op = "poisson_nll_loss")
  void matchesTorch(FixtureCase c) {
    Conformance.assertConforms(c);
  }

  @ParameterizedTest(name = "{argumentSetName}")
  @FixtureSource(engine = "tensorflow", op = "poisson_nll_loss")
  void matchesTensorflow(FixtureCase c) {
    Conformance.assertConforms(c);
  }
}
