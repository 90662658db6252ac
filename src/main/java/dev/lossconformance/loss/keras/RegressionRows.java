package dev.lossconformance.loss.keras;

import dev.lossconformance.loss.VectorApi;

/**
 * The row loops of {@link KerasRegression}'s fast path for {@code MeanAbsoluteError}, {@code Hinge},
 * {@code Poisson} and {@code KLDivergence} (each op in float32, as TF's kernels run it with FTZ/DAZ:
 * the inputs read flushed, and each result that can be subnormal flushed, exactly where the exact path
 * flushes it). {@link #best()} is the Vector API implementation ({@link VectorRegressionRows}) when
 * {@code jdk.incubator.vector} is in the boot layer, else this scalar one ({@link VectorApi#best}, as
 * {@link SoftmaxRows}).
 *
 * <p>A row's domain: no term NaN (a NaN or infinite input that reaches a term makes it NaN or, for
 * MAE and Hinge, +inf, which the exact path's IEEE ops give alike; clip maps KL's infinities into
 * [1e-7, 1]), and (Poisson) every term 0 or of magnitude in [{@link SoftmaxRows#TINY},
 * {@code Float.MAX_VALUE}]. Inside it no partial sum of the terms is subnormal: MAE's and Hinge's terms
 * are non-negative, KL's nonzero terms {@code t log(t/p)} with {@code t, t/p} in [1e-7, 1e7] exceed
 * 1e-15, and sums of floats that are multiples of 2^-123 (every float of magnitude at least 2^-100)
 * stay multiples of 2^-123, so are 0 or normal. So the sum is
 * {@link KerasReduction#eigenSum}'s without a flush, and the scalar rows give the exact path's bits. A
 * row outside it returns NaN (a NaN term), and the caller runs the exact path on it.
 */
class RegressionRows {
  /** The losses (Hinge with or without the {0,1} → {-1,1} label map). */
  enum Kind { MAE, HINGE, HINGE_BINARY, POISSON, KLD }

  private static final RegressionRows BEST =
      VectorApi.best(RegressionRows.class, "dev.lossconformance.loss.keras.VectorRegressionRows", RegressionRows::new);

  static RegressionRows best() {
    return BEST;
  }

  static RegressionRows scalar() {
    return new RegressionRows();
  }

  String name() {
    return "scalar";
  }

  static final float EPS = KerasReduction.EPSILON;

  /**
   * One row of {@code len} elements: the float32 y_true {@code t[ti, ti + len)} and y_pred
   * {@code p[pi, pi + len)} (read flushed), the gradient {@code up * d term / d p} into
   * {@code g[gi, gi + len)}, and the Eigen sum of the terms (scratch {@code terms}, {@code len} long)
   * returned; NaN when the row is outside the domain (its gradient then partly written).
   */
  float row(Kind kind, float[] t, int ti, float[] p, int pi, int len, float up, float[] g, int gi, float[] terms) {
    for (int k = 0; k < len; k++) {
      terms[k] = term(kind, t[ti + k], p[pi + k], up, g, gi + k);
    }
    return SoftmaxRows.laneSum(terms, len);
  }

  /** One element's term (NaN outside the domain), its gradient written to {@code g[at]}. */
  static float term(Kind kind, float yt, float yp, float up, float[] g, int at) {
    float y = SoftmaxRows.flush(yt);
    float p = SoftmaxRows.flush(yp);
    switch (kind) {
      case MAE: {
        float d = SoftmaxRows.flush(y - p);
        g[at] = -(up * (d > 0 ? 1f : d < 0 ? -1f : 0f)); // Abs's up * sign(d), Sub's negation
        return Math.abs(d);
      }
      case HINGE:
      case HINGE_BINARY: {
        float label = kind == Kind.HINGE_BINARY ? 2 * y - 1 : y; // exact for a flushed label 0 or 1
        float m = 1 - SoftmaxRows.flush(label * p); // 1 - x is never subnormal (floats near 1 are 2^-24 apart)
        g[at] = SoftmaxRows.flush(-(m >= 0 ? up : 0f) * label);
        return Math.max(m, 0f);
      }
      case POISSON: {
        float s = p + EPS; // never subnormal: within 2^-126 of -1e-7 a float is -1e-7
        float v = SoftmaxRows.flush(p - SoftmaxRows.flush(y * (float) Math.log(s)));
        g[at] = SoftmaxRows.flush(up + SoftmaxRows.flush(SoftmaxRows.flush(-up * y) * SoftmaxRows.flush(1 / s)));
        float a = Math.abs(v);
        return v == 0 || (a >= SoftmaxRows.TINY && a <= Float.MAX_VALUE) ? v : Float.NaN;
      }
      default: {
        float tc = clip(y);
        float pc = clip(p);
        float ratio = tc / pc; // in [1e-7, 1e7]
        g[at] = p >= EPS && p <= 1 // Minimum and Maximum pass y_pred inside the clip (ties pass)
            ? SoftmaxRows.flush(SoftmaxRows.flush(SoftmaxRows.flush(up * tc) * (1 / ratio)) * (-tc / pc / pc))
            : 0f;
        return tc * (float) Math.log(ratio);
      }
    }
  }

  /**
   * One fiber of {@code CosineSimilarity} over the last axis ({@link KerasRegression#cosineSimilarity}'s
   * ops, each in float32 and flushed where the exact path flushes, so the same bits, NaN and infinities
   * included): y_true {@code t[ti, ti + c)} and y_pred {@code p[pi, pi + c)} (read flushed), the
   * gradient at the reduction's float32 factor {@code factor} into {@code g[gi, gi + c)} ({@code packet}:
   * the fiber's SqrtGrad is evaluated in a packet), and the per-sample loss returned. {@code th} and
   * {@code w} are scratch rows of {@code c}, {@code packets} of {@code 4 * 8}.
   */
  float cosineRow(float[] t, int ti, float[] p, int pi, int c, float factor, boolean packet, float[] g, int gi,
      float[] th, float[] w, float[] packets) {
    cosineSquares(t, ti, p, pi, th, w, 0, c);
    float normP = SoftmaxRows.flush((float) Math.sqrt(cosineSum(w, c, packets)));
    float denP = maximum(normP);
    float denT = maximum(SoftmaxRows.flush((float) Math.sqrt(cosineSum(th, c, packets))));
    cosineProducts(t, ti, p, pi, denT, denP, th, w, 0, c);
    float loss = -cosineSum(w, c, packets);
    float gs = -SoftmaxRows.flush(factor);
    cosineGradients(p, pi, gs, denP, th, w, g, gi, 0, c);
    float gSq = sqrtGrad(normP, normP >= EPS ? cosineSum(w, c, packets) : 0f, packet);
    cosineAddN(p, pi, gSq, g, gi, 0, c);
    return loss;
  }

  /** Elements {@code [from, to)} of {@link #cosineRow}: the squares {@code p p} into {@code w}, {@code t t} into {@code th}. */
  static void cosineSquares(float[] t, int ti, float[] p, int pi, float[] th, float[] w, int from, int to) {
    for (int k = from; k < to; k++) {
      float v = SoftmaxRows.flush(p[pi + k]);
      w[k] = SoftmaxRows.flush(v * v);
      float y = SoftmaxRows.flush(t[ti + k]);
      th[k] = SoftmaxRows.flush(y * y);
    }
  }

  /** Elements {@code [from, to)}: {@code th = t / denT}, and the products {@code th * (p / denP)} into {@code w}. */
  static void cosineProducts(float[] t, int ti, float[] p, int pi, float denT, float denP, float[] th, float[] w,
      int from, int to) {
    for (int k = from; k < to; k++) {
      th[k] = SoftmaxRows.flush(SoftmaxRows.flush(t[ti + k]) / denT);
      w[k] = SoftmaxRows.flush(th[k] * SoftmaxRows.flush(SoftmaxRows.flush(p[pi + k]) / denP));
    }
  }

  /**
   * Elements {@code [from, to)}: Mul's {@code gph = th * gs}, RealDiv's {@code gph / denP} into {@code g}
   * and {@code gph * ((-p / denP) / denP)} into {@code w}.
   */
  static void cosineGradients(float[] p, int pi, float gs, float denP, float[] th, float[] w, float[] g, int gi,
      int from, int to) {
    for (int k = from; k < to; k++) {
      float v = SoftmaxRows.flush(p[pi + k]);
      float gph = SoftmaxRows.flush(th[k] * gs);
      g[gi + k] = SoftmaxRows.flush(gph / denP);
      w[k] = SoftmaxRows.flush(gph * SoftmaxRows.flush(SoftmaxRows.flush(-v / denP) / denP));
    }
  }

  /** Elements {@code [from, to)}: AddN's {@code (g + gSq p) + gSq p}. */
  static void cosineAddN(float[] p, int pi, float gSq, float[] g, int gi, int from, int to) {
    for (int k = from; k < to; k++) {
      float a = SoftmaxRows.flush(gSq * SoftmaxRows.flush(p[pi + k]));
      g[gi + k] = SoftmaxRows.flush(SoftmaxRows.flush(g[gi + k] + a) + a);
    }
  }

  /** TF's Maximum with 1e-7, which propagates NaN (as {@code Math.max}). */
  static float maximum(float norm) {
    return Math.max(norm, EPS);
  }

  /** {@code SqrtGrad(y, dy)} as {@link KerasRegression}'s cosineSqrtGrad. */
  static float sqrtGrad(float y, float dy, boolean packet) {
    if (dy == 0) {
      return 0f;
    }
    return packet ? SoftmaxRows.flush(SoftmaxRows.flush(0.5f / y) * dy) : SoftmaxRows.flush(SoftmaxRows.flush(0.5f * dy) / y);
  }

  /**
   * TF's float32 Sum over the innermost axis of {@code v[0, n)}, every addition flushed: Eigen's
   * {@code InnerMostDimReducer} as KerasRegression's cosineSum (four 8-lane accumulators over blocks
   * of 4 packets, one over the remaining packets, the tail from 0, then {@code tail + predux}).
   */
  float cosineSum(float[] v, int n, float[] packets) {
    int w = KerasReduction.PACKET;
    java.util.Arrays.fill(packets, 0f);
    int start = 0;
    if (n >= 4 * w) {
      int size4 = n / (4 * w) * (4 * w);
      for (int j = 0; j < size4; j += 4 * w) {
        for (int l = 0; l < 4 * w; l++) {
          packets[l] = SoftmaxRows.flush(packets[l] + v[j + l]);
        }
      }
      for (int a = 1; a < 4; a++) {
        for (int l = 0; l < w; l++) {
          packets[l] = SoftmaxRows.flush(packets[l] + packets[a * w + l]);
        }
      }
      start = size4;
    }
    int size = n / w * w;
    for (int j = start; j < size; j += w) {
      for (int l = 0; l < w; l++) {
        packets[l] = SoftmaxRows.flush(packets[l] + v[j + l]);
      }
    }
    float acc = 0;
    for (int j = Math.max(start, size); j < n; j++) {
      acc = SoftmaxRows.flush(acc + v[j]);
    }
    return SoftmaxRows.flush(acc + SoftmaxRows.halve(packets));
  }

  /** Keras' {@code clip(v, 1e-7, 1)}: Minimum then Maximum. */
  static float clip(float v) {
    return Math.max(Math.min(v, 1f), EPS);
  }
}
