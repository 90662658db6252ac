package dev.lossconformance.loss.keras;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.loss.tf.FloatingOut;
import dev.lossconformance.loss.tf.SigmoidRows;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code keras.losses.BinaryCrossentropy} with Keras 3.3.3 semantics on the TensorFlow backend.
 *
 * <p>float32 throughout (T-19). {@code y' = y (1 - eps) + eps / 2}. Element loss: from logits,
 * {@code tf.nn.sigmoid_cross_entropy_with_logits(y', x)}; from probabilities,
 * {@code -(y' log p^ + (1 - y') log(1 - p^))} with {@code p^ = clip(p, 1e-7, 1 - 1e-7)}, so p = 0,
 * y = 1 gives 16.118095, not PyTorch's 100 (T-1), and the gradient is 0 where the clip bites (T-2).
 * Per sample: the mean over the last axis, so a 1-D input is one scalar that every reduction returns
 * as it is (T-13) and {@code none} has one value per row (T-14). Probabilities are not range-checked.
 *
 * <p>With float32 or float64 y_true and y_pred and a nonempty last axis, {@link #apply} runs the fast path
 * ({@link #rows}: per row {@code SigmoidRows.bceRow}, streaming, the Eigen 8-lane row sum kept); else
 * {@link #exact}. The vector rows' ulp distances are in {@code loss/tf/VectorSigmoidRows}.
 */
public final class BinaryCrossentropy {
  public static final String API = "keras.losses.BinaryCrossentropy";
  private final boolean fromLogits;
  private final double labelSmoothing;
  private final KerasReduction.Mode reduction;

  public BinaryCrossentropy(boolean fromLogits, double labelSmoothing, KerasReduction.Mode reduction) {
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
    this.reduction = Shapes.nonNull(API, "reduction", reduction);
  }

  boolean fromLogits() {
    return fromLogits;
  }

  KerasReduction.Mode reductionMode() {
    return reduction;
  }

  /** The loss and d(sum of loss)/d(y_pred); {@code sampleWeight} {@code null} for none. */
  public LossAndGrad apply(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    Shapes.nonNull(API, "yTrue", yTrue);
    Shapes.nonNull(API, "yPred", yPred);
    Shapes.requireFloating("y_pred", yPred);
    // LossFunctionWrapper.call's squeeze_or_expand_to_same_rank, then nn.py's same-shape check
    int[][] same = KerasReduction.squeezeOrExpandToSameRank(yTrue.shape(), yPred.shape());
    int[] shape = same[1];
    if (!Arrays.equals(same[0], shape)) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": y_true: shape " + Arrays.toString(yTrue.shape())
          + " must equal the shape of y_pred, " + Arrays.toString(yPred.shape()));
    }
    if (shape.length == 0) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": y_pred: a 0-d tensor has no last axis to average over"
          + " (TF: Invalid reduction dimension (-1 for input with 0 dimension(s))");
    }
    int last = shape[shape.length - 1];
    int[] outShape = Arrays.copyOf(shape, shape.length - 1);
    if (fastDomain(yTrue, yPred, last)) {
      return rows(yTrue, yPred, sampleWeight, shape, outShape, SigmoidRows.best());
    }
    return exact(yTrue, yPred, sampleWeight, shape, outShape);
  }

  /**
   * The fast path's domain: y_true and y_pred float32 or float64, a nonempty last axis. (Every value is
   * in it: the rows hand a packet with a non-finite input to the exact element function.)
   */
  private static boolean fastDomain(Tensor yTrue, Tensor yPred, int last) {
    return last > 0 && yTrue.dtype().isFloating() && yPred.dtype().isFloating();
  }

  /**
   * The fast path: per row, {@link SigmoidRows#bceRow} on the backing arrays (a float64 row cast to
   * float32 into a chunk's scratch first, as Keras' Cast), the gradient written in y_pred's dtype; rows
   * split over {@link Parallel}'s chunks, the per-sample losses reduced after in row order, as
   * {@link #exact}. Allocates the gradient, the per-sample losses and per chunk O(last) of scratch.
   */
  LossAndGrad rows(Tensor yTrue, Tensor yPred, Tensor sampleWeight, int[] shape, int[] outShape, SigmoidRows kernel) {
    int last = shape[shape.length - 1];
    int n = yPred.numel();
    int rows = Tensor.numel(outShape);
    double[] w = KerasReduction.weights(rows, outShape, null, sampleWeight, reduction);
    float[] y32 = yTrue.dtype() == DType.FLOAT32 ? yTrue.backingFloats() : null;
    double[] y64 = y32 == null ? yTrue.backingDoubles() : null;
    boolean f32 = yPred.dtype() == DType.FLOAT32;
    float[] p32 = f32 ? yPred.backingFloats() : null;
    double[] p64 = f32 ? null : yPred.backingDoubles();
    float[] g32 = f32 ? new float[n] : null;
    double[] g64 = f32 ? null : new double[n];
    double[] loss = new double[rows];
    int chunks = Parallel.chunks(n, rows);
    Runnable[] work = new Runnable[chunks];
    for (int k = 0; k < chunks; k++) {
      int from = Parallel.from(rows, chunks, k);
      int to = Parallel.from(rows, chunks, k + 1);
      work[k] = () -> {
        float[] lanes = new float[16 + 2 * last]; // the rows' packet sums and their stages' scratch
        double[] out = new double[2];
        float[] yRow = y32 == null ? new float[last] : null;
        float[] pRow = f32 ? null : new float[last];
        float[] gRow = f32 ? null : new float[last];
        for (int r = from; r < to; r++) {
          int at = r * last;
          if (yRow != null) {
            narrow(y64, at, last, yRow);
          }
          if (pRow != null) {
            narrow(p64, at, last, pRow);
          }
          double factor = KerasReduction.factor(w, r, rows, reduction);
          float s = kernel.bceRow(fromLogits, labelSmoothing, y32 != null ? y32 : yRow, y32 != null ? at : 0,
              f32 ? p32 : pRow, f32 ? at : 0, last, factor, f32 ? g32 : gRow, f32 ? at : 0, lanes, out);
          loss[r] = (float) (s / (float) last);
          if (!f32) {
            for (int j = 0; j < last; j++) {
              g64[at + j] = gRow[j];
            }
          }
        }
      };
    }
    Parallel.run(work);
    Tensor g = f32 ? Tensor.wrapFloats(g32, shape) : Tensor.wrapDoubles(g64, shape);
    return new LossAndGrad(KerasReduction.total(loss, outShape, w, reduction), g);
  }

  /** Keras' Cast of {@code v[at, at + len)} to float32 into {@code out} (no flush: the ops after read it). */
  private static void narrow(double[] v, int at, int len, float[] out) {
    for (int j = 0; j < len; j++) {
      out[j] = (float) v[at + j];
    }
  }

  /** The exact path (after {@link #apply}'s checks): element by element from {@code getDouble}, op by op. */
  LossAndGrad exact(Tensor yTrue, Tensor yPred, Tensor sampleWeight, int[] shape, int[] outShape) {
    int last = shape[shape.length - 1];
    int n = yPred.numel();
    int rows = Tensor.numel(outShape); // an empty last axis: tf.reduce_mean gives 0/0 = NaN per sample
    // one pass per row (rows split over Parallel's workers; each row's result does not depend on the
    // chunking): the element terms, their Eigen sum, and the gradient; the reduction's weights and
    // gradient scale do not depend on the losses, so they come first, and the per-sample losses are
    // reduced in row order after
    double[] w = KerasReduction.weights(rows, outShape, null, sampleWeight, reduction);
    FloatingOut g = new FloatingOut(yPred.dtype(), n);
    double[] loss = new double[rows];
    int chunks = Parallel.chunks(n, rows);
    Runnable[] work = new Runnable[chunks];
    for (int k = 0; k < chunks; k++) {
      int from = Parallel.from(rows, chunks, k);
      int to = Parallel.from(rows, chunks, k + 1);
      work[k] = () -> {
        double[] e = new double[last];
        double[] de = new double[last];
        double[] out = new double[2];
        for (int r = from; r < to; r++) {
          for (int j = 0; j < last; j++) {
            SigmoidRows.bceTerm(fromLogits, labelSmoothing, yTrue.getDouble(r * last + j), yPred.getDouble(r * last + j), out);
            e[j] = out[0];
            de[j] = out[1];
          }
          double s = KerasReduction.eigenSum(e, 0, last);
          loss[r] = (float) ((float) s / (float) last);
          double factor = KerasReduction.factor(w, r, rows, reduction);
          for (int j = 0; j < last; j++) {
            g.set(r * last + j, (float) (factor * de[j] / last));
          }
        }
      };
    }
    Parallel.run(work);
    return new LossAndGrad(KerasReduction.total(loss, outShape, w, reduction), g.tensor(shape));
  }
}
