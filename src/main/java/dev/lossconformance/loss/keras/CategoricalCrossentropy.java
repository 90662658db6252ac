package dev.lossconformance.loss.keras;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.Fibers;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Shapes;
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
    double[] x = yPred.toDoubleArray();
    double[] y = yTrue.toDoubleArray();
    for (int i = 0; i < y.length; i++) {
      double v = (float) y[i];
      y[i] = labelSmoothing != 0 ? (float) ((float) (v * (float) (1 - labelSmoothing)) + (float) (labelSmoothing / smoothingC)) : v;
      x[i] = KerasReduction.flush((float) x[i]);
    }
    int rows = outer * inner;
    double[] loss = new double[rows];
    double[] fiber = new double[c];
    double[] shifted = new double[c];
    double[] exps = new double[c];
    double[] terms = new double[c];
    double[] local = new double[x.length];
    for (int o = 0; o < outer; o++) {
      for (int s = 0; s < inner; s++) {
        int row = o * inner + s;
        double total = 0;
        for (int k = 0; k < c; k++) {
          fiber[k] = x[(o * c + k) * inner + s];
          total += fiber[k];
        }
        if (fromLogits) {
          // xent_op.h in float32: shifted = x - max (-3e38 - 1.7e38 overflows to -inf there), s = sum exp,
          // loss = sum q (log s - shifted) (inf, or NaN where q = 0), gradient exp(shifted) / s - q
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
            int at = (o * c + k) * inner + s;
            terms[k] = f(y[at] * f(logSum - shifted[k]));
            local[at] = f(f(exps[k] / sum) - y[at]);
          }
          loss[row] = KerasReduction.eigenSum(terms, 0, c);
        } else {
          float sum = (float) total;
          double l = 0;
          double dot = 0;
          for (int k = 0; k < c; k++) {
            int at = (o * c + k) * inner + s;
            double q = (float) (fiber[k] / sum);
            double qc = SparseCategoricalCrossentropy.clip(q);
            l -= y[at] * Math.log(qc);
            // d/dq of -y log clip(q): -y/q where the clip passes, else 0
            local[at] = SparseCategoricalCrossentropy.inside(q) ? -y[at] / q : 0;
            dot += local[at] * fiber[k];
          }
          // q = p / sum(p): dq_k/dp_j = ([k=j] - q_k) / sum
          for (int k = 0; k < c; k++) {
            int at = (o * c + k) * inner + s;
            local[at] = (local[at] - dot / sum) / sum;
          }
          loss[row] = (float) l;
        }
      }
    }
    KerasReduction.Reduced r = KerasReduction.reduce(loss, outShape, null, sampleWeight, reduction);
    double[] g = new double[x.length];
    for (int o = 0; o < outer; o++) {
      for (int s = 0; s < inner; s++) {
        for (int k = 0; k < c; k++) {
          int at = (o * c + k) * inner + s;
          g[at] = (float) (r.factor()[o * inner + s] * local[at]);
        }
      }
    }
    return new LossAndGrad(r.loss(), Tensor.ofFloating(yPred.dtype(), g, shape));
  }

  /** A float32 kernel's result: rounded, then flushed if subnormal. */
  private static double f(double v) {
    return KerasReduction.flush((float) v);
  }
}
