package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.Accumulator;
import dev.lossconformance.loss.Elementwise;
import dev.lossconformance.loss.LossAndGrads;
import dev.lossconformance.loss.Precision;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shared body of PyTorch's element-wise losses of two or more broadcast tensors: evaluates a
 * per-element loss and its partial derivatives over the broadcast shape, reduces the losses as
 * {@code apply_loss_reduction} does, and sums each partial derivative back over the dimensions its
 * input was broadcast along (what autograd does for {@code expand}).
 *
 * <p>The element function receives the upstream gradient {@code g} of its element loss as autograd
 * hands it down, rounded in the loss dtype: 1 for none and sum, {@code 1/numel} for mean
 * ({@code mean_backward} divides the expanded grad by numel), {@code 1/size(0)} for kl_div's batchmean
 * (the script's {@code loss / x.size(0)}); it returns each input's contribution already multiplied
 * through (autograd's chain, each node rounded in its dtype, as the kernel chooses), so float32
 * overflow and underflow of an intermediate product happen where they happen in the engine.
 */
final class PointwiseLoss {
  private PointwiseLoss() {}

  /** Divisor value meaning "no batchmean": the reduction applies. */
  static final int NO_BATCHMEAN = -1;

  /**
   * One element: {@code out[0]} the loss, then for each input {@code j} its {@code slots[j]} values
   * {@code u}, which are summed over the elements that input element serves (autograd's {@code sum_to}
   * where the broadcast happens) before {@link Finish} turns the sums into the gradient.
   */
  interface Element {
    void eval(double[] in, double g, double[] out);
  }

  /**
   * Input {@code j}'s gradient at one of its elements, of value {@code value}, from the sums of its
   * slots: what autograd does after the broadcast op's {@code sum_to}, with the factors that depend on
   * that element alone (so {@code 0 * log 0} is NaN even when the element serves no element, as for a
   * 0-dim target next to an empty input).
   */
  interface Finish {
    double apply(int j, double[] sums, double value);
  }

  /** One slot per input, its sum rounded to the input's dtype: a gradient summed after the chain. */
  static int[] oneSlotEach(int k) {
    int[] s = new int[k];
    java.util.Arrays.fill(s, 1);
    return s;
  }

  /**
   * PyTorch's result type of the floating tensors among {@code ts} ({@code at::result_type}): float64
   * if a float64 tensor takes part, else float32; an integral tensor does not promote a floating one,
   * and a 0-dim tensor takes part only when no tensor with dimensions is floating (a 0-dim float64
   * target leaves a float32 input's ops in float32, its value cast to float32 there).
   */
  static DType promote(Tensor... ts) {
    DType dims = null;
    DType zeroDim = null;
    for (Tensor t : ts) {
      if (t != null && t.dtype().isFloating()) {
        if (t.rank() > 0) {
          dims = wider(dims, t.dtype());
        } else {
          zeroDim = wider(zeroDim, t.dtype());
        }
      }
    }
    return dims != null ? dims : zeroDim != null ? zeroDim : DType.FLOAT32;
  }

  /** The widest floating dtype among {@code ts}, 0-dim or not (float32 when none is floating). */
  static DType widest(Tensor... ts) {
    DType out = null;
    for (Tensor t : ts) {
      if (t != null && t.dtype().isFloating()) {
        out = wider(out, t.dtype());
      }
    }
    return out == null ? DType.FLOAT32 : out;
  }

  private static DType wider(DType a, DType b) {
    return a == DType.FLOAT64 || b == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32;
  }

  /**
   * @param names the inputs' gradient output names ({@code grad_input}, ...), {@code null} for an
   *     input without a gradient
   * @param inputs the tensors, broadcast together
   * @param dt the loss dtype (the kernel's result type)
   * @param shape the broadcast shape
   * @param reduction none, mean (over every element) or sum
   * @param batchmeanDivisor unless {@link #NO_BATCHMEAN}, the sum is divided by it instead (kl_div's
   *     batchmean; 0 gives the engine's 0/0 = NaN of an empty batch)
   */
  static LossAndGrads evaluate(String api, String[] names, Tensor[] inputs, DType dt, int[] shape,
      Reduction reduction, int batchmeanDivisor, Element f) {
    int[] slots = oneSlotEach(inputs.length);
    return evaluate(api, names, inputs, dt, shape, reduction, batchmeanDivisor, slots, f,
        (j, sums, value) -> Precision.round(inputs[j].dtype(), sums[0]));
  }

  /** As above, with {@code slots[j]} summed values per input and {@code finish} making the gradient. */
  static LossAndGrads evaluate(String api, String[] names, Tensor[] inputs, DType dt, int[] shape,
      Reduction reduction, int batchmeanDivisor, int[] slots, Element f, Finish finish) {
    int n = Tensor.numel(shape);
    int k = inputs.length;
    int[][] at = new int[k][];
    double[][] data = new double[k][];
    int[] offset = new int[k];
    int width = 1;
    for (int j = 0; j < k; j++) {
      at[j] = Shapes.broadcastIndex(api + ": " + names[j], inputs[j].shape(), shape);
      data[j] = inputs[j].toDoubleArray();
      offset[j] = width;
      width += slots[j];
    }
    double g;
    if (batchmeanDivisor != NO_BATCHMEAN) {
      g = Precision.round(dt, 1.0 / batchmeanDivisor);
    } else {
      g = reduction == Reduction.MEAN ? Precision.round(dt, 1.0 / n) : 1;
    }
    boolean[] wanted = new boolean[k];
    double[][] sums = new double[k][];
    for (int j = 0; j < k; j++) {
      wanted[j] = names[j] != null && inputs[j].dtype().isFloating();
      if (wanted[j]) {
        sums[j] = new double[inputs[j].numel() * slots[j]];
      }
    }
    double[] in = new double[k];
    double[] out = new double[width];
    double[] loss = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        in[j] = data[j][at[j][i]];
      }
      f.eval(in, g, out);
      loss[i] = out[0];
      for (int j = 0; j < k; j++) {
        if (wanted[j]) {
          int base = at[j][i] * slots[j];
          for (int m = 0; m < slots[j]; m++) {
            sums[j][base + m] += out[offset[j] + m];
          }
        }
      }
    }
    Tensor reduced;
    if (batchmeanDivisor != NO_BATCHMEAN) {
      Accumulator sum = new Accumulator();
      for (double v : loss) {
        sum.add(Precision.round(dt, v));
      }
      reduced = Tensor.scalar(dt, Precision.round(dt, sum.value()) / batchmeanDivisor);
    } else {
      reduced = Elementwise.reduce(loss, shape, reduction, dt);
    }
    Map<String, Tensor> grads = new LinkedHashMap<>();
    for (int j = 0; j < k; j++) {
      if (wanted[j]) {
        int count = inputs[j].numel();
        double[] gj = new double[count];
        double[] s = new double[slots[j]];
        for (int e = 0; e < count; e++) {
          System.arraycopy(sums[j], e * slots[j], s, 0, slots[j]);
          gj[e] = finish.apply(j, s, data[j][e]);
        }
        grads.put(names[j], Tensor.ofFloating(inputs[j].dtype(), gj, inputs[j].shape()));
      }
    }
    return new LossAndGrads(reduced, grads);
  }

  /** {@code sign} as PyTorch's {@code sgn}: 0 for 0 and for NaN. */
  static double sign(double v) {
    return v > 0 ? 1 : v < 0 ? -1 : 0;
  }
}
