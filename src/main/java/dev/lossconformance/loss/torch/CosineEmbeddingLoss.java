package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.AtenSum;
import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrads;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code torch.nn.functional.cosine_embedding_loss} with PyTorch 2.7 semantics.
 *
 * <p>{@code cos = sum(a b) / sqrt((sum a^2 + 1e-12)(sum b^2 + 1e-12))} over dim 1 of (N, D) inputs with a
 * (N) target, or over the vector of (D) inputs with a 0-d target. Per sample: y = 1 gives
 * {@code 1 - cos}, y = -1 gives {@code max(0, cos - margin)}, any other y gives 0.
 *
 * <p>aten composes the loss of tensor ops ({@code aten/src/ATen/native/Loss.cpp}
 * {@code cosine_embedding_loss}), each materialised in its dtype, and this kernel repeats them in that
 * order, rounding every result to the dtype of the tensor aten makes:
 * {@code prod_sum = (input1 * input2).sum(d)} in the promoted dtype P of the two inputs,
 * {@code mag_square1 = (input1 * input1).sum(d) + EPSILON} in input1's dtype (likewise input2),
 * {@code denom = (mag_square1 * mag_square2).sqrt_()} and {@code cos = prod_sum / denom} in P, then
 * {@code 1 - cos}, {@code (cos - margin).clamp_min_(0)}, the two {@code where}s on the target and their
 * sum. So a float32 {@code sum(x*x)} that overflows is inf (the cosine NaN or 0 as IEEE makes it), and
 * {@code 1 - cos} of equal vectors is 0 in float32 ({@code 1 + 1e-12f} rounds to 1). The result dtype is
 * P ({@code float32 (input2 float64)} gives a float64 loss). The sums follow aten's {@code cascade_sum}
 * ({@code aten/src/ATen/native/cpu/SumKernel.cpp}, see {@link AtenSum}); {@code mean} is that sum
 * divided by N ({@code mean_out} on CPU: {@code sum_out(...).div_(N)}).
 *
 * <p>The gradients are autograd's chain of those ops ({@code tools/autograd/derivatives.yaml} and
 * {@code FunctionsManual.cpp}), each rounded in its dtype: mean {@code grad / N}; where
 * {@code where(cond, grad, 0)}; clamp_min {@code where(self >= 0, grad, 0)} (NaN gives 0); rsub
 * {@code -grad}; div {@code grad / denom} and {@code -grad * ((prod_sum / denom) / denom)}; sqrt
 * {@code grad / (2 * result)}; mul {@code grad * other} (cast by the engine to the input's dtype when
 * it differs); sum expands. input1 receives {@code grad_m1 * x} twice from {@code x * x} (accumulated
 * first: its node is newer, and the engine runs newer nodes first) and then {@code grad_p * y} from
 * {@code x * y}. A zero upstream gradient times an infinite or NaN intermediate is NaN, as in the engine
 * (a float32 {@code |b|^2} that overflows makes {@code grad_input1} NaN even for a target of 0).
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
    DType da = a.dtype();
    DType db = b.dtype();
    // type promotion of input1 * input2, mag_square1 * mag_square2, and everything after them
    DType dp = da == DType.FLOAT64 || db == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32;
    boolean fa = da == DType.FLOAT32;
    boolean fb = db == DType.FLOAT32;
    boolean fp = dp == DType.FLOAT32;
    double[] x = a.toDoubleArray();
    double[] y = b.toDoubleArray();
    double epsA = round(fa, EPSILON);
    double epsB = round(fb, EPSILON);
    double marginP = round(fp, margin); // the Scalar is cast to the tensor's dtype
    AtenSum sum = new AtenSum();
    double[] xy = new double[d];
    double[] xx = new double[d];
    double[] yy = new double[d];
    double[] loss = new double[n];
    double[] ps = new double[n];
    double[] m1 = new double[n];
    double[] m2 = new double[n];
    double[] den = new double[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      int o = i * d;
      for (int k = 0; k < d; k++) {
        xy[k] = round(fp, x[o + k] * y[o + k]);
        xx[k] = round(fa, x[o + k] * x[o + k]);
        yy[k] = round(fb, y[o + k] * y[o + k]);
      }
      ps[i] = sum.row(xy, 0, d, fp);
      m1[i] = round(fa, sum.row(xx, 0, d, fa) + epsA);
      m2[i] = round(fb, sum.row(yy, 0, d, fb) + epsB);
      den[i] = round(fp, Math.sqrt(round(fp, m1[i] * m2[i])));
      double cos = round(fp, ps[i] / den[i]);
      v[i] = round(fp, cos - marginP);
      double t = target.getDouble(i);
      double pos = t == 1 ? round(fp, 1 - cos) : 0;
      // clamp_min_(0) keeps NaN (max(NaN, 0) is NaN in aten's kernel)
      double neg = t == -1 ? (v[i] < 0 ? 0 : v[i]) : 0;
      loss[i] = round(fp, pos + neg);
    }
    int[] outShape = want == 2 ? new int[] {n} : new int[0];
    Tensor reduced;
    double g;
    if (r == Reduction.NONE) {
      reduced = Tensor.ofFloating(dp, loss, outShape);
      g = 1;
    } else {
      double total = sum.row(loss, 0, n, fp);
      reduced = Tensor.scalar(dp, r == Reduction.SUM ? total : round(fp, total / n));
      g = r == Reduction.SUM ? 1 : round(fp, 1.0 / n); // MeanBackward: grad / numel
    }
    double[] ga = new double[x.length];
    double[] gb = new double[y.length];
    for (int i = 0; i < n; i++) {
      double t = target.getDouble(i);
      double gPos = t == 1 ? g : 0;
      double gNeg = t == -1 && v[i] >= 0 ? g : 0; // where(target == -1), then clamp_min's where(self >= 0)
      double gCos = gNeg + -gPos; // the sub's gradient arrives first, then the rsub's -grad
      double gPs = round(fp, gCos / den[i]);
      double q = round(fp, round(fp, ps[i] / den[i]) / den[i]);
      double gDen = -round(fp, gCos * q);
      double gMm = round(fp, gDen / round(fp, 2 * den[i]));
      double gM1 = round(fa, round(fp, gMm * m2[i]));
      double gM2 = round(fb, round(fp, gMm * m1[i]));
      int o = i * d;
      for (int k = 0; k < d; k++) {
        double xk = x[o + k];
        double yk = y[o + k];
        double sa = round(fa, gM1 * xk);
        ga[o + k] = round(fa, round(fa, sa + sa) + round(fa, round(fp, gPs * yk)));
        double sb = round(fb, gM2 * yk);
        gb[o + k] = round(fb, round(fb, sb + sb) + round(fb, round(fp, gPs * xk)));
      }
    }
    Map<String, Tensor> grads = new LinkedHashMap<>();
    grads.put("grad_input1", Tensor.ofFloating(da, ga, a.shape()));
    grads.put("grad_input2", Tensor.ofFloating(db, gb, b.shape()));
    return new LossAndGrads(reduced, grads);
  }

  /** {@code v} rounded to float32 when {@code f32}; IEEE double arithmetic rounded so is float arithmetic. */
  private static double round(boolean f32, double v) {
    return f32 ? (float) v : v;
  }

}
