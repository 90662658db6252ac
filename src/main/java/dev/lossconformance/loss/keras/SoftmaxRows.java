package dev.lossconformance.loss.keras;

import dev.lossconformance.loss.VectorApi;
import dev.lossconformance.loss.Parallel;

/**
 * The row loops of the fused float32 softmax cross-entropy that Keras' {@code SparseCategoricalCrossentropy}
 * runs on TF's {@code SparseSoftmaxCrossEntropyWithLogits} kernel (sparse_xent_op.h), over rows of
 * ordinary logits (see {@link #max}). {@link #best()} is the Vector API implementation
 * ({@link VectorSoftmaxRows}) when {@code jdk.incubator.vector} is in the boot layer, else this scalar
 * one, selected once as {@code loss/torch/Exp.best()} does; the vector class is loaded by reflection
 * only when the module is present. Also the engine of the {@code tf.nn} kernels' fast rows
 * ({@link SoftmaxXent}): the same kernels, with the sums in {@code TfNn}'s orders
 * ({@link #leftSum}, {@link #sum4}).
 */
class SoftmaxRows {
  private static final SoftmaxRows BEST = load();

  /** The vectorised implementation if the incubator module is present, else the scalar one. */
  public static SoftmaxRows best() {
    return BEST;
  }

  /** The scalar implementation, whatever the module. */
  public static SoftmaxRows scalar() {
    return new SoftmaxRows();
  }

  private static SoftmaxRows load() {
    return VectorApi.best(SoftmaxRows.class, "dev.lossconformance.loss.keras.VectorSoftmaxRows", SoftmaxRows::new);
  }

  /** A chunk's rows {@code [from, to)}: false when one of them is outside the fast domain. */
  public interface Rows {
    boolean run(int from, int to);
  }

  /**
   * Runs {@code body} over the rows {@code [0, rows)} of {@code elements} elements in {@code chunkCount}
   * chunks ({@code -1}: {@link Parallel#chunks}'s) on {@link Parallel}'s workers: true when every chunk
   * returned true (the fast rows' callers hand the whole call to the exact path otherwise).
   */
  public static boolean inChunks(int rows, long elements, int chunkCount, Rows body) {
    int chunks = chunkCount > 0 ? Math.min(chunkCount, Math.max(rows, 1)) : Parallel.chunks(elements, rows);
    boolean[] ok = new boolean[chunks];
    Runnable[] work = new Runnable[chunks];
    for (int k = 0; k < chunks; k++) {
      int chunk = k;
      int from = Parallel.from(rows, chunks, k);
      int to = Parallel.from(rows, chunks, k + 1);
      work[k] = () -> ok[chunk] = body.run(from, to);
    }
    Parallel.run(work);
    for (boolean b : ok) {
      if (!b) {
        return false;
      }
    }
    return true;
  }

  /** Which implementation this is, for benchmarks and reports. */
  public String name() {
    return "scalar";
  }

  /**
   * The smallest magnitude of a nonzero logit in the ordinary domain, 2^-100: the difference of two such
   * floats is 0 or at least 2^-123, a normal float, so {@code x - max} is never a subnormal that TF's
   * flush-to-zero would change.
   */
  static final float TINY = 0x1p-100f;

  /**
   * The maximum of {@code x[from, from + len)}, or NaN when the row is not ordinary: a NaN or infinite
   * logit, or a nonzero one of magnitude below {@link #TINY}. (Such a row goes, with the whole call,
   * to the exact path.)
   */
  public float max(float[] x, int from, int len) {
    float m = Float.NEGATIVE_INFINITY;
    boolean ok = true;
    for (int i = from; i < from + len; i++) {
      float v = x[i];
      float a = Math.abs(v);
      ok &= a <= Float.MAX_VALUE && (a >= TINY || a == 0);
      m = Math.max(m, v);
    }
    return ok ? m : Float.NaN;
  }

  /**
   * {@code e = exp(x - m)} into {@code e[0, len)} (a subnormal result flushed to 0, as TF's FTZ), and
   * their float32 sum in Eigen's order ({@link KerasReduction#eigenSum}: whole packets of 8 lanes, the
   * remainder from the left, then {@code remainder + predux(lanes)}). Every partial sum of these
   * non-negative normal-or-zero terms is normal or zero, so no addition needs a flush.
   */
  public float expSum(float[] x, int from, int len, float m, float[] e) {
    return expSumWide(x, from, len, m, e);
  }

  /**
   * {@link #expSum} with each exponential the float32 rounding of a float64 {@code exp}: the scalar's
   * {@code (float) Math.exp} here; the vector rows' {@code VectorMath.exp} in double lanes, whose float32
   * rounding differs from the scalar's only where the two doubles straddle a float32 rounding point (an
   * element in about 10^8; none in KerasFastPathTest's inputs). For the probabilities' rows, whose
   * gradient (through Log's {@code 1 / clip(p)}) would magnify the float lanes' ulp.
   */
  public float expSumWide(float[] x, int from, int len, float m, float[] e) {
    expsWide(x, from, len, m, e);
    return laneSum(e, len);
  }

  /**
   * The exponentials of {@link #expSumWide} alone (float64 ones rounded to float32, flushed): for
   * {@code TfNn}'s dense kernel, whose gradient {@code e / s - y} cancels where a soft label is near
   * {@code e / s}, so that the float lanes' ulp became 64 ulps of it (the sweep, seed 2).
   */
  public void expsWide(float[] x, int from, int len, float m, float[] e) {
    for (int k = 0; k < len; k++) {
      e[k] = flushExp((float) Math.exp(x[from + k] - m));
    }
  }

  /** {@link KerasReduction#eigenSum} of the float32 {@code e[0, len)}, with float lanes. */
  static float laneSum(float[] e, int len) {
    int p = KerasReduction.PACKET;
    int vectorized = len / p * p;
    float accum = 0;
    for (int j = vectorized; j < len; j++) {
      accum += e[j];
    }
    if (vectorized == 0) {
      return accum;
    }
    float l0 = 0;
    float l1 = 0;
    float l2 = 0;
    float l3 = 0;
    float l4 = 0;
    float l5 = 0;
    float l6 = 0;
    float l7 = 0;
    for (int j = 0; j < vectorized; j += p) {
      l0 += e[j];
      l1 += e[j + 1];
      l2 += e[j + 2];
      l3 += e[j + 3];
      l4 += e[j + 4];
      l5 += e[j + 5];
      l6 += e[j + 6];
      l7 += e[j + 7];
    }
    return accum + (((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)));
  }

  /**
   * {@code e = exp(x - m)} into {@code e[0, len)}, flushed, as {@link #expSum} computes them (the vector
   * rows' exponentials), without the sum: for the sums in {@code TfNn}'s orders.
   */
  public void exps(float[] x, int from, int len, float m, float[] e) {
    for (int k = 0; k < len; k++) {
      e[k] = flushExp((float) Math.exp(x[from + k] - m));
    }
  }

  /**
   * The float32 sum of {@code v[0, len)} from the left, every addition flushed: {@code TfNn.leftSum}, the
   * order of the dense kernel's sums. (Serial in both implementations.)
   */
  public static float leftSum(float[] v, int len) {
    float s = 0;
    for (int j = 0; j < len; j++) {
      s = flush(s + v[j]);
    }
    return s;
  }

  /**
   * {@link #leftSum} of each of {@code v[0, rows)}'s first {@code len} elements, all non-negative and
   * normal or zero (so every partial sum is too, and no addition needs a flush), into
   * {@code out[0, rows)}: four rows at a time, their four serial chains of additions interleaved (the
   * same additions).
   */
  public static void leftSums(float[][] v, int rows, int len, float[] out) {
    int r = 0;
    for (; r + 4 <= rows; r += 4) {
      float[] v0 = v[r];
      float[] v1 = v[r + 1];
      float[] v2 = v[r + 2];
      float[] v3 = v[r + 3];
      float s0 = 0;
      float s1 = 0;
      float s2 = 0;
      float s3 = 0;
      for (int j = 0; j < len; j++) {
        s0 += v0[j];
        s1 += v1[j];
        s2 += v2[j];
        s3 += v3[j];
      }
      out[r] = s0;
      out[r + 1] = s1;
      out[r + 2] = s2;
      out[r + 3] = s3;
    }
    for (; r < rows; r++) {
      float s = 0;
      for (int j = 0; j < len; j++) {
        s += v[r][j];
      }
      out[r] = s;
    }
  }

  /**
   * The float32 sum of the non-negative normal-or-zero {@code e[0, len)} in {@code TfNn.laneSum}'s order
   * (Eigen's inner-most reducer: four 8-lane packet accumulators over blocks of 32 when {@code len >= 32},
   * folded {@code ((a0 + a1) + a2) + a3}, the remaining whole packets into it, the tail from the left,
   * then {@code tail + predux}); every partial sum is normal or zero, so none needs a flush.
   */
  public float sum4(float[] e, int len) {
    int p = KerasReduction.PACKET;
    int start = 0;
    float[] acc = new float[p];
    if (len >= 4 * p) {
      float[] a1 = new float[p];
      float[] a2 = new float[p];
      float[] a3 = new float[p];
      start = len / (4 * p) * (4 * p);
      for (int j = 0; j < start; j += 4 * p) {
        for (int l = 0; l < p; l++) {
          acc[l] += e[j + l];
          a1[l] += e[j + p + l];
          a2[l] += e[j + 2 * p + l];
          a3[l] += e[j + 3 * p + l];
        }
      }
      for (int l = 0; l < p; l++) {
        acc[l] = ((acc[l] + a1[l]) + a2[l]) + a3[l];
      }
    }
    int vec = len / p * p;
    for (int j = start; j < vec; j += p) {
      for (int l = 0; l < p; l++) {
        acc[l] += e[j + l];
      }
    }
    float tail = 0;
    for (int j = Math.max(start, vec); j < len; j++) {
      tail += e[j];
    }
    return vec == 0 ? tail : tail + predux(acc);
  }

  /** Eigen's predux of 8 float lanes (no flush: for sums of non-negative normal-or-zero terms). */
  static float predux(float[] a) {
    return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
  }

  /** A non-negative float32 result (an exponential, a quotient of them) as TF's FTZ leaves it: a subnormal is 0. */
  public static float flushExp(float e) {
    return e < Float.MIN_NORMAL ? 0f : e;
  }

  /** A float32 product as TF's FTZ leaves it: a subnormal is a zero of its sign. */
  public static float flush(float v) {
    return Math.abs(v) < Float.MIN_NORMAL ? Math.copySign(0f, v) : v;
  }

  /**
   * The row's gradient from its exponentials {@code e[0, len)} and their sum: TF's backprop
   * {@code e / sum - onehot(y)} times the reduction's upstream {@code up}, each op rounded to float32, the
   * quotient and the product flushed ({@code q - 1} of a normal {@code q <= 1} is 0 or normal), into
   * {@code g[to, to + len)}.
   */
  public void gradRow(float[] e, int len, float sum, float up, int y, float[] g, int to) {
    for (int k = 0; k < len; k++) {
      g[to + k] = flush(up * flushExp(e[k] / sum));
    }
    g[to + y] = flush(up * (flushExp(e[y] / sum) - 1));
  }

  /** {@link #gradRow} into a float64 gradient (Keras' float32 result in y_pred's dtype). */
  void gradRow(float[] e, int len, float sum, float up, int y, double[] g, int to) {
    for (int k = 0; k < len; k++) {
      g[to + k] = flush(up * flushExp(e[k] / sum));
    }
    g[to + y] = flush(up * (flushExp(e[y] / sum) - 1));
  }

  /**
   * The float32 {@code y[from, from + len)} as a TF kernel reads them (DAZ: a subnormal is a zero of its
   * sign) into {@code out[0, len)}; true when all of them are {@code >= 0} (none negative or NaN).
   */
  public boolean labels(float[] y, int from, int len, float[] out) {
    boolean ok = true;
    for (int k = 0; k < len; k++) {
      float v = flush(y[from + k]);
      out[k] = v;
      ok &= v >= 0;
    }
    return ok;
  }

  /** {@link #labels(float[], int, int, float[])} of float64 labels, first cast to float32 (nn_ops.py's Cast). */
  public boolean labels(double[] y, int from, int len, float[] out) {
    narrow(y, from, len, out);
    return nonNegative(out, len);
  }

  /** Whether all of {@code v[0, len)} are {@code >= 0} (none negative or NaN). */
  boolean nonNegative(float[] v, int len) {
    boolean ok = true;
    for (int k = 0; k < len; k++) {
      ok &= v[k] >= 0;
    }
    return ok;
  }

  /**
   * Keras' cast of the float64 {@code x[from, from + len)} to float32 into {@code out[0, len)}, as TF's
   * kernels read it (DAZ: a subnormal float32 is a zero of its sign).
   */
  public void narrow(double[] x, int from, int len, float[] out) {
    narrow(x, from, len, out, 0);
  }

  /** {@link #narrow} into {@code out[at, at + len)}. */
  final void narrow(double[] x, int from, int len, float[] out, int at) {
    for (int k = 0; k < len; k++) {
      out[at + k] = flush((float) x[from + k]);
    }
  }

  /**
   * The soft-label part of a {@code SoftmaxCrossEntropyWithLogits} row (xent_op.h, what Keras'
   * {@code CategoricalCrossentropy(from_logits=True)} runs) from its exponentials {@code e} (of
   * {@link #expSum}) and {@code logSum = log s}: the terms {@code y (logSum - (x - m))} into
   * {@code t}, each flushed, summed as {@link KerasReduction#eigenSum} (every addition flushed), which
   * is returned; and the backprop {@code e / s - y} (the quotient and the difference flushed) written
   * over {@code e}. {@code y[0, len)} are the float32 labels.
   */
  float softRow(float[] x, int from, int len, float m, float logSum, float s, float[] y, float[] e, float[] t) {
    return softRow(x, from, len, m, logSum, s, y, e, t, false);
  }

  /**
   * {@link #softRow(float[], int, int, float, float, float, float[], float[], float[])}, or with
   * {@code termsOnly} its terms left in {@code t} unsummed (0 returned), for {@code TfNn}'s dense kernel,
   * which sums them from the left ({@link #leftSums}).
   */
  public float softRow(float[] x, int from, int len, float m, float logSum, float s, float[] y, float[] e, float[] t,
      boolean termsOnly) {
    for (int k = 0; k < len; k++) {
      t[k] = flush(y[k] * (logSum - (x[from + k] - m)));
      e[k] = flush(flushExp(e[k] / s) - y[k]);
    }
    return termsOnly ? 0 : flushedSum(t, len);
  }

  /** {@link KerasReduction#eigenSum} of the float32 {@code v[0, len)}, every addition flushed. */
  static float flushedSum(float[] v, int len) {
    int p = KerasReduction.PACKET;
    int vectorized = len / p * p;
    float accum = 0;
    for (int j = vectorized; j < len; j++) {
      accum = flush(accum + v[j]);
    }
    if (vectorized == 0) {
      return accum;
    }
    float[] lanes = new float[p];
    for (int j = 0; j < vectorized; j += p) {
      for (int l = 0; l < p; l++) {
        lanes[l] = flush(lanes[l] + v[j + l]);
      }
    }
    return flush(accum + halve(lanes));
  }

  /** Eigen's predux of 8 lanes, every addition flushed: the upper half onto the lower until one is left. */
  static float halve(float[] lanes) {
    for (int width = KerasReduction.PACKET / 2; width >= 1; width /= 2) {
      for (int l = 0; l < width; l++) {
        lanes[l] = flush(lanes[l] + lanes[l + width]);
      }
    }
    return lanes[0];
  }

  /**
   * nn.py's {@code log(clip_by_value(p, 1e-7, 1 - 1e-7))} of {@code p[from, from + len)} in float32 into
   * {@code z[0, len)} (a NaN stays NaN; the log of the clipped value is always normal): the float32
   * rounding of a float64 log, the scalar's {@code (float) Math.log}, the vector rows'
   * {@code VectorMath.log} in double lanes (within an ulp of {@code Math.log} in float64, so its float32
   * rounding differs only where the two straddle a float32 rounding point: an element in about 10^8).
   * (A float32 log within an ulp would not do: an ulp of {@code z}, up to 16 in magnitude, moves the
   * gradient by up to 5 float32 ulps, beyond the gate's 4, as measured in KerasFastPathTest.)
   */
  void logClip(float[] p, int from, int len, float[] z) {
    logClip(p, from, len, z, 0);
  }

  /** {@link #logClip} into {@code z[at, at + len)}. */
  final void logClip(float[] p, int from, int len, float[] z, int at) {
    for (int k = 0; k < len; k++) {
      z[at + k] = (float) Math.log(clip(p[from + k]));
    }
  }

  /**
   * {@code log(clip(q))} in float64 of {@code q[0, len)} into {@code out[0, len)} (CategoricalCrossentropy's
   * probabilities, {@link SparseCategoricalCrossentropy#clip}): {@code Math.log} here, the vector rows'
   * {@code VectorMath.log} (within an ulp of it) in double lanes.
   */
  void logClipWide(double[] q, int len, double[] out) {
    for (int k = 0; k < len; k++) {
      out[k] = Math.log(SparseCategoricalCrossentropy.clip(q[k]));
    }
  }

  /** clip_by_value's Minimum then Maximum in float32 (NaN stays NaN). */
  static float clip(float p) {
    return Math.max(Math.min(p, SparseCategoricalCrossentropy.ONE_MINUS_EPSILON), KerasReduction.EPSILON);
  }

  /**
   * The gradient {@code g[to, to + len)} of the log's input taken to the probabilities {@code p[from, ...)}:
   * Log's {@code g * (1 / clip(p))} (each op rounded, the product flushed) where clip_by_value's
   * Minimum and Maximum pass it ({@code 1e-7 <= p <= 1 - 1e-7}, ties passing), else 0.
   */
  static void clipGrad(float[] p, int from, int len, float[] g, int to) {
    for (int k = 0; k < len; k++) {
      float v = p[from + k];
      g[to + k] = SparseCategoricalCrossentropy.inside(v) ? flush(g[to + k] * (1 / clip(v))) : 0f;
    }
  }

  /** {@link #clipGrad(float[], int, int, float[], int)}, on vectors in the vector rows (the same ops). */
  void clipGradRow(float[] p, int from, int len, float[] g, int to) {
    clipGrad(p, from, len, g, to);
  }

  /** {@link #clipGrad(float[], int, int, float[], int)} of a float64 gradient holding float32 values. */
  static void clipGrad(float[] p, int from, int len, double[] g, int to) {
    for (int k = 0; k < len; k++) {
      float v = p[from + k];
      g[to + k] = SparseCategoricalCrossentropy.inside(v) ? flush((float) g[to + k] * (1 / clip(v))) : 0f;
    }
  }
}
