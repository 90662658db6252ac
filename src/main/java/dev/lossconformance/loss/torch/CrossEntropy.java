package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.Tensor;

/**
 * {@code torch.nn.functional.cross_entropy} with PyTorch 2.7 semantics.
 *
 * <p>Input {@code (C)}, {@code (N, C)} or {@code (N, C, d1..dK)}, classes on dim 1 (dim 0 unbatched).
 * When the target has the input's shape it holds class probabilities; otherwise it holds class indices
 * of shape {@code (N, d1..dK)} ({@code ()} unbatched).
 *
 * <ul>
 *   <li>Class indices: {@code l_i = -w[y_i] * logsoftmax(x_i)[y_i]}, 0 where {@code y_i == ignore_index}.
 *       {@code mean} divides by {@code sum of w[y_i]} over non-ignored entries (their count without
 *       weights), so all-ignored gives 0/0 = NaN.
 *   <li>Label smoothing {@code eps > 0}: {@code (1-eps) * nll + (eps/C) * s} with
 *       {@code s_i = -sum_c w_c * logp_ic}, normalised for {@code mean} by the same target weights.
 *       {@code eps <= 0} means no smoothing; {@code eps > 1} is refused.
 *   <li>Probabilities: {@code l_n = -sum_c w_c * t'_c * logp_nc} with {@code t' = t(1-eps) + eps/C};
 *       {@code mean} divides by {@code N*d1*..*dK}, not by weights. Targets are not validated.
 * </ul>
 *
 * <p>Numerics: a max-shifted log-sum-exp per fiber in double with compensated sums, rounded where aten
 * materialises a tensor in the input's dtype (log_softmax's output, its exp in the backward, the
 * per-element terms, nll_loss's cascade of partial sums); streamed in the input's dtype, vectorised
 * and split over the cores (see {@code ClassLoss} for which call takes which path). A NaN or +inf logit makes its row NaN; a -inf logit outside the target leaves the
 * class-index loss finite but makes the probability loss NaN ({@code 0 * -inf}), as in PyTorch.
 * Errors ({@link dev.lossconformance.loss.LossArgumentException}, of the kind in brackets) where
 * PyTorch raises: a target index out of {@code [0, C)} that is not ignore_index, at its full int64
 * value (index out of range), a weight not of length C or mismatched shapes (shape mismatch),
 * {@code label_smoothing > 1} (invalid value; raised by {@code apply} in aten's order: first on the
 * class-index path, after the target's dtype, ignore_index and the weight's size on the probability
 * path), a non-negative ignore_index with probability targets (unsupported argument), a weight of
 * another dtype than the input with class-index targets (dtype). Probability targets follow PyTorch's
 * type promotion: a float64 target or weight makes a float32 input's loss float64. Instances are immutable and safe to share between threads.
 */
public final class CrossEntropy {
  public static final String API = "torch.nn.functional.cross_entropy";
  private final ClassLoss kernel;

  private CrossEntropy(Builder b) {
    // label_smoothing > 1 is refused by apply, where aten checks it (after the probability path's
    // ignore_index and weight checks); NaN is refused here
    if (Double.isNaN(b.labelSmoothing)) {
      throw new LossArgumentException(ErrorKind.INVALID_VALUE,
          API + ": label_smoothing: must be in [0, 1], got " + b.labelSmoothing);
    }
    this.kernel = new ClassLoss(API, true, b.weight, b.ignoreIndex, b.labelSmoothing, b.reduction);
  }

  /** Options with PyTorch's defaults: no weight, ignore_index -100, no smoothing, mean. */
  public static Builder options() {
    return new Builder();
  }

  /** The loss and the gradient of its sum with respect to {@code input}. */
  public LossAndGrad apply(Tensor input, Tensor target) {
    return kernel.apply(input, target, true);
  }

  /**
   * {@link #apply(Tensor, Tensor)} with the gradient written into {@code gradInto}, which must have one
   * element per input element and a float32 input; every element is overwritten, and the returned
   * gradient tensor wraps the array (so the next call with the same array overwrites it). For training
   * loops: a large gradient array is not allocated and zeroed on every call.
   */
  public LossAndGrad apply(Tensor input, Tensor target, float[] gradInto) {
    return kernel.applyInto(input, target, gradInto);
  }

  /** {@link #apply(Tensor, Tensor, float[])} for a float64 input: the gradient into a caller's {@code double[]}. */
  public LossAndGrad apply(Tensor input, Tensor target, double[] gradInto) {
    return kernel.applyInto(input, target, gradInto);
  }

  /** The loss alone. */
  public Tensor loss(Tensor input, Tensor target) {
    return kernel.apply(input, target, false).loss();
  }

  /** Options for {@link CrossEntropy}; a builder is not thread-safe, what it builds is. */
  public static final class Builder {
    private Tensor weight;
    private long ignoreIndex = -100;
    private double labelSmoothing;
    private Reduction reduction = Reduction.MEAN;

    private Builder() {}

    /** Per-class rescaling weight, 1-D of length C; {@code null} for none. */
    public Builder weight(Tensor weight) {
      this.weight = weight;
      return this;
    }

    public Builder ignoreIndex(long ignoreIndex) {
      this.ignoreIndex = ignoreIndex;
      return this;
    }

    public Builder labelSmoothing(double labelSmoothing) {
      this.labelSmoothing = labelSmoothing;
      return this;
    }

    public Builder reduction(Reduction reduction) {
      this.reduction = Shapes.nonNull(API, "reduction", reduction);
      return this;
    }

    public CrossEntropy build() {
      return new CrossEntropy(this);
    }
  }
}
