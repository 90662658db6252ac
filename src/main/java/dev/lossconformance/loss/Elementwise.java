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
 * sum is aten's cascade sum in the dtype ({@link AtenSum}).
 */
public final class Elementwise {
  private Elementwise() {}

  /** The reduced loss tensor of per-element losses {@code l} of the given shape, rounded to {@code dtype}. */
  public static Tensor reduce(double[] l, int[] shape, Reduction reduction, DType dtype) {
    if (reduction == Reduction.NONE) {
      return Tensor.ofFloating(dtype, l, shape);
    }
    boolean f32 = dtype == DType.FLOAT32;
    double[] r = new double[l.length];
    for (int i = 0; i < l.length; i++) {
      r[i] = Precision.round(dtype, l[i]);
    }
    // aten's sum (SumKernel.cpp cascade_sum) in the dtype, in its order: a sum of huge terms of both
    // signs overflows to the infinity aten's order reaches (hinge_embedding_loss, found by the sweep)
    double total = new AtenSum().row(r, 0, r.length, f32);
    return Tensor.scalar(dtype, reduction == Reduction.SUM ? total : Precision.round(dtype, total / l.length));
  }

  /** The factor d(reduced loss)/d(element loss): {@code 1/numel} for mean, else 1. */
  public static double gradScale(Reduction reduction, int numel) {
    return reduction == Reduction.MEAN ? 1.0 / numel : 1;
  }
}
