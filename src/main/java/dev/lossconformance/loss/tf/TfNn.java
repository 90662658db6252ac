package dev.lossconformance.loss.tf;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.Fibers;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * The {@code tf.nn} cross-entropy functions of TensorFlow 2.16, in the input's dtype (float64 stays
 * float64, unlike Keras). Each returns the element- or row-wise loss (no reduction) and
 * d(sum of loss)/d(logits) as TF computes it.
 */
public final class TfNn {
  public static final String SOFTMAX = "tf.nn.softmax_cross_entropy_with_logits";
  public static final String SPARSE_SOFTMAX = "tf.nn.sparse_softmax_cross_entropy_with_logits";
  public static final String SIGMOID = "tf.nn.sigmoid_cross_entropy_with_logits";
  public static final String WEIGHTED = "tf.nn.weighted_cross_entropy_with_logits";
  public static final String LOG_POISSON = "tf.nn.log_poisson_loss";

  private TfNn() {}

  /**
   * {@code SoftmaxCrossEntropyWithLogits} along {@code axis}: {@code sum_c y_c (log s - (x_c - m))};
   * the gradient is the op's backprop {@code softmax - y} (the true derivative only when the labels sum
   * to 1). A {@code -inf} logit with label 0 gives {@code 0 * inf = NaN} (T-15). Labels are not checked.
   */
  public static LossAndGrad softmaxCrossEntropyWithLogits(Tensor labels, Tensor logits, long axis) {
    nonNull(SOFTMAX, labels, logits);
    Shapes.requireFloating("logits", logits);
    int[] shape = logits.shape();
    Shapes.requireSameShape(SOFTMAX, "labels", labels, "logits", logits);
    Fibers f = Fibers.of(shape, axis, SOFTMAX);
    int c = f.size();
    int inner = f.inner();
    int outer = f.outer();
    int[] outShape = f.reducedShape();
    double[] x = logits.toDoubleArray();
    double[] y = labels.toDoubleArray();
    double[] loss = new double[outer * inner];
    double[] g = new double[x.length];
    for (int o = 0; o < outer; o++) {
      for (int s = 0; s < inner; s++) {
        double m = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < c; k++) {
          m = Math.max(m, x[(o * c + k) * inner + s]);
        }
        double sum = 0;
        for (int k = 0; k < c; k++) {
          sum += Math.exp(x[(o * c + k) * inner + s] - m);
        }
        double logSum = Math.log(sum);
        double l = 0;
        for (int k = 0; k < c; k++) {
          int at = (o * c + k) * inner + s;
          l += y[at] * (logSum - (x[at] - m));
          g[at] = Math.exp(x[at] - m) / sum - y[at];
        }
        loss[o * inner + s] = l;
      }
    }
    return new LossAndGrad(Tensor.ofFloating(logits.dtype(), loss, outShape), Tensor.ofFloating(logits.dtype(), g, shape));
  }

  /**
   * {@code SparseSoftmaxCrossEntropyWithLogits}: {@code lse(x) - x_y} per row, classes last; gradient
   * {@code softmax - onehot}. A label outside {@code [0, C)} raises (the CPU kernel's check).
   */
  public static LossAndGrad sparseSoftmaxCrossEntropyWithLogits(Tensor labels, Tensor logits) {
    nonNull(SPARSE_SOFTMAX, labels, logits);
    Shapes.requireFloating("logits", logits);
    Shapes.requireIntegral("labels", labels);
    int[] shape = logits.shape();
    if (shape.length == 0) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, SPARSE_SOFTMAX
          + ": logits: a 0-d tensor has no class axis (TF: Logits cannot be scalars)");
    }
    int c = shape[shape.length - 1];
    int[] outShape = Arrays.copyOf(shape, shape.length - 1);
    if (!Arrays.equals(labels.shape(), outShape)) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          SPARSE_SOFTMAX + ": labels: shape " + Arrays.toString(labels.shape())
          + " must be the logits' shape without the last axis, " + Arrays.toString(outShape));
    }
    int rows = labels.numel();
    for (int i = 0; i < rows; i++) {
      long y = labels.getLong(i);
      if (y < 0 || y >= c) {
        throw new LossArgumentException(ErrorKind.INDEX_OUT_OF_RANGE,
            SPARSE_SOFTMAX + ": labels: " + Shapes.element(labels.shape(), i, Long.toString(y))
            + " is outside the valid range of [0, " + c + ")");
      }
    }
    double[] x = logits.toDoubleArray();
    double[] loss = new double[rows];
    double[] g = new double[x.length];
    for (int i = 0; i < rows; i++) {
      double m = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < c; k++) {
        m = Math.max(m, x[i * c + k]);
      }
      double sum = 0;
      for (int k = 0; k < c; k++) {
        sum += Math.exp(x[i * c + k] - m);
      }
      int y = (int) labels.getLong(i);
      loss[i] = Math.log(sum) - (x[i * c + y] - m);
      for (int k = 0; k < c; k++) {
        g[i * c + k] = Math.exp(x[i * c + k] - m) / sum - (k == y ? 1 : 0);
      }
    }
    return new LossAndGrad(Tensor.ofFloating(logits.dtype(), loss, outShape), Tensor.ofFloating(logits.dtype(), g, shape));
  }

  /** {@code max(x, 0) - x z + log1p(exp(-|x|))}: TF's composition (nn_impl.py). */
  public static double sigmoidCrossEntropy(double z, double x) {
    double relu = x >= 0 ? x : 0;
    double negAbs = x >= 0 ? -x : x;
    return (relu - x * z) + Math.log1p(Math.exp(negAbs));
  }

  /** The gradient TF's autodiff takes through that composition: {@code [x >= 0] - z -+ e/(1+e)}. */
  public static double sigmoidCrossEntropyGrad(double z, double x) {
    double e = Math.exp(x >= 0 ? -x : x);
    double soft = e / (1 + e);
    return (x >= 0 ? 1 : 0) - z + (x >= 0 ? -soft : soft);
  }

  /** {@code tf.nn.sigmoid_cross_entropy_with_logits}: element-wise, same shapes. */
  public static LossAndGrad sigmoidCrossEntropyWithLogits(Tensor labels, Tensor logits) {
    nonNull(SIGMOID, labels, logits);
    return weighted(SIGMOID, labels, logits, null);
  }

  /**
   * {@code tf.nn.weighted_cross_entropy_with_logits}: {@code (1 - z) x + (1 + (q - 1) z)(log1p(exp(-|x|)) + max(-x, 0))}
   * with {@code q = pos_weight} broadcast to the logits' shape.
   */
  public static LossAndGrad weightedCrossEntropyWithLogits(Tensor labels, Tensor logits, Tensor posWeight) {
    nonNull(WEIGHTED, labels, logits);
    Shapes.nonNull(WEIGHTED, "posWeight", posWeight);
    return weighted(WEIGHTED, labels, logits, posWeight);
  }

  private static void nonNull(String api, Tensor labels, Tensor logits) {
    Shapes.nonNull(api, "labels", labels);
    Shapes.nonNull(api, "logits", logits);
  }

  private static LossAndGrad weighted(String api, Tensor labels, Tensor logits, Tensor posWeight) {
    Shapes.requireFloating("logits", logits);
    int[] shape = logits.shape();
    Shapes.requireSameShape(api, "labels", labels, "logits", logits);
    int n = logits.numel();
    int[] qAt = posWeight == null ? null : Shapes.broadcastIndex(api + ": pos_weight", posWeight.shape(), shape);
    double[] loss = new double[n];
    double[] g = new double[n];
    for (int i = 0; i < n; i++) {
      double x = logits.getDouble(i);
      double z = labels.getDouble(i);
      if (posWeight == null) {
        loss[i] = sigmoidCrossEntropy(z, x);
        g[i] = sigmoidCrossEntropyGrad(z, x);
        continue;
      }
      double q = posWeight.getDouble(qAt[i]);
      double lw = 1 + (q - 1) * z;
      double e = Math.exp(-Math.abs(x));
      double b = Math.log1p(e) + Math.max(-x, 0);
      loss[i] = (1 - z) * x + lw * b;
      // d/dx: Abs' is sign(x) (0 at 0), Relu' is [-x > 0]
      double db = (e / (1 + e)) * -Math.signum(x) + (-x > 0 ? -1 : 0);
      g[i] = (1 - z) + lw * db;
    }
    return new LossAndGrad(Tensor.ofFloating(logits.dtype(), loss, shape), Tensor.ofFloating(logits.dtype(), g, shape));
  }

  /**
   * {@code tf.nn.log_poisson_loss}: {@code exp(c) - z c}, plus with {@code computeFullLoss} the Stirling
   * term {@code z log z - z + 0.5 log(2 pi z)} except where {@code 0 <= z <= 1} (so NaN for z < 0, T-22;
   * PyTorch zeroes every z <= 1). Element-wise, in the input's dtype; gradient {@code exp(c) - z}.
   */
  public static LossAndGrad logPoissonLoss(Tensor targets, Tensor logInput, boolean computeFullLoss) {
    Shapes.nonNull(LOG_POISSON, "targets", targets);
    Shapes.nonNull(LOG_POISSON, "logInput", logInput);
    Shapes.requireFloating("log_input", logInput);
    int[] shape = logInput.shape();
    Shapes.requireSameShape(LOG_POISSON, "targets", targets, "log_input", logInput);
    int n = logInput.numel();
    double[] loss = new double[n];
    double[] g = new double[n];
    for (int i = 0; i < n; i++) {
      double c = logInput.getDouble(i);
      double z = targets.getDouble(i);
      double e = Math.exp(c);
      loss[i] = e - z * c;
      if (computeFullLoss && !(z >= 0 && z <= 1)) {
        loss[i] += z * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI * z);
      }
      g[i] = e - z;
    }
    return new LossAndGrad(Tensor.ofFloating(logInput.dtype(), loss, shape), Tensor.ofFloating(logInput.dtype(), g, shape));
  }
}
