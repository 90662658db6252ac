package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.Accumulator;
import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.loss.Precision;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * The streaming, parallel paths of {@link ClassLoss} for what {@link FastCrossEntropy} does not take:
 * class-index cross-entropy in float64 and with label smoothing (either dtype), probability targets
 * whose loss has the input's dtype, and nll_loss. They read the input, target and weight arrays in
 * their own dtype (no copy of the input), compute the generic path's formulas with its rounding points
 * (log_softmax's output in the dtype, its exp in the dtype in the backward, aten's {@code NllSums}
 * cascade in the dtype for the reduced nll term and the total weight, the smoothing term's own sum, mean's
 * divisions in the dtype), one fiber at a time with the {@link ClassRows} loops (Vector API lanes when
 * present), and split the fibers over {@link Parallel}'s workers above its threshold. Every per-fiber
 * value depends on its fiber alone, and the sums over fibers run afterwards in fiber order, so the
 * result does not depend on the thread count.
 *
 * <p>Domain: the cross-entropy paths take a call whose weights are all finite and whose every fiber
 * (ignored ones too) has a finite maximum logit; a NaN or +inf logit, a fiber of -inf only, or an
 * infinite or NaN weight hands the whole call to the generic path (which reproduces PyTorch's NaN
 * propagation there), as does an empty input. nll_loss computes no exponential and takes every call
 * with int64 targets. Allocation: the outputs, one {@code double} per fiber for the per-fiber losses,
 * and per chunk a few {@code c}-element scratch fibers.
 *
 * <p>Float lanes: with the Vector API ({@link ClassRows#floatRows(int)}), float32 (N, C) rows of at least
 * one float vector under label smoothing, or with float32 probability targets, are computed in float
 * lanes straight from the input array instead of the double loops: {@code exp} by
 * {@code VectorMath.exp(FloatVector)} (within 1 ulp), sums of exponentials, of the log-probabilities and
 * of the products in float lanes, a block of 16 vectors at a time, the block sums added with Kahan's
 * compensation and the lanes in double at the end. aten's rounding points are kept: log_softmax's output
 * in float32 ({@code lp = (x - m) - ls} in float32 arithmetic, {@code ls} the float32 log of the sum),
 * the smoothing term's sum of those (each {@code lp w} rounded), the products {@code lp t} (and
 * {@code lp t w}) in float32, the target {@code t (1 - eps) + eps / C} in float32, log_softmax_backward's
 * {@code exp(lp)} in float32 and {@code gl - exp(lp) sum} (by FMAs, the class-index {@code sum} split in two
 * floats), the target class's entries and mean's divisions as in the double loops. Not the double loops'
 * bits: against the generic path the loss measured within 2 ulps and each gradient element within 2.85
 * units of {@code (1 + |lp|) ulp(|exp(lp) sum|) + ulp(g)} ({@code ClassLossFastPathTest}, which states how
 * and checks 4 ulps and 6 units). Their domain: a row whose float32 log-probabilities are all finite and
 * whose sums are finite; a row with a -inf logit, with finite logits whose float32 {@code lp} overflows,
 * or with an infinite term (an infinite target or product) runs the double loops, and a call outside the
 * domain above the generic path. Without the module (the scalar loops) these rows stay on the double loops.
 */
final class FastClassLoss {
  private FastClassLoss() {}

  /** Which path, the geometry and the options of one call. */
  record Call(String api, Tensor input, Tensor target, int n, int c, int inner, int[] targetShape, double[] w,
      long ignore, double eps, Reduction reduction) {
    int rows() {
      return n * inner;
    }

    boolean f32() {
      return input.dtype() == DType.FLOAT32;
    }

    /** Index of class {@code k} of fiber {@code i} in the input. */
    int at(int i, int k) {
      return ((i / inner) * c + k) * inner + i % inner;
    }
  }

  /** The gradient's array: {@code gradInto} when given (float[] or double[]), else a new one. */
  private static Object gradArray(Tensor input, Object gradInto) {
    if (gradInto != null) {
      return gradInto;
    }
    return input.dtype() == DType.FLOAT32 ? new float[input.numel()] : new double[input.numel()];
  }

  private static Tensor wrap(Object grad, int[] shape) {
    return grad instanceof float[] f ? Tensor.wrapFloats(f, shape) : Tensor.wrapDoubles((double[]) grad, shape);
  }

  private static boolean allFinite(double[] w) {
    if (w != null) {
      for (double v : w) {
        if (!Double.isFinite(v)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether {@link ClassRows}' float-lane loops take this call's fibers: a float32 (N, C) input, those
   * loops present (the Vector API ones) and the weights, if any, float32 values.
   */
  private static boolean floatRows(Call k, ClassRows ops) {
    if (!k.f32() || k.inner != 1 || !ops.floatRows(k.c)) {
      return false;
    }
    if (k.w != null) {
      for (double v : k.w) {
        if ((float) v != v) {
          return false;
        }
      }
    }
    return true;
  }

  /** {@code v} in float32 (its values are float32 values), or null. */
  private static float[] floats(double[] v) {
    if (v == null) {
      return null;
    }
    float[] f = new float[v.length];
    for (int j = 0; j < v.length; j++) {
      f[j] = (float) v[j];
    }
    return f;
  }

  /**
   * A float row's max and min into {@code mm} and the log of its sum of exponentials (float lanes), or
   * NaN when its max is not finite (a NaN or +inf logit, or every logit -inf: the generic path's call).
   */
  private static double floatLogSum(ClassRows ops, float[] x, int o, int c, float[] mm, float[] lanes) {
    ops.maxMin(x, o, c, mm);
    return Float.isFinite(mm[0]) ? Math.log(ops.sumExp(x, o, c, mm[0], lanes)) : Double.NaN;
  }

  /** {@code c} copies of {@code v}. */
  private static float[] filled(int c, float v) {
    float[] f = new float[c];
    Arrays.fill(f, v);
    return f;
  }

  /** Validates every target in order (the generic path's first error) and returns the ignored count. */
  private static long validate(Call k, long[] t) {
    long ignored = 0;
    for (int i = 0; i < t.length; i++) {
      long y = t[i];
      if (y == k.ignore) {
        ignored++;
      } else if (y < 0 || y >= k.c) {
        throw new LossArgumentException(ErrorKind.INDEX_OUT_OF_RANGE,
            k.api + ": target: " + Shapes.element(k.targetShape, i, Long.toString(y))
            + " is out of bounds for " + k.c + " classes [0, " + k.c + ") and is not ignore_index (" + k.ignore + ")");
      }
    }
    return ignored;
  }

  /** aten's total weight: the cascade sum of the target weights in the dtype, or their count without weights. */
  private static double totalWeight(Call k, long[] t, long ignored) {
    DType dt = k.input.dtype();
    ClassLoss.NllSums sums = new ClassLoss.NllSums(dt);
    if (k.w != null) {
      for (int i = 0; i < t.length; i++) {
        if (t[i] != k.ignore) {
          sums.add(i, 0, k.w[(int) t[i]]);
        }
      }
    }
    return sums.weight(k.w == null ? t.length - ignored : -1);
  }

  /**
   * Per chunk: reads fibers into scratch and writes their gradients back. A float64 (N, C) row is used
   * in place (the gradient row holds its exponentials, then its gradient); a float32 row is copied to
   * double; K-dim fibers, strided by {@code inner}, are gathered a block of {@link #BLOCK} consecutive
   * positions at a time (each cache line of the input read once, not once per position) and their
   * gradients scattered back a block at a time.
   */
  private static final class Fibers {
    static final int BLOCK = 16;
    final Call k;
    final float[] x32;
    final double[] x64;
    final boolean direct; // float64 (N, C): the fiber is the input itself
    final boolean spatial;
    final double[] xs;
    final double[] gs;
    int b0;
    int b1;

    Fibers(Call k) {
      this.k = k;
      this.x32 = k.f32() ? k.input.backingFloats() : null;
      this.x64 = k.f32() ? null : k.input.backingDoubles();
      this.direct = !k.f32() && k.inner == 1;
      this.spatial = k.inner > 1;
      int len = direct ? 0 : spatial ? BLOCK * k.c : k.c;
      this.xs = direct ? null : new double[len];
      this.gs = direct ? null : new double[len];
    }

    /** The array holding the fiber last loaded, from {@link #offset}. */
    double[] x() {
      return direct ? x64 : xs;
    }

    /** Loads fiber {@code i} of a chunk ending at {@code to} (a copy in double unless direct); returns its maximum. */
    double loadMax(ClassRows ops, int i, int to) {
      int c = k.c;
      if (direct) {
        return ops.max(x64, i * c, c);
      }
      if (!spatial) {
        return ops.loadMax(x32, i * c, c, xs);
      }
      if (i >= b1) {
        int inner = k.inner;
        b0 = i;
        b1 = Math.min(Math.min(to, i + BLOCK), (i / inner + 1) * inner);
        int len = b1 - b0;
        int base = k.at(i, 0);
        for (int j = 0; j < c; j++) {
          int src = base + j * inner;
          if (x32 != null) {
            for (int q = 0; q < len; q++) {
              xs[q * c + j] = x32[src + q];
            }
          } else {
            for (int q = 0; q < len; q++) {
              xs[q * c + j] = x64[src + q];
            }
          }
        }
      }
      return ops.max(xs, offset(i), c);
    }

    int offset(int i) {
      return direct ? i * k.c : spatial ? (i - b0) * k.c : 0;
    }

    /** Where the fiber's gradient is computed: the gradient itself (direct) or the scratch. */
    double[] gradTarget(Object grad) {
      return direct ? (double[]) grad : gs;
    }

    /** Zeros the gradient of fiber {@code i} (an ignored fiber of finite logits and weights). */
    void zero(int i, Object grad) {
      Arrays.fill(gradTarget(grad), offset(i), offset(i) + k.c, 0);
    }

    /**
     * After fiber {@code i}'s gradient is in place: a float32 row is copied out (rounded to float32), a
     * block of K-dim fibers is scattered once its last fiber is done.
     */
    void done(int i, Object grad) {
      int c = k.c;
      if (direct || (spatial && i != b1 - 1)) {
        return;
      }
      if (!spatial) {
        float[] g = (float[]) grad;
        int base = i * c;
        for (int j = 0; j < c; j++) {
          g[base + j] = (float) gs[j];
        }
        return;
      }
      int len = b1 - b0;
      int base = k.at(b0, 0);
      int inner = k.inner;
      for (int j = 0; j < c; j++) {
        int dst = base + j * inner;
        if (grad instanceof float[] g) {
          for (int q = 0; q < len; q++) {
            g[dst + q] = (float) gs[q * c + j];
          }
        } else {
          double[] g = (double[]) grad;
          for (int q = 0; q < len; q++) {
            g[dst + q] = gs[q * c + j];
          }
        }
      }
    }
  }

  /** One chunk's work. */
  private interface FiberBody {
    /** Fibers {@code [from, to)} with this chunk's scratch; returns false to hand the call to the generic path. */
    boolean run(Fibers f, int from, int to);
  }

  /** Runs {@code body} over the fibers in chunks; false when a chunk found a fiber outside the domain. */
  private static boolean forFibers(Call k, FiberBody body) {
    int rows = k.rows();
    int chunks = Parallel.chunks(k.input.numel(), rows);
    boolean[] ok = new boolean[chunks];
    Runnable[] work = new Runnable[chunks];
    for (int j = 0; j < chunks; j++) {
      int chunk = j;
      work[j] = () -> ok[chunk] = body.run(new Fibers(k), Parallel.from(rows, chunks, chunk),
          Parallel.from(rows, chunks, chunk + 1));
    }
    Parallel.run(work);
    for (boolean b : ok) {
      if (!b) {
        return false;
      }
    }
    return true;
  }

  /**
   * Class-index cross-entropy (float64, or label smoothing in either dtype) with int64 targets: the
   * generic path's {@code classTargets}, fused per fiber (max, sum of exponentials, the nll and smoothing
   * terms, then the gradient). Returns null to hand the call to the generic path (see the class doc).
   */
  static LossAndGrad crossEntropy(Call k, boolean withGrad, Object gradInto) {
    int rows = k.rows();
    if (rows == 0 || k.input.numel() == 0 || !allFinite(k.w)) {
      return null;
    }
    long[] t = k.target.backingLongs();
    long ignored = validate(k, t);
    DType dt = k.input.dtype();
    boolean f32 = k.f32();
    double eps = k.eps;
    int c = k.c;
    double[] w = k.w;
    double d = totalWeight(k, t, ignored);
    // the gradient's scalars exactly as the generic path takes them (see ClassLoss.classTargets)
    double gNll = eps > 0 ? Precision.round(dt, 1 - eps) : 1;
    double nllScale = k.reduction == Reduction.MEAN ? -Precision.round(dt, gNll / d) : -gNll;
    double gSmooth = eps > 0 ? Precision.round(dt, eps / c) : 0;
    double smoothScale = k.reduction == Reduction.MEAN ? -Precision.round(dt, gSmooth / d) : -gSmooth;
    // the smoothing part of d loss / d logp per class, and its compensated sum over the classes
    double[] gw = null;
    double gwSum = 0;
    if (eps > 0 && w != null) {
      gw = new double[c];
      Accumulator a = new Accumulator();
      for (int j = 0; j < c; j++) {
        gw[j] = Precision.round(dt, smoothScale * w[j]);
        a.add(gw[j]);
      }
      gwSum = a.value();
    }
    double[] gwFinal = gw;
    double gwTotal = gwSum;
    double[] nll = new double[rows];
    double[] smooth = eps > 0 ? new double[rows] : null;
    Object grad = withGrad ? gradArray(k.input, gradInto) : null;
    ClassRows ops = ClassRows.best();
    // float32 rows (always smoothed here: FastCrossEntropy takes eps = 0) in float lanes (the class doc)
    boolean inFloat = floatRows(k, ops);
    float[] x32 = inFloat ? k.input.backingFloats() : null;
    float[] w32 = inFloat ? (w != null ? floats(w) : filled(c, 1)) : null;
    float[] glFinal = !inFloat || !withGrad ? null : gw != null ? floats(gw) : filled(c, (float) smoothScale);
    boolean ok = forFibers(k, (f, from, to) -> {
      float[] mm = inFloat ? new float[2] : null;
      float[] lanes = inFloat ? new float[64] : null;
      for (int i = from; i < to; i++) {
        if (inFloat) {
          int o = i * c;
          double logS = floatLogSum(ops, x32, o, c, mm, lanes);
          if (Double.isNaN(logS)) {
            return false;
          }
          float m = mm[0];
          float ls = (float) logS;
          float[] g = (float[]) grad;
          long y = t[i];
          if (y == k.ignore) {
            if (g != null) {
              Arrays.fill(g, o, o + c, 0f);
            }
            continue;
          }
          double sm = Float.isFinite((mm[1] - m) - ls) ? ops.sumLogProbs(x32, o, c, m, ls, w32, lanes) : Double.NaN;
          if (Double.isFinite(sm)) {
            int yi = (int) y;
            double lpY = (float) (((double) x32[o + yi] - m) - logS);
            double wy = w == null ? 1 : w[yi];
            nll[i] = (float) (-wy * lpY);
            smooth[i] = (float) -sm;
            if (g != null) {
              double gy = w == null ? nllScale : (float) (wy * nllScale);
              double glY = (float) ((gwFinal != null ? gwFinal[yi] : smoothScale) + gy);
              double sum = gwFinal != null ? gwTotal - gwFinal[yi] + glY : (c - 1) * smoothScale + glY;
              float sh = (float) sum;
              ops.backward(x32, o, c, m, ls, glFinal, 0, sh, (float) (sum - sh), g);
              g[o + yi] = (float) (glY - (float) Math.exp(lpY) * sum);
            }
            continue;
          }
          // an infinite log-probability or term: this row in the double loops below
        }
        double m = f.loadMax(ops, i, to);
        if (!Double.isFinite(m)) {
          return false;
        }
        double[] x = f.x();
        int o = f.offset(i);
        long y = t[i];
        if (y == k.ignore) {
          if (grad != null) {
            f.zero(i, grad);
            f.done(i, grad);
          }
          continue;
        }
        int yi = (int) y;
        // with the gradient, the exponentials are stored where the fiber's gradient is computed
        double[] e = grad == null ? null : f.gradTarget(grad);
        double s = ops.sumExp(x, o, c, m, e, o);
        double logS = Math.log(s);
        double lpY = Precision.round(dt, (x[o + yi] - m) - logS);
        double wy = w == null ? 1 : w[yi];
        nll[i] = Precision.round(dt, -wy * lpY);
        if (grad == null) {
          if (eps > 0) {
            smooth[i] = Precision.round(dt, -ops.sumLogProbs(x, o, c, m, logS, w, f32));
          }
          continue;
        }
        double gy = w == null ? nllScale : Precision.round(dt, wy * nllScale);
        double g0 = eps > 0 ? (gwFinal != null ? gwFinal[yi] : smoothScale) : 0;
        double glY = Precision.round(dt, g0 + gy);
        double sum = eps == 0 ? glY : gwFinal != null ? gwTotal - gwFinal[yi] + glY : (c - 1) * smoothScale + glY;
        double sm = ops.backward(x, o, c, m, logS, 1 / s, e, o, gwFinal, 0,
            eps > 0 && gwFinal == null ? smoothScale : 0, sum, f32, e, o, eps > 0, w);
        if (eps > 0) {
          smooth[i] = Precision.round(dt, -sm);
        }
        e[o + yi] = glY - Precision.round(dt, Math.exp(lpY)) * sum;
        f.done(i, grad);
      }
      return true;
    });
    if (!ok) {
      return null;
    }
    ClassLoss.NllSums sums = new ClassLoss.NllSums(dt);
    Accumulator smoothSum = new Accumulator();
    for (int i = 0; i < rows; i++) {
      if (t[i] != k.ignore) {
        sums.add(i, nll[i], 0);
        if (eps > 0) {
          smoothSum.add(smooth[i]);
        }
      }
    }
    double[] loss;
    if (k.reduction == Reduction.NONE) {
      loss = nll;
      if (eps > 0) {
        for (int i = 0; i < rows; i++) {
          loss[i] = (1 - eps) * nll[i] + smooth[i] * (eps / c);
        }
      }
    } else {
      double scale = k.reduction == Reduction.MEAN ? d : 1;
      double v = sums.loss() / scale;
      if (eps > 0) {
        v = (1 - eps) * Precision.round(dt, v)
            + Precision.round(dt, Precision.round(dt, smoothSum.value()) / scale) * (eps / c);
      }
      loss = new double[] {v};
    }
    Tensor lossT = Tensor.ofFloating(dt, loss, k.reduction == Reduction.NONE ? k.targetShape : new int[0]);
    return new LossAndGrad(lossT, grad == null ? null : wrap(grad, k.input.shape()));
  }

  /**
   * Probability targets whose promoted dtype is the input's (the target float64 or of the input's dtype,
   * the weight null or not float64 unless the input is): the generic path's {@code probabilityTargets},
   * fused per fiber. Returns null to hand the call to the generic path (see the class doc).
   */
  static LossAndGrad probability(Call k, boolean withGrad, Object gradInto) {
    int rows = k.rows();
    if (rows == 0 || k.input.numel() == 0 || !allFinite(k.w)) {
      return null;
    }
    DType dt = k.input.dtype();
    DType tdt = k.target.dtype();
    boolean f32 = k.f32();
    int c = k.c;
    double[] w = k.w;
    double eps = k.eps;
    float[] t32 = tdt == DType.FLOAT32 ? k.target.backingFloats() : null;
    double[] t64 = tdt == DType.FLOAT64 ? k.target.backingDoubles() : null;
    double keep = Precision.round(tdt, 1 - eps);
    double add = Precision.round(tdt, eps / c);
    double a = k.reduction == Reduction.MEAN ? -Precision.round(dt, 1.0 / rows) : -1;
    double[] gw = null;
    if (w != null) {
      gw = new double[c];
      for (int j = 0; j < c; j++) {
        gw[j] = Precision.round(dt, a * w[j]);
      }
    }
    double[] gwFinal = gw;
    double[] l = new double[rows];
    Object grad = withGrad ? gradArray(k.input, gradInto) : null;
    ClassRows ops = ClassRows.best();
    // float32 rows in float lanes (the class doc); the target is float32 here (the loss's dtype is the input's)
    boolean inFloat = t32 != null && floatRows(k, ops);
    float[] x32 = inFloat ? k.input.backingFloats() : null;
    // without a weight, ones and a (the products by 1 exact): the float loop has no branch on the weight
    float[] w32 = inFloat ? (w != null ? floats(w) : filled(c, 1)) : null;
    float[] gw32 = inFloat ? (gw != null ? floats(gw) : filled(c, (float) a)) : null;
    boolean ok = forFibers(k, (f, from, to) -> {
      double[] ts = new double[c];
      double[] gl = grad == null ? null : new double[c];
      double[] glSum = new double[1];
      float[] mm = inFloat ? new float[2] : null;
      float[] lanes = inFloat ? new float[64] : null;
      double[] sums = inFloat ? new double[2] : null;
      for (int i = from; i < to; i++) {
        if (inFloat) {
          int o = i * c;
          double logS = floatLogSum(ops, x32, o, c, mm, lanes);
          if (Double.isNaN(logS)) {
            return false;
          }
          float m = mm[0];
          float ls = (float) logS;
          float[] g = (float[]) grad;
          if (Float.isFinite((mm[1] - m) - ls)) {
            ops.probabilityRow(x32, o, t32, c, m, ls, w32, gw32, eps > 0, (float) keep, (float) add, g,
                sums, lanes);
            if (Double.isFinite(sums[0]) && Double.isFinite(sums[1])) {
              l[i] = (float) -sums[0];
              if (g != null) {
                ops.backward(x32, o, c, m, ls, g, o, (float) sums[1], 0f, g);
              }
              continue;
            }
          }
          // an infinite log-probability or term: this row in the double loops below
        }
        double m = f.loadMax(ops, i, to);
        if (!Double.isFinite(m)) {
          return false;
        }
        double[] x = f.x();
        int o = f.offset(i);
        // target' = target * (1 - eps) + eps / C in the target's dtype
        int base = k.at(i, 0);
        int stride = k.inner;
        for (int j = 0; j < c; j++) {
          double v = t32 != null ? t32[base + j * stride] : t64[base + j * stride];
          ts[j] = eps > 0 ? Precision.round(tdt, Precision.round(tdt, v * keep) + add) : v;
        }
        double[] e = grad == null ? null : f.gradTarget(grad);
        double s = ops.sumExp(x, o, c, m, e, o);
        double logS = Math.log(s);
        l[i] = Precision.round(dt, -ops.probabilityRow(x, o, ts, c, m, logS, w, gwFinal, a, f32, gl, 0, glSum));
        if (grad != null) {
          double sum = Precision.round(dt, glSum[0]);
          ops.backward(x, o, c, m, logS, 1 / s, e, o, gl, 0, 0, sum, f32, e, o, false, null);
          f.done(i, grad);
        }
      }
      return true;
    });
    if (!ok) {
      return null;
    }
    double[] loss;
    if (k.reduction == Reduction.NONE) {
      loss = l;
    } else {
      Accumulator total = new Accumulator();
      for (double v : l) {
        total.add(v);
      }
      loss = new double[] {k.reduction == Reduction.SUM ? total.value() : Precision.round(dt, total.value()) / rows};
    }
    Tensor lossT = Tensor.ofFloating(dt, loss, k.reduction == Reduction.NONE ? k.targetShape : new int[0]);
    return new LossAndGrad(lossT, grad == null ? null : wrap(grad, k.input.shape()));
  }

  /**
   * nll_loss with int64 targets: the generic path's formulas read straight from the input's array (only
   * the target entries), and a gradient that is zero but at the targets: a new array (already zeroed by
   * the JVM) gets only the target entries written; a caller's array is zeroed first, in parallel chunks.
   */
  static LossAndGrad nll(Call k, boolean withGrad, Object gradInto) {
    long[] t = k.target.backingLongs();
    int rows = k.rows();
    DType dt = k.input.dtype();
    float[] x32 = k.f32() ? k.input.backingFloats() : null;
    double[] x64 = k.f32() ? null : k.input.backingDoubles();
    double[] w = k.w;
    double[] nll = k.reduction == Reduction.NONE ? new double[rows] : null;
    ClassLoss.NllSums sums = new ClassLoss.NllSums(dt);
    long ignored = 0;
    for (int i = 0; i < rows; i++) {
      long y = t[i];
      if (y == k.ignore) {
        ignored++;
        continue;
      }
      if (y < 0 || y >= k.c) {
        throw new LossArgumentException(ErrorKind.INDEX_OUT_OF_RANGE,
            k.api + ": target: " + Shapes.element(k.targetShape, i, Long.toString(y))
            + " is out of bounds for " + k.c + " classes [0, " + k.c + ") and is not ignore_index (" + k.ignore + ")");
      }
      int at = k.at(i, (int) y);
      double wy = w == null ? 1 : w[(int) y];
      double v = Precision.round(dt, -wy * (x32 != null ? x32[at] : x64[at]));
      sums.add(i, v, wy);
      if (nll != null) {
        nll[i] = v;
      }
    }
    double d = rows == 0 ? 0 : sums.weight(w == null ? rows - ignored : -1);
    double[] loss;
    if (k.reduction == Reduction.NONE) {
      loss = nll;
    } else {
      double scale = k.reduction == Reduction.MEAN ? d : 1;
      loss = new double[] {rows == 0 ? (k.reduction == Reduction.MEAN ? Double.NaN : 0) : sums.loss() / scale};
    }
    Tensor lossT = Tensor.ofFloating(dt, loss, k.reduction == Reduction.NONE ? k.targetShape : new int[0]);
    if (!withGrad) {
      return new LossAndGrad(lossT, null);
    }
    Object grad = gradArray(k.input, gradInto);
    if (gradInto != null) {
      zero(grad);
    }
    // nll_loss_backward_out_frame: w[y] * -(g / total_weight) for mean, w[y] * -g otherwise, in the dtype
    double nllScale = k.reduction == Reduction.MEAN ? -Precision.round(dt, 1 / d) : -1;
    for (int i = 0; i < rows; i++) {
      long y = t[i];
      if (y == k.ignore) {
        continue;
      }
      double gy = w == null ? nllScale : Precision.round(dt, w[(int) y] * nllScale);
      int at = k.at(i, (int) y);
      if (grad instanceof float[] g) {
        g[at] = (float) gy;
      } else {
        ((double[]) grad)[at] = gy;
      }
    }
    return new LossAndGrad(lossT, wrap(grad, k.input.shape()));
  }

  /** Zeros a caller's gradient array, split over the workers above the threshold. */
  private static void zero(Object grad) {
    int len = grad instanceof float[] f ? f.length : ((double[]) grad).length;
    int chunks = Parallel.chunks(len, len);
    Runnable[] work = new Runnable[chunks];
    for (int j = 0; j < chunks; j++) {
      int from = Parallel.from(len, chunks, j);
      int to = Parallel.from(len, chunks, j + 1);
      work[j] = grad instanceof float[] f ? () -> Arrays.fill(f, from, to, 0f)
          : () -> Arrays.fill((double[]) grad, from, to, 0);
    }
    Parallel.run(work);
  }
}
