package dev.lossconformance.loss.keras;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code keras.losses.SparseCategoricalCrossentropy} with Keras 3.3.3 semantics on the TensorFlow
 * backend (classes on the last axis).
 *
 * <p>Everything is float32, whatever the input dtype (Keras casts y_true and y_pred to floatx; T-19).
 * Per sample: {@code lse(z) - z[y]} with {@code z = y_pred} when {@code from_logits}, else
 * {@code z = log(clip(p, 1e-7, 1 - 1e-7))} — so probabilities are renormalised (T-11). With
 * {@code ignore_class}, ignored rows are zeroed before the op and their loss forced to 0; the mask
 * then re-weights valid entries by {@code total / (valid + 1e-7)} under {@code sum_over_batch_size}
 * (T-4: all ignored gives 0, T-5). A label outside {@code [0, C)} raises, as the CPU kernel does.
 * Gradient: the sparse op's {@code softmax - onehot}, through the clip (0 where p was clipped) and
 * {@code 1/p} for probabilities, times the reduction's weight; returned in y_pred's dtype.
 */
public final class SparseCategoricalCrossentropy {
  public static final String API = "keras.losses.SparseCategoricalCrossentropy";
  private final boolean fromLogits;
  private final Long ignoreClass;
  private final KerasReduction.Mode reduction;

  /**
   * @param ignoreClass the label whose entries are masked out, {@code null} for none
   * @param reduction how the per-sample losses are reduced
   */
  public SparseCategoricalCrossentropy(boolean fromLogits, Long ignoreClass, KerasReduction.Mode reduction) {
    this.fromLogits = fromLogits;
    this.ignoreClass = ignoreClass;
    this.reduction = Shapes.nonNull(API, "reduction", reduction);
  }

  /** The loss and d(sum of loss)/d(y_pred); {@code sampleWeight} {@code null} for none. */
  public LossAndGrad apply(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    Shapes.nonNull(API, "yTrue", yTrue);
    Shapes.nonNull(API, "yPred", yPred);
    Shapes.requireFloating("y_pred", yPred);
    int[] shape = yPred.shape();
    if (shape.length == 0) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": y_pred: expected classes on the last axis, got a 0-d tensor");
    }
    int c = shape[shape.length - 1];
    int[] outShape = Arrays.copyOf(shape, shape.length - 1);
    int[] labelShape = yTrue.shape();
    if (labelShape.length == shape.length && labelShape[labelShape.length - 1] == 1) {
      labelShape = Arrays.copyOf(labelShape, labelShape.length - 1);
    }
    if (!Arrays.equals(labelShape, outShape)) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": y_true: shape " + Arrays.toString(yTrue.shape())
          + " must be y_pred's shape without its class axis, " + Arrays.toString(outShape));
    }
    int rows = yPred.numel() / Math.max(c, 1);
    double[] x = yPred.toDoubleArray();
    boolean[] valid = ignoreClass == null ? null : new boolean[rows];
    long[] labels = new long[rows];
    for (int i = 0; i < rows; i++) {
      // Keras converts y_true to float32 and the op casts it back to int64
      long y = (long) (float) yTrue.getDouble(i);
      if (valid != null) {
        valid[i] = y != ignoreClass;
        if (!valid[i]) {
          y = 0;
        }
      }
      if (y < 0 || y >= c) {
        throw new LossArgumentException(ErrorKind.INDEX_OUT_OF_RANGE,
            API + ": y_true: " + Shapes.element(yTrue.shape(), i, Long.toString(y))
            + " is outside the valid range of [0, " + c + ")");
      }
      labels[i] = y;
    }
    double[] loss = new double[rows];
    double[] z = new double[c];
    double[] soft = new double[rows * c];
    for (int i = 0; i < rows; i++) {
      boolean keep = valid == null || valid[i];
      for (int k = 0; k < c; k++) {
        double p = keep ? (float) x[i * c + k] : 0.0 * (float) x[i * c + k];
        z[k] = fromLogits ? p : (float) Math.log(clip(p));
      }
      Softmax sm = Softmax.of(z, 0, c);
      loss[i] = keep ? (float) sm.nll(z[(int) labels[i]]) : 0;
      for (int k = 0; k < c; k++) {
        soft[i * c + k] = sm.probability(z[k]) - (k == labels[i] ? 1 : 0);
      }
    }
    KerasReduction.Reduced r = KerasReduction.reduce(loss, outShape, valid, sampleWeight, reduction);
    double[] g = new double[x.length];
    for (int i = 0; i < rows; i++) {
      boolean keep = valid == null || valid[i];
      for (int k = 0; k < c; k++) {
        double d = keep ? r.factor()[i] * soft[i * c + k] : 0;
        if (!fromLogits) {
          double p = (float) x[i * c + k];
          d = inside(p) ? d / p : 0;
        }
        g[i * c + k] = (float) d;
      }
    }
    return new LossAndGrad(r.loss(), Tensor.ofFloating(yPred.dtype(), g, shape));
  }

  static double clip(double p) {
    return Math.max(Math.min(p, ONE_MINUS_EPSILON), KerasReduction.EPSILON);
  }

  /** Where {@code clip_by_value}'s Minimum/Maximum pass the gradient through (ties pass). */
  static boolean inside(double p) {
    return p >= KerasReduction.EPSILON && p <= ONE_MINUS_EPSILON;
  }

  /** {@code 1 - epsilon} computed in Python (0.9999999) and cast to float32: 0.99999988. */
  static final float ONE_MINUS_EPSILON = (float) (1 - 1e-7);
}
