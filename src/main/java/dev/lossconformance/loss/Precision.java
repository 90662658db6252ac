package dev.lossconformance.loss;

import dev.lossconformance.tensor.DType;

/**
 * Rounding to a tensor dtype. The kernels compute in double and round where the framework
 * materialises a tensor (log-probabilities, per-element losses, a sum before its division), so that
 * overflow, underflow and the final rounding happen where they happen in the framework.
 */
public final class Precision {
  private Precision() {}

  /** {@code v} rounded to the nearest value of {@code dtype} (float32 or float64). */
  public static double round(DType dtype, double v) {
    return dtype == DType.FLOAT32 ? (float) v : v;
  }
}
