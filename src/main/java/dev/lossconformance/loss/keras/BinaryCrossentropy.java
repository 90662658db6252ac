package dev.lossconformance.loss.keras;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.loss.tf.FloatingOut;
import dev.lossconformance.loss.tf.TfNn;
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
        for (int r = from; r < to; r++) {
          for (int j = 0; j < last; j++) {
            term(yTrue.getDouble(r * last + j), yPred.getDouble(r * last + j), e, de, j);
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

  /** One element's float32 loss term into {@code e[j]} and its gradient from ones into {@code de[j]}. */
  private void term(double yTrue, double yPred, double[] e, double[] de, int j) {
    double y = (float) yTrue;
    if (labelSmoothing != 0) {
      y = (float) ((float) (y * (float) (1 - labelSmoothing)) + (float) (0.5 * labelSmoothing));
    }
    double p = (float) yPred;
    if (fromLogits) {
      // nn.py's tf.nn.sigmoid_cross_entropy_with_logits, the tf.nn op in float32 (its rounding points and
      // flushes); its gradient from ones, scaled by the reduction's
      double ex = TfNn.sigmoidExp(true, p);
      e[j] = TfNn.sigmoidCrossEntropy(true, y, p, ex);
      de[j] = TfNn.sigmoidCrossEntropyGrad(true, y, p, ex);
    } else {
      double pc = SparseCategoricalCrossentropy.clip(p);
      // nn.py's float32 ops, each rounded: bce = target * log(output); bce += (1 - target) * log(1 - output);
      // -bce (a label of 3e38 makes target * log(output) -inf in float32: loss inf; found by the sweep)
      float bce = (float) (y * (float) Math.log(pc));
      bce = (float) (bce + (float) ((float) (1 - y) * (float) Math.log((float) (1 - pc))));
      e[j] = -bce;
      de[j] = SparseCategoricalCrossentropy.inside(p) ? -(y / pc - (1 - y) / (float) (1 - pc)) : 0;
    }
  }
}
