package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.VectorApi;
import dev.lossconformance.loss.Accumulator;

/**
 * The per-fiber loops of {@link FastClassLoss} (cross-entropy in float64, with label smoothing, with
 * probability targets), on one fiber of {@code c} classes held contiguously in a double array at an
 * offset (the float64 input itself for (N, C) rows; a scratch copy for float32 or a K-dim fiber). They
 * compute what {@link ClassLoss}'s generic path computes, with the same roundings: {@code f32} rounds
 * the log-probabilities, their exponentials and the products to float32 where aten materialises them in
 * a float32 tensor, as {@code Precision.round} does there.
 *
 * <p>{@link #best()} is {@link VectorClassRows} (double lanes of the Vector API) when the
 * {@code jdk.incubator.vector} module is in the boot layer, else this scalar one, selected as
 * {@link Exp#best()} selects its implementation.
 */
class ClassRows {
  private static final ClassRows BEST = load();

  static ClassRows best() {
    return BEST;
  }

  /** The scalar implementation, whatever the module. */
  static ClassRows scalar() {
    return new ClassRows();
  }

  private static ClassRows load() {
    return VectorApi.best(ClassRows.class, "dev.lossconformance.loss.torch.VectorClassRows", ClassRows::new);
  }

  String name() {
    return "scalar";
  }

  static double round(boolean f32, double v) {
    return f32 ? (float) v : v;
  }

  /**
   * Whether this implementation has the float-lane row loops below ({@link FastClassLoss}'s float32
   * (N, C) rows of {@code c} classes under label smoothing and with probability targets): only
   * {@link VectorClassRows}, for rows of at least one float vector. The scalar implementation keeps the
   * double loops above for those rows.
   */
  boolean floatRows(int c) {
    return false;
  }

  /**
   * The maximum and the minimum of the float row {@code x[o, o + c)} into {@code mm[0]} and {@code mm[1]}
   * (NaN in {@code mm[0]} if any element is NaN).
   */
  void maxMin(float[] x, int o, int c, float[] mm) {
    throw new UnsupportedOperationException(name());
  }

  /**
   * {@code sum exp(x - m)} over a float row, each exponential in float32 ({@code lanes}: scratch of at
   * least 64 floats).
   */
  double sumExp(float[] x, int o, int c, float m, float[] lanes) {
    throw new UnsupportedOperationException(name());
  }

  /**
   * {@link #sumLogProbs} on a float row with log-probabilities {@code lp_k = (x_k - m) - ls} in float32
   * ({@code ls} the float32 log-sum): {@code sum_k round(lp_k w_k)} ({@code w} all ones without a
   * weight: the same bits as {@code sum_k lp_k}).
   */
  double sumLogProbs(float[] x, int o, int c, float m, float ls, float[] w, float[] lanes) {
    throw new UnsupportedOperationException(name());
  }

  /**
   * {@link #probabilityRow} on a float row ({@code lp_k} as in {@link #sumLogProbs(float[], int, int,
   * float, float, float[], float[])}, targets {@code t[o, o + c)}, smoothed to {@code round(round(t keep)
   * + add)} when {@code smoothTarget}): {@code sums[0] = sum_k round(round(lp_k t_k) w_k)} ({@code w} all
   * ones without a weight: the same bits), and with {@code gl} given {@code gl[o + k] = round(gw_k t_k)}
   * and {@code sums[1]} their sum.
   */
  void probabilityRow(float[] x, int o, float[] t, int c, float m, float ls, float[] w, float[] gw,
      boolean smoothTarget, float keep, float add, float[] gl, double[] sums, float[] lanes) {
    throw new UnsupportedOperationException(name());
  }

  /**
   * log_softmax's backward on a float row: {@code out[o + k] = gl[go + k] - p_k (sh + sl)} with
   * {@code p_k = exp(lp_k)} in float32 ({@code lp_k} as in {@link #sumLogProbs(float[], int, int, float,
   * float, float[])}) and the product subtracted by two FMAs ({@code sh + sl} is the double sum split
   * in two floats). {@code out} may be {@code gl} at the same offset.
   */
  void backward(float[] x, int o, int c, float m, float ls, float[] gl, int go, float sh, float sl, float[] out) {
    throw new UnsupportedOperationException(name());
  }

  /** The maximum of {@code x[o, o + c)}; NaN if any element is NaN (as {@code Math.max}). */
  double max(double[] x, int o, int c) {
    double m = Double.NEGATIVE_INFINITY;
    for (int k = o; k < o + c; k++) {
      m = Math.max(m, x[k]);
    }
    return m;
  }

  /**
   * {@code sum exp(x - m)} over the fiber, compensated (as the generic path's), storing each
   * {@code exp(x_k - m)} at {@code e[eo + k]} when {@code e} is given.
   */
  double sumExp(double[] x, int o, int c, double m, double[] e, int eo) {
    Accumulator s = new Accumulator();
    for (int k = 0; k < c; k++) {
      double v = Math.exp(x[o + k] - m);
      if (e != null) {
        e[eo + k] = v;
      }
      s.add(v);
    }
    return s.value();
  }

  /** {@code max} of a contiguous float32 fiber, copying it to {@code xs[0, c)} in double. */
  double loadMax(float[] x, int o, int c, double[] xs) {
    double m = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < c; k++) {
      double v = x[o + k];
      xs[k] = v;
      m = Math.max(m, v);
    }
    return m;
  }

  /**
   * The smoothing term's sum before its negation: {@code sum_k lp_k}, or {@code sum_k round(lp_k w_k)}
   * with a weight, where {@code lp_k = round((x_k - m) - logS)} (log_softmax's output in the dtype);
   * compensated (the generic path's {@link Accumulator}).
   */
  double sumLogProbs(double[] x, int o, int c, double m, double logS, double[] w, boolean f32) {
    Accumulator acc = new Accumulator();
    for (int k = 0; k < c; k++) {
      double lp = round(f32, (x[o + k] - m) - logS);
      acc.add(w == null ? lp : round(f32, lp * w[k]));
    }
    return acc.value();
  }

  /**
   * A probability-target fiber (the loss's dtype is the input's): returns {@code sum_k round(lp_k t_k)}
   * (times {@code w_k}, rounded, with a weight), compensated, and when {@code gl} is given writes
   * {@code gl[go + k] = round(gw_k t_k)} ({@code gw_k} is {@code gw[k]}, or {@code a} without a weight)
   * and stores their compensated sum in {@code glSum[0]}.
   */
  double probabilityRow(double[] x, int o, double[] t, int c, double m, double logS, double[] w, double[] gw,
      double a, boolean f32, double[] gl, int go, double[] glSum) {
    Accumulator acc = new Accumulator();
    Accumulator gs = new Accumulator();
    for (int k = 0; k < c; k++) {
      double lp = round(f32, (x[o + k] - m) - logS);
      double p = round(f32, lp * t[k]);
      acc.add(w == null ? p : round(f32, p * w[k]));
      if (gl != null) {
        double g = round(f32, (gw == null ? a : gw[k]) * t[k]);
        gl[go + k] = g;
        gs.add(g);
      }
    }
    if (gl != null) {
      glSum[0] = gs.value();
    }
    return acc.value();
  }

  /**
   * log_softmax's backward over the fiber: {@code out[oo + k] = g_k - p_k * sum} with {@code g_k =
   * gl[go + k]} ({@code g0} when {@code gl} is null) and {@code p_k = round(exp(lp_k))}, the exp of
   * log_softmax's output {@code lp_k = round((x_k - m) - logS)} materialised in the dtype, as aten's
   * log_softmax_backward_data takes it. The exponential is not taken again: with {@code e_k = exp(x_k - m)}
   * (stored by {@link #sumExp} at {@code e[eo + k]}) and {@code invS = 1 / s}, {@code exp(lp_k) = e_k invS
   * exp(d_k)} where {@code d_k = lp_k - ((x_k - m) - logS)} is lp's rounding to float32 (0 in float64),
   * below 2^-17 in magnitude, so {@code exp(d_k) = 1 + d_k} to double rounding; where {@code lp_k} is
   * infinite (a -inf logit, or one whose lp overflows float32) {@code d_k} is taken as 0, and
   * {@code e_k} is 0 there, as {@code exp(lp_k)} is. {@code out} may be
   * {@code e} at the same offset. With {@code smooth}, returns the smoothing term's sum, as
   * {@link #sumLogProbs} (weights {@code w}), from the same log-probabilities; else 0.
   */
  static double correction(double d) {
    return Double.isFinite(d) ? d : 0;
  }

  double backward(double[] x, int o, int c, double m, double logS, double invS, double[] e, int eo, double[] gl,
      int go, double g0, double sum, boolean f32, double[] out, int oo, boolean smooth, double[] w) {
    Accumulator acc = smooth ? new Accumulator() : null;
    for (int k = 0; k < c; k++) {
      double lp = (x[o + k] - m) - logS;
      double lpr = round(f32, lp);
      if (smooth) {
        acc.add(w == null ? lpr : round(f32, lpr * w[k]));
      }
      double p = round(f32, e[eo + k] * invS * (1 + correction(lpr - lp)));
      out[oo + k] = (gl == null ? g0 : gl[go + k]) - p * sum;
    }
    return smooth ? acc.value() : 0;
  }
}
