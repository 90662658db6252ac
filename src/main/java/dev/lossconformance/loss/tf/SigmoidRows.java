package dev.lossconformance.loss.tf;

import dev.lossconformance.loss.VectorApi;
import dev.lossconformance.loss.Shapes;

/**
 * The streaming loops of the sigmoid-family TF kernels: {@code tf.nn.sigmoid_cross_entropy_with_logits},
 * {@code tf.nn.weighted_cross_entropy_with_logits}, {@code tf.nn.log_poisson_loss} (element ranges, see
 * {@link SigmoidFast}) and the rows of Keras' {@code BinaryCrossentropy} (from logits through the first
 * op, from probabilities). This scalar class runs the exact path's element functions on the inputs'
 * backing arrays, so it gives the exact path's bits; {@link #best()} is {@link VectorSigmoidRows} when
 * {@code jdk.incubator.vector} is in the boot layer (selected once, as {@code loss/keras/SoftmaxRows}),
 * loaded by reflection only then.
 *
 * <p>The element functions here are the exact path's ({@link TfNn} and {@code keras/BinaryCrossentropy}
 * call them): every TF op rounded to the dtype and flushed ({@link TfNn#r}).
 */
public class SigmoidRows {
  private static final SigmoidRows BEST = load();

  /** The vectorised implementation if the incubator module is present, else the scalar one. */
  public static SigmoidRows best() {
    return BEST;
  }

  /** The scalar implementation, whatever the module. */
  public static SigmoidRows scalar() {
    return new SigmoidRows();
  }

  private static SigmoidRows load() {
    return VectorApi.best(SigmoidRows.class, "dev.lossconformance.loss.tf.VectorSigmoidRows", SigmoidRows::new);
  }

  /** Which implementation this is, for benchmarks and reports. */
  public String name() {
    return "scalar";
  }

  // ---- the exact element functions ----

  /**
   * One element of {@code tf.nn.weighted_cross_entropy_with_logits} in the dtype (see
   * {@link TfNn#weightedCrossEntropyWithLogits}): label {@code z}, logit {@code x}, pos_weight {@code q}
   * as the caller holds them (read with DAZ); the loss into {@code out[0]}, the gradient into
   * {@code out[1]}.
   */
  static void weighted(boolean f32, double z, double x, double q, double[] out) {
    x = TfNn.read(f32, x);
    z = TfNn.read(f32, z);
    q = TfNn.read(f32, q);
    double lw = TfNn.r(f32, 1 + TfNn.r(f32, TfNn.r(f32, q - 1) * z));
    double u = TfNn.r(f32, 1 - z);
    double e = TfNn.r(f32, Math.exp(-Math.abs(x)));
    double nx = -x;
    double relu = nx > 0 ? nx : (Double.isNaN(nx) ? nx : 0);
    double b = TfNn.r(f32, lw * TfNn.r(f32, TfNn.r(f32, Math.log1p(e)) + relu));
    out[0] = TfNn.r(f32, TfNn.r(f32, u * x) + b);
    double reluGrad = TfNn.r(f32, lw * (nx > 0 ? 1.0 : 0.0));
    double gna = TfNn.r(f32, TfNn.r(f32, lw * TfNn.r(f32, 1 / TfNn.r(f32, 1 + e))) * e);
    double sign = x > 0 ? 1 : x < 0 ? -1 : Double.isNaN(x) ? x : 0;
    // AddN in the ready queue's order: Mul((1 - z), x)'s, Neg(x)'s (under Relu), Abs's
    out[1] = TfNn.r(f32, TfNn.r(f32, u + -reluGrad) + TfNn.r(f32, -gna * sign));
  }

  /**
   * One element of {@code tf.nn.log_poisson_loss} in the dtype (see {@link TfNn#logPoissonLoss}): target
   * {@code z}, log input {@code c} (read with DAZ); the loss into {@code out[0]}, the gradient into
   * {@code out[1]}.
   */
  static void logPoisson(boolean f32, double z, double c, boolean full, double[] out) {
    c = TfNn.read(f32, c);
    z = TfNn.read(f32, z);
    double e = TfNn.r(f32, Math.exp(c));
    double l = TfNn.r(f32, e - TfNn.r(f32, c * z));
    if (full) {
      double half = TfNn.r(f32, 0.5);
      double twoPi = TfNn.r(f32, 2 * Math.PI);
      double stirling = TfNn.r(f32, TfNn.r(f32, z * TfNn.r(f32, Math.log(z))) - z);
      stirling = TfNn.r(f32, stirling + TfNn.r(f32, half * TfNn.r(f32, Math.log(TfNn.r(f32, twoPi * z)))));
      // where(0 <= z <= 1, zeros, stirling), then +=
      l = TfNn.r(f32, l + (z >= 0 && z <= 1 ? 0.0 : stirling));
    }
    out[0] = l;
    out[1] = TfNn.r(f32, e + -z);
  }

  /**
   * One element of Keras' {@code BinaryCrossentropy} in float32 (the exact path's): label {@code yTrue} and
   * prediction {@code yPred} cast to float32, the label smoothed ({@code y (1 - s) + s / 2} in float32,
   * {@code s} the label smoothing); the loss term into {@code out[0]}, its gradient
   * from ones (before the reduction's scale and the mean's {@code / last}) into {@code out[1]}.
   */
  public static void bceTerm(boolean fromLogits, double s, double yTrue, double yPred, double[] out) {
    Shapes.nonNull("SigmoidRows.bceTerm", "out", out);
    double y = (float) yTrue;
    if (s != 0) {
      y = (float) ((float) (y * (float) (1 - s)) + (float) (0.5 * s));
    }
    double p = (float) yPred;
    if (fromLogits) {
      // nn.py's tf.nn.sigmoid_cross_entropy_with_logits, the tf.nn op in float32 (its rounding points and
      // flushes); its gradient from ones, scaled by the reduction's
      double ex = TfNn.sigmoidExp(true, p);
      out[0] = TfNn.sigmoidCrossEntropy(true, y, p, ex);
      out[1] = TfNn.sigmoidCrossEntropyGrad(true, y, p, ex);
    } else {
      double pc = clip(p);
      // nn.py's float32 ops, each rounded: bce = target * log(output); bce += (1 - target) * log(1 - output);
      // -bce (a label of 3e38 makes target * log(output) -inf in float32: loss inf; found by the sweep)
      float bce = (float) (y * (float) Math.log(pc));
      bce = (float) (bce + (float) ((float) (1 - y) * (float) Math.log((float) (1 - pc))));
      out[0] = -bce;
      out[1] = inside(p) ? -(y / pc - (1 - y) / (float) (1 - pc)) : 0;
    }
  }

  /** Keras' {@code backend.epsilon()} as float32, and {@code 1 - epsilon} (0.99999988). */
  static final float EPSILON = 1e-7f;
  static final float ONE_MINUS_EPSILON = (float) (1 - 1e-7);

  /** clip_by_value(p, 1e-7, 1 - 1e-7) (NaN stays NaN). */
  static double clip(double p) {
    return Math.max(Math.min(p, ONE_MINUS_EPSILON), EPSILON);
  }

  /** Where {@code clip_by_value}'s Minimum/Maximum pass the gradient through (ties pass). */
  static boolean inside(double p) {
    return p >= EPSILON && p <= ONE_MINUS_EPSILON;
  }

  /** A float32 result as TF's FTZ leaves it: a subnormal is a zero of its sign. */
  static float flush(float v) {
    return Math.abs(v) < Float.MIN_NORMAL ? Math.copySign(0f, v) : v;
  }

  /**
   * A chunk's scratch for the loops: the element functions' two results, and the vector loops' tiles of
   * {@link #TILE} elements (three per dtype: an exp, a log1p or log, another log).
   */
  static final class Scratch {
    final double[] out = new double[2];
    final float[] f;
    final double[] d;

    Scratch(boolean f32) {
      f = f32 ? new float[3 * TILE] : null;
      d = f32 ? null : new double[3 * TILE];
    }
  }

  /** Elements per tile of the vector loops; the chunks start at multiples of it (SigmoidFast). */
  static final int TILE = 64;

  // ---- the loops: elements [from, to); the vector class does whole vectors and calls these for the rest ----

  /** {@code tf.nn.sigmoid_cross_entropy_with_logits}, float32: labels {@code z}, logits {@code x}. */
  void sigmoid(float[] z, float[] x, int from, int to, float[] loss, float[] g, Scratch s) {
    for (int i = from; i < to; i++) {
      double e = TfNn.sigmoidExp(true, x[i]);
      loss[i] = (float) TfNn.sigmoidCrossEntropy(true, z[i], x[i], e);
      g[i] = (float) TfNn.sigmoidCrossEntropyGrad(true, z[i], x[i], e);
    }
  }

  /** {@link #sigmoid(float[], float[], int, int, float[], float[], Scratch)} in float64. */
  void sigmoid(double[] z, double[] x, int from, int to, double[] loss, double[] g, Scratch s) {
    for (int i = from; i < to; i++) {
      double e = TfNn.sigmoidExp(false, x[i]);
      loss[i] = TfNn.sigmoidCrossEntropy(false, z[i], x[i], e);
      g[i] = TfNn.sigmoidCrossEntropyGrad(false, z[i], x[i], e);
    }
  }

  /**
   * {@code tf.nn.weighted_cross_entropy_with_logits}, float32: element {@code i}'s pos_weight is
   * {@code q[qAt + (i - from) * qStep]} ({@code qStep} 0: one pos_weight; 1: a run of them).
   * 
   */
  void weighted(float[] z, float[] x, float[] q, int qAt, int qStep, int from, int to, float[] loss,
      float[] g, Scratch s) {
    double[] out = s.out;
    for (int i = from; i < to; i++) {
      weighted(true, z[i], x[i], q[qAt + (i - from) * qStep], out);
      loss[i] = (float) out[0];
      g[i] = (float) out[1];
    }
  }

  /** {@link #weighted(float[], float[], float[], int, int, int, int, float[], float[], Scratch)} in float64. */
  void weighted(double[] z, double[] x, double[] q, int qAt, int qStep, int from, int to, double[] loss,
      double[] g, Scratch s) {
    double[] out = s.out;
    for (int i = from; i < to; i++) {
      weighted(false, z[i], x[i], q[qAt + (i - from) * qStep], out);
      loss[i] = out[0];
      g[i] = out[1];
    }
  }

  /** {@code tf.nn.log_poisson_loss}, float32: targets {@code z}, log input {@code c} */
  void logPoisson(float[] z, float[] c, int from, int to, boolean full, float[] loss, float[] g,
      Scratch s) {
    double[] out = s.out;
    for (int i = from; i < to; i++) {
      logPoisson(true, z[i], c[i], full, out);
      loss[i] = (float) out[0];
      g[i] = (float) out[1];
    }
  }

  /** {@link #logPoisson(float[], float[], int, int, boolean, float[], float[], Scratch)} in float64. */
  void logPoisson(double[] z, double[] c, int from, int to, boolean full, double[] loss, double[] g,
      Scratch s) {
    double[] out = s.out;
    for (int i = from; i < to; i++) {
      logPoisson(false, z[i], c[i], full, out);
      loss[i] = out[0];
      g[i] = out[1];
    }
  }

  /** The float32 lanes of Eigen's packet (AVX) that Keras' per-sample {@code Mean(-1)} sums in. */
  static final int PACKET = 8;

  /**
   * One row of Keras' {@code BinaryCrossentropy}: the float32 labels {@code y[yAt, yAt + len)} and
   * predictions {@code p[pAt, ...)}, label smoothing {@code s}; the gradient {@code (float) (factor * de / len)} (in double, as the
   * exact path) into {@code g[gAt, gAt + len)}; returns the row's sum of terms as
   * {@code KerasReduction.eigenSum} sums it (8 lanes over whole packets, the rest from the left, then
   * {@code rest + predux(lanes)}, every addition flushed). {@code lanes} is a chunk's scratch of
   * {@code 16 + 2 len} floats (at least {@link #PACKET}), {@code out} of two doubles.
   */
  public float bceRow(boolean fromLogits, double s, float[] y, int yAt, float[] p, int pAt, int len,
      double factor, float[] g, int gAt, float[] lanes, double[] out) {
    checkRow(y, p, g, lanes, out);
    int vec = len / PACKET * PACKET;
    java.util.Arrays.fill(lanes, 0f);
    float accum = 0;
    for (int j = 0; j < len; j++) {
      bceTerm(fromLogits, s, y[yAt + j], p[pAt + j], out);
      float t = (float) out[0];
      if (j < vec) {
        lanes[j % PACKET] = flush(lanes[j % PACKET] + t);
      } else {
        accum = flush(accum + t);
      }
      g[gAt + j] = (float) (factor * out[1] / len);
    }
    return vec == 0 ? accum : flush(accum + halve(lanes));
  }

  /** {@link #bceRow}'s null checks. */
  static void checkRow(float[] y, float[] p, float[] g, float[] lanes, double[] out) {
    String api = "SigmoidRows.bceRow";
    Shapes.nonNull(api, "y", y);
    Shapes.nonNull(api, "p", p);
    Shapes.nonNull(api, "g", g);
    Shapes.nonNull(api, "lanes", lanes);
    Shapes.nonNull(api, "out", out);
  }

  /** Eigen's predux of 8 lanes, every addition flushed: the upper half onto the lower until one is left. */
  static float halve(float[] lanes) {
    for (int width = PACKET / 2; width >= 1; width /= 2) {
      for (int l = 0; l < width; l++) {
        lanes[l] = flush(lanes[l] + lanes[l + width]);
      }
    }
    return lanes[0];
  }
}
