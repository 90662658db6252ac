package dev.lossconformance.loss;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The kernels' one lane-wise exponential on the Vector API, in float and in double lanes (only the
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
    bits = bits.lanewise(VectorOperators.LSHL, 23).add(0x3F800000);
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

  /** The bits of sqrt(2)/2: a double's bits minus these have in their exponent field the k of {@link #log}. */
  private static final long LOG_OFF = 0x3fe6a09e667f3bcdL;
  /** fdlibm's e_log.c polynomial Lg1..Lg7 in s^2, for log(1 + f) on [sqrt(2)/2 - 1, sqrt(2) - 1]. */
  private static final double[] LG = {
    1.479819860511658591e-01, 1.531383769920937332e-01, 1.818357216161805012e-01, 2.222219843214978396e-01,
    2.857142874366239149e-01, 3.999999999940941908e-01, 6.666666666666735130e-01};

  /**
   * {@code log} lane-wise, fdlibm's e_log.c on FMA-free lanes: {@code v = 2^k z} with {@code z} in
   * [sqrt(2)/2, sqrt(2)) (from the bits, by the offset of sqrt(2)/2), {@code f = z - 1} (exact),
   * {@code s = f / (2 + f)}, {@code R} fdlibm's degree-7 polynomial in {@code s^2} (Horner), and
   * {@code k ln2_hi - ((f^2/2 - (s (f^2/2 + R) + k ln2_lo)) - f)}. Within 1 ulp of {@code Math.log}
   * (measured in {@code TfSoftmaxFastPathTest}). A vector with a lane that is not a positive normal
   * finite double goes lane by lane through {@code Math.log}.
   */
  public static DoubleVector log(DoubleVector v) {
    if (!v.compare(VectorOperators.GE, Double.MIN_NORMAL).and(v.compare(VectorOperators.LE, Double.MAX_VALUE)).allTrue()) {
      double[] a = v.toArray();
      for (int l = 0; l < a.length; l++) {
        a[l] = Math.log(a[l]);
      }
      return DoubleVector.fromArray(v.species(), a, 0);
    }
    LongVector bits = (LongVector) v.reinterpretAsLongs();
    LongVector ix = bits.sub(LOG_OFF);
    LongVector k = ix.lanewise(VectorOperators.ASHR, 52);
    DoubleVector z = (DoubleVector) bits.sub(k.lanewise(VectorOperators.LSHL, 52)).reinterpretAsDoubles();
    DoubleVector kd = (DoubleVector) k.convert(VectorOperators.L2D, 0);
    DoubleVector f = z.sub(1.0);
    DoubleVector s = f.div(f.add(2.0));
    DoubleVector s2 = s.mul(s);
    DoubleVector r = v.broadcast(LG[0]);
    for (int i = 1; i < LG.length; i++) {
      r = r.mul(s2).add(LG[i]);
    }
    r = r.mul(s2);
    DoubleVector hfsq = f.mul(f).mul(0.5);
    return kd.mul(LN2_HI).sub(hfsq.sub(s.mul(hfsq.add(r)).add(kd.mul(LN2_LO))).sub(f));
  }
}
