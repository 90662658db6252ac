package dev.lossconformance.loss.keras;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Shapes;
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
    double[] e = new double[n];
    double[] de = new double[n];
    for (int i = 0; i < n; i++) {
      double y = (float) yTrue.getDouble(i);
      if (labelSmoothing != 0) {
        y = (float) ((float) (y * (float) (1 - labelSmoothing)) + (float) (0.5 * labelSmoothing));
      }
      double p = (float) yPred.getDouble(i);
      if (fromLogits) {
        // nn.py's tf.nn.sigmoid_cross_entropy_with_logits, the tf.nn op in float32 (its rounding points and
        // flushes); its gradient from ones, scaled below by the reduction's
        e[i] = TfNn.sigmoidCrossEntropy(true, y, p);
        de[i] = TfNn.sigmoidCrossEntropyGrad(true, y, p);
      } else {
        double pc = SparseCategoricalCrossentropy.clip(p);
        // nn.py's float32 ops, each rounded: bce = target * log(output); bce += (1 - target) * log(1 - output);
        // -bce (a label of 3e38 makes target * log(output) -inf in float32: loss inf; found by the sweep)
        float bce = (float) (y * (float) Math.log(pc));
        bce = (float) (bce + (float) ((float) (1 - y) * (float) Math.log((float) (1 - pc))));
        e[i] = -bce;
        de[i] = SparseCategoricalCrossentropy.inside(p) ? -(y / pc - (1 - y) / (float) (1 - pc)) : 0;
      }
    }
    double[] loss = new double[rows];
    for (int r = 0; r < rows; r++) {
      double s = KerasReduction.eigenSum(e, r * last, last);
      loss[r] = (float) ((float) s / (float) last);
    }
    KerasReduction.Reduced red = KerasReduction.reduce(loss, outShape, null, sampleWeight, reduction);
    double[] g = new double[n];
    for (int i = 0; i < n; i++) {
      g[i] = (float) (red.factor()[i / last] * de[i] / last);
    }
    return new LossAndGrad(red.loss(), Tensor.ofFloating(yPred.dtype(), g, shape));
  }
}
