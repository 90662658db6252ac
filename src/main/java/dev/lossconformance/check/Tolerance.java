package dev.lossconformance.check;

import dev.lossconformance.tensor.DType;

/**
 * How far a Java output may be from a golden: an element passes when it is within {@code ulps} units
 * in the last place of the golden element, or, for outputs that are sums of cancelling terms (such as
 * {@code softmax - onehot} near 1, where a relative measure is meaningless), when its absolute error is
 * at most {@code termUlps} ulps of the magnitude of the terms combined at that element
 * ({@link TermMagnitudes}: {@code p + 1} at a target class, {@code p} elsewhere, so a tiny non-target
 * entry keeps a relative allowance). NaN matches only NaN, an infinity only the same infinity, and
 * -0.0 equals 0.0.
 *
 * @param ulps elementwise allowance in ulps of the golden element
 * @param termUlps absolute allowance in ulps of the element's own term magnitude (0 for none)
 * @param reason why the allowance is what it is (measured error, the engine's algorithm)
 * @param units the dtype whose ulps are counted, or {@code null} for the output's own
 */
public record Tolerance(long ulps, long termUlps, String reason, DType units) {

  public Tolerance(long ulps, long termUlps, String reason) {
    this(ulps, termUlps, reason, null);
  }

  /** {@code ulps} units in the last place, nothing else. */
  public static Tolerance ulps(long ulps, String reason) {
    return new Tolerance(ulps, 0, reason);
  }

  /**
   * This tolerance counted in ulps of {@code dtype} instead of the output's own: for float64 outputs
   * an engine computed in float32 (Keras' float64 gradients are float32 values cast up, T-19).
   */
  public Tolerance inUnitsOf(DType dtype) {
    return new Tolerance(ulps, termUlps, reason, dtype);
  }

  /** The dtype whose ulps count for an output of dtype {@code output}. */
  public DType unitsFor(DType output) {
    return units == null ? output : units;
  }

  @Override
  public String toString() {
    return ulps + " ulps" + (units != null ? " of " + units : "")
        + (termUlps > 0 ? " or " + termUlps + " ulps of the element's term magnitude" : "");
  }
}
