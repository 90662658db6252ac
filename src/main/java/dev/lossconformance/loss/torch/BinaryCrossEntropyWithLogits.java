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
 * {@code torch.nn.functional.binary_cross_entropy_with_logits} with PyTorch 2.7 semantics.
 *
 * <p>{@code l = w * ((1 - y) * x - lw * logsigmoid(x))} with {@code lw = 1 + (pos_weight - 1) * y}
 * (1 without pos_weight) and {@code logsigmoid(x) = min(x, 0) - log1p(exp(-|x|))}, which never
 * overflows. {@code weight} and {@code pos_weight} broadcast to the input's shape (pos_weight of shape
 * {@code (C)} along the last dim); neither enters the {@code mean} denominator, which is the element
 * count. Targets are not range-checked. {@code x = +inf, y = 1} and {@code x = -inf, y = 0} give
 * {@code 0 * inf = NaN}, as in PyTorch. Gradient (PyTorch's closed form):
 * {@code w * ((pos_weight * y + 1 - y) * sigmoid(x) - pos_weight * y)}, or {@code w * (sigmoid(x) - y)}.
 * With a weight or pos_weight (or in float64) each of aten's steps is rounded in its dtype (see
 * {@code generic}); the fast paths are {@link PointwiseKernels}'. Immutable and
 * thread-safe.
 */
public final class BinaryCrossEntropyWithLogits {
  public static final String API = "torch.nn.functional.binary_cross_entropy_with_logits";
  private final Tensor weight;
  private final Tensor posWeight;
  private final Reduction reduction;

  private BinaryCrossEntropyWithLogits(Builder b) {
    this.weight = b.weight;
    this.posWeight = b.posWeight;
    this.reduction = b.reduction;
  }

  /** Options with PyTorch's defaults: no weight, no pos_weight, mean. */
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
   * The fast paths ({@link PointwiseKernels#bceWithLogitsFloat} for float32 without weights, else
   * {@link PointwiseKernels#bceWithLogits}) cover an input and target of one dtype and shape, with
   * weight and pos_weight (when given) of that dtype and of the input's shape or (C); anything else, or a
   * sum outside {@link FastPointwise}'s domain, takes the generic path below.
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
          + " must be the same as the input size " + Arrays.toString(shape));
    }
    if (gradInto != null) {
      FastPointwise.Buf.out(API, input.dtype(), input.numel(), gradInto);
    }
    LossAndGrads fast = weight == null && posWeight == null && input.dtype() == DType.FLOAT32
        && target.dtype() == DType.FLOAT32 && input.numel() > 0
        ? PointwiseKernels.bceWithLogitsFloat(input, target, reduction, withGrad, gradInto)
        : PointwiseKernels.bceWithLogits(input, target, weight, posWeight, reduction, withGrad, gradInto);
    if (fast != null) {
      return new LossAndGrad(fast.loss(), fast.grads().get("grad_input"));
    }
    LossAndGrad slow = generic(input, target, withGrad);
    return new LossAndGrad(slow.loss(), FastPointwise.copy(API, slow.gradInput(), gradInto));
  }

  private LossAndGrad generic(Tensor input, Tensor target, boolean withGrad) {
    int[] shape = input.shape();
    int n = input.numel();
    double[] x = input.toDoubleArray();
    double[] y = target.toDoubleArray();
    double[] w = weight == null ? null : weight.toDoubleArray();
    int[] wAt = weight == null ? null : Shapes.broadcastIndex(API + ": weight", weight.shape(), shape);
    double[] pw = posWeight == null ? null : posWeight.toDoubleArray();
    int[] pwAt = posWeight == null ? null : Shapes.broadcastIndex(API + ": pos_weight", posWeight.shape(), shape);
    // aten's composite (aten/src/ATen/native/Loss.cpp, binary_cross_entropy_with_logits): log_sigmoid(x)
    // of the input's dtype, log_weight = (pos_weight - 1).mul(target).add_(1) (pos_weight - 1 rounded in
    // pos_weight's dtype), log_sigmoid.mul_(log_weight) in place, (1 - target).mul_(input).sub_(.), then
    // loss.mul_(weight): every step a tensor, rounded in its dtype, so float32 products overflow as there
    DType dx = input.dtype();
    DType dy = target.dtype();
    DType dpw = posWeight == null ? dx : posWeight.dtype();
    DType dlw = PointwiseLoss.promote(posWeight, target);
    double[] l = new double[n];
    for (int i = 0; i < n; i++) {
      double xi = x[i];
      double z = rnd(dx, Math.exp(-Math.abs(xi)));
      double logSig = rnd(dx, Math.min(xi, 0) - rnd(dx, Math.log1p(z)));
      if (pw != null) {
        double lw = rnd(dlw, rnd(dlw, rnd(dpw, pw[pwAt[i]] - 1) * y[i]) + 1);
        logSig = rnd(dx, logSig * lw);
      }
      double v = rnd(dy, rnd(dy, 1 - y[i]) * xi);
      v = rnd(dy, v - logSig);
      l[i] = w == null ? v : rnd(dy, v * w[wAt[i]]);
    }
    Tensor loss = Elementwise.reduce(l, shape, reduction, input.dtype());
    if (!withGrad) {
      return new LossAndGrad(loss, null);
    }
    // binary_cross_entropy_with_logits_backward (aten/src/ATen/native/Loss.cpp): t = pos_weight * target,
    // (t + 1 - target) * sigmoid(x) - t, times weight, divided by numel for a mean; sigmoid as aten's
    // CPU kernel, 1 / (1 + exp(-x)) in the dtype (0 where exp(-x) overflows)
    DType dg = PointwiseLoss.widest(input, target, weight, posWeight);
    double[] g = new double[n];
    for (int i = 0; i < n; i++) {
      double sig = rnd(dx, 1 / rnd(dx, 1 + rnd(dx, Math.exp(-x[i]))));
      double v;
      if (pw != null) {
        double t = rnd(dlw, pw[pwAt[i]] * y[i]);
        v = rnd(dg, rnd(dg, rnd(dlw, rnd(dlw, t + 1) - y[i]) * sig) - t);
      } else {
        v = rnd(dg, sig - y[i]);
      }
      if (w != null) {
        v = rnd(dg, v * w[wAt[i]]);
      }
      g[i] = reduction == Reduction.MEAN ? rnd(dg, v / n) : v;
    }
    return new LossAndGrad(loss, Tensor.ofFloating(input.dtype(), g, shape));
  }

  private static double rnd(DType dtype, double v) {
    return Precision.round(dtype, v);
  }

  /** Logistic sigmoid without overflow: {@code 1/(1+e^-x)} for x >= 0, {@code e^x/(1+e^x)} below. */
  static double sigmoid(double x) {
    if (x >= 0) {
      return 1 / (1 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1 + e);
  }

  /** Options for {@link BinaryCrossEntropyWithLogits}. */
  public static final class Builder {
    private Tensor weight;
    private Tensor posWeight;
    private Reduction reduction = Reduction.MEAN;

    private Builder() {}

    /** Element weights broadcast to the input's shape; {@code null} for none. */
    public Builder weight(Tensor weight) {
      this.weight = weight;
      return this;
    }

    /** Weight of positive examples, broadcast to the input's shape; {@code null} for none. */
    public Builder posWeight(Tensor posWeight) {
      this.posWeight = posWeight;
      return this;
    }

    public Builder reduction(Reduction reduction) {
      this.reduction = Shapes.nonNull(API, "reduction", reduction);
      return this;
    }

    public BinaryCrossEntropyWithLogits build() {
      return new BinaryCrossEntropyWithLogits(this);
    }
  }
}
