package dev.lossconformance.loss.tf;

import dev.lossconformance.loss.VectorMath;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SigmoidRows} on the Vector API (jdk.incubator.vector), loaded by reflection only when the module
 * is present: float32 in float lanes, float64 in double lanes, op for op the exact path's ops, each
 * rounded in the dtype. The float and double loops are twins only because the Vector API's species are
 * typed.
 *
 * <p>tf.nn loops: tiles of {@link SigmoidRows#TILE} elements at absolute multiples of it, so which
 * elements are vectorised depends only on their index (not on the chunking or the thread count). Domain
 * of a tile (else it is the exact element functions'): every logit or log input 0 or of magnitude in
 * [2^-40, 80] (float64: [2^-300, 700]), every label, target and pos_weight 0 or in [2^-40, 2^40]
 * ([2^-300, 2^300]), and for the full Poisson loss no negative target; there, no intermediate result is
 * subnormal (see {@code inside}), so only the products with {@code 1 + (q - 1) z} and the outputs are
 * flushed (TF's FTZ) and the inputs need no DAZ. The elements before the first and after the last whole
 * vector of a tile are the exact element functions'. The work of a tile runs in stages, each a method
 * passing arrays only (the exp, the log1p or logs, into a chunk's scratch; then the ops): one method
 * holding every op exceeds C2's inlining node budget, and a vector passed to a method that is not
 * inlined is boxed.
 *
 * <p>Keras' BinaryCrossentropy rows: whole 8-lane packets (Eigen's AVX packet) in float lanes, so a row's
 * sum has the exact path's order and rounding; the gradient, in double as the exact path computes it, in
 * double lanes; a row with a non-finite input is the exact element functions'.
 *
 * <p>Only three functions differ from the exact path's: exp is {@link VectorMath#exp} (within 1 ulp of
 * {@code Math.exp} in float, 2 in double), log and log1p are {@link VectorMath}'s (deterministic
 * polynomials, unlike the Vector API's SVML LOG/LOG1P, whose bits change when C2 compiles a loop).
 * Measured against the exact path on 300 x 1000 random inputs per case (SigmoidFastPathTest,
 * BinaryCrossentropyFastPathTest; an ulp taken at the larger of the value and the op term that carries
 * the approximate function, since a label can cancel that term): tf.nn losses at most 4 ulps (weighted,
 * through a 1-ulp flip of {@code lw (log1p(e) + relu)}), gradients at most 3; log_poisson 3 and 2;
 * Keras row losses at most 3 float32 ulps, from-logits gradients at most 4, probability gradients 0 (no
 * approximate function in them). Both tests bound the distance by 4.
 */
final class VectorSigmoidRows extends SigmoidRows {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final int LF = F.length();
  private static final int LD = D.length();
  /** Eigen's 8-lane float packet for the Keras rows, and the double halves of one. */
  private static final VectorSpecies<Float> P = FloatVector.SPECIES_256;
  private static final VectorSpecies<Double> H = DoubleVector.SPECIES_256;
  private static final VectorSpecies<Float> Q = FloatVector.SPECIES_128;

  @Override
  public String name() {
    return "vector(" + F + ")";
  }

  /**
   * Where a loop's whole vectors start: the first multiple of the lane count {@code lanes} at or after
   * {@code from} (at most {@code to}). The chunks start at multiples of 64 (SigmoidFast), so which
   * elements are in a vector depends only on their index, never on the chunking or the thread count.
   */
  private static int aligned(int from, int to, int lanes) {
    return Math.min(to, (from + lanes - 1) / lanes * lanes);
  }

  /** Each lane as TF's FTZ leaves it: a subnormal is a zero of its sign. */
  private static FloatVector flush(FloatVector v) {
    return v.blend(v.mul(0f), v.abs().compare(VectorOperators.LT, Float.MIN_NORMAL));
  }

  private static DoubleVector flush(DoubleVector v) {
    return v.blend(v.mul(0.0), v.abs().compare(VectorOperators.LT, Double.MIN_NORMAL));
  }

  // ---- tf.nn: each loop runs over tiles of TILE elements at absolute multiples of TILE (a chunk, starting
  // at one, never splits a tile); a tile with a non-finite input is the exact element functions'; else its
  // whole vectors go through stages, each its own method passing arrays only (one method holding every
  // op exceeds C2's node budget, and vectors passed between compiled methods are boxed): the exp into
  // the scratch, the log1p or logs into the scratch, then the combination of the ops into the outputs

  /** The tile pieces of {@code [from, to)}: {@code [t, min(to, next multiple of TILE))}. */
  private static int tileEnd(int t, int to) {
    return Math.min(to, (t / TILE + 1) * TILE);
  }

  /**
   * The tiles' domain: every {@code |v|} of {@code a[from, to)} 0 or in [{@code lo}, {@code hi}] (NaN is
   * outside). With logits in [2^-40, 80] (float32; 2^-300 and 700 in float64), labels, pos_weights and
   * log inputs in [2^-40, 2^40] (2^-300, 2^300), every product of two is 0 or at least 2^-80, every sum
   * or difference of such values 0 or at least 2^-103 (its ulp), {@code exp(-|x|)} and
   * {@code exp(-|x|) / (1 + exp(-|x|))} at least 1e-35: no op but the ones the loops flush (products
   * with {@code 1 + (q - 1) z}, the outputs) has a subnormal result that TF's FTZ would change, and
   * none overflows. A tile with a value outside is the exact element functions'.
   */
  private static boolean inside(float[] a, int from, int to, float lo, float hi) {
    for (int i = from; i < to; i += LF) {
      FloatVector v = FloatVector.fromArray(F, a, i).abs();
      if (!v.compare(VectorOperators.LE, hi).and(v.compare(VectorOperators.GE, lo).or(v.compare(VectorOperators.EQ, 0f)))
          .allTrue()) {
        return false;
      }
    }
    return true;
  }

  private static boolean inside(double[] a, int from, int to, double lo, double hi) {
    for (int i = from; i < to; i += LD) {
      DoubleVector v = DoubleVector.fromArray(D, a, i).abs();
      if (!v.compare(VectorOperators.LE, hi).and(v.compare(VectorOperators.GE, lo).or(v.compare(VectorOperators.EQ, 0)))
          .allTrue()) {
        return false;
      }
    }
    return true;
  }

  private static final float LO_F = 0x1p-40f;
  private static final float HI_F = 0x1p40f;
  private static final float X_HI_F = 80f;
  private static final double LO_D = 0x1p-300;
  private static final double HI_D = 0x1p300;
  private static final double X_HI_D = 700;

  private static boolean inside(float[] x, float[] z, int from, int to, float xHi) {
    return inside(x, from, to, LO_F, xHi) && inside(z, from, to, LO_F, HI_F);
  }

  private static boolean inside(double[] x, double[] z, int from, int to, double xHi) {
    return inside(x, from, to, LO_D, xHi) && inside(z, from, to, LO_D, HI_D);
  }

  /** {@code e[k] = flush(exp(sign * |flush(x)|))} for {@code x[from + k]}, {@code sign} -1 ({@code exp(-|x|)}) or 0 ({@code exp(x)}). */
  private static void exp(float[] x, int from, int to, boolean negAbs, float[] e) {
    for (int i = from; i < to; i += LF) {
      FloatVector v = FloatVector.fromArray(F, x, i);
      VectorMath.exp(negAbs ? v.abs().neg() : v).intoArray(e, i - from);
    }
  }

  private static void exp(double[] x, int from, int to, boolean negAbs, double[] e) {
    for (int i = from; i < to; i += LD) {
      DoubleVector v = DoubleVector.fromArray(D, x, i);
      VectorMath.exp(negAbs ? v.abs().neg() : v).intoArray(e, i - from);
    }
  }

  /** {@code e[TILE + k] = flush(log1p(e[k]))} for {@code k < len}. */
  private static void log1p(float[] e, int len) {
    for (int k = 0; k < len; k += LF) {
      VectorMath.log1p(FloatVector.fromArray(F, e, k)).intoArray(e, TILE + k);
    }
  }

  private static void log1p(double[] e, int len) {
    for (int k = 0; k < len; k += LD) {
      VectorMath.log1p(DoubleVector.fromArray(D, e, k)).intoArray(e, TILE + k);
    }
  }

  @Override
  void sigmoid(float[] z, float[] x, int from, int to, float[] loss, float[] g, Scratch s) {
    for (int t = from; t < to; t = tileEnd(t, to)) {
      int e1 = tileEnd(t, to);
      int start = aligned(t, e1, LF);
      int end = start + F.loopBound(e1 - start);
      if (!inside(x, z, start, end, X_HI_F)) {
        super.sigmoid(z, x, t, e1, loss, g, s);
        continue;
      }
      super.sigmoid(z, x, t, start, loss, g, s);
      exp(x, start, end, true, s.f);
      log1p(s.f, end - start);
      sigmoidOps(z, x, start, end, s.f, loss, g);
      super.sigmoid(z, x, end, e1, loss, g, s);
    }
  }

  /** The sigmoid cross-entropy's ops from {@code e = exp(-|x|)} and {@code log1p(e)} in the scratch (see {@link TfNn#sigmoidCrossEntropyGrad}). */
  private static void sigmoidOps(float[] z, float[] x, int from, int to, float[] e, float[] loss, float[] g) {
    FloatVector zero = FloatVector.zero(F);
    FloatVector one = FloatVector.broadcast(F, 1f);
    for (int i = from; i < to; i += LF) {
      FloatVector xv = FloatVector.fromArray(F, x, i);
      FloatVector zv = FloatVector.fromArray(F, z, i);
      FloatVector ev = FloatVector.fromArray(F, e, i - from);
      VectorMask<Float> cond = xv.compare(VectorOperators.GE, 0f);
      FloatVector relu = zero.blend(xv, cond);
      flush(relu.sub(xv.mul(zv)).add(FloatVector.fromArray(F, e, TILE + i - from))).intoArray(loss, i);
      FloatVector gn = one.div(ev.add(1f)).mul(ev);
      // AddN: (cond ? 1 : 0) + -z, + (cond ? 0 : gn), + -(cond ? gn : 0)
      flush(zero.blend(one, cond).sub(zv).add(gn.blend(0f, cond)).sub(zero.blend(gn, cond))).intoArray(g, i);
    }
  }

  @Override
  void sigmoid(double[] z, double[] x, int from, int to, double[] loss, double[] g, Scratch s) {
    for (int t = from; t < to; t = tileEnd(t, to)) {
      int e1 = tileEnd(t, to);
      int start = aligned(t, e1, LD);
      int end = start + D.loopBound(e1 - start);
      if (!inside(x, z, start, end, X_HI_D)) {
        super.sigmoid(z, x, t, e1, loss, g, s);
        continue;
      }
      super.sigmoid(z, x, t, start, loss, g, s);
      exp(x, start, end, true, s.d);
      log1p(s.d, end - start);
      sigmoidOps(z, x, start, end, s.d, loss, g);
      super.sigmoid(z, x, end, e1, loss, g, s);
    }
  }

  private static void sigmoidOps(double[] z, double[] x, int from, int to, double[] e, double[] loss, double[] g) {
    DoubleVector zero = DoubleVector.zero(D);
    DoubleVector one = DoubleVector.broadcast(D, 1);
    for (int i = from; i < to; i += LD) {
      DoubleVector xv = DoubleVector.fromArray(D, x, i);
      DoubleVector zv = DoubleVector.fromArray(D, z, i);
      DoubleVector ev = DoubleVector.fromArray(D, e, i - from);
      VectorMask<Double> cond = xv.compare(VectorOperators.GE, 0);
      DoubleVector relu = zero.blend(xv, cond);
      flush(relu.sub(xv.mul(zv)).add(DoubleVector.fromArray(D, e, TILE + i - from))).intoArray(loss, i);
      DoubleVector gn = one.div(ev.add(1)).mul(ev);
      flush(zero.blend(one, cond).sub(zv).add(gn.blend(0, cond)).sub(zero.blend(gn, cond))).intoArray(g, i);
    }
  }

  @Override
  void weighted(float[] z, float[] x, float[] q, int qAt, int qStep, int from, int to, float[] loss,
      float[] g, Scratch s) {
    for (int t = from; t < to; t = tileEnd(t, to)) {
      int e1 = tileEnd(t, to);
      int start = aligned(t, e1, LF);
      int end = start + F.loopBound(e1 - start);
      int qt = qAt + (t - from) * qStep;
      int qs = qAt + (start - from) * qStep;
      if (!inside(x, z, start, end, X_HI_F) || !inside(q, qs, qs + (end - start) * qStep, LO_F, HI_F)
          || qStep == 0 && !(Math.abs(q[qAt]) <= HI_F && (Math.abs(q[qAt]) >= LO_F || q[qAt] == 0))) {
        super.weighted(z, x, q, qt, qStep, t, e1, loss, g, s);
        continue;
      }
      super.weighted(z, x, q, qt, qStep, t, start, loss, g, s);
      exp(x, start, end, true, s.f);
      log1p(s.f, end - start);
      weightedLoss(z, x, q, qs, qStep, start, end, s.f, loss);
      weightedGrad(z, x, q, qs, qStep, start, end, s.f, g);
      super.weighted(z, x, q, qAt + (end - from) * qStep, qStep, end, e1, loss, g, s);
    }
  }

  /** pos_weight's lanes for the elements from {@code i}: {@code q[qs + (i - from)]}, or its one element. */
  private static FloatVector q(float[] q, int qs, int qStep, int from, int i) {
    return flush(qStep == 0 ? FloatVector.broadcast(F, q[qs]) : FloatVector.fromArray(F, q, qs + i - from));
  }

  private static DoubleVector q(double[] q, int qs, int qStep, int from, int i) {
    return flush(qStep == 0 ? DoubleVector.broadcast(D, q[qs]) : DoubleVector.fromArray(D, q, qs + i - from));
  }

  /** The weighted loss' ops ({@link SigmoidRows#weighted(boolean, double, double, double, double[])}) from the scratch's {@code log1p(e)}. */
  private static void weightedLoss(float[] z, float[] x, float[] q, int qs, int qStep, int from, int to, float[] e,
      float[] loss) {
    FloatVector zero = FloatVector.zero(F);
    FloatVector one = FloatVector.broadcast(F, 1f);
    for (int i = from; i < to; i += LF) {
      FloatVector xv = FloatVector.fromArray(F, x, i);
      FloatVector zv = FloatVector.fromArray(F, z, i);
      FloatVector lw = q(q, qs, qStep, from, i).sub(1f).mul(zv).add(1f);
      FloatVector u = one.sub(zv);
      FloatVector nx = xv.neg();
      FloatVector relu = zero.blend(nx, nx.compare(VectorOperators.GT, 0f));
      FloatVector b = flush(lw.mul(FloatVector.fromArray(F, e, TILE + i - from).add(relu)));
      flush(u.mul(xv).add(b)).intoArray(loss, i);
    }
  }

  /** The weighted gradient's ops from the scratch's {@code e = exp(-|x|)}. */
  private static void weightedGrad(float[] z, float[] x, float[] q, int qs, int qStep, int from, int to, float[] e,
      float[] g) {
    FloatVector zero = FloatVector.zero(F);
    FloatVector one = FloatVector.broadcast(F, 1f);
    for (int i = from; i < to; i += LF) {
      FloatVector xv = FloatVector.fromArray(F, x, i);
      FloatVector zv = FloatVector.fromArray(F, z, i);
      FloatVector ev = FloatVector.fromArray(F, e, i - from);
      FloatVector lw = q(q, qs, qStep, from, i).sub(1f).mul(zv).add(1f);
      FloatVector u = one.sub(zv);
      FloatVector reluGrad = lw.mul(zero.blend(one, xv.neg().compare(VectorOperators.GT, 0f)));
      FloatVector gna = flush(flush(lw.mul(one.div(ev.add(1f)))).mul(ev));
      FloatVector sign = zero.blend(one, xv.compare(VectorOperators.GT, 0f)).blend(-1f, xv.compare(VectorOperators.LT, 0f));
      flush(u.sub(reluGrad).add(gna.neg().mul(sign))).intoArray(g, i);
    }
  }

  @Override
  void weighted(double[] z, double[] x, double[] q, int qAt, int qStep, int from, int to, double[] loss,
      double[] g, Scratch s) {
    for (int t = from; t < to; t = tileEnd(t, to)) {
      int e1 = tileEnd(t, to);
      int start = aligned(t, e1, LD);
      int end = start + D.loopBound(e1 - start);
      int qt = qAt + (t - from) * qStep;
      int qs = qAt + (start - from) * qStep;
      if (!inside(x, z, start, end, X_HI_D) || !inside(q, qs, qs + (end - start) * qStep, LO_D, HI_D)
          || qStep == 0 && !(Math.abs(q[qAt]) <= HI_D && (Math.abs(q[qAt]) >= LO_D || q[qAt] == 0))) {
        super.weighted(z, x, q, qt, qStep, t, e1, loss, g, s);
        continue;
      }
      super.weighted(z, x, q, qt, qStep, t, start, loss, g, s);
      exp(x, start, end, true, s.d);
      log1p(s.d, end - start);
      weightedLoss(z, x, q, qs, qStep, start, end, s.d, loss);
      weightedGrad(z, x, q, qs, qStep, start, end, s.d, g);
      super.weighted(z, x, q, qAt + (end - from) * qStep, qStep, end, e1, loss, g, s);
    }
  }

  private static void weightedLoss(double[] z, double[] x, double[] q, int qs, int qStep, int from, int to,
      double[] e, double[] loss) {
    DoubleVector zero = DoubleVector.zero(D);
    DoubleVector one = DoubleVector.broadcast(D, 1);
    for (int i = from; i < to; i += LD) {
      DoubleVector xv = DoubleVector.fromArray(D, x, i);
      DoubleVector zv = DoubleVector.fromArray(D, z, i);
      DoubleVector lw = q(q, qs, qStep, from, i).sub(1).mul(zv).add(1);
      DoubleVector u = one.sub(zv);
      DoubleVector nx = xv.neg();
      DoubleVector relu = zero.blend(nx, nx.compare(VectorOperators.GT, 0));
      DoubleVector b = flush(lw.mul(DoubleVector.fromArray(D, e, TILE + i - from).add(relu)));
      flush(u.mul(xv).add(b)).intoArray(loss, i);
    }
  }

  private static void weightedGrad(double[] z, double[] x, double[] q, int qs, int qStep, int from, int to,
      double[] e, double[] g) {
    DoubleVector zero = DoubleVector.zero(D);
    DoubleVector one = DoubleVector.broadcast(D, 1);
    for (int i = from; i < to; i += LD) {
      DoubleVector xv = DoubleVector.fromArray(D, x, i);
      DoubleVector zv = DoubleVector.fromArray(D, z, i);
      DoubleVector ev = DoubleVector.fromArray(D, e, i - from);
      DoubleVector lw = q(q, qs, qStep, from, i).sub(1).mul(zv).add(1);
      DoubleVector u = one.sub(zv);
      DoubleVector reluGrad = lw.mul(zero.blend(one, xv.neg().compare(VectorOperators.GT, 0)));
      DoubleVector gna = flush(flush(lw.mul(one.div(ev.add(1)))).mul(ev));
      DoubleVector sign = zero.blend(one, xv.compare(VectorOperators.GT, 0)).blend(-1, xv.compare(VectorOperators.LT, 0));
      flush(u.sub(reluGrad).add(gna.neg().mul(sign))).intoArray(g, i);
    }
  }

  /** Whether a target is negative (full loss: its logs are NaN, the exact path's). */
  private static boolean negative(float[] z, int from, int to) {
    for (int i = from; i < to; i += LF) {
      if (FloatVector.fromArray(F, z, i).compare(VectorOperators.LT, 0f).anyTrue()) {
        return true;
      }
    }
    return false;
  }

  private static boolean negative(double[] z, int from, int to) {
    for (int i = from; i < to; i += LD) {
      if (DoubleVector.fromArray(D, z, i).compare(VectorOperators.LT, 0).anyTrue()) {
        return true;
      }
    }
    return false;
  }

  @Override
  void logPoisson(float[] z, float[] c, int from, int to, boolean full, float[] loss, float[] g, Scratch s) {
    for (int t = from; t < to; t = tileEnd(t, to)) {
      int e1 = tileEnd(t, to);
      int start = aligned(t, e1, LF);
      int end = start + F.loopBound(e1 - start);
      if (!inside(c, z, start, end, X_HI_F) || full && negative(z, start, end)) {
        super.logPoisson(z, c, t, e1, full, loss, g, s);
        continue;
      }
      super.logPoisson(z, c, t, start, full, loss, g, s);
      exp(c, start, end, false, s.f);
      if (full) {
        stirlingLogs(z, start, end, s.f);
      }
      poissonOps(z, c, start, end, full, s.f, loss, g);
      super.logPoisson(z, c, end, e1, full, loss, g, s);
    }
  }

  /**
   * The full loss' logs into the scratch: {@code log z} at {@code TILE + k}, {@code log(flush(2 pi z))} at
   * {@code 2 TILE + k}; of 1 where {@code z <= 1} (masked by where(0 <= z <= 1), and a positive normal
   * argument for VectorMath.log).
   */
  private static void stirlingLogs(float[] z, int from, int to, float[] e) {
    FloatVector twoPi = FloatVector.broadcast(F, (float) (2 * Math.PI));
    for (int i = from; i < to; i += LF) {
      FloatVector zv = FloatVector.fromArray(F, z, i);
      VectorMask<Float> low = zv.compare(VectorOperators.LE, 1f);
      VectorMath.log(zv.blend(1f, low)).intoArray(e, TILE + i - from);
      VectorMath.log(twoPi.mul(zv).blend(1f, low)).intoArray(e, 2 * TILE + i - from);
    }
  }

  private static void stirlingLogs(double[] z, int from, int to, double[] e) {
    DoubleVector twoPi = DoubleVector.broadcast(D, 2 * Math.PI);
    for (int i = from; i < to; i += LD) {
      DoubleVector zv = DoubleVector.fromArray(D, z, i);
      VectorMask<Double> low = zv.compare(VectorOperators.LE, 1);
      VectorMath.log(zv.blend(1, low)).intoArray(e, TILE + i - from);
      VectorMath.log(twoPi.mul(zv).blend(1, low)).intoArray(e, 2 * TILE + i - from);
    }
  }

  /** The log-Poisson ops ({@link SigmoidRows#logPoisson(boolean, double, double, boolean, double[])}) from the scratch. */
  private static void poissonOps(float[] z, float[] c, int from, int to, boolean full, float[] e, float[] loss,
      float[] g) {
    FloatVector half = FloatVector.broadcast(F, 0.5f);
    for (int i = from; i < to; i += LF) {
      FloatVector cv = FloatVector.fromArray(F, c, i);
      FloatVector zv = FloatVector.fromArray(F, z, i);
      FloatVector ev = FloatVector.fromArray(F, e, i - from);
      FloatVector l = ev.sub(cv.mul(zv));
      if (full) {
        FloatVector st = zv.mul(FloatVector.fromArray(F, e, TILE + i - from)).sub(zv);
        st = st.add(half.mul(FloatVector.fromArray(F, e, 2 * TILE + i - from)));
        VectorMask<Float> inside = zv.compare(VectorOperators.GE, 0f).and(zv.compare(VectorOperators.LE, 1f));
        l = l.add(st.blend(0f, inside));
      }
      flush(l).intoArray(loss, i);
      flush(ev.sub(zv)).intoArray(g, i);
    }
  }

  @Override
  void logPoisson(double[] z, double[] c, int from, int to, boolean full, double[] loss, double[] g, Scratch s) {
    for (int t = from; t < to; t = tileEnd(t, to)) {
      int e1 = tileEnd(t, to);
      int start = aligned(t, e1, LD);
      int end = start + D.loopBound(e1 - start);
      if (!inside(c, z, start, end, X_HI_D) || full && negative(z, start, end)) {
        super.logPoisson(z, c, t, e1, full, loss, g, s);
        continue;
      }
      super.logPoisson(z, c, t, start, full, loss, g, s);
      exp(c, start, end, false, s.d);
      if (full) {
        stirlingLogs(z, start, end, s.d);
      }
      poissonOps(z, c, start, end, full, s.d, loss, g);
      super.logPoisson(z, c, end, e1, full, loss, g, s);
    }
  }

  private static void poissonOps(double[] z, double[] c, int from, int to, boolean full, double[] e, double[] loss,
      double[] g) {
    DoubleVector half = DoubleVector.broadcast(D, 0.5);
    for (int i = from; i < to; i += LD) {
      DoubleVector cv = DoubleVector.fromArray(D, c, i);
      DoubleVector zv = DoubleVector.fromArray(D, z, i);
      DoubleVector ev = DoubleVector.fromArray(D, e, i - from);
      DoubleVector l = ev.sub(cv.mul(zv));
      if (full) {
        DoubleVector st = zv.mul(DoubleVector.fromArray(D, e, TILE + i - from)).sub(zv);
        st = st.add(half.mul(DoubleVector.fromArray(D, e, 2 * TILE + i - from)));
        VectorMask<Double> inside = zv.compare(VectorOperators.GE, 0).and(zv.compare(VectorOperators.LE, 1));
        l = l.add(st.blend(0, inside));
      }
      flush(l).intoArray(loss, i);
      flush(ev.sub(zv)).intoArray(g, i);
    }
  }

  /** Where the Keras rows' scratch regions start in {@code lanes} (the first 8 hold the packet sums). */
  private static final int E0 = 16;

  /**
   * The Keras rows: their whole packets of 8 in float lanes, in stages as the tf.nn loops (the exp or the
   * logs, the log1p, into {@code lanes}; the terms with their lane sums, each addition flushed; the
   * gradient {@code (float) (factor * de / len)} in two double halves), the elements after the last
   * packet through the exact element function ({@link SigmoidRows#bceTerm}); a row with a non-finite
   * input in its packets, or a {@code lanes} shorter than {@code 16 + 2 len}, is the scalar rows'.
   */
  @Override
  public float bceRow(boolean fromLogits, double s, float[] y, int yAt, float[] p, int pAt, int len,
      double factor, float[] g, int gAt, float[] lanes, double[] out) {
    checkRow(y, p, g, lanes, out);
    int vec = len / PACKET * PACKET;
    if (vec == 0 || lanes.length < E0 + 2 * len || !finiteRow(y, yAt, vec) || !finiteRow(p, pAt, vec)) {
      return super.bceRow(fromLogits, s, y, yAt, p, pAt, len, factor, g, gAt, lanes, out);
    }
    int l0 = E0 + len;
    if (fromLogits) {
      expRow(p, pAt, vec, lanes, l0);
      sigmoidTerms(s, y, yAt, p, pAt, vec, lanes, l0);
      sigmoidGrads(s, y, yAt, p, pAt, vec, lanes, factor, len, g, gAt);
    } else {
      logRow(p, pAt, vec, lanes, l0);
      probabilityTerms(s, y, yAt, vec, lanes, l0);
      probabilityGrads(s, y, yAt, p, pAt, vec, factor, len, g, gAt);
    }
    float accum = 0;
    for (int j = vec; j < len; j++) {
      bceTerm(fromLogits, s, y[yAt + j], p[pAt + j], out);
      accum = flush(accum + (float) out[0]);
      g[gAt + j] = (float) (factor * out[1] / len);
    }
    return flush(accum + halve(lanes));
  }

  private static boolean finiteRow(float[] a, int at, int vec) {
    for (int j = 0; j < vec; j += PACKET) {
      if (!FloatVector.fromArray(P, a, at + j).abs().compare(VectorOperators.LE, Float.MAX_VALUE).allTrue()) {
        return false;
      }
    }
    return true;
  }

  /** Keras' label smoothing of float32 labels: {@code y (1 - s) + s / 2}, each op rounded. */
  private static FloatVector smooth(FloatVector y, double s) {
    return s == 0 ? y : y.mul((float) (1 - s)).add((float) (0.5 * s));
  }

  /** {@code e = flush(exp(-|flush(p)|))} at {@code lanes[E0 + j]}, then {@code flush(log1p(e))} at {@code lanes[l0 + j]} (two stages). */
  private static void expRow(float[] p, int pAt, int vec, float[] lanes, int l0) {
    for (int j = 0; j < vec; j += PACKET) {
      flush(VectorMath.exp(flush(FloatVector.fromArray(P, p, pAt + j)).abs().neg())).intoArray(lanes, E0 + j);
    }
    log1pRow(vec, lanes, l0);
  }

  private static void log1pRow(int vec, float[] lanes, int l0) {
    for (int j = 0; j < vec; j += PACKET) {
      flush(VectorMath.log1p(FloatVector.fromArray(P, lanes, E0 + j))).intoArray(lanes, l0 + j);
    }
  }

  /** The sigmoid terms of a row's packets, summed lane-wise (each addition flushed) into {@code lanes[0, 8)}. */
  private static void sigmoidTerms(double s, float[] y, int yAt, float[] p, int pAt, int vec, float[] lanes, int l0) {
    FloatVector acc = FloatVector.zero(P);
    FloatVector zero = FloatVector.zero(P);
    for (int j = 0; j < vec; j += PACKET) {
      FloatVector z = flush(smooth(FloatVector.fromArray(P, y, yAt + j), s));
      FloatVector x = flush(FloatVector.fromArray(P, p, pAt + j));
      FloatVector relu = zero.blend(x, x.compare(VectorOperators.GE, 0f));
      FloatVector loss = flush(flush(relu.sub(flush(x.mul(z)))).add(FloatVector.fromArray(P, lanes, l0 + j)));
      acc = flush(acc.add(loss));
    }
    acc.intoArray(lanes, 0);
  }

  /** The sigmoid gradients of a row's packets, {@code (float) (factor * de / len)} in double halves. */
  private static void sigmoidGrads(double s, float[] y, int yAt, float[] p, int pAt, int vec, float[] lanes,
      double factor, int len, float[] g, int gAt) {
    FloatVector zero = FloatVector.zero(P);
    FloatVector one = FloatVector.broadcast(P, 1f);
    DoubleVector fac = DoubleVector.broadcast(H, factor);
    DoubleVector count = DoubleVector.broadcast(H, len);
    for (int j = 0; j < vec; j += PACKET) {
      FloatVector z = flush(smooth(FloatVector.fromArray(P, y, yAt + j), s));
      FloatVector x = flush(FloatVector.fromArray(P, p, pAt + j));
      FloatVector e = FloatVector.fromArray(P, lanes, E0 + j);
      VectorMask<Float> cond = x.compare(VectorOperators.GE, 0f);
      FloatVector gn = flush(flush(one.div(flush(e.add(1f)))).mul(e));
      FloatVector t = flush(zero.blend(one, cond).sub(z));
      t = flush(t.add(gn.blend(0f, cond)));
      FloatVector de = flush(t.sub(zero.blend(gn, cond)));
      for (int part = 0; part < 2; part++) {
        store(fac.mul((DoubleVector) de.convertShape(VectorOperators.F2D, H, part)).div(count), g, gAt + j + 4 * part);
      }
    }
  }

  /** {@code log(clip(p))} at {@code lanes[E0 + j]}, then {@code log(1 - clip(p))} at {@code lanes[l0 + j]} (two stages). */
  private static void logRow(float[] p, int pAt, int vec, float[] lanes, int l0) {
    for (int j = 0; j < vec; j += PACKET) {
      VectorMath.log(FloatVector.fromArray(P, p, pAt + j).min(ONE_MINUS_EPSILON).max(EPSILON)).intoArray(lanes, E0 + j);
    }
    log1mRow(p, pAt, vec, lanes, l0);
  }

  private static void log1mRow(float[] p, int pAt, int vec, float[] lanes, int l0) {
    for (int j = 0; j < vec; j += PACKET) {
      FloatVector pc = FloatVector.fromArray(P, p, pAt + j).min(ONE_MINUS_EPSILON).max(EPSILON);
      VectorMath.log(pc.broadcast(1f).sub(pc)).intoArray(lanes, l0 + j);
    }
  }

  /** The probability terms {@code -(y log pc + (1 - y) log(1 - pc))}, summed lane-wise into {@code lanes[0, 8)}. */
  private static void probabilityTerms(double s, float[] y, int yAt, int vec, float[] lanes, int l0) {
    FloatVector acc = FloatVector.zero(P);
    FloatVector one = FloatVector.broadcast(P, 1f);
    for (int j = 0; j < vec; j += PACKET) {
      FloatVector yv = smooth(FloatVector.fromArray(P, y, yAt + j), s);
      FloatVector bce = yv.mul(FloatVector.fromArray(P, lanes, E0 + j));
      bce = bce.add(one.sub(yv).mul(FloatVector.fromArray(P, lanes, l0 + j)));
      acc = flush(acc.add(bce.neg()));
    }
    acc.intoArray(lanes, 0);
  }

  /** The probability gradients {@code -(y / pc - (1 - y) / (1 - pc))} (0 where the clip bites), in double halves. */
  private static void probabilityGrads(double s, float[] y, int yAt, float[] p, int pAt, int vec, double factor,
      int len, float[] g, int gAt) {
    DoubleVector fac = DoubleVector.broadcast(H, factor);
    DoubleVector count = DoubleVector.broadcast(H, len);
    DoubleVector oneD = DoubleVector.broadcast(H, 1);
    for (int j = 0; j < vec; j += PACKET) {
      FloatVector yv = smooth(FloatVector.fromArray(P, y, yAt + j), s);
      FloatVector pv = FloatVector.fromArray(P, p, pAt + j);
      FloatVector pc = pv.min(ONE_MINUS_EPSILON).max(EPSILON);
      FloatVector q = pc.broadcast(1f).sub(pc);
      for (int part = 0; part < 2; part++) {
        DoubleVector yd = (DoubleVector) yv.convertShape(VectorOperators.F2D, H, part);
        DoubleVector pd = (DoubleVector) pv.convertShape(VectorOperators.F2D, H, part);
        DoubleVector pcd = (DoubleVector) pc.convertShape(VectorOperators.F2D, H, part);
        DoubleVector qd = (DoubleVector) q.convertShape(VectorOperators.F2D, H, part);
        VectorMask<Double> inside = pd.compare(VectorOperators.GE, EPSILON).and(pd.compare(VectorOperators.LE, ONE_MINUS_EPSILON));
        DoubleVector de = yd.div(pcd).sub(oneD.sub(yd).div(qd)).neg().blend(0, inside.not());
        store(fac.mul(de).div(count), g, gAt + j + 4 * part);
      }
    }
  }

  /** Four double lanes rounded to float32 into {@code g[at, at + 4)}. */
  private static void store(DoubleVector v, float[] g, int at) {
    ((FloatVector) v.convertShape(VectorOperators.D2F, Q, 0)).intoArray(g, at);
  }
}
