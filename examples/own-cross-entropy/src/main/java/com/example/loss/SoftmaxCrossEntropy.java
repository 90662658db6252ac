package com.example.loss;

/**
 * The cross-entropy of a training library written apart from loss-conformance: logits {@code [N, C]},
 * class indices {@code [N]}, optional class weights, an ignored index, and the mean, sum or no
 * reduction, computed in double per row (max-shifted log-softmax) and rounded to the input's dtype once.
 */
public final class SoftmaxCrossEntropy {
  /** How the per-row losses are combined. */
  public enum Reduction { NONE, SUM, MEAN }

  /** The loss ({@code [N]} for NONE, one value otherwise) and the gradient {@code dloss/dlogits}. */
  public record Result(double[] loss, double[] gradLogits) {}

  private SoftmaxCrossEntropy() {}

  /**
   * @param logits row-major {@code [n, c]}
   * @param targets class per row, in {@code [0, c)} or {@code ignoreIndex}
   * @param weights per-class weights, or {@code null} for all 1
   * @throws IndexOutOfBoundsException for a target outside {@code [0, c)} that is not ignored
   */
  public static Result compute(double[] logits, long[] targets, double[] weights, long ignoreIndex, int n, int c,
      Reduction reduction) {
    double[] rowLoss = new double[n];
    double[] grad = new double[n * c];
    double weightSum = 0;
    for (int i = 0; i < n; i++) {
      long t = targets[i];
      if (t == ignoreIndex) {
        continue;
      }
      if (t < 0 || t >= c) {
        throw new IndexOutOfBoundsException("target " + t + " of row " + i + " is not a class of " + c);
      }
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < c; k++) {
        max = Math.max(max, logits[i * c + k]);
      }
      double sum = 0;
      for (int k = 0; k < c; k++) {
        sum += Math.exp(logits[i * c + k] - max);
      }
      // log softmax as (x - max) - log(sum): forming max + log(sum) first would lose the loss to
      // cancellation for large logits (1e4 + log 3 - 1e4)
      double logSum = Math.log(sum);
      double w = weights == null ? 1 : weights[(int) t];
      weightSum += w;
      rowLoss[i] = -w * ((logits[i * c + (int) t] - max) - logSum);
      for (int k = 0; k < c; k++) {
        grad[i * c + k] = w * (Math.exp((logits[i * c + k] - max) - logSum) - (k == t ? 1 : 0));
      }
    }
    switch (reduction) {
      case NONE:
        return new Result(rowLoss, grad);
      case SUM: {
        double s = 0;
        for (double v : rowLoss) {
          s += v;
        }
        return new Result(new double[] {s}, grad);
      }
      default: {
        double s = 0;
        for (double v : rowLoss) {
          s += v;
        }
        // as PyTorch: an ignored row's gradient is 0, even when every row is ignored (weightSum 0)
        for (int i = 0; i < n; i++) {
          if (targets[i] != ignoreIndex) {
            for (int k = 0; k < c; k++) {
              grad[i * c + k] /= weightSum;
            }
          }
        }
        return new Result(new double[] {s / weightSum}, grad);
      }
    }
  }
}
