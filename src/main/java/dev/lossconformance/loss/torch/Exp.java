package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.VectorApi;

/**
 * The array loops of {@link FastCrossEntropy}: max, exp, sum and scale. {@link #best()} is the Vector
 * API implementation when {@code jdk.incubator.vector} is in the boot layer (run with
 * {@code --add-modules jdk.incubator.vector}), else this scalar one; both pass the conformance suite.
 */
class Exp {
  private static final Exp BEST = load();

  /** The vectorised implementation if the incubator module is present, else the scalar one. */
  static Exp best() {
    return BEST;
  }

  /** The scalar implementation, whatever the module. */
  static Exp scalar() {
    return new Exp();
  }

  private static Exp load() {
    return VectorApi.best(Exp.class, "dev.lossconformance.loss.torch.VectorExp", Exp::new);
  }

  /** Which implementation this is, for benchmarks and reports. */
  String name() {
    return "scalar";
  }

  /** The maximum of {@code x[from, from + len)}; NaN if any element is NaN (as Math.max). */
  float max(float[] x, int from, int len) {
    float m = Float.NEGATIVE_INFINITY;
    for (int i = from; i < from + len; i++) {
      m = Math.max(m, x[i]);
    }
    return m;
  }

  /** {@code sum exp(x - m)} over the slice, accumulated in double. */
  double sumExp(float[] x, int from, int len, float m) {
    double s = 0;
    for (int i = from; i < from + len; i++) {
      s += (float) Math.exp(x[i] - m);
    }
    return s;
  }

  /** {@link #sumExp} that also stores each {@code exp(x - m)} at the same index of {@code out}. */
  double sumExpInto(float[] x, int from, int len, float m, float[] out) {
    double s = 0;
    for (int i = from; i < from + len; i++) {
      float e = (float) Math.exp(x[i] - m);
      out[i] = e;
      s += e;
    }
    return s;
  }

  /** {@code v[i] *= k} over the slice. */
  void scale(float[] v, int from, int len, float k) {
    for (int i = from; i < from + len; i++) {
      v[i] *= k;
    }
  }

  /** {@code m[p] = max(m[p], x[from + p])}. */
  void maxInto(float[] m, float[] x, int from, int len) {
    for (int p = 0; p < len; p++) {
      m[p] = Math.max(m[p], x[from + p]);
    }
  }

  /**
   * {@code s[p] += exp(x[from + p] - m[p])} with Kahan's compensation in {@code comp} (float sums of
   * many classes would drift by several ulps), storing the exponential in {@code out[from + p]} when given.
   */
  void addExp(float[] s, float[] comp, float[] x, int from, float[] m, int len, float[] out) {
    addExpPositions(s, comp, x, from, m, 0, len, out);
  }

  /** {@link #addExp}'s positions {@code [p0, len)}, scalar. */
  static void addExpPositions(float[] s, float[] comp, float[] x, int from, float[] m, int p0, int len, float[] out) {
    for (int p = p0; p < len; p++) {
      float e = (float) Math.exp(x[from + p] - m[p]);
      float y = e - comp[p];
      float t = s[p] + y;
      comp[p] = (t - s[p]) - y;
      s[p] = t;
      if (out != null) {
        out[from + p] = e;
      }
    }
  }

  /** {@code out[p] = log(s[p])} for {@code p < len}. */
  void log(float[] s, float[] out, int len) {
    for (int p = 0; p < len; p++) {
      out[p] = (float) Math.log(s[p]);
    }
  }

  /**
   * BCE-with-logits without weights over {@code [from, to)}: each float32 loss
   * {@code (1 - y) x + max(-x, 0) + log1p(exp(-|x|))} into {@code loss} (when given) and, when
   * {@code grad} is given, {@code (sigmoid(x) - y) * gradScale}; returns the sum of the float32 losses
   * in double.
   */
  double bceWithLogits(float[] x, float[] y, int from, int to, float[] loss, float[] grad, float gradScale) {
    double sum = 0;
    for (int i = from; i < to; i++) {
      float xi = x[i];
      float e = (float) Math.exp(-Math.abs(xi));
      float l = (float) ((1 - y[i]) * (double) xi + Math.max(-xi, 0f) + Math.log1p(e));
      sum += l;
      if (loss != null) {
        loss[i] = l;
      }
      if (grad != null) {
        // aten's sigmoid, 1 / (1 + exp(-x)) in float32: 0 where exp(-x) overflows (x < -88.7)
        float sig = 1 / (1 + (xi >= 0 ? e : (float) Math.exp(-xi)));
        grad[i] = (sig - y[i]) * gradScale;
      }
    }
    return sum;
  }

  /**
   * Rows {@code [from, to)} of an (N, C) float32 input with class-index targets {@code t}: each row's loss
   * {@code -w_y (x_y - max - log sum exp(x - max))} rounded to float32 (into {@code loss} when given) and,
   * when {@code grad} is given, the row's gradient {@code a w_y (softmax - onehot)} written over the whole
   * row (zeros for an ignored row, whatever the array held). Returns the sum of the float32 losses in
   * double. Targets are already validated.
   */
  double rows(float[] x, long[] t, int c, double[] w, long ignore, double a, int from, int to, float[] loss,
      float[] grad) {
    double sum = 0;
    for (int r = from; r < to; r++) {
      long y = t[r];
      int base = r * c;
      if (y == ignore) {
        if (grad != null) {
          ignoredRow(grad, base, c, max(x, base, c));
        }
        continue;
      }
      float m = max(x, base, c);
      double s = grad == null ? sumExp(x, base, c, m) : sumExpInto(x, base, c, m, grad);
      double wy = w == null ? 1 : w[(int) y];
      float l = rowLoss(wy, x[base + (int) y], m, Math.log(s));
      sum += l;
      if (loss != null) {
        loss[r] = l;
      }
      if (grad != null) {
        scale(grad, base, c, (float) (a * wy / s));
        grad[base + (int) y] -= (float) (a * wy);
      }
    }
    return sum;
  }

  /**
   * The gradient of an ignored row, of max {@code m}: PyTorch's log_softmax backward,
   * {@code grad - exp(logp) * sum(grad)} with a zero grad, is 0 unless the row's logp is NaN, which it
   * is throughout when the max is not finite (a NaN or +inf logit, or every logit -inf); then NaN.
   */
  static void ignoredRow(float[] grad, int base, int c, float m) {
    java.util.Arrays.fill(grad, base, base + c, Float.isFinite(m) ? 0f : Float.NaN);
  }

  /** A row's float32 loss {@code -w_y (x_y - m - log s)} from its target logit, max and log-sum. */
  static float rowLoss(double wy, float xy, float m, double logS) {
    return (float) (-wy * (float) (((double) xy - m) - logS));
  }

  /** {@code v[i] = (float) exp(v[i])} over the slice. */
  void expInPlace(float[] v, int from, int len) {
    for (int i = from; i < from + len; i++) {
      v[i] = (float) Math.exp(v[i]);
    }
  }

  /**
   * One step of the CTC lattice in log space over the states {@code s < u}: {@code cur[c0 + 2 + s] =
   * log(exp(a1 - m) + exp(a2 - m) + exp(a3 - m)) + m + emit[e0 + s]} with {@code a1 = prev[p0 + 2 + s]},
   * {@code a2 = prev[p0 + 1 + s]}, {@code a3 = prev[p0 + s]} where {@code skip[s]} (else -inf), and
   * {@code m} their max (0 when all are -inf), as PyTorch's kernel computes it.
   */
  void ctcStep(double[] prev, int p0, double[] cur, int c0, boolean[] skip, double[] emit, int e0, int u) {
    ctcStates(prev, p0, cur, c0, skip, emit, e0, 0, u);
  }

  /** {@link #ctcStep}'s states {@code [from, u)}, scalar. */
  static void ctcStates(double[] prev, int p0, double[] cur, int c0, boolean[] skip, double[] emit, int e0, int from,
      int u) {
    for (int s = from; s < u; s++) {
      double a1 = prev[p0 + 2 + s];
      double a2 = prev[p0 + 1 + s];
      double a3 = skip[s] ? prev[p0 + s] : Double.NEGATIVE_INFINITY;
      double m = a1;
      if (a2 > m) {
        m = a2;
      }
      if (a3 > m) {
        m = a3;
      }
      if (m == Double.NEGATIVE_INFINITY) {
        m = 0;
      }
      cur[c0 + 2 + s] = Math.log(Math.exp(a1 - m) + Math.exp(a2 - m) + Math.exp(a3 - m)) + m + emit[e0 + s];
    }
  }

  /**
   * A CTC gradient row: {@code grad[row + k] = (exp(x) - exp(collected[k] + nll - x)) * upstream} with
   * {@code x = lp[row + k]}.
   */
  void ctcGradRow(double[] lp, int row, double[] collected, int c, double nll, double upstream, double[] grad) {
    ctcGradClasses(lp, row, collected, 0, c, nll, upstream, grad);
  }

  /** {@link #ctcGradRow} for the classes {@code [from, c)}, scalar. */
  static void ctcGradClasses(double[] lp, int row, double[] collected, int from, int c, double nll, double upstream,
      double[] grad) {
    for (int k = from; k < c; k++) {
      double x = lp[row + k];
      grad[row + k] = (Math.exp(x) - Math.exp(collected[k] + nll - x)) * upstream;
    }
  }

  /** {@code v[from + p] *= k[p]}. */
  void multiply(float[] v, int from, float[] k, int len) {
    for (int p = 0; p < len; p++) {
      v[from + p] *= k[p];
    }
  }
}
