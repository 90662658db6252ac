package dev.lossconformance.loss.torch;

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
    if (Boolean.getBoolean("lossconformance.scalar")
        || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return new Exp();
    }
    try {
      return (Exp) Class.forName("dev.lossconformance.loss.torch.VectorExp").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return new Exp();
    }
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
    for (int p = 0; p < len; p++) {
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

  /**
   * {@link #addExp} for every class {@code k < c} of a tile: {@code x}'s rows at {@code base + k * inner},
   * the exponentials stored at the same places of {@code out} when given.
   */
  void addExpClasses(float[] s, float[] comp, float[] x, int base, int inner, int c, float[] m, int len, float[] out) {
    for (int k = 0; k < c; k++) {
      addExp(s, comp, x, base + k * inner, m, len, out);
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
        float sig = xi >= 0 ? 1 / (1 + e) : e / (1 + e);
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
          java.util.Arrays.fill(grad, base, base + c, 0f);
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

  /** {@code v[from + p] *= k[p]}. */
  void multiply(float[] v, int from, float[] k, int len) {
    for (int p = 0; p < len; p++) {
      v[from + p] *= k[p];
    }
  }
}
