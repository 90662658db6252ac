package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.Accumulator;
import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Precision;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * The shared body of {@link CrossEntropy} and {@link NllLoss}: class dim 1 (0 for unbatched input),
 * class-index targets with weight and ignore_index, optional label smoothing, and probability targets.
 *
 * <p>Layout: input {@code (N, C, d1..dK)} is read as {@code [n][c][s]} with {@code s} running over the
 * {@code inner = d1*..*dK} positions; unbatched {@code (C)} is {@code N = inner = 1}. Everything is
 * computed in double and rounded once to the input's dtype at the end.
 */
final class ClassLoss {
  private final String api;
  private final boolean logSoftmax;
  private final Tensor weight;
  private final long ignoreIndex;
  private final double labelSmoothing;
  private final Reduction reduction;

  ClassLoss(String api, boolean logSoftmax, Tensor weight, long ignoreIndex, double labelSmoothing,
      Reduction reduction) {
    this.api = api;
    this.logSoftmax = logSoftmax;
    this.weight = weight;
    this.ignoreIndex = ignoreIndex;
    this.labelSmoothing = labelSmoothing;
    this.reduction = reduction;
  }

  /** Geometry of an input tensor viewed as {@code [n][c][s]}. */
  private record Geometry(int n, int c, int inner, int[] inputShape) {
    int at(int n, int c, int s) {
      return (n * this.c + c) * inner + s;
    }
  }

  private Geometry geometry(Tensor input) {
    Shapes.requireFloating("input", input);
    int[] shape = input.shape();
    if (shape.length == 0) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          api + ": input: expected at least 1 dimension (C) or (N, C, ...), got a 0-d tensor");
    }
    if (shape.length == 1) {
      return new Geometry(1, shape[0], 1, shape);
    }
    int inner = 1;
    for (int d = 2; d < shape.length; d++) {
      inner *= shape[d];
    }
    return new Geometry(shape[0], shape[1], inner, shape);
  }

  private double[] weights(Geometry g) {
    if (weight == null) {
      return null;
    }
    if (weight.rank() != 1 || weight.numel() != g.c) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          api + ": weight: expected a 1-D tensor with one element per class ("
          + g.c + "), got shape " + Arrays.toString(weight.shape()));
    }
    return weight.toDoubleArray();
  }

  LossAndGrad apply(Tensor input, Tensor target, boolean withGrad) {
    Shapes.nonNull(api, "input", input);
    Shapes.nonNull(api, "target", target);
    return apply(input, target, withGrad, null);
  }

  /**
   * The loss and, into {@code gradInto} (a float32 input's element count; every element overwritten),
   * the gradient: the returned gradient tensor wraps {@code gradInto}, so the caller can reuse one array
   * across calls instead of allocating (and zeroing) a new one each time.
   */
  LossAndGrad applyInto(Tensor input, Tensor target, float[] gradInto) {
    Shapes.nonNull(api, "input", input);
    Shapes.nonNull(api, "target", target);
    Shapes.nonNull(api, "gradInto", gradInto);
    if (input.dtype() != DType.FLOAT32) {
      throw new LossArgumentException(ErrorKind.DTYPE,
          api + ": gradInto: a float[] gradient needs a float32 input, got input"
          + " of dtype " + input.dtype());
    }
    if (gradInto.length != input.numel()) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          api + ": gradInto: expected length " + input.numel() + " (input shape "
          + Arrays.toString(input.shape()) + "), got " + gradInto.length);
    }
    LossAndGrad r = apply(input, target, true, gradInto);
    float[] g = r.gradInput().backingFloats();
    if (g == gradInto) {
      return r;
    }
    System.arraycopy(g, 0, gradInto, 0, g.length);
    return new LossAndGrad(r.loss(), Tensor.wrapFloats(gradInto, input.shape()));
  }

  private LossAndGrad apply(Tensor input, Tensor target, boolean withGrad, float[] gradInto) {
    Geometry g = geometry(input);
    if (logSoftmax && Arrays.equals(input.shape(), target.shape())) {
      return probabilityTargets(g, input, target, withGrad);
    }
    return classTargets(g, input, target, withGrad, gradInto);
  }

  private LossAndGrad classTargets(Geometry g, Tensor input, Tensor target, boolean withGrad, float[] gradInto) {
    if (target.dtype().isFloating()) {
      Shapes.requireIntegral("target", target); // floating and not of the input's shape: refused at once
    }
    int[] expected = targetShape(g);
    if (!Arrays.equals(target.shape(), expected)) {
      if (g.inputShape.length >= 2 && (target.rank() == 0 || target.size(0) != g.n)) {
        throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, api + ": target: expected input batch_size (" + g.n
            + ") to match target batch_size (" + (target.rank() == 0 ? "none, 0-d" : target.size(0)) + ")");
      }
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          api + ": target: expected shape " + Arrays.toString(expected)
          + " for input shape " + Arrays.toString(g.inputShape) + ", got " + Arrays.toString(target.shape()));
    }
    // aten checks the weight's size before it dispatches on the target's dtype (the sweep: a weight of
    // the wrong size with int32 or bool targets is a shape error there)
    double[] w = weights(g);
    boolean byteAccepted = target.dtype() == DType.UINT8 && g.inputShape.length <= 2;
    if (target.dtype() != DType.INT64 && !byteAccepted) {
      // aten's nll_loss kernels take int64 class indices, and the 1-D/2-D one also uint8, and say so
      // before reading one (PyTorch 2.7.1: "expected scalar type Long but found Int" for int32 at any
      // rank, "... found Byte" for uint8 through nll_loss2d; found by the differential sweep, catalog
      // cases cross_entropy index/target_int32, nll_loss target_uint8 (accepted) and kdim2_target_uint8)
      throw new LossArgumentException(ErrorKind.DTYPE, api + ": target: class indices must be int64 (Long)"
          + (g.inputShape.length <= 2 ? " or uint8" : " for K-dim input") + ", got " + target.dtype());
    }
    double eps = labelSmoothing > 0 ? labelSmoothing : 0;
    if (logSoftmax && eps == 0 && input.dtype() == DType.FLOAT32) {
      return FastCrossEntropy.apply(api, input, target, g.n, g.c, g.inner, expected, w, ignoreIndex, reduction,
          withGrad, gradInto);
    }
    double wSum = 0;
    if (w != null) {
      for (double v : w) {
        wSum += v;
      }
    } else {
      wSum = g.c;
    }
    int rows = g.n * g.inner;
    DType dt = input.dtype();
    double[] x = input.toDoubleArray();
    long[] t = target.toLongArray();
    double[] logp = new double[g.c];
    double[] nll = new double[rows];
    double[] smooth = new double[rows];
    Accumulator nllSum = new Accumulator();
    Accumulator smoothSum = new Accumulator();
    Accumulator denominator = new Accumulator();
    for (int i = 0; i < rows; i++) {
      long y = t[i];
      if (y == ignoreIndex) {
        continue;
      }
      if (y < 0 || y >= g.c) {
        throw new LossArgumentException(ErrorKind.INDEX_OUT_OF_RANGE,
            api + ": target: " + Shapes.element(target.shape(), i, Long.toString(y))
            + " is out of bounds for " + g.c + " classes [0, " + g.c + ") and is not ignore_index (" + ignoreIndex + ")");
      }
      int n = i / g.inner;
      int s = i % g.inner;
      rowLogProbs(g, x, n, s, logp, dt);
      double wy = w == null ? 1 : w[(int) y];
      nll[i] = Precision.round(dt, -wy * logp[(int) y]);
      nllSum.add(nll[i]);
      denominator.add(wy);
      if (eps > 0) {
        Accumulator sm = new Accumulator();
        for (int c = 0; c < g.c; c++) {
          sm.add(logp[c] * (w == null ? 1 : w[c]));
        }
        smooth[i] = Precision.round(dt, -sm.value());
        smoothSum.add(smooth[i]);
      }
    }
    double d = Precision.round(dt, denominator.value());
    double[] loss;
    if (reduction == Reduction.NONE) {
      loss = new double[rows];
      for (int i = 0; i < rows; i++) {
        loss[i] = eps > 0 ? (1 - eps) * nll[i] + smooth[i] * (eps / g.c) : nll[i];
      }
    } else {
      double scale = reduction == Reduction.MEAN ? d : 1;
      double v = Precision.round(dt, nllSum.value()) / scale;
      if (eps > 0) {
        v = (1 - eps) * Precision.round(dt, v)
            + Precision.round(dt, Precision.round(dt, smoothSum.value()) / scale) * (eps / g.c);
      }
      loss = new double[] {v};
    }
    Tensor lossT = Tensor.ofFloating(input.dtype(), loss, reduction == Reduction.NONE ? expected : new int[0]);
    if (!withGrad) {
      return new LossAndGrad(lossT, null);
    }
    double a = reduction == Reduction.MEAN ? 1 / d : 1;
    double[] grad = new double[x.length];
    double[] gl = new double[g.c];
    for (int i = 0; i < rows; i++) {
      long y = t[i];
      if (y == ignoreIndex) {
        continue;
      }
      int n = i / g.inner;
      int s = i % g.inner;
      double wy = w == null ? 1 : w[(int) y];
      if (!logSoftmax) {
        grad[g.at(n, (int) y, s)] = -wy * a;
        continue;
      }
      // d loss / d logp: the nll part at the target, the smoothing part at every class
      Accumulator total = new Accumulator();
      for (int c = 0; c < g.c; c++) {
        double gc = eps > 0 ? -a * (eps / g.c) * (w == null ? 1 : w[c]) : 0;
        if (c == y) {
          gc += -a * (1 - eps) * wy;
        }
        gl[c] = gc;
        total.add(gc);
      }
      double sum = total.value();
      rowLogProbs(g, x, n, s, logp, null);
      for (int c = 0; c < g.c; c++) {
        grad[g.at(n, c, s)] = gl[c] - Math.exp(logp[c]) * sum;
      }
    }
    return new LossAndGrad(lossT, Tensor.ofFloating(input.dtype(), grad, g.inputShape));
  }

  private int[] targetShape(Geometry g) {
    int[] s = g.inputShape;
    if (s.length == 1) {
      return new int[0];
    }
    int[] t = new int[s.length - 1];
    t[0] = s[0];
    System.arraycopy(s, 2, t, 1, s.length - 2);
    return t;
  }

  private LossAndGrad probabilityTargets(Geometry g, Tensor input, Tensor target, boolean withGrad) {
    if (!target.dtype().isFloating()) {
      throw new LossArgumentException(ErrorKind.DTYPE,
          api + ": target: has the input's shape " + Arrays.toString(g.inputShape)
          + " so it holds class probabilities, which must be float32 or float64, got " + target.dtype());
    }
    if (ignoreIndex >= 0) {
      throw new LossArgumentException(ErrorKind.UNSUPPORTED_ARGUMENT, api + ": ignore_index: " + ignoreIndex
          + " is not supported for probability (floating point) targets; only a negative value is");
    }
    double[] w = weights(g);
    double eps = labelSmoothing > 0 ? labelSmoothing : 0;
    int rows = g.n * g.inner;
    DType dt = input.dtype();
    double[] x = input.toDoubleArray();
    double[] t = target.toDoubleArray();
    double[] logp = new double[g.c];
    double[] l = new double[rows];
    Accumulator total = new Accumulator();
    for (int i = 0; i < rows; i++) {
      int n = i / g.inner;
      int s = i % g.inner;
      rowLogProbs(g, x, n, s, logp, dt);
      Accumulator row = new Accumulator();
      for (int c = 0; c < g.c; c++) {
        double tc = smoothed(t[g.at(n, c, s)], eps, g.c);
        row.add(logp[c] * tc * (w == null ? 1 : w[c]));
      }
      l[i] = Precision.round(dt, -row.value());
      total.add(l[i]);
    }
    int[] outShape = targetShape(g);
    double[] loss = switch (reduction) {
      case NONE -> l;
      case SUM -> new double[] {total.value()};
      case MEAN -> new double[] {rows == 0 ? Double.NaN : Precision.round(dt, total.value()) / rows};
    };
    Tensor lossT = Tensor.ofFloating(input.dtype(), loss, reduction == Reduction.NONE ? outShape : new int[0]);
    if (!withGrad) {
      return new LossAndGrad(lossT, null);
    }
    double a = reduction == Reduction.MEAN ? 1.0 / rows : 1;
    double[] grad = new double[x.length];
    double[] gl = new double[g.c];
    for (int i = 0; i < rows; i++) {
      int n = i / g.inner;
      int s = i % g.inner;
      Accumulator rowSum = new Accumulator();
      for (int c = 0; c < g.c; c++) {
        gl[c] = -a * smoothed(t[g.at(n, c, s)], eps, g.c) * (w == null ? 1 : w[c]);
        rowSum.add(gl[c]);
      }
      double sum = rowSum.value();
      rowLogProbs(g, x, n, s, logp, null);
      for (int c = 0; c < g.c; c++) {
        grad[g.at(n, c, s)] = gl[c] - Math.exp(logp[c]) * sum;
      }
    }
    return new LossAndGrad(lossT, Tensor.ofFloating(input.dtype(), grad, g.inputShape));
  }

  private static double smoothed(double t, double eps, int c) {
    return eps > 0 ? t * (1 - eps) + eps / c : t;
  }

  /**
   * Log-probabilities of one fiber {@code (n, :, s)} into {@code out}: {@code (x - m) - log(sum exp(x - m))}
   * with {@code m} the fiber's maximum (any NaN makes every entry NaN; +inf gives NaN through inf - inf,
   * as in PyTorch's kernel). For nll_loss the input is copied as it is. With a {@code dtype} the values
   * are rounded to it, as PyTorch materialises log_softmax's output; {@code null} keeps double.
   */
  private void rowLogProbs(Geometry g, double[] x, int n, int s, double[] out, DType dtype) {
    if (!logSoftmax) {
      for (int c = 0; c < g.c; c++) {
        out[c] = x[g.at(n, c, s)];
      }
      return;
    }
    double m = Double.NEGATIVE_INFINITY;
    boolean nan = false;
    for (int c = 0; c < g.c; c++) {
      double v = x[g.at(n, c, s)];
      nan |= Double.isNaN(v);
      m = Math.max(m, v);
    }
    if (nan) {
      Arrays.fill(out, 0, g.c, Double.NaN);
      return;
    }
    double sum = 0;
    for (int c = 0; c < g.c; c++) {
      sum += Math.exp(x[g.at(n, c, s)] - m);
    }
    double logSum = Math.log(sum);
    for (int c = 0; c < g.c; c++) {
      double v = (x[g.at(n, c, s)] - m) - logSum;
      out[c] = dtype == null ? v : Precision.round(dtype, v);
    }
  }
}
