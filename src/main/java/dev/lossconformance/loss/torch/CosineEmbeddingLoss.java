package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.AtenSum;
import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.Gradients;
import dev.lossconformance.loss.LossAndGrads;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Parallel;
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
 *
 * <p>Paths: two inputs of one dtype (float32 or float64, any values: the ops are the dtype's own IEEE
 * ops, so inf, NaN and overflow need no special case) take the fast path, which streams the inputs'
 * arrays, sums each row's three dot products in one vectorised sweep in aten's order
 * ({@link CosineRows}), runs the row's scalar chain and writes its gradient rows while the row is in
 * cache, a chunk of rows per worker above {@link Parallel#THRESHOLD}; it gives the generic path's bits
 * (tested). Mixed float32 and float64 inputs take the generic path (double arrays, every op rounded).
 * Only the gradients asked for ({@link Gradients}) are computed; the gradInto variants write them into
 * the caller's arrays.
 */
public final class CosineEmbeddingLoss {
  public static final String API = "torch.nn.functional.cosine_embedding_loss";
  /**
   * Loss.cpp's {@code EPSILON}, a float constant (1e-12f = 9.99999996e-13) in both dtypes: the float64
   * goldens of near-zero vectors differ from 1e-12 by the relative 4e-9 this makes.
   */
  private static final double EPSILON = 1e-12f;

  private CosineEmbeddingLoss() {}

  /** The gradients' output names. */
  public static final String GRAD_INPUT1 = "grad_input1";
  public static final String GRAD_INPUT2 = "grad_input2";

  /**
   * The loss of the pairs {@code (input1[i], input2[i])} with targets {@code target[i]} and the
   * gradients {@code grad_input1}, {@code grad_input2} of its sum.
   */
  public static LossAndGrads apply(Tensor input1, Tensor input2, Tensor target, double margin, String reduction) {
    return apply(input1, input2, target, margin, reduction, Gradients.ALL);
  }

  /**
   * {@link #apply(Tensor, Tensor, Tensor, double, String)} computing only the gradients asked for
   * ({@link #GRAD_INPUT1}, {@link #GRAD_INPUT2}; another name is refused); the result holds those.
   */
  public static LossAndGrads apply(Tensor input1, Tensor input2, Tensor target, double margin, String reduction,
      Gradients gradients) {
    Shapes.nonNull(API, "gradients", gradients).requireKnown(API, GRAD_INPUT1, GRAD_INPUT2);
    Problem p = check(input1, input2, target, reduction);
    boolean w1 = gradients.wants(GRAD_INPUT1);
    boolean w2 = gradients.wants(GRAD_INPUT2);
    if (p.a.dtype() == DType.FLOAT32 && p.b.dtype() == DType.FLOAT32) {
      return fast(p, target, margin, w1 ? new float[p.n * p.d] : null, w2 ? new float[p.n * p.d] : null);
    }
    if (p.a.dtype() == DType.FLOAT64 && p.b.dtype() == DType.FLOAT64) {
      return fast(p, target, margin, w1 ? new double[p.n * p.d] : null, w2 ? new double[p.n * p.d] : null);
    }
    LossAndGrads all = generic(p, target, margin);
    Map<String, Tensor> grads = new LinkedHashMap<>();
    all.grads().forEach((k, v) -> {
      if (gradients.wants(k)) {
        grads.put(k, v);
      }
    });
    return new LossAndGrads(all.loss(), grads);
  }

  /**
   * {@link #apply(Tensor, Tensor, Tensor, double, String)} for float32 inputs, with {@code grad_input1}
   * written into {@code grad1Into} and {@code grad_input2} into {@code grad2Into} (each of one element
   * per input element, every element overwritten; the returned gradients wrap the arrays). For training
   * loops: the gradients are not allocated on every call. (For one gradient alone, use
   * {@link #apply(Tensor, Tensor, Tensor, double, String, Gradients)}.)
   */
  public static LossAndGrads apply(Tensor input1, Tensor input2, Tensor target, double margin, String reduction,
      float[] grad1Into, float[] grad2Into) {
    Shapes.nonNull(API, "grad1Into", grad1Into);
    Shapes.nonNull(API, "grad2Into", grad2Into);
    Problem p = check(input1, input2, target, reduction);
    requireDtype(p, DType.FLOAT32);
    requireLength("grad1Into", grad1Into.length, p);
    requireLength("grad2Into", grad2Into.length, p);
    return fast(p, target, margin, grad1Into, grad2Into);
  }

  /** {@link #apply(Tensor, Tensor, Tensor, double, String, float[], float[])} for float64 inputs. */
  public static LossAndGrads apply(Tensor input1, Tensor input2, Tensor target, double margin, String reduction,
      double[] grad1Into, double[] grad2Into) {
    Shapes.nonNull(API, "grad1Into", grad1Into);
    Shapes.nonNull(API, "grad2Into", grad2Into);
    Problem p = check(input1, input2, target, reduction);
    requireDtype(p, DType.FLOAT64);
    requireLength("grad1Into", grad1Into.length, p);
    requireLength("grad2Into", grad2Into.length, p);
    return fast(p, target, margin, grad1Into, grad2Into);
  }

  private static void requireDtype(Problem p, DType dt) {
    if (p.a.dtype() != dt || p.b.dtype() != dt) {
      throw new LossArgumentException(ErrorKind.DTYPE, API + ": input1, input2: this gradInto variant takes "
          + dt + " inputs, got " + p.a.dtype() + " and " + p.b.dtype());
    }
  }

  private static void requireLength(String arg, int length, Problem p) {
    if (length != p.n * p.d) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, API + ": " + arg + ": expected length "
          + p.n * p.d + " (input shape " + Arrays.toString(p.a.shape()) + "), got " + length);
    }
  }

  /** The checked arguments: the inputs, their pair count and length, the reduction and the loss's shape. */
  private record Problem(Tensor a, Tensor b, int n, int d, Reduction r, int[] outShape) {}

  private static Problem check(Tensor input1, Tensor input2, Tensor target, String reduction) {
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
    return new Problem(a, b, n, d, r, want == 2 ? new int[] {n} : new int[0]);
  }

  /**
   * The fast path of two float32 inputs: the rows streamed from the inputs' arrays, a chunk of rows per
   * worker ({@link Parallel}), each row's three dot products in one vectorised sweep ({@link CosineRows},
   * aten's order), then its scalar chain and its gradient rows while they are in cache. Every op is the
   * float op the generic path rounds to float32, so both give the same bits (tested); the per-row losses
   * are reduced after the rows, in aten's order, so nothing depends on the thread count.
   */
  private static LossAndGrads fast(Problem p, Tensor target, double margin, float[] ga, float[] gb) {
    int n = p.n;
    int d = p.d;
    float[] x = p.a.backingFloats();
    float[] y = p.b.backingFloats();
    float eps = (float) EPSILON;
    float marginF = (float) margin;
    float g = p.r == Reduction.MEAN ? (float) (1.0 / n) : 1f;
    double[] loss = new double[n];
    int chunks = Parallel.chunks((long) n * d, n);
    Runnable[] work = new Runnable[chunks];
    for (int c = 0; c < chunks; c++) {
      int from = Parallel.from(n, chunks, c);
      int to = Parallel.from(n, chunks, c + 1);
      work[c] = () -> {
        CosineRows rows = CosineRows.best();
        float[] dots = new float[3];
        for (int i = from; i < to; i++) {
          int o = i * d;
          rows.dots(x, y, o, d, dots);
          float ps = dots[0];
          float m1 = dots[1] + eps;
          float m2 = dots[2] + eps;
          float den = (float) Math.sqrt(m1 * m2);
          float cos = ps / den;
          float v = cos - marginF;
          double t = target.getDouble(i);
          float pos = t == 1 ? 1 - cos : 0;
          float neg = t == -1 ? (v < 0 ? 0 : v) : 0; // clamp_min_(0) keeps NaN
          loss[i] = pos + neg;
          if (ga == null && gb == null) {
            continue;
          }
          float gCos = (t == -1 && v >= 0 ? g : 0) + -(t == 1 ? g : 0);
          float gPs = gCos / den;
          float gMm = -(gCos * ((ps / den) / den)) / (2 * den);
          if (ga != null) {
            rows.grad(x, y, o, d, gMm * m2, gPs, ga);
          }
          if (gb != null) {
            rows.grad(y, x, o, d, gMm * m1, gPs, gb);
          }
        }
      };
    }
    Parallel.run(work);
    Map<String, Tensor> grads = new LinkedHashMap<>();
    if (ga != null) {
      grads.put(GRAD_INPUT1, Tensor.wrapFloats(ga, p.a.shape()));
    }
    if (gb != null) {
      grads.put(GRAD_INPUT2, Tensor.wrapFloats(gb, p.b.shape()));
    }
    return new LossAndGrads(reduce(p, DType.FLOAT32, loss), grads);
  }

  /** {@link #fast(Problem, Tensor, double, float[], float[])} for two float64 inputs. */
  private static LossAndGrads fast(Problem p, Tensor target, double margin, double[] ga, double[] gb) {
    int n = p.n;
    int d = p.d;
    double[] x = p.a.backingDoubles();
    double[] y = p.b.backingDoubles();
    double g = p.r == Reduction.MEAN ? 1.0 / n : 1;
    double[] loss = new double[n];
    int chunks = Parallel.chunks((long) n * d, n);
    Runnable[] work = new Runnable[chunks];
    for (int c = 0; c < chunks; c++) {
      int from = Parallel.from(n, chunks, c);
      int to = Parallel.from(n, chunks, c + 1);
      work[c] = () -> {
        CosineRows rows = CosineRows.best();
        double[] dots = new double[3];
        for (int i = from; i < to; i++) {
          int o = i * d;
          rows.dots(x, y, o, d, dots);
          double ps = dots[0];
          double m1 = dots[1] + EPSILON;
          double m2 = dots[2] + EPSILON;
          double den = Math.sqrt(m1 * m2);
          double cos = ps / den;
          double v = cos - margin;
          double t = target.getDouble(i);
          double pos = t == 1 ? 1 - cos : 0;
          double neg = t == -1 ? (v < 0 ? 0 : v) : 0;
          loss[i] = pos + neg;
          if (ga == null && gb == null) {
            continue;
          }
          double gCos = (t == -1 && v >= 0 ? g : 0) + -(t == 1 ? g : 0);
          double gPs = gCos / den;
          double gMm = -(gCos * ((ps / den) / den)) / (2 * den);
          if (ga != null) {
            rows.grad(x, y, o, d, gMm * m2, gPs, ga);
          }
          if (gb != null) {
            rows.grad(y, x, o, d, gMm * m1, gPs, gb);
          }
        }
      };
    }
    Parallel.run(work);
    Map<String, Tensor> grads = new LinkedHashMap<>();
    if (ga != null) {
      grads.put(GRAD_INPUT1, Tensor.wrapDoubles(ga, p.a.shape()));
    }
    if (gb != null) {
      grads.put(GRAD_INPUT2, Tensor.wrapDoubles(gb, p.b.shape()));
    }
    return new LossAndGrads(reduce(p, DType.FLOAT64, loss), grads);
  }

  /** The per-row losses (rounded to {@code dp}) reduced as aten reduces them: none, sum, or sum / N. */
  private static Tensor reduce(Problem p, DType dp, double[] loss) {
    if (p.r == Reduction.NONE) {
      return Tensor.ofFloating(dp, loss, p.outShape);
    }
    boolean fp = dp == DType.FLOAT32;
    double total = new AtenSum().row(loss, 0, p.n, fp);
    return Tensor.scalar(dp, p.r == Reduction.SUM ? total : round(fp, total / p.n));
  }

  /** The generic path whatever the dtypes, with both gradients: for tests comparing the fast path with it. */
  static LossAndGrads generic(Tensor input1, Tensor input2, Tensor target, double margin, String reduction) {
    return generic(check(input1, input2, target, reduction), target, margin);
  }

  /**
   * The generic path (mixed float32 and float64 inputs): every input widened to double, each op rounded
   * to the dtype of the tensor aten makes.
   */
  private static LossAndGrads generic(Problem p, Tensor target, double margin) {
    Tensor a = p.a;
    Tensor b = p.b;
    Reduction r = p.r;
    int n = p.n;
    int d = p.d;
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
    Tensor reduced = reduce(p, dp, loss);
    double g = r == Reduction.NONE || r == Reduction.SUM ? 1 : round(fp, 1.0 / n); // MeanBackward: grad / numel
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
    grads.put(GRAD_INPUT1, Tensor.ofFloating(da, ga, a.shape()));
    grads.put(GRAD_INPUT2, Tensor.ofFloating(db, gb, b.shape()));
    return new LossAndGrads(reduced, grads);
  }

  /** {@code v} rounded to float32 when {@code f32}; IEEE double arithmetic rounded so is float arithmetic. */
  private static double round(boolean f32, double v) {
    return f32 ? (float) v : v;
  }

}
