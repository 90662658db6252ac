package dev.lossconformance.loss.keras;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.Fibers;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.loss.tf.FloatingOut;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code keras.losses.CategoricalCrossentropy} with Keras 3.3.3 semantics on the TensorFlow backend.
 *
 * <p>float32 throughout (T-19). Label smoothing: {@code y' = y (1 - eps) + eps / C} with
 * {@code C = y_true.shape[-1]} (the last axis even when {@code axis} names another: Keras 3.3.3 does so).
 * {@code from_logits}: {@code tf.nn.softmax_cross_entropy_with_logits(y', x, axis)}, per sample
 * {@code sum_c y'_c (lse - x_c)}; its gradient is the op's own {@code softmax - y'}, which is the true
 * derivative only when {@code y'} sums to 1. Probabilities: {@code p / sum(p)}, clipped to
 * {@code [1e-7, 1 - 1e-7]}, then {@code -sum y' log p}; the gradient flows through the division and
 * stops where the clip bites. A {@code -inf} logit with label 0 gives {@code 0 * inf = NaN} (T-15).
 */
public final class CategoricalCrossentropy {
  public static final String API = "keras.losses.CategoricalCrossentropy";
  private final boolean fromLogits;
  private final double labelSmoothing;
  private final long axis;
  private final KerasReduction.Mode reduction;

  public CategoricalCrossentropy(boolean fromLogits, double labelSmoothing, long axis, KerasReduction.Mode reduction) {
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
    this.axis = axis;
    this.reduction = Shapes.nonNull(API, "reduction", reduction);
  }

  /** The loss and d(sum of loss)/d(y_pred); {@code sampleWeight} {@code null} for none. */
  public LossAndGrad apply(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    return apply(yTrue, yPred, sampleWeight, true);
  }

  /** The op-by-op path alone, every fiber through {@link #fiber} (for the tests of the fast rows). */
  LossAndGrad exact(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    return apply(yTrue, yPred, sampleWeight, false);
  }

  private LossAndGrad apply(Tensor yTrue, Tensor yPred, Tensor sampleWeight, boolean fastRows) {
    Shapes.nonNull(API, "yTrue", yTrue);
    Shapes.nonNull(API, "yPred", yPred);
    Shapes.requireFloating("y_pred", yPred);
    int[] shape = yPred.shape();
    Shapes.requireSameShape(API, "y_true", yTrue, "y_pred", yPred);
    if (shape.length == 0) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": y_pred: expected at least 1 dimension, got a 0-d tensor");
    }
    Fibers f = Fibers.of(shape, axis, API);
    int c = f.size();
    int inner = f.inner();
    int outer = f.outer();
    int[] outShape = f.reducedShape();
    float smoothingC = shape[shape.length - 1];
    int fibers = outer * inner;
    // one pass per fiber (fibers split over Parallel's workers; each fiber's result does not depend on
    // the chunking): its loss and gradient; the reduction's weights and gradient scale do not depend on
    // the losses, so they come first, and the per-sample losses are reduced in order after
    double[] w = KerasReduction.weights(fibers, outShape, null, sampleWeight, reduction);
    FloatingOut g = new FloatingOut(yPred.dtype(), yPred.numel());
    double[] loss = new double[fibers];
    // over the last axis, a row of ordinary logits takes the float32 rows (FastRows), a row of probabilities
    // FastRows.probabilities, the rest this class's op-by-op fiber
    boolean fast = fastRows && inner == 1 && c > 0;
    int chunks = Parallel.chunks(yPred.numel(), fibers);
    Runnable[] work = new Runnable[chunks];
    for (int k = 0; k < chunks; k++) {
      int from = Parallel.from(fibers, chunks, k);
      int to = Parallel.from(fibers, chunks, k + 1);
      work[k] = () -> {
        FastRows rows = fast ? new FastRows(yTrue, yPred, c, smoothingC, g) : null;
        Scratch sc = new Scratch(c);
        for (int row = from; row < to; row++) {
          if (rows != null && (fromLogits ? rows.row(row, w, fibers) : rows.probabilities(row, w, fibers))) {
            loss[row] = rows.loss;
            continue;
          }
          fiber(row / inner, row % inner, c, inner, smoothingC, yPred, yTrue, sc);
          loss[row] = sc.loss;
          double factor = KerasReduction.factor(w, row, fibers, reduction);
          for (int j = 0; j < c; j++) {
            g.set((row / inner * c + j) * inner + row % inner, (float) (factor * sc.local[j]));
          }
        }
      };
    }
    Parallel.run(work);
    return new LossAndGrad(KerasReduction.total(loss, outShape, w, reduction), g.tensor(shape));
  }

  /**
   * One chunk's fast rows: {@code SoftmaxCrossEntropyWithLogits} in float32 on {@link SoftmaxRows} (the
   * Vector API's when present), the same ops and flushes as {@link #fiber}'s from-logits branch (only
   * the vector EXP may differ, by an ulp), for rows whose logits (as float32) are finite and 0 or of
   * magnitude at least 2^-100 ({@link SoftmaxRows#max}); y_pred is read in place (a float64 row cast
   * to float32), the labels as float32 (label smoothing in float32 as Keras computes it). From
   * probabilities ({@link #probabilities}): every row over the last axis, whatever its values (NaN and
   * infinities run through the same float64 ops as the fiber's).
   */
  private final class FastRows {
    private final Tensor yTrue;
    private final float[] y32;
    private final float[] x32;
    private final double[] x64;
    private final int c;
    private final float keep;
    private final float add;
    private final FloatingOut g;
    private final SoftmaxRows kernel = SoftmaxRows.best();
    private final float[] row;
    private final float[] y;
    private final float[] e;
    private final float[] t;
    private final double[] xs;
    private final double[] q;
    private final double[] logs;
    private final double[] local;
    double loss;

    FastRows(Tensor yTrue, Tensor yPred, int c, float smoothingC, FloatingOut g) {
      this.yTrue = yTrue;
      y32 = yTrue.dtype() == DType.FLOAT32 ? yTrue.backingFloats() : null;
      boolean f32 = yPred.dtype() == DType.FLOAT32;
      x32 = f32 ? yPred.backingFloats() : null;
      x64 = f32 ? null : yPred.backingDoubles();
      this.c = c;
      keep = (float) (1 - labelSmoothing);
      add = (float) (labelSmoothing / smoothingC);
      this.g = g;
      row = f32 ? null : new float[c];
      y = new float[c];
      e = new float[c];
      t = new float[c];
      xs = fromLogits ? null : new double[c];
      q = fromLogits ? null : new double[c];
      logs = fromLogits ? null : new double[c];
      local = fromLogits ? null : new double[c];
    }

    /** Row {@code r}'s float32 labels (label smoothing in float32) into {@code y}. */
    private void labels(int r) {
      if (y32 != null && labelSmoothing == 0) {
        System.arraycopy(y32, r * c, y, 0, c);
      } else {
        for (int k = 0; k < c; k++) {
          float v = y32 != null ? y32[r * c + k] : (float) yTrue.getDouble(r * c + k);
          y[k] = labelSmoothing != 0 ? v * keep + add : v;
        }
      }
    }

    /**
     * Row {@code r} from probabilities: {@link #fiber}'s ops in its order (its float64 sums from the
     * left, its float32 roundings), with {@code log(clip(q))} on {@link SoftmaxRows#logClipWide} (the
     * vector rows' {@code VectorMath.log}, within a float64 ulp of {@code Math.log}: the float32 loss
     * differs from the exact path's only where that ulp crosses a float32 rounding point, which
     * KerasFastPathTest measures; the gradient does not take the log). Every row: true.
     */
    boolean probabilities(int r, double[] w, int fibers) {
      int base = r * c;
      double total = 0;
      for (int k = 0; k < c; k++) {
        double v = SoftmaxRows.flush(x32 != null ? x32[base + k] : (float) x64[base + k]);
        xs[k] = v;
        total += v;
      }
      labels(r);
      float sum = (float) total;
      for (int k = 0; k < c; k++) {
        q[k] = (float) (xs[k] / sum);
      }
      kernel.logClipWide(q, c, logs);
      double l = 0;
      double dot = 0;
      for (int k = 0; k < c; k++) {
        l -= y[k] * logs[k];
        double d = SparseCategoricalCrossentropy.inside(q[k]) ? -y[k] / q[k] : 0;
        local[k] = d;
        dot += d * xs[k];
      }
      loss = (float) l;
      double factor = KerasReduction.factor(w, r, fibers, reduction);
      for (int k = 0; k < c; k++) {
        g.set(base + k, (float) (factor * ((local[k] - dot / sum) / sum)));
      }
      return true;
    }

    /** Row {@code r}'s loss into {@code loss[r]} and its gradient into {@code g}; false (nothing written) when the row is not ordinary. */
    boolean row(int r, double[] w, int fibers) {
      float[] src = x32;
      int base = r * c;
      if (x32 == null) {
        kernel.narrow(x64, base, c, row);
        src = row;
        base = 0;
      }
      float m = kernel.max(src, base, c);
      if (Float.isNaN(m)) {
        return false;
      }
      labels(r);
      float s = kernel.expSum(src, base, c, m, e);
      loss = kernel.softRow(src, base, c, m, (float) Math.log(s), s, y, e, t);
      double factor = KerasReduction.factor(w, r, fibers, reduction);
      g.setScaled(r * c, e, c, factor);
      return true;
    }
  }

  /** One chunk's per-fiber work arrays, and the fiber's loss. */
  private static final class Scratch {
    final double[] fiber;
    final double[] y;
    final double[] shifted;
    final double[] exps;
    final double[] terms;
    final double[] local;
    double loss;

    Scratch(int c) {
      fiber = new double[c];
      y = new double[c];
      shifted = new double[c];
      exps = new double[c];
      terms = new double[c];
      local = new double[c];
    }
  }

  /**
   * Fiber {@code (o, s)}: its float32 loss into {@code sc.loss} and d(loss)/d(y_pred) of its elements into
   * {@code sc.local}.
   */
  private void fiber(int o, int s, int c, int inner, float smoothingC, Tensor yPred, Tensor yTrue,
      Scratch sc) {
    double[] fiber = sc.fiber;
    double[] y = sc.y;
    double[] local = sc.local;
    double total = 0;
    for (int k = 0; k < c; k++) {
      int at = (o * c + k) * inner + s;
      fiber[k] = KerasReduction.flush((float) yPred.getDouble(at));
      double v = (float) yTrue.getDouble(at);
      y[k] = labelSmoothing != 0 ? (float) ((float) (v * (float) (1 - labelSmoothing)) + (float) (labelSmoothing / smoothingC)) : v;
      total += fiber[k];
    }
    if (fromLogits) {
      // xent_op.h in float32: shifted = x - max (-3e38 - 1.7e38 overflows to -inf there), s = sum exp,
      // loss = sum q (log s - shifted) (inf, or NaN where q = 0), gradient exp(shifted) / s - q
      double[] shifted = sc.shifted;
      double[] exps = sc.exps;
      double[] terms = sc.terms;
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < c; k++) {
        max = Math.max(max, fiber[k]);
      }
      for (int k = 0; k < c; k++) {
        shifted[k] = f(fiber[k] - max);
        exps[k] = f(Math.exp(shifted[k]));
      }
      double sum = KerasReduction.eigenSum(exps, 0, c);
      double logSum = f(Math.log(sum));
      for (int k = 0; k < c; k++) {
        terms[k] = f(y[k] * f(logSum - shifted[k]));
        local[k] = f(f(exps[k] / sum) - y[k]);
      }
      sc.loss = KerasReduction.eigenSum(terms, 0, c);
    } else {
      float sum = (float) total;
      double l = 0;
      double dot = 0;
      for (int k = 0; k < c; k++) {
        double q = (float) (fiber[k] / sum);
        double qc = SparseCategoricalCrossentropy.clip(q);
        l -= y[k] * Math.log(qc);
        // d/dq of -y log clip(q): -y/q where the clip passes, else 0
        local[k] = SparseCategoricalCrossentropy.inside(q) ? -y[k] / q : 0;
        dot += local[k] * fiber[k];
      }
      // q = p / sum(p): dq_k/dp_j = ([k=j] - q_k) / sum
      for (int k = 0; k < c; k++) {
        local[k] = (local[k] - dot / sum) / sum;
      }
      sc.loss = (float) l;
    }
  }

  /** A float32 kernel's result: rounded, then flushed if subnormal. */
  private static double f(double v) {
    return KerasReduction.flush((float) v);
  }
}
