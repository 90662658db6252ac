package dev.lossconformance.loss;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The kernels' one lane-wise exponential, logarithm and log1p on the Vector API, in float and in double lanes (only the
 * kernels' Vector API classes, loaded by reflection when {@code jdk.incubator.vector} is present, use
 * it). Both are plain FMAs, adds and multiplies, so they give the same bits interpreted and compiled
 * (the Vector API's SVML {@code EXP} does not: before C2 compiles a loop it runs {@code Math.exp} per
 * lane). Each works in the species of its argument.
 */
public final class VectorMath {
  private VectorMath() {}

  /** Float arguments below this give subnormal or zero results, above it the scale 2^k would overflow. */
  public static final float FLOAT_EXP_LO = -87.33654f;
  public static final float FLOAT_EXP_HI = 88.0f;

  /**
   * {@code exp} lane-wise: {@code e^v = 2^k e^r} with {@code k = round(v / ln 2)} (by the 1.5 * 2^23
   * rounding constant, whose low mantissa bits then hold k), {@code r = v - k ln 2} in two FMAs (ln 2
   * split in a short high part and a low part) and {@code e^r} by a degree-7 polynomial (Cephes' expf
   * coefficients) in FMAs; 2^k is built from k's bits. Within 1 ulp of {@code Math.exp} (tested). A
   * vector with any lane outside [{@link #FLOAT_EXP_LO}, {@link #FLOAT_EXP_HI}] or NaN goes lane by
   * lane through {@code Math.exp} (subnormals, 0, infinities and NaN as there).
   */
  public static FloatVector exp(FloatVector v) {
    if (!v.compare(VectorOperators.GE, FLOAT_EXP_LO).and(v.compare(VectorOperators.LE, FLOAT_EXP_HI)).allTrue()) {
      float[] a = v.toArray();
      for (int l = 0; l < a.length; l++) {
        a[l] = (float) Math.exp(a[l]);
      }
      return FloatVector.fromArray(v.species(), a, 0);
    }
    FloatVector t = v.fma(v.broadcast(1.44269504088896341f), v.broadcast(12582912f));
    FloatVector k = t.sub(12582912f);
    FloatVector r = k.fma(v.broadcast(-0.693359375f), v);
    r = k.fma(v.broadcast(2.12194440e-4f), r);
    FloatVector p = r.fma(v.broadcast(1.9875691500e-4f), v.broadcast(1.3981999507e-3f));
    p = p.fma(r, v.broadcast(8.3334519073e-3f));
    p = p.fma(r, v.broadcast(4.1665795894e-2f));
    p = p.fma(r, v.broadcast(1.6666665459e-1f));
    p = p.fma(r, v.broadcast(5.0000001201e-1f));
    p = p.fma(r.mul(r), r).add(1f);
    IntVector bits = (IntVector) t.reinterpretAsInts();
    bits = bits.lanewise(VectorOperators.LSHL, bits.broadcast(23)).add(bits.broadcast(0x3F800000));
    return p.mul(bits.reinterpretAsFloats());
  }

  /** Double arguments outside this range give subnormal, zero or infinite results: lane by lane. */
  public static final double DOUBLE_EXP_LO = -708.0;
  public static final double DOUBLE_EXP_HI = 709.0;
  private static final double SHIFT = 0x1.8p52;
  private static final double LN2_HI = 6.93147180369123816490e-01;
  private static final double LN2_LO = 1.90821492927058770002e-10;
  /** 1 / k! for k = 13 down to 2. */
  private static final double[] TAYLOR = new double[12];

  static {
    double f = 1;
    for (int k = 2; k <= 13; k++) {
      f *= k;
      TAYLOR[13 - k] = 1 / f;
    }
  }

  /**
   * {@code exp} lane-wise: {@code e^v = 2^k e^r}, {@code k = round(v / ln 2)} (by the 1.5 * 2^52
   * rounding constant, whose low mantissa bits then hold k), {@code r = v - k ln 2} in two FMAs (fdlibm's
   * split of ln 2), {@code e^r} by its Taylor polynomial to degree 13 in Horner's FMAs (the truncation is
   * below 0.2 ulp for |r| <= ln 2 / 2), and 2^k built from k's bits. Within 2 ulps of {@code Math.exp}
   * (tested). A vector with a lane outside [{@link #DOUBLE_EXP_LO}, {@link #DOUBLE_EXP_HI}] or NaN goes
   * lane by lane through {@code Math.exp}.
   */
  public static DoubleVector exp(DoubleVector v) {
    if (!v.compare(VectorOperators.GE, DOUBLE_EXP_LO).and(v.compare(VectorOperators.LE, DOUBLE_EXP_HI)).allTrue()) {
      double[] a = v.toArray();
      for (int l = 0; l < a.length; l++) {
        a[l] = Math.exp(a[l]);
      }
      return DoubleVector.fromArray(v.species(), a, 0);
    }
    DoubleVector t = v.fma(v.broadcast(1.4426950408889634), v.broadcast(SHIFT));
    DoubleVector k = t.sub(SHIFT);
    DoubleVector r = k.fma(v.broadcast(-LN2_HI), v);
    r = k.fma(v.broadcast(-LN2_LO), r);
    DoubleVector p = v.broadcast(TAYLOR[0]);
    for (int i = 1; i < TAYLOR.length; i++) {
      p = p.fma(r, v.broadcast(TAYLOR[i]));
    }
    p = p.fma(r, v.broadcast(1.0)).fma(r, v.broadcast(1.0));
    LongVector bits = (LongVector) t.reinterpretAsLongs();
    bits = bits.lanewise(VectorOperators.LSHL, 52).add(1023L << 52);
    return p.mul(bits.reinterpretAsDoubles());
  }

  // log and log1p (on plain FMAs, adds, multiplies and one division, as exp: the same bits interpreted
  // and compiled, where the Vector API's SVML LOG and LOG1P run Math.log per lane before C2 compiles a loop)


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
