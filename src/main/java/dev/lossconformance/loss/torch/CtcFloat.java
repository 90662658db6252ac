package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.VectorApi;

/**
 * The float32 loops of {@link CtcLoss} (and float64's collected log-sums on the vector path,
 * {@link #collectBlock64}): aten's CPU kernel runs ctc_loss in {@code scalar_t}
 * ({@code aten/src/ATen/native/LossCTC.cpp}, {@code ctc_loss_cpu_template} and
 * {@code ctc_loss_backward_cpu_template}), so every op of the lattice step, of the log-add of the
 * collected {@code alpha + beta} and of the gradient is a float op, each rounded, with glibc's
 * {@code expf} and {@code logf}. Values are held in double arrays, each a float.
 *
 * <p>This scalar implementation computes {@code expf(x)} and {@code logf(x)} as the double
 * {@code Math.exp} and {@code Math.log} rounded to float (correctly rounded but for double-rounding
 * coincidences). {@link #best()} is {@link VectorCtcFloat} when {@code jdk.incubator.vector} is in the
 * boot layer: the same float ops per lane, each computed in double lanes and rounded to float (one
 * IEEE op in double rounded to float is the float op), with SVML's double EXP and LOG rounded to float:
 * so it gives the same bits as this class except where a double exp or log within an ulp of its value
 * lies within that ulp of a float rounding boundary (about 2^-28 of the calls).
 */
class CtcFloat {
  private static final CtcFloat BEST = load();

  /** The vectorised implementation if the incubator module is present, else the scalar one. */
  static CtcFloat best() {
    return BEST;
  }

  /** The scalar implementation, whatever the module. */
  static CtcFloat scalar() {
    return new CtcFloat();
  }

  private static CtcFloat load() {
    return VectorApi.best(CtcFloat.class, "dev.lossconformance.loss.torch.VectorCtcFloat", CtcFloat::new);
  }

  /** Frames per block of {@link #collectBlock}: 1 here (the caller then runs frame by frame). */
  int lanes() {
    return 1;
  }

  /**
   * One lattice step over the states {@code s < u}: {@code cur[c0 + 2 + s] = (logf(expf(a1 - m) +
   * expf(a2 - m) + expf(a3 - m)) + m) + emit[e0 + s]} with {@code a1 = prev[p0 + 2 + s]}, {@code a2 =
   * prev[p0 + 1 + s]}, {@code a3 = prev[p0 + s]} where {@code skip[s]} (else -inf) and {@code m} their
   * max as aten's comparisons take it (0 when all are -inf), each op rounded to float.
   */
  void step(double[] prev, int p0, double[] cur, int c0, boolean[] skip, double[] emit, int e0, int u) {
    states(prev, p0, cur, c0, skip, emit, e0, 0, u);
  }

  /** {@link #step}'s states {@code [from, u)}, scalar. */
  static void states(double[] prev, int p0, double[] cur, int c0, boolean[] skip, double[] emit, int e0, int from,
      int u) {
    for (int s = from; s < u; s++) {
      float a1 = (float) prev[p0 + 2 + s];
      float a2 = (float) prev[p0 + 1 + s];
      float a3 = skip[s] ? (float) prev[p0 + s] : Float.NEGATIVE_INFINITY;
      float m = a1;
      if (a2 > m) {
        m = a2;
      }
      if (a3 > m) {
        m = a3;
      }
      if (m == Float.NEGATIVE_INFINITY) {
        m = 0;
      }
      float sum = fexp(a1 - m) + fexp(a2 - m) + fexp(a3 - m);
      cur[c0 + 2 + s] = (float) Math.log(sum) + m + (float) emit[e0 + s];
    }
  }

  /**
   * The collected log-sums of {@link #lanes()} frames at once (frames before the last one, whose seeds
   * are assignments): for {@code s} from {@code u - 1} down to 0, {@code coll[l'[s]] = lse(coll[l'[s]],
   * lab[s])} lane by lane, with {@code lab[s * lanes + f]} the frame's {@code alpha + beta} and
   * {@code coll[k * lanes + f]} starting at -inf (an assignment while it is -inf, as aten's log-add).
   */
  void collectBlock(double[] lab, int u, int[] labels, double[] coll) {
    for (int s = u - 1; s >= 0; s--) {
      int at = labels[s];
      coll[at] = logAdd((float) coll[at], (float) lab[s]);
    }
  }

  /**
   * {@link #collectBlock} for float64's vector path, with its log-add {@code log(1 + exp(other - max)) +
   * max} (the larger term is {@code exp(0) = 1} exactly) in double; in this scalar class as the vector
   * path's reference, with {@code Math}'s exp and log.
   */
  void collectBlock64(double[] lab, int u, int[] labels, double[] coll) {
    for (int s = u - 1; s >= 0; s--) {
      int at = labels[s];
      coll[at] = logAdd64(coll[at], lab[s]);
    }
  }

  /** float64's log-add of the collected sum {@code lcab} and a term {@code lab} (the vector path's, scalar). */
  static double logAdd64(double lcab, double lab) {
    if (lcab == Double.NEGATIVE_INFINITY) {
      return lab;
    }
    double max = Math.max(lcab, lab);
    double other = lcab == max ? lab : lcab;
    return Math.log(1.0 + Math.exp(other - max)) + max;
  }

  /** aten's float log-add of the collected sum {@code fc} and a term {@code fl}. */
  static float logAdd(float fc, float fl) {
    if (fc == Float.NEGATIVE_INFINITY) {
      return fl;
    }
    float max = Math.max(fc, fl);
    return (float) Math.log(fexp(fc - max) + fexp(fl - max)) + max;
  }

  /**
   * A gradient row: {@code grad[row + k] = (expf(x) - expf((collected[k] + nll) - x)) * upstream} with
   * {@code x = lp[row + k]}, each op rounded to float.
   */
  void gradRow(double[] lp, int row, double[] collected, int c, float nll, float upstream, double[] grad) {
    gradClasses(lp, row, collected, 0, c, nll, upstream, grad);
  }

  /** {@link #gradRow}'s classes {@code [from, c)}, scalar. */
  static void gradClasses(double[] lp, int row, double[] collected, int from, int c, float nll, float upstream,
      double[] grad) {
    for (int k = from; k < c; k++) {
      float x = (float) lp[row + k];
      grad[row + k] = (fexp(x) - fexp((float) collected[k] + nll - x)) * upstream;
    }
  }

  /** expf: the JDK's exp of the float, rounded to float. */
  static float fexp(float x) {
    return (float) Math.exp(x);
  }
}
