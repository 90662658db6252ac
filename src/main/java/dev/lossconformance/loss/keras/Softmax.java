package dev.lossconformance.loss.keras;

/** Max-shifted log-sum-exp over a slice, in double; NaN in, NaN out; all -inf gives NaN (as TF's kernels). */
final class Softmax {
  private Softmax() {}

  static double logSumExp(double[] x, int from, int to) {
    double m = Double.NEGATIVE_INFINITY;
    for (int i = from; i < to; i++) {
      if (Double.isNaN(x[i])) {
        return Double.NaN;
      }
      m = Math.max(m, x[i]);
    }
    double s = 0;
    for (int i = from; i < to; i++) {
      s += Math.exp(x[i] - m);
    }
    return m + Math.log(s);
  }
}
