package dev.lossconformance.check;

import dev.lossconformance.tensor.DType;

/**
 * The allowance for each (api, output, dtype), set a little above the error measured against the
 * goldens with {@code check --measure}; the measured figures are in README.md.
 */
public final class Tolerances {
  private Tolerances() {}

  /** The tolerance for output {@code output} of {@code api} in {@code dtype}. */
  public static Tolerance of(String api, String output, DType dtype) {
    boolean f32 = dtype == DType.FLOAT32;
    return f32
        ? Tolerance.ulps(4, "float32: torch rounds every step in float32, Java once from double").orScaled(4)
        : Tolerance.ulps(4, "float64: summation order and libm exp/log differ by a few ulps").orScaled(4);
  }
}
