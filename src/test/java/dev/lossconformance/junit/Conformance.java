package dev.lossconformance.junit;

import dev.lossconformance.check.CaseResult;
import dev.lossconformance.check.CheckRun;
import dev.lossconformance.check.Deviations;
import dev.lossconformance.java.JavaImplementation;
import dev.lossconformance.fixture.FixtureCase;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one assertion every conformance test makes: the verdict {@code check} and the TCK give
 * ({@link CheckRun#verdict}), for the implementation {@code java}, with no deviation listed.
 */
public final class Conformance {
  private Conformance() {}

  private static final JavaImplementation JAVA = new JavaImplementation();

  /**
   * Passes when the Java implementation matches the case's golden within tolerance, or raises where
   * the engine raised. A case the engine cannot express is aborted (reported as skipped) with the
   * engine's reason; anything else fails with the checker's message.
   */
  public static void assertConforms(FixtureCase c) {
    CaseResult r = CheckRun.verdict(c, JAVA, Deviations.none()).result();
    switch (r.status()) {
      case PASSED -> { }
      case SKIPPED -> Assumptions.abort(r.message());
      default -> Assertions.fail(r.status() + ": " + r.message());
    }
  }
}
