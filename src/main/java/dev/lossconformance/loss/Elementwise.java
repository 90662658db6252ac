package dev.lossconformance.loss;

import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;

/**
 * PyTorch's {@code apply_loss_reduction} for element-wise losses: {@code none} keeps the shape,
 * {@code sum} adds every element, {@code mean} divides that by the element count (weights never enter
 * the denominator; an empty input gives NaN).
 *
 * <p>Each per-element loss and the sum are rounded to the dtype, because PyTorch materialises them as
 * tensors of that dtype: a float32 sum of finite losses that overflows is +inf there, and here. The
 * sum itself is compensated in double.
 */
public final class Elementwise {
  private Elementwise() {}

  /** The reduced loss tensor of per-element losses {@code l} of the given shape, rounded to {@code dtype}. */
  public static Tensor reduce(double[] l, int[] shape, Reduction reduction, DType dtype) {
    if (reduction == Reduction.NONE) {
      return Tensor.ofFloating(dtype, l, shape);
    }
    Accumulator sum = new Accumulator();
    for (double v : l) {
      sum.add(Precision.round(dtype, v));
    }
    double total = Precision.round(dtype, sum.value());
    return Tensor.scalar(dtype, reduction == Reduction.SUM ? total : total / l.length);
  }

  /** The factor d(reduced loss)/d(element loss): {@code 1/numel} for mean, else 1. */
  public static double gradScale(Reduction reduction, int numel) {
    return reduction == Reduction.MEAN ? 1.0 / numel : 1;
  }
}
