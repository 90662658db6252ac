package dev.lossconformance.loss.keras;

import dev.lossconformance.loss.VectorMath;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SoftmaxRows} on the Vector API (jdk.incubator.vector, JDK 17), loaded by reflection only when
 * the module is present. The sum of the exponentials runs on 8-lane float vectors, Eigen's AVX packet,
 * so its lanes are Eigen's accumulators and the result has the scalar's bits; the exponentials are
 * {@link #exp}, a polynomial on FMAs within an ulp of the scalar's {@code (float) Math.exp}, which gives
 * the same bits interpreted and compiled (the API's SVML {@code EXP} does not).
 */
final class VectorSoftmaxRows extends SoftmaxRows {
  /** Eigen's AVX packet: 8 float lanes. */
  static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
  static final int L = S.length();
  /** Four float lanes, widened to four double lanes for the float64 log and exp of the probabilities' rows. */
  private static final VectorSpecies<Float> H = FloatVector.SPECIES_128;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;

  @Override
  public String name() {
    return "vector(" + S + ")";
  }

  @Override
  public float max(float[] x, int from, int len) {
    int bound = S.loopBound(len);
    FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    VectorMask<Float> bad = S.maskAll(false);
    for (int k = 0; k < bound; k += L) {
      FloatVector v = FloatVector.fromArray(S, x, from + k);
      FloatVector a = v.abs();
      bad = bad.or(a.compare(VectorOperators.GT, Float.MAX_VALUE).or(a.compare(VectorOperators.NE, a))
          .or(a.compare(VectorOperators.LT, TINY).and(a.compare(VectorOperators.NE, 0f))));
      m = m.max(v);
    }
    if (bad.anyTrue()) {
      return Float.NaN;
    }
    float tail = super.max(x, from + bound, len - bound);
    if (Float.isNaN(tail)) {
      return tail;
    }
    return Math.max(m.reduceLanes(VectorOperators.MAX), tail);
  }

  @Override
  public float expSum(float[] x, int from, int len, float m, float[] e) {
    int bound = S.loopBound(len);
    FloatVector mv = FloatVector.broadcast(S, m);
    FloatVector acc = FloatVector.zero(S);
    for (int k = 0; k < bound; k += L) {
      FloatVector v = exp(FloatVector.fromArray(S, x, from + k).sub(mv));
      v = v.blend(0f, v.compare(VectorOperators.LT, Float.MIN_NORMAL));
      v.intoArray(e, k);
      acc = acc.add(v);
    }
    float accum = 0;
    for (int k = bound; k < len; k++) {
      float v = flushExp((float) Math.exp(x[from + k] - m));
      e[k] = v;
      accum += v;
    }
    if (bound == 0) {
      return accum;
    }
    return accum + predux(acc);
  }

  /**
   * Eigen's {@code predux} of an 8-lane packet of partial sums whose additions cannot be subnormal (so
   * none needs a flush): the upper half onto the lower until one lane is left.
   */
  static float predux(FloatVector acc) {
    return ((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6)))
        + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7)));
  }

  @Override
  public void gradRow(float[] e, int len, float sum, float up, int y, float[] g, int to) {
    int bound = S.loopBound(len);
    FloatVector sv = FloatVector.broadcast(S, sum);
    FloatVector uv = FloatVector.broadcast(S, up);
    for (int k = 0; k < bound; k += L) {
      FloatVector q = FloatVector.fromArray(S, e, k).div(sv);
      FloatVector d = uv.mul(q.blend(0f, q.compare(VectorOperators.LT, Float.MIN_NORMAL)));
      d.blend(d.mul(0f), d.abs().compare(VectorOperators.LT, Float.MIN_NORMAL)).intoArray(g, to + k);
    }
    for (int k = bound; k < len; k++) {
      g[to + k] = flush(up * flushExp(e[k] / sum));
    }
    g[to + y] = flush(up * (flushExp(e[y] / sum) - 1));
  }

  /** The float32 gradient computed in {@code e} as {@link #gradRow(float[], int, float, float, int, float[], int)}, then widened. */
  @Override
  void gradRow(float[] e, int len, float sum, float up, int y, double[] g, int to) {
    float gy = flush(up * (flushExp(e[y] / sum) - 1));
    gradRow(e, len, sum, up, y, e, 0);
    e[y] = gy;
    for (int k = 0; k < len; k++) {
      g[to + k] = e[k];
    }
  }

  @Override
  public void expsWide(float[] x, int from, int len, float m, float[] e) {
    int bound = H.loopBound(len);
    FloatVector mv = FloatVector.broadcast(H, m);
    for (int k = 0; k < bound; k += H.length()) {
      DoubleVector d = (DoubleVector) FloatVector.fromArray(H, x, from + k).sub(mv).convertShape(VectorOperators.F2D, D, 0);
      FloatVector v = (FloatVector) VectorMath.exp(d).convertShape(VectorOperators.D2F, H, 0);
      v.blend(0f, v.compare(VectorOperators.LT, Float.MIN_NORMAL)).intoArray(e, k);
    }
    for (int k = bound; k < len; k++) {
      e[k] = flushExp((float) Math.exp(x[from + k] - m));
    }
  }

  @Override
  void logClip(float[] p, int from, int len, float[] z) {
    int bound = H.loopBound(len);
    for (int k = 0; k < bound; k += H.length()) {
      FloatVector v = FloatVector.fromArray(H, p, from + k).min(SparseCategoricalCrossentropy.ONE_MINUS_EPSILON)
          .max(KerasReduction.EPSILON);
      DoubleVector d = (DoubleVector) v.convertShape(VectorOperators.F2D, D, 0);
      ((FloatVector) VectorMath.log(d).convertShape(VectorOperators.D2F, H, 0)).intoArray(z, k);
    }
    logClip(p, from + bound, len - bound, z, bound);
  }

  @Override
  void logClipWide(double[] q, int len, double[] out) {
    int bound = D.loopBound(len);
    for (int k = 0; k < bound; k += D.length()) {
      DoubleVector v = DoubleVector.fromArray(D, q, k).min(SparseCategoricalCrossentropy.ONE_MINUS_EPSILON)
          .max(KerasReduction.EPSILON);
      VectorMath.log(v).intoArray(out, k);
    }
    for (int k = bound; k < len; k++) {
      out[k] = Math.log(SparseCategoricalCrossentropy.clip(q[k]));
    }
  }

  @Override
  void clipGradRow(float[] p, int from, int len, float[] g, int to) {
    int bound = S.loopBound(len);
    FloatVector one = FloatVector.broadcast(S, 1f);
    for (int k = 0; k < bound; k += L) {
      FloatVector v = FloatVector.fromArray(S, p, from + k);
      VectorMask<Float> inside = v.compare(VectorOperators.GE, KerasReduction.EPSILON)
          .and(v.compare(VectorOperators.LE, SparseCategoricalCrossentropy.ONE_MINUS_EPSILON));
      FloatVector c = v.min(SparseCategoricalCrossentropy.ONE_MINUS_EPSILON).max(KerasReduction.EPSILON);
      flush(FloatVector.fromArray(S, g, to + k).mul(one.div(c))).blend(0f, inside.not()).intoArray(g, to + k);
    }
    clipGrad(p, from + bound, len - bound, g, to + bound);
  }

  @Override
  public boolean labels(float[] y, int from, int len, float[] out) {
    int bound = S.loopBound(len);
    VectorMask<Float> bad = S.maskAll(false);
    for (int k = 0; k < bound; k += L) {
      FloatVector v = flush(FloatVector.fromArray(S, y, from + k));
      v.intoArray(out, k);
      bad = bad.or(v.compare(VectorOperators.GE, 0f).not());
    }
    boolean ok = !bad.anyTrue();
    for (int k = bound; k < len; k++) {
      float v = flush(y[from + k]);
      out[k] = v;
      ok &= v >= 0;
    }
    return ok;
  }

  @Override
  boolean nonNegative(float[] v, int len) {
    int bound = S.loopBound(len);
    VectorMask<Float> bad = S.maskAll(false);
    for (int k = 0; k < bound; k += L) {
      bad = bad.or(FloatVector.fromArray(S, v, k).compare(VectorOperators.GE, 0f).not());
    }
    boolean ok = !bad.anyTrue();
    for (int k = bound; k < len; k++) {
      ok &= v[k] >= 0;
    }
    return ok;
  }

  /** Keras' cast of a float64 row to float32, read with DAZ (a subnormal float32 is a zero of its sign). */
  @Override
  public void narrow(double[] x, int from, int len, float[] out) {
    int bound = S.loopBound(len);
    for (int k = 0; k < bound; k += L) {
      FloatVector v = (FloatVector) jdk.incubator.vector.DoubleVector.fromArray(jdk.incubator.vector.DoubleVector.SPECIES_512, x, from + k)
          .convertShape(VectorOperators.D2F, S, 0);
      v.blend(v.mul(0f), v.abs().compare(VectorOperators.LT, Float.MIN_NORMAL)).intoArray(out, k);
    }
    super.narrow(x, from + bound, len - bound, out, bound);
  }

  @Override
  public void exps(float[] x, int from, int len, float m, float[] e) {
    int bound = S.loopBound(len);
    FloatVector mv = FloatVector.broadcast(S, m);
    for (int k = 0; k < bound; k += L) {
      FloatVector v = exp(FloatVector.fromArray(S, x, from + k).sub(mv));
      v.blend(0f, v.compare(VectorOperators.LT, Float.MIN_NORMAL)).intoArray(e, k);
    }
    for (int k = bound; k < len; k++) {
      e[k] = flushExp((float) Math.exp(x[from + k] - m));
    }
  }

  /** {@link SoftmaxRows#sum4} with its four packet accumulators as 8-lane vectors (the same additions). */
  @Override
  public float sum4(float[] e, int len) {
    int start = 0;
    FloatVector acc = FloatVector.zero(S);
    if (len >= 4 * L) {
      FloatVector a1 = acc;
      FloatVector a2 = acc;
      FloatVector a3 = acc;
      start = len / (4 * L) * (4 * L);
      for (int j = 0; j < start; j += 4 * L) {
        acc = acc.add(FloatVector.fromArray(S, e, j));
        a1 = a1.add(FloatVector.fromArray(S, e, j + L));
        a2 = a2.add(FloatVector.fromArray(S, e, j + 2 * L));
        a3 = a3.add(FloatVector.fromArray(S, e, j + 3 * L));
      }
      acc = acc.add(a1).add(a2).add(a3);
    }
    int vec = S.loopBound(len);
    for (int j = start; j < vec; j += L) {
      acc = acc.add(FloatVector.fromArray(S, e, j));
    }
    float tail = 0;
    for (int j = Math.max(start, vec); j < len; j++) {
      tail += e[j];
    }
    return vec == 0 ? tail : tail + (((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6)))
        + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7))));
  }

  @Override
  public float softRow(float[] x, int from, int len, float m, float logSum, float s, float[] y, float[] e, float[] t,
      boolean termsOnly) {
    int bound = S.loopBound(len);
    FloatVector mv = FloatVector.broadcast(S, m);
    FloatVector lv = FloatVector.broadcast(S, logSum);
    FloatVector sv = FloatVector.broadcast(S, s);
    FloatVector lanes = FloatVector.zero(S);
    for (int k = 0; k < bound; k += L) {
      FloatVector yv = FloatVector.fromArray(S, y, k);
      FloatVector term = flush(yv.mul(lv.sub(FloatVector.fromArray(S, x, from + k).sub(mv))));
      if (termsOnly) {
        term.intoArray(t, k);
      } else {
        lanes = flush(lanes.add(term));
      }
      FloatVector q = FloatVector.fromArray(S, e, k).div(sv);
      q = q.blend(0f, q.compare(VectorOperators.LT, Float.MIN_NORMAL));
      flush(q.sub(yv)).intoArray(e, k);
    }
    float accum = 0;
    for (int k = bound; k < len; k++) {
      float term = flush(y[k] * (logSum - (x[from + k] - m)));
      if (termsOnly) {
        t[k] = term;
      } else {
        accum = flush(accum + term);
      }
      e[k] = flush(flushExp(e[k] / s) - y[k]);
    }
    if (termsOnly) {
      return 0;
    }
    if (bound == 0) {
      return accum;
    }
    lanes.intoArray(t, 0);
    return flush(accum + halve(t));
  }

  /** Each lane as TF's FTZ leaves it: a subnormal is a zero of its sign. */
  static FloatVector flush(FloatVector v) {
    return v.blend(v.mul(0f), v.abs().compare(VectorOperators.LT, Float.MIN_NORMAL));
  }

  /** Below this, {@code exp} is below float32's normal range: a subnormal that TF's FTZ makes 0. */
  private static final float FLUSHED_BELOW = -87.33655f;

  /**
   * {@code exp} lane-wise for the rows' arguments {@code x - max <= 0}: {@link VectorMath#exp(FloatVector)},
   * except that lanes below {@link #FLUSHED_BELOW} are 0 (the scalar's flushed subnormal).
   */
  static FloatVector exp(FloatVector v) {
    VectorMask<Float> flushed = v.compare(VectorOperators.LT, FLUSHED_BELOW);
    return VectorMath.exp(v.blend(0f, flushed)).blend(0f, flushed);
  }
}
