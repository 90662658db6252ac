package dev.lossconformance.loss.keras;

import dev.lossconformance.check.Ulps;
import dev.lossconformance.tensor.DType;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The Vector API's float {@code LOG} (what {@link VectorRegressionRows} runs) against the scalar rows'
 * {@code (float) Math.log}, for {@link KerasRegressionFastPathTest}; only loaded when
 * jdk.incubator.vector is present.
 */
final class VectorLogProbe {
  private VectorLogProbe() {}

  /**
   * The largest ulp distance over {@code passes} passes of {@code n} random floats, log-uniform over
   * [2^-40, 2^100] (KL's ratios [1e-7, 1e7] and Poisson's {@code p + 1e-7} inside), the later passes
   * run by C2 (its SVML call where the JDK has one).
   */
  static long maxUlps(int n, int passes, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) Math.pow(2, -40 + 140 * rng.nextDouble());
    }
    float[] y = new float[n];
    long worst = 0;
    int bound = FloatVector.SPECIES_256.loopBound(n);
    for (int pass = 0; pass < passes; pass++) {
      for (int k = 0; k < bound; k += 8) {
        FloatVector.fromArray(FloatVector.SPECIES_256, x, k).lanewise(VectorOperators.LOG).intoArray(y, k);
      }
      for (int k = 0; k < bound; k++) {
        worst = Math.max(worst, Ulps.distance(DType.FLOAT32, y[k], (float) Math.log(x[k])));
      }
    }
    return worst;
  }
}
