package dev.lossconformance.loss.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link Exp#best()}'s exponential (VectorExp's polynomial when the Vector API module is present,
 * {@code Math.exp} otherwise) against {@code (float) Math.exp}: within 1 ulp on every float of a dense
 * sweep of the polynomial's range, and exactly {@code Math.exp}'s result where it hands lanes over
 * (subnormal and zero results, overflow, infinities, NaN).
 */
class ExpAccuracyTest {

  @Test
  void withinOneUlpOfMathExpAcrossThePolynomialsRange() {
    // every 97th float between -87.33 and 88 by bit pattern (about 22 million values): negative floats
    // run from -0 (0x80000000) upwards in bits as they grow in magnitude, positive ones from +0
    Sweep sweep = new Sweep();
    for (int bits = Integer.MIN_VALUE; bits <= Float.floatToRawIntBits(-87.33f); bits += 97) {
      sweep.add(Float.intBitsToFloat(bits));
    }
    for (int bits = 0; bits <= Float.floatToRawIntBits(88f); bits += 97) {
      sweep.add(Float.intBitsToFloat(bits));
    }
    sweep.flush();
    assertTrue(sweep.count > 20_000_000, "swept " + sweep.count);
    assertTrue(sweep.worst <= 1, Exp.best().name() + ": " + sweep.worst + " ulps from Math.exp at " + sweep.worstAt);
  }

  /** Feeds values to the kernel a block at a time and keeps the worst ulp distance from Math.exp. */
  private static final class Sweep {
    private final float[] block = new float[1 << 16];
    private int n;
    long count;
    long worst;
    float worstAt;

    void add(float v) {
      block[n++] = v;
      if (n == block.length) {
        flush();
      }
    }

    void flush() {
      float[] out = block.clone();
      Exp.best().expInPlace(out, 0, n);
      for (int i = 0; i < n; i++) {
        float expected = (float) Math.exp(block[i]);
        long d = Math.abs((long) Float.floatToRawIntBits(expected) - Float.floatToRawIntBits(out[i]));
        if (d > worst) {
          worst = d;
          worstAt = block[i];
        }
      }
      count += n;
      n = 0;
    }
  }

  @Test
  void outsideTheRangeTheResultIsMathExps() {
    float[] special = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -87.34f, -88f, -100f, -103.9f,
        -104f, -150f, -Float.MAX_VALUE, 88.1f, 88.72f, 88.73f, 89f, 1000f, Float.MAX_VALUE, 0f, -0f, Float.MIN_VALUE,
        -Float.MIN_VALUE};
    float[] v = new float[64];
    for (int i = 0; i < v.length; i++) {
      v[i] = special[i % special.length];
    }
    float[] out = v.clone();
    Exp.best().expInPlace(out, 0, out.length);
    for (int i = 0; i < v.length; i++) {
      float expected = (float) Math.exp(v[i]);
      if (v[i] >= -87.33654f && v[i] <= 88f) {
        assertTrue(Math.abs(Float.floatToRawIntBits(expected) - Float.floatToRawIntBits(out[i])) <= 1,
            "exp(" + v[i] + "): Math.exp " + expected + ", kernel " + out[i]);
      } else {
        assertEquals(expected, out[i], "exp(" + v[i] + ")");
      }
    }
  }
}
