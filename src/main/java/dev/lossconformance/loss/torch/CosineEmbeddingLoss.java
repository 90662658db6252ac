package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.Elementwise;
import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrads;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code torch.nn.functional.cosine_embedding_loss} with PyTorch 2.7 semantics.
 *
 * <p>{@code cos = sum(a b) / sqrt((sum a^2 + 1e-12)(sum b^2 + 1e-12))} over dim 1 of (N, D) inputs with a
 * (N) target, or over the vector of (D) inputs with a 0-d target. Per sample: y = 1 gives
 * {@code 1 - cos}, y = -1 gives {@code max(0, cos - margin)}, any other y gives 0. The 1e-12 on each
 * squared norm keeps a zero vector's cosine at 0. Gradients through {@code d cos / d a = b / den - cos a / m_a}.
 */
public final class CosineEmbeddingLoss {
  public static final String API = "torch.nn.functional.cosine_embedding_loss";
  /**
   * Loss.cpp's {@code EPSILON}, a float constant (1e-12f = 9.99999996e-13) in both dtypes: the float64
   * goldens of near-zero vectors differ from 1e-12 by the relative 4e-9 this makes.
   */
  private static final double EPSILON = 1e-12f;

  private CosineEmbeddingLoss() {}

  /**
   * The loss of the pairs {@code (input1[i], input2[i])} with targets {@code target[i]} and the
   * gradients {@code grad_input1}, {@code grad_input2} of its sum.
   */
  public static LossAndGrads apply(Tensor input1, Tensor input2, Tensor target, double margin, String reduction) {
    Tensor a = Shapes.nonNull(API, "input1", input1);
    Tensor b = Shapes.nonNull(API, "input2", input2);
    Shapes.nonNull(API, "target", target);
    Shapes.nonNull(API, "reduction", reduction);
    Shapes.requireFloating("input1", a);
    Shapes.requireFloating("input2", b);
    Reduction r = Reduction.fromTorchName(reduction);
    if (target.rank() > 1) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": target: 0D or 1D target tensor expected, multi-target not supported; got shape "
          + Arrays.toString(target.shape()));
    }
    int want = target.rank() == 1 ? 2 : 1;
    if (a.rank() != want || b.rank() != want || !Arrays.equals(a.shape(), b.shape())) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": input1, input2: a " + target.rank() + "D target expects " + want
          + "D inputs of one shape, got " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
    }
    int n = want == 2 ? a.size(0) : 1;
    int d = a.size(-1);
    if (target.numel() != n) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": target: " + target.numel() + " targets for " + n + " pairs");
    }
    double[] x = a.toDoubleArray();
    double[] y = b.toDoubleArray();
    double[] loss = new double[n];
    double[] ga = new double[x.length];
    double[] gb = new double[y.length];
    double[] dLoss = new double[n];
    double[] cosines = new double[n];
    double[] dens = new double[n];
    double[] m1s = new double[n];
    double[] m2s = new double[n];
    for (int i = 0; i < n; i++) {
      double p = 0;
      double m1 = EPSILON;
      double m2 = EPSILON;
      for (int k = 0; k < d; k++) {
        p += x[i * d + k] * y[i * d + k];
        m1 += x[i * d + k] * x[i * d + k];
        m2 += y[i * d + k] * y[i * d + k];
      }
      double den = Math.sqrt(m1 * m2);
      double cos = p / den;
      double t = target.getDouble(i);
      if (t == 1) {
        loss[i] = 1 - cos;
        dLoss[i] = -1;
      } else if (t == -1) {
        loss[i] = Math.max(cos - margin, 0);
        dLoss[i] = cos - margin >= 0 ? 1 : 0;
      }
      cosines[i] = cos;
      dens[i] = den;
      m1s[i] = m1;
      m2s[i] = m2;
    }
    int[] outShape = want == 2 ? new int[] {n} : new int[0];
    Tensor reduced = Elementwise.reduce(loss, outShape, r, a.dtype());
    double scale = Elementwise.gradScale(r, n);
    for (int i = 0; i < n; i++) {
      double g = dLoss[i] * scale;
      for (int k = 0; k < d; k++) {
        ga[i * d + k] = g * (y[i * d + k] / dens[i] - cosines[i] * x[i * d + k] / m1s[i]);
        gb[i * d + k] = g * (x[i * d + k] / dens[i] - cosines[i] * y[i * d + k] / m2s[i]);
      }
    }
    Map<String, Tensor> grads = new LinkedHashMap<>();
    grads.put("grad_input1", Tensor.ofFloating(a.dtype(), ga, a.shape()));
    grads.put("grad_input2", Tensor.ofFloating(b.dtype(), gb, b.shape()));
    return new LossAndGrads(reduced, grads);
  }
}
