package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.Elementwise;
import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.Shapes;
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
 * Computed in double, rounded once. Immutable and thread-safe.
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
    return compute(input, target, true);
  }

  /** The loss alone. */
  public Tensor loss(Tensor input, Tensor target) {
    return compute(input, target, false).loss();
  }

  private LossAndGrad compute(Tensor input, Tensor target, boolean withGrad) {
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
    int n = input.numel();
    if (weight == null && posWeight == null && input.dtype() == dev.lossconformance.tensor.DType.FLOAT32
        && target.dtype() == dev.lossconformance.tensor.DType.FLOAT32) {
      return FastCrossEntropy.bceWithLogits(input, target, shape, reduction, withGrad);
    }
    double[] x = input.toDoubleArray();
    double[] y = target.toDoubleArray();
    double[] w = weight == null ? null : weight.toDoubleArray();
    int[] wAt = weight == null ? null : Shapes.broadcastIndex(API + ": weight", weight.shape(), shape);
    double[] pw = posWeight == null ? null : posWeight.toDoubleArray();
    int[] pwAt = posWeight == null ? null : Shapes.broadcastIndex(API + ": pos_weight", posWeight.shape(), shape);
    double[] l = new double[n];
    for (int i = 0; i < n; i++) {
      double logSig = Math.min(x[i], 0) - Math.log1p(Math.exp(-Math.abs(x[i])));
      if (pw != null) {
        logSig *= (pw[pwAt[i]] - 1) * y[i] + 1;
      }
      double v = (1 - y[i]) * x[i] - logSig;
      l[i] = w == null ? v : v * w[wAt[i]];
    }
    Tensor loss = Elementwise.reduce(l, shape, reduction, input.dtype());
    if (!withGrad) {
      return new LossAndGrad(loss, null);
    }
    double a = Elementwise.gradScale(reduction, n);
    double[] g = new double[n];
    for (int i = 0; i < n; i++) {
      double sig = sigmoid(x[i]);
      double v;
      if (pw != null) {
        double t = pw[pwAt[i]] * y[i];
        v = (t + 1 - y[i]) * sig - t;
      } else {
        v = sig - y[i];
      }
      g[i] = (w == null ? v : v * w[wAt[i]]) * a;
    }
    return new LossAndGrad(loss, Tensor.ofFloating(input.dtype(), g, shape));
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
