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
 */
final class PointwiseLoss {
  private PointwiseLoss() {}

  /** One element: the loss and d loss / d each input, in the order of the inputs. */
  interface Element {
    void eval(double[] in, double[] out);
  }

  /**
   * @param names the inputs' gradient output names ({@code grad_input}, ...), {@code null} for an
   *     input without a gradient
   * @param inputs the tensors, broadcast together; the first sets the dtype
   * @param shape the broadcast shape
   * @param reduction none, mean (over every element) or sum
   * @param batchmeanDivisor when positive, the sum is divided by it instead (kl_div's batchmean)
   */
  static LossAndGrads evaluate(String api, String[] names, Tensor[] inputs, int[] shape, Reduction reduction,
      int batchmeanDivisor, Element f) {
    DType dt = inputs[0].dtype();
    int n = Tensor.numel(shape);
    int k = inputs.length;
    int[][] at = new int[k][];
    double[][] data = new double[k][];
    for (int j = 0; j < k; j++) {
      at[j] = Shapes.broadcastIndex(api + ": " + names[j], inputs[j].shape(), shape);
      data[j] = inputs[j].toDoubleArray();
    }
    double[] in = new double[k];
    double[] out = new double[k + 1];
    double[] loss = new double[n];
    double[][] partial = new double[k][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        in[j] = data[j][at[j][i]];
      }
      f.eval(in, out);
      loss[i] = out[0];
      for (int j = 0; j < k; j++) {
        partial[j][i] = out[j + 1];
      }
    }
    Tensor reduced;
    double scale;
    if (batchmeanDivisor > 0) {
      Accumulator sum = new Accumulator();
      for (double v : loss) {
        sum.add(Precision.round(dt, v));
      }
      reduced = Tensor.scalar(dt, Precision.round(dt, sum.value()) / batchmeanDivisor);
      scale = 1.0 / batchmeanDivisor;
    } else {
      reduced = Elementwise.reduce(loss, shape, reduction, dt);
      scale = Elementwise.gradScale(reduction, n);
    }
    Map<String, Tensor> grads = new LinkedHashMap<>();
    for (int j = 0; j < k; j++) {
      if (names[j] == null || !inputs[j].dtype().isFloating()) {
        continue;
      }
      double[] g = new double[inputs[j].numel()];
      for (int i = 0; i < n; i++) {
        g[at[j][i]] += partial[j][i] * scale;
      }
      grads.put(names[j], Tensor.ofFloating(inputs[j].dtype(), g, inputs[j].shape()));
    }
    return new LossAndGrads(reduced, grads);
  }

  /** {@code sign} as PyTorch's {@code sgn}: 0 for 0 and for NaN. */
  static double sign(double v) {
    return v > 0 ? 1 : v < 0 ? -1 : 0;
  }
}
