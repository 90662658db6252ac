package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.Accumulator;
import dev.lossconformance.loss.VectorMath;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ClassRows} in double lanes of the Vector API (loaded by reflection only when
 * {@code jdk.incubator.vector} is present). The exponential is {@link #exp}, a polynomial on FMAs: the
 * same bits interpreted and compiled, so the results do not depend on the JVM's warm-up. Rounding to
 * float32 in a lane goes through a float vector of the same lane count and back. Sums run in lanes,
 * Kahan-compensated (the generic path compensates them), and the lanes are added in lane order at the
 * end; the last {@code c mod lanes} classes go through the scalar loop (one masked vector for the
 * exponentials), and so does a fiber whose sum
 * is not finite (Kahan's compensation is NaN after an infinite term; the scalar loop's is not).
 *
 * <p>The float-row loops ({@link #floatRows(int)}) work in float lanes of the same vector size, on rows
 * of at least one float vector, whose last partial vector is the row's last lanes, overlapping the one
 * before (masked out of the sums, and kept as written in the stores). Each loop has one call of
 * {@link VectorMath#exp(FloatVector)} and no vector updated under a branch: a second call site exceeded
 * C2's NodeCountInliningCutoff, and a vector updated under {@code if} was a phi C2 boxed, both measured
 * as an allocation per vector (20 KB per row) and twice the time.
 */
final class VectorClassRows extends ClassRows {
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Float> F =
      VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
  private static final int L = D.length();

  @Override
  String name() {
    return "vector(" + D + ")";
  }

  private static DoubleVector round(boolean f32, DoubleVector v) {
    return f32 ? (DoubleVector) v.convertShape(VectorOperators.D2F, F, 0).convertShape(VectorOperators.F2D, D, 0)
        : v;
  }

  /** {@link VectorMath#exp(DoubleVector)}: the kernels' one double-lane exponential. */
  static DoubleVector exp(DoubleVector v) {
    return VectorMath.exp(v);
  }

  /** Float lanes for the float32 rows: as many as the double species' width holds. */
  private static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, D.vectorShape());
  private static final int FL = FS.length();
  /** Vectors summed in float lanes before the block is added in double (as {@link VectorExp}'s rows). */
  private static final int BLOCK = 16;

  @Override
  boolean floatRows(int c) {
    return c >= FL;
  }

  /**
   * A block's float lanes added in double (in a fixed order, through {@code lanes}): the rows' sums are
   * float lanes within a block of {@link #BLOCK} vectors and double across blocks.
   */
  private static double blockSum(FloatVector acc, float[] lanes) {
    acc.intoArray(lanes, 0);
    double s0 = 0;
    double s1 = 0;
    for (int l = 0; l < FL; l += 2) {
      s0 += lanes[l];
      s1 += lanes[l + 1];
    }
    return s0 + s1;
  }

  @Override
  void maxMin(float[] x, int o, int c, float[] mm) {
    int bound = FS.loopBound(c);
    FloatVector hi = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
    FloatVector lo = FloatVector.broadcast(FS, Float.POSITIVE_INFINITY);
    for (int k = 0; k < bound; k += FL) {
      FloatVector v = FloatVector.fromArray(FS, x, o + k);
      hi = hi.max(v);
      lo = lo.min(v);
    }
    float m = hi.reduceLanes(VectorOperators.MAX);
    float n = lo.reduceLanes(VectorOperators.MIN);
    for (int k = bound; k < c; k++) {
      m = Math.max(m, x[o + k]);
      n = Math.min(n, x[o + k]);
    }
    mm[0] = m;
    mm[1] = n;
  }

  /**
   * The lanes of the last, partial vector of a row of {@code c >= FL} classes that the vector before it
   * has covered: that vector is the row's last {@code FL} elements, overlapping (so each loop has one
   * exponential, which C2 then inlines: a second call site for a masked tail hit its
   * NodeCountInliningCutoff and boxed every vector).
   */
  private static VectorMask<Float> done(int c) {
    return FS.indexInRange(0, FL - (c - FS.loopBound(c)));
  }

  @Override
  double sumExp(float[] x, int o, int c, float m, float[] lanes) {
    FloatVector mv = FloatVector.broadcast(FS, m);
    VectorMask<Float> done = done(c);
    double total = 0;
    int k = 0;
    while (k < c) {
      FloatVector acc = FloatVector.zero(FS);
      int end = Math.min(c, k + BLOCK * FL);
      for (; k < end; k += FL) {
        int at = Math.min(k, c - FL);
        FloatVector e = VectorMath.exp(FloatVector.fromArray(FS, x, o + at).sub(mv));
        acc = acc.add(at == k ? e : e.blend(0f, done));
      }
      total += blockSum(acc, lanes);
    }
    return total;
  }

  @Override
  double sumLogProbs(float[] x, int o, int c, float m, float ls, float[] w, float[] lanes) {
    FloatVector mv = FloatVector.broadcast(FS, m);
    VectorMask<Float> done = done(c);
    double total = 0;
    int k = 0;
    while (k < c) {
      FloatVector acc = FloatVector.zero(FS);
      int end = Math.min(c, k + BLOCK * FL);
      for (; k < end; k += FL) {
        int at = Math.min(k, c - FL);
        FloatVector lp = FloatVector.fromArray(FS, x, o + at).sub(mv).sub(ls);
        FloatVector v = lp.mul(FloatVector.fromArray(FS, w, at));
        acc = acc.add(at == k ? v : v.blend(0f, done));
      }
      total += blockSum(acc, lanes);
    }
    return total;
  }

  @Override
  void probabilityRow(float[] x, int o, float[] t, int c, float m, float ls, float[] w, float[] gw,
      boolean smoothTarget, float keep, float add, float[] gl, double[] sums, float[] lanes) {
    FloatVector mv = FloatVector.broadcast(FS, m);
    double sum = 0;
    double gSum = 0;
    int bound = FS.loopBound(c);
    int k = 0;
    while (k < bound) {
      FloatVector acc = FloatVector.zero(FS);
      FloatVector gAcc = FloatVector.zero(FS);
      int end = Math.min(bound, k + BLOCK * FL);
      for (; k < end; k += FL) {
        FloatVector tv = FloatVector.fromArray(FS, t, o + k);
        if (smoothTarget) {
          tv = tv.mul(keep).add(add);
        }
        FloatVector p = FloatVector.fromArray(FS, x, o + k).sub(mv).sub(ls).mul(tv);
        acc = acc.add(p.mul(FloatVector.fromArray(FS, w, k)));
        // computed and summed whatever gl: a vector updated under the branch was boxed (C2's phi)
        FloatVector g = FloatVector.fromArray(FS, gw, k).mul(tv);
        if (gl != null) {
          g.intoArray(gl, o + k);
        }
        gAcc = gAcc.add(g);
      }
      sum += blockSum(acc, lanes);
      gSum += blockSum(gAcc, lanes);
    }
    // the last classes in scalar float32: the lanes' operations, each rounded alike
    for (; k < c; k++) {
      float tk = smoothTarget ? t[o + k] * keep + add : t[o + k];
      float p = ((x[o + k] - m) - ls) * tk;
      sum += p * w[k];
      if (gl != null) {
        float g = gw[k] * tk;
        gl[o + k] = g;
        gSum += g;
      }
    }
    sums[0] = sum;
    sums[1] = gSum;
  }

  @Override
  void backward(float[] x, int o, int c, float m, float ls, float[] gl, int go, float sh, float sl, float[] out) {
    FloatVector mv = FloatVector.broadcast(FS, m);
    FloatVector shv = FloatVector.broadcast(FS, -sh);
    FloatVector slv = FloatVector.broadcast(FS, -sl);
    VectorMask<Float> done = done(c);
    for (int k = 0; k < c; k += FL) {
      int at = Math.min(k, c - FL);
      FloatVector p = VectorMath.exp(FloatVector.fromArray(FS, x, o + at).sub(mv).sub(ls));
      FloatVector g = p.fma(slv, p.fma(shv, FloatVector.fromArray(FS, gl, go + at)));
      // the overlapping lanes keep what the vector before wrote (out may be gl: they are final there)
      (at == k ? g : g.blend(FloatVector.fromArray(FS, out, o + at), done)).intoArray(out, o + at);
    }
  }

  @Override
  double max(double[] x, int o, int c) {
    int bound = D.loopBound(c);
    if (bound == 0) {
      return super.max(x, o, c);
    }
    DoubleVector acc = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
    for (int k = 0; k < bound; k += L) {
      acc = acc.max(DoubleVector.fromArray(D, x, o + k));
    }
    double m = acc.reduceLanes(VectorOperators.MAX);
    for (int k = bound; k < c; k++) {
      m = Math.max(m, x[o + k]);
    }
    return m;
  }

  @Override
  double sumExp(double[] x, int o, int c, double m, double[] e, int eo) {
    int bound = D.loopBound(c);
    DoubleVector mv = DoubleVector.broadcast(D, m);
    DoubleVector sum = DoubleVector.zero(D);
    DoubleVector comp = DoubleVector.zero(D);
    // two compensated sums, of the even and the odd vectors (swapped after each vector): one Kahan chain
    // (four dependent adds per vector) measured as the float64 rows' bottleneck. One exponential in the
    // loop: a second call site hit C2's NodeCountInliningCutoff and boxed its vectors
    DoubleVector sum1 = DoubleVector.zero(D);
    DoubleVector comp1 = DoubleVector.zero(D);
    for (int k = 0; k < bound; k += L) {
      DoubleVector v = exp(DoubleVector.fromArray(D, x, o + k).sub(mv));
      if (e != null) {
        v.intoArray(e, eo + k);
      }
      DoubleVector y = v.sub(comp);
      DoubleVector t = sum.add(y);
      comp = comp1;
      comp1 = t.sub(sum).sub(y);
      sum = sum1;
      sum1 = t;
    }
    if (bound < c) {
      // the last classes in one masked vector (a scalar Math.exp per class would dominate small C)
      VectorMask<Double> in = D.indexInRange(bound, c);
      DoubleVector v = exp(DoubleVector.fromArray(D, x, o + bound, in).sub(mv)).blend(0.0, in.not());
      if (e != null) {
        v.intoArray(e, eo + bound, in);
      }
      DoubleVector y = v.sub(comp);
      DoubleVector t = sum.add(y);
      comp = t.sub(sum).sub(y);
      sum = t;
    }
    Accumulator s = new Accumulator();
    for (int l = 0; l < L; l++) {
      s.add(sum.lane(l));
      s.add(-comp.lane(l));
    }
    for (int l = 0; l < L; l++) {
      s.add(sum1.lane(l));
      s.add(-comp1.lane(l));
    }
    return s.value();
  }

  @Override
  double loadMax(float[] x, int o, int c, double[] xs) {
    int bound = D.loopBound(c);
    DoubleVector acc = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
    for (int k = 0; k < bound; k += L) {
      DoubleVector v = (DoubleVector) FloatVector.fromArray(F, x, o + k).convertShape(VectorOperators.F2D, D, 0);
      v.intoArray(xs, k);
      acc = acc.max(v);
    }
    double m = acc.reduceLanes(VectorOperators.MAX);
    for (int k = bound; k < c; k++) {
      double v = x[o + k];
      xs[k] = v;
      m = Math.max(m, v);
    }
    return m;
  }

  @Override
  double sumLogProbs(double[] x, int o, int c, double m, double logS, double[] w, boolean f32) {
    int bound = D.loopBound(c);
    DoubleVector mv = DoubleVector.broadcast(D, m);
    DoubleVector sum = DoubleVector.zero(D);
    DoubleVector comp = DoubleVector.zero(D);
    for (int k = 0; k < bound; k += L) {
      DoubleVector lp = round(f32, DoubleVector.fromArray(D, x, o + k).sub(mv).sub(logS));
      DoubleVector v = w == null ? lp : round(f32, lp.mul(DoubleVector.fromArray(D, w, k)));
      // Kahan: y = v - comp; t = sum + y; comp = (t - sum) - y; sum = t
      DoubleVector y = v.sub(comp);
      DoubleVector t = sum.add(y);
      comp = t.sub(sum).sub(y);
      sum = t;
    }
    Accumulator acc = new Accumulator();
    for (int l = 0; l < L; l++) {
      acc.add(sum.lane(l));
      acc.add(-comp.lane(l));
    }
    for (int k = bound; k < c; k++) {
      double lp = ClassRows.round(f32, (x[o + k] - m) - logS);
      acc.add(w == null ? lp : ClassRows.round(f32, lp * w[k]));
    }
    double r = acc.value();
    // an infinite term makes Kahan's compensation NaN (inf - inf): the scalar loop, a plain sum there
    return Double.isFinite(r) ? r : super.sumLogProbs(x, o, c, m, logS, w, f32);
  }

  @Override
  double probabilityRow(double[] x, int o, double[] t, int c, double m, double logS, double[] w, double[] gw,
      double a, boolean f32, double[] gl, int go, double[] glSum) {
    int bound = D.loopBound(c);
    DoubleVector mv = DoubleVector.broadcast(D, m);
    DoubleVector av = DoubleVector.broadcast(D, a);
    DoubleVector sum = DoubleVector.zero(D);
    DoubleVector comp = DoubleVector.zero(D);
    DoubleVector gSum = DoubleVector.zero(D);
    DoubleVector gComp = DoubleVector.zero(D);
    for (int k = 0; k < bound; k += L) {
      DoubleVector tv = DoubleVector.fromArray(D, t, k);
      DoubleVector lp = round(f32, DoubleVector.fromArray(D, x, o + k).sub(mv).sub(logS));
      DoubleVector p = round(f32, lp.mul(tv));
      DoubleVector v = w == null ? p : round(f32, p.mul(DoubleVector.fromArray(D, w, k)));
      DoubleVector y = v.sub(comp);
      DoubleVector s = sum.add(y);
      comp = s.sub(sum).sub(y);
      sum = s;
      if (gl != null) {
        DoubleVector g = round(f32, (gw == null ? av : DoubleVector.fromArray(D, gw, k)).mul(tv));
        g.intoArray(gl, go + k);
        DoubleVector gy = g.sub(gComp);
        DoubleVector gs = gSum.add(gy);
        gComp = gs.sub(gSum).sub(gy);
        gSum = gs;
      }
    }
    Accumulator acc = new Accumulator();
    Accumulator gAcc = new Accumulator();
    for (int l = 0; l < L; l++) {
      acc.add(sum.lane(l));
      acc.add(-comp.lane(l));
      gAcc.add(gSum.lane(l));
      gAcc.add(-gComp.lane(l));
    }
    for (int k = bound; k < c; k++) {
      double lp = ClassRows.round(f32, (x[o + k] - m) - logS);
      double p = ClassRows.round(f32, lp * t[k]);
      acc.add(w == null ? p : ClassRows.round(f32, p * w[k]));
      if (gl != null) {
        double g = ClassRows.round(f32, (gw == null ? a : gw[k]) * t[k]);
        gl[go + k] = g;
        gAcc.add(g);
      }
    }
    double r = acc.value();
    double g = gAcc.value();
    if (!Double.isFinite(r) || !Double.isFinite(g)) {
      // an infinite term makes Kahan's compensation NaN (inf - inf): the scalar loop, a plain sum there
      return super.probabilityRow(x, o, t, c, m, logS, w, gw, a, f32, gl, go, glSum);
    }
    if (gl != null) {
      glSum[0] = g;
    }
    return r;
  }

  /**
   * {@link ClassRows#backward} in two loops, with and without the smoothing sum: one loop with the sum
   * under a flag measured twice as slow (float64 (4096, 1000) smoothing 21.4 ms against 11.5 ms, one
   * thread), C2 not unswitching it.
   */
  @Override
  double backward(double[] x, int o, int c, double m, double logS, double invS, double[] e, int eo, double[] gl,
      int go, double g0, double sum, boolean f32, double[] out, int oo, boolean smooth, double[] w) {
    if (!smooth) {
      plainBackward(x, o, c, m, logS, invS, e, eo, gl, go, g0, sum, f32, out, oo);
      return 0;
    }
    return smoothBackward(x, o, c, m, logS, invS, e, eo, gl, go, g0, sum, f32, out, oo, w);
  }

  /** {@code p_k} from the stored exponential (see {@link ClassRows#backward}), in lanes. */
  private static DoubleVector probability(DoubleVector e, double invS, DoubleVector lp, DoubleVector lpr,
      boolean f32) {
    DoubleVector d = lpr.sub(lp);
    d = d.blend(0.0, d.test(VectorOperators.IS_FINITE).not());
    return round(f32, e.mul(invS).mul(d.add(1.0)));
  }

  private static void plainBackward(double[] x, int o, int c, double m, double logS, double invS, double[] e,
      int eo, double[] gl, int go, double g0, double sum, boolean f32, double[] out, int oo) {
    int bound = D.loopBound(c);
    DoubleVector mv = DoubleVector.broadcast(D, m);
    DoubleVector sv = DoubleVector.broadcast(D, sum);
    DoubleVector g0v = DoubleVector.broadcast(D, g0);
    if (!f32) {
      // float64: lp is not rounded, so exp(lp) = e invS exactly as probability() takes it (times 1 + 0)
      for (int k = 0; k < bound; k += L) {
        DoubleVector p = DoubleVector.fromArray(D, e, eo + k).mul(invS);
        DoubleVector g = gl == null ? g0v : DoubleVector.fromArray(D, gl, go + k);
        g.sub(p.mul(sv)).intoArray(out, oo + k);
      }
    } else {
      for (int k = 0; k < bound; k += L) {
        DoubleVector lp = DoubleVector.fromArray(D, x, o + k).sub(mv).sub(logS);
        DoubleVector p = probability(DoubleVector.fromArray(D, e, eo + k), invS, lp, round(f32, lp), f32);
        DoubleVector g = gl == null ? g0v : DoubleVector.fromArray(D, gl, go + k);
        g.sub(p.mul(sv)).intoArray(out, oo + k);
      }
    }
    for (int k = bound; k < c; k++) {
      double lp = (x[o + k] - m) - logS;
      double p = ClassRows.round(f32, e[eo + k] * invS * (1 + correction(ClassRows.round(f32, lp) - lp)));
      out[oo + k] = (gl == null ? g0 : gl[go + k]) - p * sum;
    }
  }

  private double smoothBackward(double[] x, int o, int c, double m, double logS, double invS, double[] e, int eo,
      double[] gl, int go, double g0, double sum, boolean f32, double[] out, int oo, double[] w) {
    int bound = D.loopBound(c);
    DoubleVector mv = DoubleVector.broadcast(D, m);
    DoubleVector sv = DoubleVector.broadcast(D, sum);
    DoubleVector g0v = DoubleVector.broadcast(D, g0);
    DoubleVector acc = DoubleVector.zero(D);
    DoubleVector comp = DoubleVector.zero(D);
    for (int k = 0; k < bound; k += L) {
      DoubleVector lp = DoubleVector.fromArray(D, x, o + k).sub(mv).sub(logS);
      DoubleVector lpr = round(f32, lp);
      DoubleVector v = w == null ? lpr : round(f32, lpr.mul(DoubleVector.fromArray(D, w, k)));
      // Kahan: y = v - comp; t = acc + y; comp = (t - acc) - y; acc = t
      DoubleVector y = v.sub(comp);
      DoubleVector t = acc.add(y);
      comp = t.sub(acc).sub(y);
      acc = t;
      DoubleVector p = probability(DoubleVector.fromArray(D, e, eo + k), invS, lp, lpr, f32);
      DoubleVector g = gl == null ? g0v : DoubleVector.fromArray(D, gl, go + k);
      g.sub(p.mul(sv)).intoArray(out, oo + k);
    }
    Accumulator total = new Accumulator();
    for (int l = 0; l < L; l++) {
      total.add(acc.lane(l));
      total.add(-comp.lane(l));
    }
    for (int k = bound; k < c; k++) {
      double lp = (x[o + k] - m) - logS;
      double lpr = ClassRows.round(f32, lp);
      total.add(w == null ? lpr : ClassRows.round(f32, lpr * w[k]));
      double p = ClassRows.round(f32, e[eo + k] * invS * (1 + correction(lpr - lp)));
      out[oo + k] = (gl == null ? g0 : gl[go + k]) - p * sum;
    }
    double r = total.value();
    // an infinite term makes Kahan's compensation NaN (inf - inf): the scalar loop's plain sum there
    return Double.isFinite(r) ? r : super.sumLogProbs(x, o, c, m, logS, w, f32);
  }
}
