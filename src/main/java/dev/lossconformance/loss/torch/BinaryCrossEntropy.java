package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.Elementwise;
import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossAndGrads;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Precision;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code torch.nn.functional.binary_cross_entropy} with PyTorch 2.7 semantics.
 *
 * <p>{@code l = -w * (y * max(log p, -100) + (1 - y) * max(log1p(-p), -100))}, reduced over all
 * elements ({@code mean} divides by the element count, never by weights). Each log is clamped at -100,
 * so {@code p = 0, y = 1} gives 100, not infinity. Gradient: {@code w * (p - y) / max(p * (1 - p), 1e-12)},
 * which the clamp does not zero: at {@code p = 0, y = 1} it is {@code -1e12 * w}.
 *
 * <p>Checks where PyTorch raises ({@link dev.lossconformance.loss.LossArgumentException}): input and
 * target of different shapes or a weight that does not broadcast to the target's shape (shape
 * mismatches), an input or target outside [0, 1], NaN included (invalid values). Computed in double
 * ({@code log1p} for the {@code 1 - p} side), rounded once. The gradient's floor is PyTorch's
 * {@code float EPSILON = 1e-12} in both dtypes. Immutable and thread-safe.
 */
public final class BinaryCrossEntropy {
  public static final String API = "torch.nn.functional.binary_cross_entropy";
  private static final double LOG_FLOOR = -100;
  private final Tensor weight;
  private final Reduction reduction;

  private BinaryCrossEntropy(Builder b) {
    this.weight = b.weight;
    this.reduction = b.reduction;
  }

  /** Options with PyTorch's defaults: no weight, mean. */
  public static Builder options() {
    return new Builder();
  }

  /** The loss and the gradient of its sum with respect to {@code input}. */
  public LossAndGrad apply(Tensor input, Tensor target) {
    return compute(input, target, true, null);
  }

  /**
   * {@link #apply(Tensor, Tensor)} with the gradient written into {@code gradInto}, which must have one
   * element per input element and a float32 input; every element is overwritten, and the returned
   * gradient wraps the array.
   */
  public LossAndGrad apply(Tensor input, Tensor target, float[] gradInto) {
    return compute(input, target, true, Shapes.nonNull(API, "gradInto", gradInto));
  }

  /** {@link #apply(Tensor, Tensor, float[])} for a float64 input. */
  public LossAndGrad apply(Tensor input, Tensor target, double[] gradInto) {
    return compute(input, target, true, Shapes.nonNull(API, "gradInto", gradInto));
  }

  /** The loss alone. */
  public Tensor loss(Tensor input, Tensor target) {
    return compute(input, target, false, null).loss();
  }

  /**
   * The fast path ({@link PointwiseKernels#bce}) covers an input and target of one dtype and shape with
   * no weight or a weight of that shape or of shape (C); it hands anything else, and any element outside
   * [0, 1] or a sum outside {@link FastPointwise}'s domain, to the generic path below.
   */
  private LossAndGrad compute(Tensor input, Tensor target, boolean withGrad, Object gradInto) {
    Shapes.nonNull(API, "input", input);
    Shapes.nonNull(API, "target", target);
    Shapes.requireFloating("input", input);
    Shapes.requireFloating("target", target);
    int[] shape = input.shape();
    if (!Arrays.equals(shape, target.shape())) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": target: size " + Arrays.toString(target.shape())
          + " differs from the input size " + Arrays.toString(shape) + "; the sizes must be equal");
    }
    if (gradInto != null) {
      FastPointwise.Buf.out(API, input.dtype(), input.numel(), gradInto);
    }
    LossAndGrads fast = PointwiseKernels.bce(input, target, weight, reduction, withGrad, gradInto);
    if (fast != null) {
      return new LossAndGrad(fast.loss(), fast.grads().get("grad_input"));
    }
    LossAndGrad slow = generic(input, target, withGrad);
    return new LossAndGrad(slow.loss(), FastPointwise.copy(API, slow.gradInput(), gradInto));
  }

  private LossAndGrad generic(Tensor input, Tensor target, boolean withGrad) {
    int[] shape = input.shape();
    int n = input.numel();
    double[] p = input.toDoubleArray();
    double[] y = target.toDoubleArray();
    for (int i = 0; i < n; i++) {
      if (!(p[i] >= 0 && p[i] <= 1)) {
        throw new LossArgumentException(ErrorKind.INVALID_VALUE,
            API + ": input: " + Shapes.element(shape, i, Double.toString(p[i]))
            + " is not between 0 and 1; all elements of input should be between 0 and 1");
      }
      if (!(y[i] >= 0 && y[i] <= 1)) {
        throw new LossArgumentException(ErrorKind.INVALID_VALUE,
            API + ": target: " + Shapes.element(shape, i, Double.toString(y[i]))
            + " is not between 0 and 1; all elements of target should be between 0 and 1");
      }
    }
    double[] w = null;
    int[] wAt = null;
    if (weight != null) {
      Shapes.requireFloating("weight", weight);
      wAt = Shapes.broadcastIndex(API + ": weight", weight.shape(), shape);
      w = weight.toDoubleArray();
    }
    double[] l = new double[n];
    for (int i = 0; i < n; i++) {
      double v = (y[i] - 1) * Math.max(Math.log1p(-p[i]), LOG_FLOOR) - y[i] * Math.max(Math.log(p[i]), LOG_FLOOR);
      l[i] = w == null ? v : v * w[wAt[i]];
    }
    Tensor loss = Elementwise.reduce(l, shape, reduction, input.dtype());
    if (!withGrad) {
      return new LossAndGrad(loss, null);
    }
    // PyTorch's EPSILON is a float constant (1e-12f = 9.99999996e-13), so float64 uses it too:
    // the float64 goldens at p = 0, y = 1 are -1/1e-12f = -1.0000000040e12, not -1e12
    double floor = 1e-12f;
    // aten's binary_cross_entropy_backward (aten/src/ATen/native/Loss.cpp): (x - y) / max((1 - x) x, eps) in
    // the dtype, then grad_input.mul_(weight), then div_(numel) for a mean: a float32 product with a huge
    // weight overflows to inf before the division
    DType dt = input.dtype();
    double[] g = new double[n];
    for (int i = 0; i < n; i++) {
      double den = Math.max(Precision.round(dt, Precision.round(dt, 1 - p[i]) * p[i]), Precision.round(dt, floor));
      double v = Precision.round(dt, Precision.round(dt, p[i] - y[i]) / den);
      if (w != null) {
        v = Precision.round(dt, v * w[wAt[i]]);
      }
      g[i] = reduction == Reduction.MEAN ? v / n : v;
    }
    return new LossAndGrad(loss, Tensor.ofFloating(input.dtype(), g, shape));
  }

  /** Options for {@link BinaryCrossEntropy}. */
  public static final class Builder {
    private Tensor weight;
    private Reduction reduction = Reduction.MEAN;

    private Builder() {}

    /** Element weights broadcast to the target's shape; {@code null} for none. */
    public Builder weight(Tensor weight) {
      this.weight = weight;
      return this;
    }

    public Builder reduction(Reduction reduction) {
      this.reduction = Shapes.nonNull(API, "reduction", reduction);
      return this;
    }

    public BinaryCrossEntropy build() {
      return new BinaryCrossEntropy(this);
    }
  }
}
