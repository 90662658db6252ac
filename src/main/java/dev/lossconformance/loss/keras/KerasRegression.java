package dev.lossconformance.loss.keras;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.Fibers;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * Keras 3.3.3's last-axis losses on the TensorFlow backend: {@code KLDivergence}, {@code Poisson},
 * {@code Hinge}, {@code MeanAbsoluteError} and {@code CosineSimilarity}. float32 throughout (T-19);
 * each reduces the last axis (a sum for KL and cosine, a mean for the others) to a per-sample loss,
 * then {@link KerasReduction}. The gradient is d(sum of loss)/d(y_pred), in y_pred's dtype.
 */
public final class KerasRegression {
  public static final String KLD = "keras.losses.KLDivergence";
  public static final String POISSON = "keras.losses.Poisson";
  public static final String HINGE = "keras.losses.Hinge";
  public static final String MAE = "keras.losses.MeanAbsoluteError";
  public static final String COSINE = "keras.losses.CosineSimilarity";

  private KerasRegression() {}

  /** One element's loss term and its derivative with respect to y_pred. */
  private interface Term {
    void eval(double yTrue, double yPred, double[] out);
  }

  /**
   * {@code sum_{-1} t^ log(t^ / p^)} with {@code t^ = clip(y_true, 1e-7, 1)}, {@code p^ = clip(y_pred, 1e-7, 1)}:
   * both are probabilities (torch's kl_div takes log-probabilities, T-6); a zero target still adds
   * {@code 1e-7 log(1e-7 / p)} (T-7). The gradient is {@code -t^/p^} where y_pred is inside the clip.
   */
  public static LossAndGrad klDivergence(Tensor yTrue, Tensor yPred, Tensor sampleWeight, KerasReduction.Mode mode) {
    return lastAxis(KLD, yTrue, yPred, sampleWeight, mode, false, (y, p, o) -> {
      double t = clip(y, 1);
      double q = clip(p, 1);
      o[0] = t * Math.log((float) (t / q));
      o[1] = p >= KerasReduction.EPSILON && p <= 1 ? -t / q : 0;
    });
  }

  /** {@code mean_{-1}(p - y log(p + 1e-7))}: y_pred is a rate (T-8); gradient {@code 1 - y / (p + 1e-7)}. */
  public static LossAndGrad poisson(Tensor yTrue, Tensor yPred, Tensor sampleWeight, KerasReduction.Mode mode) {
    return lastAxis(POISSON, yTrue, yPred, sampleWeight, mode, true, (y, p, o) -> {
      double s = (float) (p + KerasReduction.EPSILON);
      o[0] = (float) (p - (float) (y * Math.log(s)));
      o[1] = 1 - y / s;
    });
  }

  /**
   * {@code mean_{-1} max(1 - y p, 0)}, with labels mapped {0,1} → {-1,1} only when every label of the
   * batch is 0 or 1 (T-23); not PyTorch's hinge_embedding_loss (T-10). Gradient {@code -y} where
   * {@code 1 - y p >= 0} (TF's Maximum passes ties to its first argument).
   */
  public static LossAndGrad hinge(Tensor yTrue, Tensor yPred, Tensor sampleWeight, KerasReduction.Mode mode) {
    nonNull(HINGE, yTrue, yPred, mode);
    boolean binary = true;
    for (int i = 0; i < yTrue.numel(); i++) {
      float v = (float) yTrue.getDouble(i);
      binary &= v == 0 || v == 1;
    }
    boolean convert = binary;
    return lastAxis(HINGE, yTrue, yPred, sampleWeight, mode, true, (y, p, o) -> {
      double t = convert ? 2 * y - 1 : y;
      double m = (float) (1 - (float) (t * p));
      o[0] = Math.max(m, 0);
      o[1] = m >= 0 ? -t : 0;
    });
  }

  /** {@code mean_{-1}|y - p|}; gradient {@code sign(p - y)}, 0 at equality, NaN for NaN (TF's Sign). */
  public static LossAndGrad meanAbsoluteError(Tensor yTrue, Tensor yPred, Tensor sampleWeight, KerasReduction.Mode mode) {
    return lastAxis(MAE, yTrue, yPred, sampleWeight, mode, true, (y, p, o) -> {
      double d = (float) (p - y);
      o[0] = Math.abs(d);
      o[1] = d > 0 ? 1 : d < 0 ? -1 : d == 0 ? 0 : Double.NaN; // TF's Sign: NaN stays NaN
    });
  }

  /** The null checks of every loss here ({@code sampleWeight} may be null: no weights). */
  private static void nonNull(String api, Tensor yTrue, Tensor yPred, KerasReduction.Mode mode) {
    Shapes.nonNull(api, "yTrue", yTrue);
    Shapes.nonNull(api, "yPred", yPred);
    Shapes.nonNull(api, "mode", mode);
  }

  private static double clip(double v, double hi) {
    return Math.max(Math.min(v, hi), KerasReduction.EPSILON);
  }

  private static LossAndGrad lastAxis(String api, Tensor yTrue, Tensor yPred, Tensor sampleWeight,
      KerasReduction.Mode mode, boolean mean, Term term) {
    nonNull(api, yTrue, yPred, mode);
    Shapes.requireFloating("y_pred", yPred);
    int[] shape = Shapes.broadcastShape(yTrue.shape(), yPred.shape());
    if (shape.length == 0) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          api + ": y_pred: a 0-d tensor has no last axis to reduce"
          + " (TF: Invalid reduction dimension (-1 for input with 0 dimension(s))");
    }
    int[] tAt = Shapes.broadcastIndex(api + ": y_true", yTrue.shape(), shape);
    int[] pAt = Shapes.broadcastIndex(api + ": y_pred", yPred.shape(), shape);
    int last = shape[shape.length - 1];
    int rows = last == 0 ? 0 : Tensor.numel(shape) / last;
    int[] outShape = Arrays.copyOf(shape, shape.length - 1);
    double[] loss = new double[rows];
    double[] local = new double[Tensor.numel(shape)];
    double[] o = new double[2];
    for (int r = 0; r < rows; r++) {
      double s = 0;
      for (int k = 0; k < last; k++) {
        int i = r * last + k;
        term.eval((float) yTrue.getDouble(tAt[i]), (float) yPred.getDouble(pAt[i]), o);
        s += (float) o[0];
        local[i] = o[1];
      }
      loss[r] = mean ? (float) ((float) s / (float) last) : (float) s;
    }
    KerasReduction.Reduced red = KerasReduction.reduce(loss, outShape, null, sampleWeight, mode);
    double[] g = new double[yPred.numel()];
    for (int i = 0; i < local.length; i++) {
      g[pAt[i]] += red.factor()[i / last] * local[i] / (mean ? last : 1);
    }
    for (int i = 0; i < g.length; i++) {
      g[i] = (float) g[i];
    }
    return new LossAndGrad(red.loss(), Tensor.ofFloating(yPred.dtype(), g, yPred.shape()));
  }

  /**
   * {@code -sum_axis n(y_true) n(y_pred)} with {@code n(v) = v / max(|v|, 1e-7)} (Keras 3.3.3's
   * l2-normalise): {@code -cos}, not PyTorch's {@code 1 - cos} (T-9); a zero vector gives 0. Gradient of
   * {@code -y^ . p / max(|p|, eps)}: {@code -(y^ - (y^ . p^) p^) / |p|} where {@code |p| > eps}.
   */
  public static LossAndGrad cosineSimilarity(Tensor yTrue, Tensor yPred, Tensor sampleWeight, long axis,
      KerasReduction.Mode mode) {
    nonNull(COSINE, yTrue, yPred, mode);
    Shapes.requireFloating("y_pred", yPred);
    int[] shape = yPred.shape();
    Shapes.requireSameShape(COSINE, "y_true", yTrue, "y_pred", yPred);
    Fibers f = Fibers.of(shape, axis, COSINE);
    int c = f.size();
    int inner = f.inner();
    int outer = f.outer();
    int[] outShape = f.reducedShape();
    double[] loss = new double[outer * inner];
    double[] local = new double[yPred.numel()];
    for (int o = 0; o < outer; o++) {
      for (int s = 0; s < inner; s++) {
        double ny = 0;
        double np = 0;
        for (int k = 0; k < c; k++) {
          int at = (o * c + k) * inner + s;
          double y = (float) yTrue.getDouble(at);
          double p = (float) yPred.getDouble(at);
          ny += y * y;
          np += p * p;
        }
        double dy = Math.max(Math.sqrt(ny), KerasReduction.EPSILON);
        double normP = Math.sqrt(np);
        double dp = Math.max(normP, KerasReduction.EPSILON);
        double dot = 0;
        for (int k = 0; k < c; k++) {
          int at = (o * c + k) * inner + s;
          dot += ((float) yTrue.getDouble(at) / dy) * ((float) yPred.getDouble(at) / dp);
        }
        loss[o * inner + s] = (float) -dot;
        for (int k = 0; k < c; k++) {
          int at = (o * c + k) * inner + s;
          double yh = (float) yTrue.getDouble(at) / dy;
          double p = (float) yPred.getDouble(at);
          local[at] = normP > KerasReduction.EPSILON ? -(yh - dot * p / normP) / dp : -yh / dp;
        }
      }
    }
    KerasReduction.Reduced red = KerasReduction.reduce(loss, outShape, null, sampleWeight, mode);
    double[] g = new double[local.length];
    for (int o = 0; o < outer; o++) {
      for (int s = 0; s < inner; s++) {
        for (int k = 0; k < c; k++) {
          int at = (o * c + k) * inner + s;
          g[at] = (float) (red.factor()[o * inner + s] * local[at]);
        }
      }
    }
    return new LossAndGrad(red.loss(), Tensor.ofFloating(yPred.dtype(), g, shape));
  }
}
