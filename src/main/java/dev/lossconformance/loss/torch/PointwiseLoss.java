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

  /** One element: the loss and d loss / d each input (times {@code g}), in the order of the inputs. */
  interface Element {
    void eval(double[] in, double g, double[] out);
  }

  /**
   * PyTorch's result type of the floating tensors among {@code ts}: float64 if any is float64, else
   * float32 ({@code at::result_type}; an integral tensor does not promote a floating one).
   */
  static DType promote(Tensor... ts) {
    DType out = null;
    for (Tensor t : ts) {
      if (t != null && t.dtype().isFloating()) {
        out = out == DType.FLOAT64 || t.dtype() == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32;
      }
    }
    return out == null ? DType.FLOAT32 : out;
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
    int n = Tensor.numel(shape);
    int k = inputs.length;
    int[][] at = new int[k][];
    double[][] data = new double[k][];
    for (int j = 0; j < k; j++) {
      at[j] = Shapes.broadcastIndex(api + ": " + names[j], inputs[j].shape(), shape);
      data[j] = inputs[j].toDoubleArray();
    }
    double g;
    if (batchmeanDivisor != NO_BATCHMEAN) {
      g = Precision.round(dt, 1.0 / batchmeanDivisor);
    } else {
      g = reduction == Reduction.MEAN ? Precision.round(dt, 1.0 / n) : 1;
    }
    double[] in = new double[k];
    double[] out = new double[k + 1];
    double[] loss = new double[n];
    double[][] grad = new double[k][];
    for (int j = 0; j < k; j++) {
      if (names[j] != null && inputs[j].dtype().isFloating()) {
        grad[j] = new double[inputs[j].numel()];
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        in[j] = data[j][at[j][i]];
      }
      f.eval(in, g, out);
      loss[i] = out[0];
      for (int j = 0; j < k; j++) {
        if (grad[j] != null) {
          grad[j][at[j][i]] += out[j + 1];
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
      if (grad[j] != null) {
        grads.put(names[j], Tensor.ofFloating(inputs[j].dtype(), grad[j], inputs[j].shape()));
      }
    }
    return new LossAndGrads(reduced, grads);
  }

  /** {@code sign} as PyTorch's {@code sgn}: 0 for 0 and for NaN. */
  static double sign(double v) {
    return v > 0 ? 1 : v < 0 ? -1 : 0;
  }
}
