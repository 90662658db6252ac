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
  boolean floatRows() {
    return FL == 2 * L;
  }

  /** A block's float lanes added into the double lanes {@code lo} (lanes 0..L-1) and {@code hi} (the rest). */
  private static DoubleVector low(FloatVector block) {
    return (DoubleVector) block.convertShape(VectorOperators.F2D, D, 0);
  }

  private static DoubleVector high(FloatVector block) {
    return (DoubleVector) block.convertShape(VectorOperators.F2D, D, 1);
  }

  /** The lanes of {@code lo} then {@code hi}, added in lane order. */
  private static double lanes(DoubleVector lo, DoubleVector hi) {
    double s = 0;
    for (int l = 0; l < L; l++) {
      s += lo.lane(l);
    }
    for (int l = 0; l < L; l++) {
      s += hi.lane(l);
    }
    return s;
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
   * The float lanes' exponentials of {@code x - m} at {@code k}, masked by {@code in} (lanes out of it are
   * {@code exp(0)}).
   */
  private static FloatVector expAt(float[] x, int at, FloatVector mv, VectorMask<Float> in) {
    FloatVector v = in == null ? FloatVector.fromArray(FS, x, at) : FloatVector.fromArray(FS, x, at, in).blend(mv, in.not());
    return VectorMath.exp(v.sub(mv));
  }

  @Override
  double sumExp(float[] x, int o, int c, float m) {
    FloatVector mv = FloatVector.broadcast(FS, m);
    DoubleVector lo = DoubleVector.zero(D);
    DoubleVector hi = DoubleVector.zero(D);
    int bound = FS.loopBound(c);
    int k = 0;
    while (k < bound) {
      FloatVector acc = FloatVector.zero(FS);
      int end = Math.min(bound, k + BLOCK * FL);
      for (; k < end; k += FL) {
        acc = acc.add(expAt(x, o + k, mv, null));
      }
      lo = lo.add(low(acc));
      hi = hi.add(high(acc));
    }
    if (k < c) {
      VectorMask<Float> in = FS.indexInRange(k, c);
      FloatVector e = expAt(x, o + k, mv, in).blend(0f, in.not());
      lo = lo.add(low(e));
      hi = hi.add(high(e));
    }
    return lanes(lo, hi);
  }

  @Override
  double sumLogProbs(float[] x, int o, int c, float m, float ls, float[] w) {
    FloatVector mv = FloatVector.broadcast(FS, m);
    DoubleVector lo = DoubleVector.zero(D);
    DoubleVector hi = DoubleVector.zero(D);
    int bound = FS.loopBound(c);
    int k = 0;
    while (k < bound) {
      FloatVector acc = FloatVector.zero(FS);
      int end = Math.min(bound, k + BLOCK * FL);
      for (; k < end; k += FL) {
        FloatVector lp = FloatVector.fromArray(FS, x, o + k).sub(mv).sub(ls);
        acc = acc.add(w == null ? lp : lp.mul(FloatVector.fromArray(FS, w, k)));
      }
      lo = lo.add(low(acc));
      hi = hi.add(high(acc));
    }
    if (k < c) {
      VectorMask<Float> in = FS.indexInRange(k, c);
      FloatVector lp = FloatVector.fromArray(FS, x, o + k, in).sub(mv).sub(ls);
      FloatVector v = (w == null ? lp : lp.mul(FloatVector.fromArray(FS, w, k, in))).blend(0f, in.not());
      lo = lo.add(low(v));
      hi = hi.add(high(v));
    }
    return lanes(lo, hi);
  }

  @Override
  void probabilityRow(float[] x, int o, float[] t, int c, float m, float ls, float[] w, float[] gw, float a,
      boolean smoothTarget, float keep, float add, float[] gl, double[] sums) {
    FloatVector mv = FloatVector.broadcast(FS, m);
    FloatVector av = FloatVector.broadcast(FS, a);
    DoubleVector lo = DoubleVector.zero(D);
    DoubleVector hi = DoubleVector.zero(D);
    DoubleVector glo = DoubleVector.zero(D);
    DoubleVector ghi = DoubleVector.zero(D);
    int bound = FS.loopBound(c);
    int k = 0;
    while (k < c) {
      FloatVector acc = FloatVector.zero(FS);
      FloatVector gAcc = FloatVector.zero(FS);
      int end = Math.min(bound, k + BLOCK * FL);
      VectorMask<Float> in = null;
      if (k == bound) {
        in = FS.indexInRange(k, c); // the last classes, one masked vector
        end = k + 1;
      }
      for (; k < end; k += FL) {
        FloatVector tv = in == null ? FloatVector.fromArray(FS, t, o + k) : FloatVector.fromArray(FS, t, o + k, in);
        if (smoothTarget) {
          tv = tv.mul(keep).add(add);
        }
        FloatVector xv = in == null ? FloatVector.fromArray(FS, x, o + k) : FloatVector.fromArray(FS, x, o + k, in);
        FloatVector p = xv.sub(mv).sub(ls).mul(tv);
        if (w != null) {
          p = p.mul(in == null ? FloatVector.fromArray(FS, w, k) : FloatVector.fromArray(FS, w, k, in));
        }
        if (gl != null) {
          FloatVector g = (gw == null ? av : in == null ? FloatVector.fromArray(FS, gw, k)
              : FloatVector.fromArray(FS, gw, k, in)).mul(tv);
          if (in == null) {
            g.intoArray(gl, o + k);
          } else {
            g.intoArray(gl, o + k, in);
            g = g.blend(0f, in.not());
          }
          gAcc = gAcc.add(g);
        }
        acc = acc.add(in == null ? p : p.blend(0f, in.not()));
      }
      if (in != null) {
        k = c;
      }
      lo = lo.add(low(acc));
      hi = hi.add(high(acc));
      glo = glo.add(low(gAcc));
      ghi = ghi.add(high(gAcc));
    }
    sums[0] = lanes(lo, hi);
    sums[1] = lanes(glo, ghi);
  }

  @Override
  void backward(float[] x, int o, int c, float m, float ls, float[] gl, int go, float sh, float sl, float[] out) {
    FloatVector mv = FloatVector.broadcast(FS, m);
    FloatVector shv = FloatVector.broadcast(FS, -sh);
    FloatVector slv = FloatVector.broadcast(FS, -sl);
    int bound = FS.loopBound(c);
    int k = 0;
    for (; k < bound; k += FL) {
      FloatVector p = VectorMath.exp(FloatVector.fromArray(FS, x, o + k).sub(mv).sub(ls));
      p.fma(slv, p.fma(shv, FloatVector.fromArray(FS, gl, go + k))).intoArray(out, o + k);
    }
    if (k < c) {
      VectorMask<Float> in = FS.indexInRange(k, c);
      FloatVector p = VectorMath.exp(FloatVector.fromArray(FS, x, o + k, in).blend(mv, in.not()).sub(mv).sub(ls));
      p.fma(slv, p.fma(shv, FloatVector.fromArray(FS, gl, go + k, in))).intoArray(out, o + k, in);
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
    for (int k = 0; k < bound; k += L) {
      DoubleVector v = exp(DoubleVector.fromArray(D, x, o + k).sub(mv));
      if (e != null) {
        v.intoArray(e, eo + k);
      }
      DoubleVector y = v.sub(comp);
      DoubleVector t = sum.add(y);
      comp = t.sub(sum).sub(y);
      sum = t;
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
    for (int k = 0; k < bound; k += L) {
      DoubleVector lp = DoubleVector.fromArray(D, x, o + k).sub(mv).sub(logS);
      DoubleVector p = probability(DoubleVector.fromArray(D, e, eo + k), invS, lp, round(f32, lp), f32);
      DoubleVector g = gl == null ? g0v : DoubleVector.fromArray(D, gl, go + k);
      g.sub(p.mul(sv)).intoArray(out, oo + k);
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
