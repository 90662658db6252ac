package dev.lossconformance.check;

import dev.lossconformance.tensor.DType;
import java.util.Locale;

/** Distances in units in the last place, and the text of a value with its bits. */
public final class Ulps {
  private Ulps() {}

  /**
   * Number of representable values of {@code dtype} between {@code a} and {@code b} (0 when equal;
   * -0.0 and 0.0 are equal). Both NaN is 0; one NaN, or infinities that differ, is
   * {@link Long#MAX_VALUE}.
   */
  public static long distance(DType dtype, double a, double b) {
    boolean na = Double.isNaN(a);
    boolean nb = Double.isNaN(b);
    if (na || nb) {
      return na && nb ? 0 : Long.MAX_VALUE;
    }
    if (a == b) {
      return 0;
    }
    if (Double.isInfinite(a) || Double.isInfinite(b)) {
      return Long.MAX_VALUE;
    }
    if (dtype == DType.FLOAT32) {
      return Math.abs(ordered((float) a) - ordered((float) b));
    }
    long d = ordered(a) - ordered(b);
    return d == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(d);
  }

  private static long ordered(float f) {
    int bits = Float.floatToIntBits(f);
    return bits < 0 ? (long) Integer.MIN_VALUE - bits : bits;
  }

  private static long ordered(double d) {
    long bits = Double.doubleToLongBits(d);
    return bits < 0 ? Long.MIN_VALUE - bits : bits;
  }

  /** The spacing of {@code dtype} at {@code x}. */
  public static double ulp(DType dtype, double x) {
    return dtype == DType.FLOAT32 ? Math.ulp((float) x) : Math.ulp(x);
  }

  /** {@code 2.3025851 (0x40135d8e)}: the shortest decimal and the raw bits in the dtype. */
  public static String describe(DType dtype, double v) {
    if (dtype == DType.FLOAT32) {
      float f = (float) v;
      return dev.lossconformance.fixture.FloatText.ofFloat(f)
          + String.format(Locale.ROOT, " (0x%08x)", Float.floatToRawIntBits(f));
    }
    return dev.lossconformance.fixture.FloatText.ofDouble(v)
        + String.format(Locale.ROOT, " (0x%016x)", Double.doubleToRawLongBits(v));
  }

  /** A distance as text; {@code inf} for {@link Long#MAX_VALUE}. */
  public static String text(long ulps) {
    return ulps == Long.MAX_VALUE ? "inf" : Long.toString(ulps);
  }
}
