package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.Tensor;

/**
 * {@code torch.nn.functional.nll_loss} with PyTorch 2.7 semantics.
 *
 * <p>The input holds log-probabilities and is used as given (no log_softmax, no clamping):
 * {@code l_i = -w[y_i] * input[i, y_i]}, 0 where {@code y_i == ignore_index}; {@code mean} divides by
 * the sum of the non-ignored targets' weights (their count without weights), so all-ignored gives
 * NaN. Shapes {@code (C)} with a 0-d target, {@code (N, C)} with {@code (N)}, {@code (N, C, d1..dK)} with
 * {@code (N, d1..dK)}. Only the target entries are read, so a NaN elsewhere does not reach the loss.
 * Gradient: {@code -w[y_i]} (over the denominator for mean) at the target entry, 0 elsewhere.
 * The reduced sums are aten's cascade of partial sums in the input's dtype ({@code ClassLoss.NllSums}).
 * With int64 targets the input is read in its own dtype, only at the target entries
 * ({@code FastClassLoss.nll}). Instances are immutable and thread-safe.
 */
public final class NllLoss {
  public static final String API = "torch.nn.functional.nll_loss";
  private final ClassLoss kernel;

  private NllLoss(Builder b) {
    this.kernel = new ClassLoss(API, false, b.weight, b.ignoreIndex, 0, b.reduction);
  }

  /** Options with PyTorch's defaults: no weight, ignore_index -100, mean. */
  public static Builder options() {
    return new Builder();
  }

  /** The loss and the gradient of its sum with respect to {@code input}. */
  public LossAndGrad apply(Tensor input, Tensor target) {
    return kernel.apply(input, target, true);
  }

  /**
   * {@link #apply(Tensor, Tensor)} with the gradient written into {@code gradInto}, which must have one
   * element per input element and a float32 input: the array is zeroed and the target entries written
   * (every element overwritten), and the returned gradient tensor wraps it. The allocating
   * {@link #apply(Tensor, Tensor)} gets its zeros from the JVM's allocation instead.
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

  /** Options for {@link NllLoss}. */
  public static final class Builder {
    private Tensor weight;
    private long ignoreIndex = -100;
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

    public Builder reduction(Reduction reduction) {
      this.reduction = Shapes.nonNull(API, "reduction", reduction);
      return this;
    }

    public NllLoss build() {
      return new NllLoss(this);
    }
  }
}
