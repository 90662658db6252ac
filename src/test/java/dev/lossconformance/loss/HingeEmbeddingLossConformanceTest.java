package dev.lossconformance.loss;

import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.junit.Conformance;
import dev.lossconformance.junit.FixtureSource;
import org.junit.jupiter.params.ParameterizedTest;

/** Every {@code hinge_embedding_loss} golden of both engines against the Java kernel of its API. */
class HingeEmbeddingLossConformanceTest {

  @ParameterizedTest(name = "{argumentSetName}")
  @FixtureSource(engine = "torch", op = "hinge_embedding_loss")
  void matchesTorch(FixtureCase c) {
    Conformance.assertConforms(c);
  }

  @ParameterizedTest(name = "{argumentSetName}")
  @FixtureSource(engine = "tensorflow", op = "hinge_embedding_loss")
  void matchesTensorflow(FixtureCase c) {
    Conformance.assertConforms(c);
  }
}
