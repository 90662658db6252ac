package dev.lossconformance.junit;

import dev.lossconformance.check.CaseResult;
import dev.lossconformance.check.Checker;
import dev.lossconformance.fixture.FixtureCase;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** The one assertion every conformance test makes. */
public final class Conformance {
  private Conformance() {}

  /**
   * Passes when the Java implementation matches the case's golden within tolerance, or raises where
   * the engine raised. A case the engine cannot express is aborted (reported as skipped) with the
   * engine's reason; anything else fails with the checker's message.
   */
  public static void assertConforms(FixtureCase c) {
    CaseResult r = Checker.check(c);
    switch (r.status()) {
      case PASSED -> { }
      case SKIPPED -> Assumptions.abort(r.message());
      default -> Assertions.fail(r.status() + ": " + r.message());
    }
  }
}
