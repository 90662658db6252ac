package dev.lossconformance.loss.keras;

/**
 * A fiber's maximum and {@code log sum exp(x - max)}, in double, the way TF's xent kernels split the
 * log-sum-exp: losses are then {@code logSum - (x_y - max)}, never {@code (max + logSum) - x_y}, which
 * absorbs {@code logSum} into a large max (logits of 3e38). NaN in, NaN out; all -inf gives NaN.
 */
record Softmax(double max, double logSum) {

  static Softmax of(double[] x, int from, int to) {
    double m = Double.NEGATIVE_INFINITY;
    for (int i = from; i < to; i++) {
      if (Double.isNaN(x[i])) {
        return new Softmax(Double.NaN, Double.NaN);
      }
      m = Math.max(m, x[i]);
    }
    double s = 0;
    for (int i = from; i < to; i++) {
      s += Math.exp(x[i] - m);
    }
    return new Softmax(m, Math.log(s));
  }

  /** {@code -log softmax(x)_k} given {@code x_k}. */
  double nll(double xk) {
    return logSum - (xk - max);
  }

  /** {@code softmax(x)_k} given {@code x_k}. */
  double probability(double xk) {
    return Math.exp((xk - max) - logSum);
  }
}
