package dev.lossconformance.loss;

/**
 * Neumaier's compensated sum in double (Neumaier 1974, "Rundungsfehleranalyse einiger Verfahren zur
 * Summation endlicher Summen"): the error is bounded independently of the number of terms, so a
 * float64 mean over many elements stays within an ulp or two of the exact value. Infinities and NaN
 * propagate as in a plain sum.
 */
public final class Accumulator {
  private double sum;
  private double compensation;

  public void add(double x) {
    double t = sum + x;
    if (Math.abs(sum) >= Math.abs(x)) {
      compensation += (sum - t) + x;
    } else {
      compensation += (x - t) + sum;
    }
    sum = t;
  }

  /** The compensated total; a non-finite running sum is returned as it is. */
  public double value() {
    if (!Double.isFinite(sum)) {
      return sum;
    }
    return sum + compensation;
  }
}
