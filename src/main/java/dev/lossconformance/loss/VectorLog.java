package dev.lossconformance.loss;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Lane-wise {@code log} and {@code log1p} on plain FMAs, adds, multiplies and one division, in float and
 * double lanes, as {@link VectorMath#exp}: the same bits interpreted and compiled, so a kernel using them
 * does not depend on when C2 compiles it (the Vector API's SVML {@code LOG} and {@code LOG1P} do: before
 * C2 compiles a loop they run {@code Math.log} per lane). Each works in the species of its argument; a
 * vector with a lane that is not a positive normal finite number goes lane by lane through {@code Math}.
 */
public final class VectorLog {
  private VectorLog() {}

  private static final float SQRT_HALF_F = 0.70710678118654752440f;
  /** Cephes' logf polynomial, highest degree first. */
  private static final float[] CEPHES = {7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f,
      1.4249322787E-1f, -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f};

  /**
   * {@code log} lane-wise: {@code x = 2^k m} with {@code m} in [sqrt(1/2), sqrt(2)), {@code log m} by
   * Cephes' logf polynomial in {@code f = m - 1} (FMAs), plus {@code k ln 2} in two parts. Within 1 ulp of
   * {@code (float) Math.log} (measured by the kernels' fast-path tests).
   */
  public static FloatVector log(FloatVector v) {
    if (!v.compare(VectorOperators.GE, Float.MIN_NORMAL).and(v.compare(VectorOperators.LE, Float.MAX_VALUE)).allTrue()) {
      return mathLog(v);
    }
    IntVector bits = (IntVector) v.reinterpretAsInts();
    IntVector e = bits.lanewise(VectorOperators.LSHR, 23).sub(127);
    FloatVector m = ((IntVector) bits.and(0x007fffff).or(0x3f000000)).reinterpretAsFloats(); // [0.5, 1)
    // m < sqrt(1/2): 2m - 1, exponent e; else m - 1, exponent e + 1
    VectorMask<Float> small = m.compare(VectorOperators.LT, SQRT_HALF_F);
    FloatVector k = ((FloatVector) e.convert(VectorOperators.I2F, 0)).add(v.broadcast(1f).blend(0f, small));
    FloatVector x = m.add(m.blend(0f, small.not())).sub(1f);
    FloatVector z = x.mul(x);
    FloatVector p = x.fma(v.broadcast(CEPHES[0]), v.broadcast(CEPHES[1]));
    for (int i = 2; i < CEPHES.length; i++) {
      p = p.fma(x, v.broadcast(CEPHES[i]));
    }
    FloatVector y = p.mul(x).mul(z);
    y = k.fma(v.broadcast(-2.12194440e-4f), y);
    y = z.fma(v.broadcast(-0.5f), y);
    return k.fma(v.broadcast(0.693359375f), x.add(y));
  }

  /** {@code Math.log} lane by lane (out of line: it keeps {@link #log} small enough for C2 to inline). */
  private static FloatVector mathLog(FloatVector v) {
    float[] a = v.toArray();
    for (int l = 0; l < a.length; l++) {
      a[l] = (float) Math.log(a[l]);
    }
    return FloatVector.fromArray(v.species(), a, 0);
  }

  private static DoubleVector mathLog(DoubleVector v) {
    double[] a = v.toArray();
    for (int l = 0; l < a.length; l++) {
      a[l] = Math.log(a[l]);
    }
    return DoubleVector.fromArray(v.species(), a, 0);
  }

  /**
   * {@code log1p} of lanes in [0, 1] (others lane by lane through {@code Math.log1p}): {@code u = 1 + e},
   * then {@code log(u) * (e / (u - 1))} (Goldberg's correction of the rounding of {@code u}), {@code e}
   * where {@code u} rounds to 1.
   */
  public static FloatVector log1p(FloatVector e) {
    if (!e.compare(VectorOperators.GE, 0f).and(e.compare(VectorOperators.LE, 1f)).allTrue()) {
      float[] a = e.toArray();
      for (int l = 0; l < a.length; l++) {
        a[l] = (float) Math.log1p(a[l]);
      }
      return FloatVector.fromArray(e.species(), a, 0);
    }
    FloatVector u = e.add(1f);
    VectorMask<Float> one = u.compare(VectorOperators.EQ, 1f);
    FloatVector d = u.sub(1f).blend(1f, one);
    return log(u).mul(e.div(d)).blend(e, one);
  }

  private static final double SQRT_HALF = 0.70710678118654752440;
  private static final double LN2_HI = 6.93147180369123816490e-01;
  private static final double LN2_LO = 1.90821492927058770002e-10;
  /** fdlibm's Lg7 down to Lg1. */
  private static final double[] LG = {1.479819860511658591e-01, 1.531383769920937332e-01, 1.818357216161805012e-01,
      2.222219843214978396e-01, 2.857142874366239149e-01, 3.999999999940941908e-01, 6.666666666666735130e-01};

  /**
   * {@code log} lane-wise, fdlibm's {@code __ieee754_log}: {@code x = 2^k (1 + f)}, {@code 1 + f} in
   * [sqrt(1/2), sqrt(2)), {@code s = f / (2 + f)}, its polynomial {@code Lg1..Lg7} in {@code z = s^2} by Horner's FMAs and
   * {@code k ln 2} in two parts. Within 1 ulp of {@code Math.log} (measured by the fast-path tests).
   */
  public static DoubleVector log(DoubleVector v) {
    if (!v.compare(VectorOperators.GE, Double.MIN_NORMAL).and(v.compare(VectorOperators.LE, Double.MAX_VALUE)).allTrue()) {
      return mathLog(v);
    }
    LongVector bits = (LongVector) v.reinterpretAsLongs();
    LongVector e = bits.lanewise(VectorOperators.LSHR, 52).sub(1023);
    DoubleVector m = ((LongVector) bits.and(0x000fffffffffffffL).or(0x3fe0000000000000L)).reinterpretAsDoubles();
    VectorMask<Double> small = m.compare(VectorOperators.LT, SQRT_HALF);
    DoubleVector k = ((DoubleVector) e.convert(VectorOperators.L2D, 0)).add(v.broadcast(1.0).blend(0.0, small));
    DoubleVector f = m.add(m.blend(0.0, small.not())).sub(1.0);
    DoubleVector s = f.div(f.add(2.0));
    DoubleVector z = s.mul(s);
    // R = z (Lg1 + z (Lg2 + ... + z Lg7)), Horner's FMAs
    DoubleVector r = z.fma(v.broadcast(LG[0]), v.broadcast(LG[1]));
    for (int i = 2; i < LG.length; i++) {
      r = r.fma(z, v.broadcast(LG[i]));
    }
    r = r.mul(z);
    DoubleVector hfsq = f.mul(f).mul(0.5);
    // k ln2_hi - ((hfsq - (s (hfsq + R) + k ln2_lo)) - f)
    DoubleVector inner = s.fma(hfsq.add(r), k.mul(LN2_LO));
    return k.fma(v.broadcast(LN2_HI), hfsq.sub(inner).sub(f).neg());
  }

  /** {@link #log1p(FloatVector)} in double lanes. */
  public static DoubleVector log1p(DoubleVector e) {
    if (!e.compare(VectorOperators.GE, 0.0).and(e.compare(VectorOperators.LE, 1.0)).allTrue()) {
      double[] a = e.toArray();
      for (int l = 0; l < a.length; l++) {
        a[l] = Math.log1p(a[l]);
      }
      return DoubleVector.fromArray(e.species(), a, 0);
    }
    DoubleVector u = e.add(1.0);
    VectorMask<Double> one = u.compare(VectorOperators.EQ, 1.0);
    DoubleVector d = u.sub(1.0).blend(1.0, one);
    return log(u).mul(e.div(d)).blend(e, one);
  }
}
