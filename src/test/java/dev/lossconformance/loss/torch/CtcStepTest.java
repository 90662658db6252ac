package dev.lossconformance.loss.torch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Exp#best()}'s CTC lattice step and gradient row (vectorised along the states and classes
 * when the Vector API module is present) against the scalar ones, on rows with -inf states (states not
 * reached yet), skips allowed and not, NaN, and widths around the vector length.
 */
class CtcStepTest {

  @Test
  void theStepMatchesTheScalarStep() {
    SplittableRandom rng = new SplittableRandom(11);
    Exp best = Exp.best();
    Exp scalar = Exp.scalar();
    for (int u : new int[] {1, 3, 7, 8, 9, 15, 17, 81, 401}) {
      for (int trial = 0; trial < 20; trial++) {
        double[] prev = new double[u + 2];
        double[] emit = new double[u];
        boolean[] skip = new boolean[u];
        prev[0] = Double.NEGATIVE_INFINITY;
        prev[1] = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < u; s++) {
          double r = rng.nextDouble();
          prev[2 + s] = r < 0.2 ? Double.NEGATIVE_INFINITY : trial == 7 && s == u / 2 ? Double.NaN
              : -rng.nextDouble() * 300;
          emit[s] = -rng.nextDouble() * 8;
          skip[s] = s > 1 && rng.nextBoolean();
        }
        double[] expected = new double[u + 2];
        double[] actual = new double[u + 2];
        scalar.ctcStep(prev, 0, expected, 0, skip, emit, 0, u);
        best.ctcStep(prev, 0, actual, 0, skip, emit, 0, u);
        for (int s = 0; s < u; s++) {
          assertClose("u=" + u + " trial " + trial + " state " + s, expected[2 + s], actual[2 + s]);
        }
      }
    }
  }

  @Test
  void theGradientRowMatchesTheScalarOne() {
    SplittableRandom rng = new SplittableRandom(12);
    for (int c : new int[] {1, 5, 8, 13, 50, 1000}) {
      double[] lp = new double[c];
      double[] collected = new double[c];
      for (int k = 0; k < c; k++) {
        lp[k] = -rng.nextDouble() * 10;
        collected[k] = k % 3 == 0 ? Double.NEGATIVE_INFINITY : -rng.nextDouble() * 50;
      }
      double[] expected = new double[c];
      double[] actual = new double[c];
      Exp.scalar().ctcGradRow(lp, 0, collected, c, 30.5, 0.25, expected);
      Exp.best().ctcGradRow(lp, 0, collected, c, 30.5, 0.25, actual);
      for (int k = 0; k < c; k++) {
        assertClose("c=" + c + " class " + k, expected[k], actual[k]);
      }
    }
  }

  /** Equal, both NaN, or within 4 ulps (SVML's exp and log against Math's, each within 1 ulp). */
  private static void assertClose(String where, double expected, double actual) {
    boolean ok = Double.compare(expected, actual) == 0 || (Double.isNaN(expected) && Double.isNaN(actual))
        || Math.abs(expected - actual) <= 4 * Math.ulp(expected);
    assertTrue(ok, Exp.best().name() + " " + where + ": scalar " + expected + ", kernel " + actual);
  }
}
