package dev.lossconformance.loss;

import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.junit.Conformance;
import dev.lossconformance.junit.FixtureSource;
import org.junit.jupiter.params.ParameterizedTest;

/** Every {@code kl_div} golden of both engines against the Java kernel of its API. */
class KlDivConformanceTest {

  @ParameterizedTest(name = "{argumentSetName}")
  @FixtureSource(engine = "torch", op = "kl_div")
  void matchesTorch(FixtureCase c) {
    Conformance.assertConforms(c);
  }

  @ParameterizedTest(name = "{argumentSetName}")
  @FixtureSource(engine = "tensorflow", op = "kl_div")
  void matchesTensorflow(FixtureCase c) {
    Conformance.assertConforms(c);
  }
}
