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

  /**
   * The loss and d(sum of loss)/d(y_pred); {@code sampleWeight} {@code null} for none.
   *
   * <p>The shapes follow Keras op by op: {@code LossFunctionWrapper.call}'s
   * {@code squeeze_or_expand_to_same_rank} (a [N, 1] y_true against a [N, C, 1] y_pred squeezes
   * y_pred); with {@code ignore_class}, losses.py's {@code y_pred * expand_dims(valid_mask, -1)},
   * which broadcasts (a [N] y_true expanded to [N, 1] against [N, 1] logits makes them [N, N, 1], which
   * the backend then refuses); nn.py's squeeze of a trailing 1 of y_true and its rank and shape
   * checks; the kernel's {@code Must have at least one class}, then its label range check.
   */
  public LossAndGrad apply(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    return apply(yTrue, yPred, sampleWeight, null, null);
  }

  /**
   * {@link #apply(Tensor, Tensor, Tensor)} writing the gradient of a float32 y_pred into the caller's
   * {@code gradInto} (its length y_pred's element count; every element is written), which the result's
   * gradient wraps.
   */
  public LossAndGrad apply(Tensor yTrue, Tensor yPred, Tensor sampleWeight, float[] gradInto) {
    Shapes.nonNull(API, "gradInto", gradInto);
    return apply(yTrue, yPred, sampleWeight, gradInto, null);
  }

  /** {@link #apply(Tensor, Tensor, Tensor, float[])} for a float64 y_pred. */
  public LossAndGrad apply(Tensor yTrue, Tensor yPred, Tensor sampleWeight, double[] gradInto) {
    Shapes.nonNull(API, "gradInto", gradInto);
    return apply(yTrue, yPred, sampleWeight, null, gradInto);
  }

  private LossAndGrad apply(Tensor yTrue, Tensor yPred, Tensor sampleWeight, float[] into32, double[] into64) {
    Shapes.nonNull(API, "yTrue", yTrue);
    Shapes.nonNull(API, "yPred", yPred);
    Shapes.requireFloating("y_pred", yPred);
    KerasFast.requireGradInto(API, yPred, into32, into64);
    LossAndGrad fast = ignoreClass != null ? null : fromLogits
        ? KerasFast.sparseSoftmax(yTrue, yPred, sampleWeight, reduction, into32, into64)
        : KerasFast.sparseProbabilities(yTrue, yPred, sampleWeight, reduction, into32, into64);
    return fast != null ? fast : KerasFast.into(exact(yTrue, yPred, sampleWeight), into32, into64);
  }

  /** The exact (generic) path: every shape, mask, dtype and value, op by op as the class comment says. */
  LossAndGrad exact(Tensor yTrue, Tensor yPred, Tensor sampleWeight) {
    int[][] same = KerasReduction.squeezeOrExpandToSameRank(yTrue.shape(), yPred.shape());
    int[] tShape = same[0];
    int[] pShape = same[1];
    int nT = yTrue.numel();
    // Loss.__call__ converts both to float32 (T-19); TF's kernels flush subnormals
    double[] t = new double[nT];
    for (int i = 0; i < nT; i++) {
      t[i] = KerasReduction.flush((float) yTrue.getDouble(i));
    }
    double[] x = yPred.toDoubleArray();
    for (int j = 0; j < x.length; j++) {
      x[j] = KerasReduction.flush((float) x[j]);
    }
    // maskAt[j]: the y_true element whose mask multiplies logit j; pAt[j]: the y_pred element it reads
    int[] pAt = null;
    int[] maskAt = null;
    boolean[] valid = null;
    int[] resShape = null;
    if (ignoreClass != null) {
      resShape = Arrays.copyOf(pShape, Math.max(pShape.length - 1, 0)); // ops.shape(y_pred)[:-1]
      float ignored = (float) (long) ignoreClass; // ops.cast(ignore_class, y_pred.dtype)
      valid = new boolean[nT];
      for (int i = 0; i < nT; i++) {
        valid[i] = t[i] != ignored; // ops.not_equal
        t[i] = t[i] * (valid[i] ? 1 : 0); // y_true * cast(valid_mask)
      }
      int[] maskShape = Arrays.copyOf(tShape, tShape.length + 1);
      maskShape[tShape.length] = 1; // expand_dims(valid_mask, -1)
      int[] broadcast = broadcast(pShape, maskShape);
      pAt = Shapes.broadcastIndex(API + ": y_pred", pShape, broadcast);
      maskAt = Shapes.broadcastIndex(API + ": y_true", maskShape, broadcast);
      double[] masked = new double[pAt.length];
      for (int j = 0; j < masked.length; j++) {
        masked[j] = x[pAt[j]] * (valid[maskAt[j]] ? 1 : 0); // NaN and inf times 0 stay NaN
      }
      x = masked;
      pShape = broadcast;
    }
    // backend/tensorflow/nn.py sparse_categorical_crossentropy
    int[] labelShape = tShape;
    if (labelShape.length == pShape.length && labelShape.length > 0 && labelShape[labelShape.length - 1] == 1) {
      labelShape = Arrays.copyOf(labelShape, labelShape.length - 1); // tf.squeeze(target, axis=-1)
    }
    if (pShape.length == 0) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": y_pred: expected classes on the last axis, got a 0-d tensor");
    }
    int c = pShape[pShape.length - 1];
    int[] outShape = Arrays.copyOf(pShape, pShape.length - 1);
    if (!Arrays.equals(labelShape, outShape)) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": y_true: shape " + Arrays.toString(yTrue.shape()) + " and y_pred " + Arrays.toString(yPred.shape())
          + ": Arguments `target` and `output` must have the same shape up until the last dimension (as Keras sees them: "
          + Arrays.toString(labelShape) + " and " + Arrays.toString(pShape) + ")");
    }
    int rows = Tensor.numel(outShape);
    if (c == 0) { // sparse_xent_op.cc, before the label check
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": y_pred: Must have at least one class, but got logits shape [" + rows + ",0]");
    }
    long[] labels = new long[rows];
    for (int i = 0; i < rows; i++) {
      long y = (long) t[i]; // tf.cast(target, "int64")
      if (y < 0 || y >= c) {
        throw new LossArgumentException(ErrorKind.INDEX_OUT_OF_RANGE,
            API + ": y_true: " + Shapes.element(labelShape, i, Long.toString(y))
            + " is outside the valid range of [0, " + c + ")");
      }
      labels[i] = y;
    }
    // the kernel, in float32: shifted = z - max, sum = sum(exp(shifted)), loss = log(sum) - shifted[y]
    double[] res = new double[rows];
    double[] back = new double[rows * c];
    double[] z = new double[c];
    double[] e = new double[c];
    for (int i = 0; i < rows; i++) {
      double max = Double.NEGATIVE_INFINITY;
      boolean nan = false;
      for (int k = 0; k < c; k++) {
        double p = x[i * c + k];
        z[k] = fromLogits ? p : f(Math.log(clip(p)));
        nan |= Double.isNaN(z[k]);
        max = Math.max(max, z[k]);
      }
      for (int k = 0; k < c; k++) {
        z[k] = nan ? Double.NaN : f(z[k] - max);
        e[k] = f(Math.exp(z[k]));
      }
      double sum = KerasReduction.eigenSum(e, 0, c);
      res[i] = f(f(Math.log(sum)) - z[(int) labels[i]]);
      for (int k = 0; k < c; k++) {
        back[i * c + k] = f(f(e[k] / sum) - (k == labels[i] ? 1 : 0));
      }
    }
    // ignore_class: valid_mask reshaped to res_shape, then ops.where(valid_mask, res, 0.0)
    double[] loss = res;
    int[] lossShape = outShape;
    boolean[] lossValid = null;
    int[] resAt = null;
    if (valid != null) {
      if (nT != Tensor.numel(resShape)) {
        throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, API + ": y_true: Input to reshape is a tensor with "
            + nT + " values, but the requested shape has " + Tensor.numel(resShape));
      }
      lossShape = broadcast(resShape, outShape);
      int[] vAt = Shapes.broadcastIndex(API + ": y_true", resShape, lossShape);
      resAt = Shapes.broadcastIndex(API + ": y_pred", outShape, lossShape);
      loss = new double[vAt.length];
      lossValid = new boolean[vAt.length];
      for (int o = 0; o < loss.length; o++) {
        lossValid[o] = valid[vAt[o]];
        loss[o] = lossValid[o] ? res[resAt[o]] : 0;
      }
    }
    KerasReduction.Reduced r = KerasReduction.reduce(loss, lossShape, lossValid, sampleWeight, reduction);
    // the gradient arriving at each row's loss: SelectV2's where(valid, up, 0), summed over its broadcast
    double[] up = new double[rows];
    if (valid == null) {
      for (int i = 0; i < rows; i++) {
        up[i] = (float) r.factor()[i];
      }
    } else {
      for (int o = 0; o < loss.length; o++) {
        up[resAt[o]] += lossValid[o] ? (float) r.factor()[o] : 0;
      }
    }
    double[] g = new double[yPred.numel()];
    Arrays.fill(g, -0.0); // the neutral element of +: an unbroadcast -0.0 stays -0.0
    for (int i = 0; i < rows; i++) {
      for (int k = 0; k < c; k++) {
        int j = i * c + k;
        // the xent gradient up * (softmax - onehot): 0 * NaN is NaN for an ignored row of NaN logits
        double d = f(f(up[i]) * back[j]);
        if (!fromLogits) {
          double p = x[j];
          d = inside(p) ? f(d * f(1 / clip(p))) : 0; // Log's grad * 1/p, then the clip's Minimum/Maximum
        }
        if (maskAt == null) {
          g[j] += d;
        } else {
          g[pAt[j]] += d * (valid[maskAt[j]] ? 1 : 0); // Mul's gradient, summed over its broadcast
        }
      }
    }
    for (int j = 0; j < g.length; j++) {
      g[j] = (float) g[j];
    }
    return new LossAndGrad(r.loss(), Tensor.ofFloating(yPred.dtype(), g, yPred.shape()));
  }

  /** TF's binary-op broadcast of two shapes; refused as its {@code Incompatible shapes} error. */
  private static int[] broadcast(int[] a, int[] b) {
    try {
      return Shapes.broadcastShape(a, b);
    } catch (LossArgumentException e) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": Incompatible shapes: " + Arrays.toString(a) + " vs. " + Arrays.toString(b));
    }
  }

  /** A float32 kernel's result: rounded, then flushed if subnormal. */
  private static double f(double v) {
    return KerasReduction.flush((float) v);
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
