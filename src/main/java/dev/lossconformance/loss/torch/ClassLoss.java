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
 * {@code inner = d1*..*dK} positions; unbatched {@code (C)} is {@code N = inner = 1}.
 *
 * <p>Paths: float32 class-index cross-entropy without label smoothing goes to {@link FastCrossEntropy};
 * with int64 targets, the rest of class-index cross-entropy and nll_loss, and probability targets whose
 * loss has the input's dtype, go to {@link FastClassLoss} (streaming, parallel), which hands a call
 * outside its domain (non-finite logits or weights) back; everything else, and those calls, run the
 * generic path here: the input copied to double, each fiber in double, rounded where aten materialises
 * a tensor in the dtype.
 */
final class ClassLoss {
  private final String api;
  private final boolean logSoftmax;
  private final Tensor weight;
  private final long ignoreIndex;
  private final double labelSmoothing;
  private final Reduction reduction;
  private final boolean streaming;

  ClassLoss(String api, boolean logSoftmax, Tensor weight, long ignoreIndex, double labelSmoothing,
      Reduction reduction) {
    this(api, logSoftmax, weight, ignoreIndex, labelSmoothing, reduction, true);
  }

  /**
   * With {@code streaming} false, every call that {@link FastCrossEntropy} does not take runs the
   * generic double path (never {@link FastClassLoss}): the reference the tests compare the fast paths with.
   */
  ClassLoss(String api, boolean logSoftmax, Tensor weight, long ignoreIndex, double labelSmoothing,
      Reduction reduction, boolean streaming) {
    this.streaming = streaming;
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
    Shapes.nonNull(api, "gradInto", gradInto);
    return applyInto(input, target, gradInto, gradInto.length, DType.FLOAT32, "float[]");
  }

  /** {@link #applyInto(Tensor, Tensor, float[])} for a float64 input. */
  LossAndGrad applyInto(Tensor input, Tensor target, double[] gradInto) {
    Shapes.nonNull(api, "gradInto", gradInto);
    return applyInto(input, target, gradInto, gradInto.length, DType.FLOAT64, "double[]");
  }

  private LossAndGrad applyInto(Tensor input, Tensor target, Object gradInto, int length, DType dtype, String kind) {
    Shapes.nonNull(api, "input", input);
    Shapes.nonNull(api, "target", target);
    if (input.dtype() != dtype) {
      throw new LossArgumentException(ErrorKind.DTYPE,
          api + ": gradInto: a " + kind + " gradient needs a " + dtype.jsonName() + " input, got input"
          + " of dtype " + input.dtype().jsonName());
    }
    if (length != input.numel()) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          api + ": gradInto: expected length " + input.numel() + " (input shape "
          + Arrays.toString(input.shape()) + "), got " + length);
    }
    LossAndGrad r = apply(input, target, true, gradInto);
    Tensor g = r.gradInput();
    if (dtype == DType.FLOAT32 ? g.backingFloats() == gradInto : g.backingDoubles() == gradInto) {
      return r;
    }
    // the generic path computed a new gradient: copied in
    if (dtype == DType.FLOAT32) {
      float[] f = (float[]) gradInto;
      System.arraycopy(g.backingFloats(), 0, f, 0, length);
      return new LossAndGrad(r.loss(), Tensor.wrapFloats(f, input.shape()));
    }
    double[] d = (double[]) gradInto;
    System.arraycopy(g.backingDoubles(), 0, d, 0, length);
    return new LossAndGrad(r.loss(), Tensor.wrapDoubles(d, input.shape()));
  }

  /** {@code gradInto}: null, or a float[] (float32 input) or double[] (float64) of the input's length. */
  private LossAndGrad apply(Tensor input, Tensor target, boolean withGrad, Object gradInto) {
    Geometry g = geometry(input);
    if (logSoftmax && Arrays.equals(input.shape(), target.shape())) {
      return probabilityTargets(g, input, target, withGrad, gradInto);
    }
    // aten's cross_entropy_loss_symint checks label_smoothing <= 1 first on the class-index path (before
    // nll_loss_nd's checks), but on the probability path only inside cross_entropy_loss_prob_target,
    // after the target's dtype, ignore_index and the weight's size (found by the differential sweep)
    requireSmoothingInRange();
    return classTargets(g, input, target, withGrad, gradInto);
  }

  private void requireSmoothingInRange() {
    if (labelSmoothing > 1) {
      throw new LossArgumentException(ErrorKind.INVALID_VALUE,
          api + ": label_smoothing: must be in [0, 1], got " + labelSmoothing);
    }
  }

  /**
   * The class-index kernels read the weight as the input's scalar type (aten's nll_loss_out_frame and
   * nll_loss2d_forward_out_frame: {@code weight.const_data_ptr<scalar_t>()}, before any target is read),
   * so a weight of another dtype is refused ("expected scalar type Float but found Double"), before the
   * target's dtype and range are checked (found by the differential sweep).
   */
  private void requireWeightDtype(Tensor input) {
    if (weight != null && weight.dtype() != input.dtype()) {
      throw new LossArgumentException(ErrorKind.DTYPE, api + ": weight: expected scalar type "
          + scalarType(input.dtype()) + " but found " + scalarType(weight.dtype())
          + " (class-index targets need a weight of the input's dtype)");
    }
  }

  /** PyTorch's C++ name of a dtype, as its dtype errors print it. */
  private static String scalarType(DType d) {
    return switch (d) {
      case FLOAT32 -> "Float";
      case FLOAT64 -> "Double";
      case INT64 -> "Long";
      case INT32 -> "Int";
      case UINT8 -> "Byte";
      case BOOL -> "Bool";
    };
  }

  private LossAndGrad classTargets(Geometry g, Tensor input, Tensor target, boolean withGrad, Object gradInto) {
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
    requireWeightDtype(input);
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
          withGrad, (float[]) gradInto);
    }
    if (streaming && target.dtype() == DType.INT64) {
      FastClassLoss.Call call = new FastClassLoss.Call(api, input, target, g.n, g.c, g.inner, expected, w,
          ignoreIndex, eps, reduction);
      LossAndGrad fast = logSoftmax ? FastClassLoss.crossEntropy(call, withGrad, gradInto)
          : FastClassLoss.nll(call, withGrad, gradInto);
      if (fast != null) {
        return fast;
      }
    }
    int rows = g.n * g.inner;
    DType dt = input.dtype();
    double[] x = input.toDoubleArray();
    long[] t = target.toLongArray();
    double[] logp = new double[g.c];
    double[] nll = new double[rows];
    double[] smooth = new double[rows];
    NllSums sums = new NllSums(dt);
    Accumulator smoothSum = new Accumulator();
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
      sums.add(i, nll[i], wy);
      if (eps > 0) {
        Accumulator sm = new Accumulator();
        for (int c = 0; c < g.c; c++) {
          sm.add(w == null ? logp[c] : Precision.round(dt, logp[c] * w[c]));
        }
        smooth[i] = Precision.round(dt, -sm.value());
        smoothSum.add(smooth[i]);
      }
    }
    if (eps > 0 && w != null && reduction == Reduction.MEAN && target.dtype() != DType.INT64
        && countIgnored(t) < rows) {
      // cross_entropy_loss_label_smoothing normalises the smoothing term by
      // weight.gather(0, target.masked_select(~ignore_mask)).sum(), and gather takes int64 indices only,
      // checked only for a non-empty index (gather's meta skips an empty one): a uint8 target passes
      // nll_loss_nd (its index checks come first) and is refused here unless every target is ignored
      // ("gather(): Expected dtype int64 for index"; found by the differential sweep)
      throw new LossArgumentException(ErrorKind.DTYPE, api + ": target: gather(): expected dtype int64 for index,"
          + " got " + target.dtype() + " (label smoothing with a weight and mean reduction gathers the target's weights)");
    }
    // aten: total_weight is the cascade sum of the target weights (the count without weights), in the
    // input's dtype, as is the loss sum; mean divides one by the other in that dtype
    double d = rows == 0 ? 0 : sums.weight(w == null ? rows - countIgnored(t) : -1);
    double[] loss;
    if (reduction == Reduction.NONE) {
      loss = new double[rows];
      for (int i = 0; i < rows; i++) {
        loss[i] = eps > 0 ? (1 - eps) * nll[i] + smooth[i] * (eps / g.c) : nll[i];
      }
    } else {
      double scale = reduction == Reduction.MEAN ? d : 1;
      double v = rows == 0 ? (reduction == Reduction.MEAN ? Double.NaN : 0) : sums.loss() / scale;
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
    // the gradient as autograd composes it, each step rounded to the input's dtype: the nll part
    // (nll_loss_backward_out_frame / nll_loss2d_backward_out_frame) is w[y] * -(g / total_weight) for mean,
    // w[y] * -g for sum, -w[y] * g for none, with g = 1, or (1 - eps) under label smoothing; so a
    // denormal total weight gives -inf in float32 (1 / 1e-40 overflows) where the exact value is -1
    double gNll = eps > 0 ? Precision.round(dt, 1 - eps) : 1;
    double nllScale = reduction == Reduction.MEAN ? -Precision.round(dt, gNll / d) : -gNll;
    // the smoothing part: -(logp * w).sum(1) with the upstream eps / C (over the target weights' sum for mean)
    double gSmooth = eps > 0 ? Precision.round(dt, eps / g.c) : 0;
    double smoothScale = reduction == Reduction.MEAN ? -Precision.round(dt, gSmooth / d) : -gSmooth;
    double[] grad = new double[x.length];
    double[] gl = new double[g.c];
    for (int i = 0; i < rows; i++) {
      long y = t[i];
      int n = i / g.inner;
      int s = i % g.inner;
      boolean ignored = y == ignoreIndex;
      if (ignored && !logSoftmax) {
        continue;
      }
      double wy = ignored || w == null ? 1 : w[(int) y];
      double gy = w == null ? nllScale : Precision.round(dt, wy * nllScale);
      if (!logSoftmax) {
        grad[g.at(n, (int) y, s)] = gy;
        continue;
      }
      // d loss / d logp: the nll part at the target, the smoothing part at every class. An ignored row
      // gets no nll part, and a smoothing part of 0 * w[c] (masked_fill's backward zeroes the upstream
      // grad, then (logp * w).sum(1)'s backward multiplies it by w: NaN for an inf or NaN weight); its
      // log_softmax backward, grad - exp(logp) * sum(grad), is then still NaN where logp is NaN (a NaN
      // or +inf logit, or every logit -inf), as PyTorch computes it (found by the differential sweep)
      double rowSmooth = ignored ? 0 : smoothScale;
      Accumulator total = new Accumulator();
      for (int c = 0; c < g.c; c++) {
        double gc = eps > 0 && w != null ? Precision.round(dt, rowSmooth * w[c]) : eps > 0 ? rowSmooth : 0;
        if (c == y && !ignored) {
          gc = Precision.round(dt, gc + gy);
        }
        gl[c] = gc;
        total.add(gc);
      }
      double sum = total.value();
      // log_softmax_backward_data: grad - exp(output) * sum(grad) on the output materialised in the
      // dtype, its exp in the dtype too: exp(-700) is 0 in float32, so 0 * -inf is NaN there (the sweep)
      rowLogProbs(g, x, n, s, logp, dt);
      for (int c = 0; c < g.c; c++) {
        grad[g.at(n, c, s)] = gl[c] - Precision.round(dt, Math.exp(logp[c])) * sum;
      }
    }
    return new LossAndGrad(lossT, Tensor.ofFloating(input.dtype(), grad, g.inputShape));
  }

  private long countIgnored(long[] t) {
    long k = 0;
    for (long y : t) {
      if (y == ignoreIndex) {
        k++;
      }
    }
    return k;
  }

  /**
   * aten's reduced nll_loss sums (nll_loss_out_frame, nll_loss2d_forward_out_frame): the losses
   * {@code -x[y] * w[y]} and the weights are added into 8 levels of partial sums in the input's dtype,
   * level j + 1 taking level j whenever the element index is a multiple of 16^(j + 1) (level_power =
   * max(4, ceil(log2(count)) / 8) is 4 for every count below 2^40), then the levels are added in order.
   * In float32 this overflows (or cancels) where a compensated double sum does not (found by the sweep).
   */
  static final class NllSums {
    private static final int LEVELS = 8;
    private static final int POWER = 4;
    private final DType dt;
    private final double[] loss = new double[LEVELS];
    private final double[] weight = new double[LEVELS];

    NllSums(DType dt) {
      this.dt = dt;
    }

    void add(long index, double lossTerm, double w) {
      loss[0] = Precision.round(dt, loss[0] + lossTerm);
      weight[0] = Precision.round(dt, weight[0] + w);
      for (int j = 0; j + 1 < LEVELS; j++) {
        long mask = ((1L << POWER) - 1) << (j * POWER);
        if ((index & mask) != 0) {
          break;
        }
        loss[j + 1] = Precision.round(dt, loss[j + 1] + loss[j]);
        weight[j + 1] = Precision.round(dt, weight[j + 1] + weight[j]);
        loss[j] = 0;
        weight[j] = 0;
      }
    }

    double loss() {
      return total(loss);
    }

    /** The weights' sum, or {@code count} (in the dtype) when it is not negative (no weight tensor). */
    double weight(long count) {
      return count >= 0 ? Precision.round(dt, count) : total(weight);
    }

    private double total(double[] levels) {
      double s = 0;
      for (double v : levels) {
        s = Precision.round(dt, s + v);
      }
      return s;
    }
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

  private LossAndGrad probabilityTargets(Geometry g, Tensor input, Tensor target, boolean withGrad,
      Object gradInto) {
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
    requireSmoothingInRange();
    double eps = labelSmoothing > 0 ? labelSmoothing : 0;
    int rows = g.n * g.inner;
    DType dt = input.dtype();
    // cross_entropy_loss_prob_target: -(log_softmax(x) * target' * weight).sum(...), with type
    // promotion: target' = target * (1 - eps) + eps / C is computed in the target's dtype, the products
    // in the promoted dtype of input, target and weight (a float64 target or weight makes a float32
    // input's loss float64; an int64 weight is promoted to the floating dtype); the gradient is the
    // input's dtype (found by the differential sweep)
    DType tdt = target.dtype();
    DType rt = dt == DType.FLOAT64 || tdt == DType.FLOAT64 || (weight != null && weight.dtype() == DType.FLOAT64)
        ? DType.FLOAT64 : DType.FLOAT32;
    if (streaming && rt == dt) {
      LossAndGrad fast = FastClassLoss.probability(new FastClassLoss.Call(api, input, target, g.n, g.c, g.inner,
          targetShape(g), w, ignoreIndex, eps, reduction), withGrad, gradInto);
      if (fast != null) {
        return fast;
      }
    }
    double[] x = input.toDoubleArray();
    double[] t = target.toDoubleArray();
    if (eps > 0) {
      double keep = Precision.round(tdt, 1 - eps);
      double add = Precision.round(tdt, eps / g.c);
      for (int k = 0; k < t.length; k++) {
        t[k] = Precision.round(tdt, Precision.round(tdt, t[k] * keep) + add);
      }
    }
    double[] logp = new double[g.c];
    double[] l = new double[rows];
    Accumulator total = new Accumulator();
    for (int i = 0; i < rows; i++) {
      int n = i / g.inner;
      int s = i % g.inner;
      rowLogProbs(g, x, n, s, logp, dt);
      Accumulator row = new Accumulator();
      for (int c = 0; c < g.c; c++) {
        double p = Precision.round(rt, logp[c] * t[g.at(n, c, s)]);
        row.add(w == null ? p : Precision.round(rt, p * w[c]));
      }
      l[i] = Precision.round(rt, -row.value());
      total.add(l[i]);
    }
    int[] outShape = targetShape(g);
    double[] loss = switch (reduction) {
      case NONE -> l;
      case SUM -> new double[] {total.value()};
      case MEAN -> new double[] {x.length == 0 ? Double.NaN : Precision.round(rt, total.value()) / rows};
    };
    Tensor lossT = Tensor.ofFloating(rt, loss, reduction == Reduction.NONE ? outShape : new int[0]);
    if (!withGrad) {
      return new LossAndGrad(lossT, null);
    }
    // autograd through -(logp * target' * weight).sum() (/ R for mean): the upstream -1 (or -(1 / R)) times
    // the weight, times the target, in the promoted dtype, then cast to the input's dtype (mul's backward);
    // in float32 a huge weight overflows there to inf, as in PyTorch (found by the differential sweep)
    double a = reduction == Reduction.MEAN ? -Precision.round(rt, 1.0 / rows) : -1;
    double[] grad = new double[x.length];
    double[] gl = new double[g.c];
    for (int i = 0; i < rows; i++) {
      int n = i / g.inner;
      int s = i % g.inner;
      Accumulator rowSum = new Accumulator();
      for (int c = 0; c < g.c; c++) {
        double gw = w == null ? a : Precision.round(rt, a * w[c]);
        gl[c] = Precision.round(dt, Precision.round(rt, gw * t[g.at(n, c, s)]));
        rowSum.add(gl[c]);
      }
      double sum = Precision.round(dt, rowSum.value());
      // log_softmax_backward_data: grad - exp(output) * sum(grad) on the output materialised in the
      // dtype, its exp in the dtype too: exp(-700) is 0 in float32, so 0 * -inf is NaN there (the sweep)
      rowLogProbs(g, x, n, s, logp, dt);
      for (int c = 0; c < g.c; c++) {
        grad[g.at(n, c, s)] = gl[c] - Precision.round(dt, Math.exp(logp[c])) * sum;
      }
    }
    return new LossAndGrad(lossT, Tensor.ofFloating(input.dtype(), grad, g.inputShape));
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
    // compensated: a plain sum of 1000 exponentials drifts by 10-15 ulps, which exp(logp) carries into
    // the gradient (aten's vectorised sum and FastClassLoss's lanes are within a few)
    Accumulator sum = new Accumulator();
    for (int c = 0; c < g.c; c++) {
      sum.add(Math.exp(x[g.at(n, c, s)] - m));
    }
    double logSum = Math.log(sum.value());
    for (int c = 0; c < g.c; c++) {
      double v = (x[g.at(n, c, s)] - m) - logSum;
      out[c] = dtype == null ? v : Precision.round(dtype, v);
    }
  }
}
