package dev.lossconformance.loss.keras;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.loss.VectorMath;
import java.util.SplittableRandom;
import jdk.incubator.vector.DoubleVector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The probabilities' rows of {@link SoftmaxRows}: {@link SoftmaxRows#logClip} and
 * {@link SoftmaxRows#expSumWide} of the vector rows (float64 lanes rounded to float32) against the
 * scalar's {@code (float) Math.log} and {@code (float) Math.exp} on 4M random probabilities (uniform in
 * [0, 1.2], some clipped, and softmax-like ones down to 1e-9); and {@link VectorMath#log} against
 * {@code Math.log} in float64 on 4M doubles over [1e-7, 1] and [1e-300, 1e300]. Measured: VectorMath.log
 * within 1 ulp of Math.log; the float32 rounding of the wide log and exp differs from the scalar's in
 * none of the 4M elements (the bound asserted: at most 1 in 10^6, each by 1 ulp). Skipped without the
 * Vector API module (the scalar rows are the scalar's).
 */
class WideRowsFastPathTest {
  private static final boolean SCALAR = SoftmaxRows.best().name().equals("scalar");

  @Test
  void wideLogAndExpRoundAsTheScalars() {
    Assumptions.assumeFalse(SCALAR, "scalar rows");
    SplittableRandom rng = new SplittableRandom(7);
    int c = 1000;
    int rows = 4096;
    float[] p = new float[c];
    float[] zFast = new float[c];
    float[] zExact = new float[c];
    float[] eFast = new float[c];
    float[] eExact = new float[c];
    SoftmaxRows vector = SoftmaxRows.best();
    SoftmaxRows scalar = SoftmaxRows.scalar();
    long differ = 0;
    long worst = 0;
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < c; k++) {
        p[k] = r % 2 == 0 ? (float) (rng.nextDouble() * 1.2) : (float) Math.exp(-rng.nextDouble() * 21);
      }
      vector.logClip(p, 0, c, zFast);
      scalar.logClip(p, 0, c, zExact);
      float m = vector.max(zExact, 0, c);
      float sFast = vector.expSumWide(zExact, 0, c, m, eFast);
      float sExact = scalar.expSumWide(zExact, 0, c, m, eExact);
      for (int k = 0; k < c; k++) {
        long dz = Math.abs(Float.floatToRawIntBits(zFast[k]) - (long) Float.floatToRawIntBits(zExact[k]));
        long de = Math.abs(Float.floatToRawIntBits(eFast[k]) - (long) Float.floatToRawIntBits(eExact[k]));
        differ += (dz != 0 ? 1 : 0) + (de != 0 ? 1 : 0);
        worst = Math.max(worst, Math.max(dz, de));
      }
      differ += sFast != sExact ? 1 : 0;
    }
    System.out.println("WideRowsFastPathTest: " + differ + " of " + 2L * rows * c + " float32 results differ, by at most "
        + worst + " ulps");
    assertTrue(differ <= 2L * rows * c / 1_000_000 && worst <= 1, differ + " differ, worst " + worst);
  }

  @Test
  void vectorLogIsWithinAnUlpOfMathLog() {
    Assumptions.assumeFalse(SCALAR, "scalar rows");
    System.out.println("WideRowsFastPathTest: VectorMath.log at most " + Doubles.worstLogUlps() + " ulps from Math.log");
    assertTrue(Doubles.worstLogUlps() <= 1);
  }

  /** The float64 lanes (loaded only with the module present). */
  private static final class Doubles {
    static long worstLogUlps() {
      SplittableRandom rng = new SplittableRandom(3);
      double[] v = new double[4];
      long worst = 0;
      for (int i = 0; i < 1 << 20; i++) {
        for (int l = 0; l < 4; l++) {
          v[l] = (i & 1) == 0 ? 1e-7 + rng.nextDouble() * (1 - 1e-7) : Math.pow(10, rng.nextDouble() * 600 - 300);
        }
        double[] out = VectorMath.log(DoubleVector.fromArray(DoubleVector.SPECIES_256, v, 0)).toArray();
        for (int l = 0; l < 4; l++) {
          worst = Math.max(worst, Math.abs(Double.doubleToRawLongBits(out[l]) - Double.doubleToRawLongBits(Math.log(v[l]))));
        }
      }
      return worst;
    }
  }
}
