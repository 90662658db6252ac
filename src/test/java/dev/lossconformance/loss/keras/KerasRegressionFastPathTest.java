package dev.lossconformance.loss.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.Ulps;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link KerasRegression}'s fast path ({@link RegressionRows}) against its exact path (the op-by-op
 * double arithmetic rounded to float32 at every op, which the conformance fixtures and the sweep check
 * against TensorFlow), for MeanAbsoluteError, Hinge (binary and other labels), Poisson and
 * KLDivergence: on inputs above {@link Parallel#THRESHOLD} (several chunks), row widths around the
 * 8-lane packet, float32 and float64 inputs (also mixed), every reduction, with and without
 * sample_weight, in 1, 3 and the default number of chunks (run it with {@code -Dlossconformance.threads=1}
 * and {@code =2}), and with rows holding subnormal, NaN, infinite and tiny (below 2^-100) inputs that go
 * to the exact path.
 *
 * <p>The scalar rows give the exact path's bits in everything. The Vector API rows (the surefire
 * execution with jdk.incubator.vector) give them in every gradient and in MAE's and Hinge's losses;
 * Poisson's and KLDivergence's per-sample losses use the API's float LOG, measured within 1 ulp of
 * {@code (float) Math.log} on 2^22 random floats log-uniform over [2^-40, 2^100] (20 passes, C2
 * compiled; {@link VectorLogProbe}), and they differ from the exact path's by at most
 * {@link #LOG_BOUND} = 2^-20 times the row's sum of |term| (divided by the row length for Poisson's
 * mean): an ulp of the log moves a term {@code t log r} or {@code p - y log s} by at most about 2^-23 of
 * its magnitude, and the sums of the moved terms round a few partial sums differently, each by at most
 * 2^-24 of the sum of |terms|; measured after a warm-up: at most 2^-24 (printed).
 */
class KerasRegressionFastPathTest {
  private static final boolean SCALAR = RegressionRows.best().name().equals("scalar");
  /** The vector rows' bound on a Poisson or KLDivergence per-sample loss: 2^-20 of the row's sum of |terms|. */
  private static final double LOG_BOUND = 0x1p-20;

  @ParameterizedTest(name = "{0} {1}x{2} {3}/{4} {5} weighted {6}")
  @CsvSource({
      "MAE, 300, 1000, float32, float32, sum_over_batch_size, false", "MAE, 300, 1000, float64, float64, none, true",
      "MAE, 70000, 1, float32, float32, sum, false", "MAE, 9000, 9, float64, float32, sum_over_batch_size, true",
      "HINGE, 300, 1000, float32, float32, sum_over_batch_size, true", "HINGE, 300, 1000, float64, float64, none, false",
      "HINGE, 5000, 17, float32, float64, sum, false", "HINGE_BINARY, 300, 1000, float32, float32, none, true",
      "HINGE_BINARY, 300, 1000, float64, float64, sum_over_batch_size, false", "HINGE_BINARY, 9000, 8, float32, float32, sum, true",
      "POISSON, 300, 1000, float32, float32, none, false", "POISSON, 300, 1000, float64, float64, sum_over_batch_size, true",
      "POISSON, 9000, 7, float32, float32, sum, true", "POISSON, 2, 64000, float32, float64, none, false",
      "KLD, 300, 1000, float32, float32, none, true", "KLD, 300, 1000, float64, float64, sum, false",
      "KLD, 5000, 31, float32, float32, sum_over_batch_size, false", "KLD, 2, 64000, float64, float32, none, true"})
  void fastPathMatchesTheExactPath(RegressionRows.Kind kind, int n, int c, String tType, String pType,
      String reduction, boolean weighted) {
    SplittableRandom rng = new SplittableRandom(n * 131L + c + kind.ordinal());
    double[] y = new double[n * c];
    double[] p = new double[n * c];
    for (int i = 0; i < y.length; i++) {
      switch (kind) {
        case MAE -> {
          y[i] = rng.nextGaussian() * 3;
          p[i] = i % 13 == 0 ? y[i] : rng.nextGaussian() * 3;
        }
        case HINGE -> {
          y[i] = rng.nextInt(3) - 1 + (i % 7 == 0 ? 0.5 : 0);
          p[i] = rng.nextGaussian() * 2;
        }
        case HINGE_BINARY -> {
          y[i] = rng.nextInt(2);
          p[i] = i % 11 == 0 ? 1 : rng.nextGaussian() * 2;
        }
        case POISSON -> {
          y[i] = rng.nextInt(4) + (i % 3 == 0 ? rng.nextDouble() : 0);
          p[i] = i % 97 == 0 ? 0 : rng.nextDouble() * 4 + (i % 101 == 0 ? 1e30 : 0);
        }
        default -> {
          y[i] = i % 9 == 0 ? 0 : rng.nextDouble() * 1.1;
          p[i] = i % 10 == 0 ? 0 : rng.nextDouble() * 1.2 - 0.05;
        }
      }
    }
    // rows the fast path hands to the exact path (and Poisson's NaN rows from a negative rate)
    double[] special = {1e-40, -1e-42, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-35,
        -3e-33, 0x1p-126, -0.0, 3e38, -3e38, -0.5, 1e-39};
    int exactRows = 0;
    for (int r = 0; r < n; r += 17) {
      exactRows++;
      int at = r * c + rng.nextInt(c);
      double v = special[rng.nextInt(special.length)];
      if (kind == RegressionRows.Kind.HINGE_BINARY) {
        v = rng.nextBoolean() ? 1e-41 : -1e-44; // labels that stay binary (flushed to 0)
        y[at] = v;
        p[at] = special[rng.nextInt(special.length)];
      } else if (rng.nextBoolean()) {
        y[at] = v;
      } else {
        p[at] = v;
      }
    }
    Tensor yTrue = Tensor.ofFloating(DType.fromJsonName(tType), y, n, c);
    Tensor yPred = Tensor.ofFloating(DType.fromJsonName(pType), p, n, c);
    Tensor w = weighted ? weights(rng, n) : null;
    KerasReduction.Mode mode = KerasReduction.Mode.of(reduction);
    LossAndGrad exact = KerasRegression.run(kind, yTrue, yPred, w, mode, null, -1);
    for (int chunks : new int[] {-1, 1, 3}) {
      String what = kind + " in " + chunks + " chunks";
      LossAndGrad scalar = KerasRegression.run(kind, yTrue, yPred, w, mode, RegressionRows.scalar(), chunks);
      assertSameBits(what + ", scalar rows: loss", exact.loss(), scalar.loss());
      assertSameBits(what + ", scalar rows: grad_y_pred", exact.gradInput(), scalar.gradInput());
      LossAndGrad best = KerasRegression.run(kind, yTrue, yPred, w, mode, RegressionRows.best(), chunks);
      assertSameBits(what + ", " + RegressionRows.best().name() + " rows: grad_y_pred", exact.gradInput(),
          best.gradInput());
      boolean logs = kind == RegressionRows.Kind.POISSON || kind == RegressionRows.Kind.KLD;
      if (SCALAR || !logs) {
        assertSameBits(what + ", best rows: loss", exact.loss(), best.loss());
      } else if (mode == KerasReduction.Mode.NONE) {
        double worst = 0;
        for (int r = 0; r < n; r++) {
          double a = exact.loss().getDouble(r);
          double b = best.loss().getDouble(r);
          if (Double.isNaN(a) || Double.isNaN(b) || a == b) {
            assertEquals(Double.doubleToLongBits(a), Double.doubleToLongBits(b), what + ": loss at " + r);
            continue;
          }
          double scale = absTermSum(kind, yTrue, yPred, r, c) * (weighted ? Math.abs(w.getDouble(r)) : 1)
              / (kind == RegressionRows.Kind.KLD ? 1 : c);
          double ratio = Math.abs(a - b) / scale;
          worst = Math.max(worst, ratio);
          assertTrue(ratio <= LOG_BOUND, what + ": loss at " + r + ": " + Ulps.describe(DType.FLOAT32, a) + " vs "
              + Ulps.describe(DType.FLOAT32, b) + ", " + ratio + " of the row's sum of |terms|");
        }
        System.out.println(kind + " " + n + "x" + c + ": vector LOG rows, largest |difference| / sum|terms| = "
            + worst + " (2^" + Math.getExponent(worst) + ")");
      }
    }
    assertTrue(exactRows >= 1);
  }

  /**
   * CosineSimilarity over the last axis: the fast fibers ({@link KerasRegression#cosineFast}, scalar and
   * best rows) give the exact whole-tensor path's bits, NaN and infinite rows included, at widths around
   * Eigen's 4-packet blocks, in 1, 3 and the default number of chunks.
   */
  @ParameterizedTest(name = "cosine {0}x{1} {2}/{3} {4} weighted {5}")
  @CsvSource({
      "300, 1000, float32, float32, sum_over_batch_size, false", "300, 1000, float64, float64, none, true",
      "2000, 33, float32, float64, sum, true", "9000, 31, float32, float32, none, false",
      "9000, 8, float64, float32, sum_over_batch_size, true", "70000, 1, float32, float32, sum, false",
      "20000, 5, float32, float32, none, true", "2, 64000, float32, float32, none, false"})
  void cosineFastPathHasTheExactPathsBits(int n, int c, String tType, String pType, String reduction,
      boolean weighted) {
    SplittableRandom rng = new SplittableRandom(n * 7L + c);
    double[] y = new double[n * c];
    double[] p = new double[n * c];
    double[] special = {1e-40, -1e-42, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-35,
        1e-20, 0x1p-126, -0.0, 0.0, 3e38, -3e25, 1e-39};
    for (int i = 0; i < y.length; i++) {
      int r = i / c;
      double scale = r % 29 == 5 ? 1e-21 : r % 31 == 7 ? 1e19 : 1; // squared norms that underflow or overflow
      y[i] = r % 37 == 3 ? 0 : rng.nextGaussian() * scale;
      p[i] = rng.nextGaussian() * scale;
      if (r % 17 == 2 && rng.nextInt(Math.max(1, c / 3)) == 0) {
        (rng.nextBoolean() ? y : p)[i] = special[rng.nextInt(special.length)];
      }
    }
    Tensor yTrue = Tensor.ofFloating(DType.fromJsonName(tType), y, n, c);
    Tensor yPred = Tensor.ofFloating(DType.fromJsonName(pType), p, n, c);
    Tensor w = weighted ? weights(rng, n) : null;
    KerasReduction.Mode mode = KerasReduction.Mode.of(reduction);
    LossAndGrad exact = KerasRegression.cosineExact(yTrue, yPred, w, mode,
        dev.lossconformance.loss.Fibers.of(yPred.shape(), -1, KerasRegression.COSINE));
    LossAndGrad api = KerasRegression.cosineSimilarity(yTrue, yPred, w, -1, mode);
    assertSameBits("cosine api: loss", exact.loss(), api.loss());
    assertSameBits("cosine api: grad_y_pred", exact.gradInput(), api.gradInput());
    for (int chunks : new int[] {-1, 1, 3}) {
      for (RegressionRows kernel : new RegressionRows[] {RegressionRows.scalar(), RegressionRows.best()}) {
        String what = "cosine, " + kernel.name() + " rows in " + chunks + " chunks";
        LossAndGrad fast = KerasRegression.cosineFast(yTrue, yPred, w, mode, c, n, new int[] {n}, kernel, chunks);
        assertSameBits(what + ": loss", exact.loss(), fast.loss());
        assertSameBits(what + ": grad_y_pred", exact.gradInput(), fast.gradInput());
      }
    }
  }

  /**
   * The vector rows' log: the Vector API's float LOG is within 1 ulp of {@code (float) Math.log} on 2^22
   * random floats (20 passes, so C2 runs most of them); and after a warm-up that makes C2 compile the
   * rows, Poisson's and KLDivergence's per-sample losses stay within {@link #LOG_BOUND} of the exact
   * path's (the largest ratio is printed).
   */
  @org.junit.jupiter.api.Test
  void vectorLogIsWithinAnUlpAndTheLossesWithinTheBound() {
    org.junit.jupiter.api.Assumptions.assumeFalse(SCALAR, "the Vector API rows only");
    long ulps = VectorLogProbe.maxUlps(1 << 22, 20, 5);
    System.out.println("Vector API float LOG vs (float) Math.log: at most " + ulps + " ulp");
    assertTrue(ulps <= 1, ulps + " ulps");
    for (RegressionRows.Kind kind : new RegressionRows.Kind[] {RegressionRows.Kind.POISSON, RegressionRows.Kind.KLD}) {
      SplittableRandom rng = new SplittableRandom(11);
      int n = 300;
      int c = 1000;
      double[] y = new double[n * c];
      double[] p = new double[n * c];
      for (int i = 0; i < y.length; i++) {
        y[i] = kind == RegressionRows.Kind.KLD ? rng.nextDouble() : rng.nextInt(5);
        p[i] = kind == RegressionRows.Kind.KLD ? rng.nextDouble() : Math.exp(rng.nextGaussian() / 2);
      }
      Tensor yTrue = Tensor.ofFloating(DType.FLOAT32, y, n, c);
      Tensor yPred = Tensor.ofFloating(DType.FLOAT32, p, n, c);
      LossAndGrad exact = KerasRegression.run(kind, yTrue, yPred, null, KerasReduction.Mode.NONE, null, -1);
      double worst = 0;
      for (int it = 0; it < 30; it++) {
        LossAndGrad best = KerasRegression.run(kind, yTrue, yPred, null, KerasReduction.Mode.NONE,
            RegressionRows.best(), 1);
        assertSameBits(kind + ": grad_y_pred", exact.gradInput(), best.gradInput());
        for (int r = 0; r < n; r++) {
          double scale = absTermSum(kind, yTrue, yPred, r, c) / (kind == RegressionRows.Kind.KLD ? 1 : c);
          double ratio = Math.abs(exact.loss().getDouble(r) - best.loss().getDouble(r)) / scale;
          worst = Math.max(worst, ratio);
          assertTrue(ratio <= LOG_BOUND, kind + ": loss at " + r + ": " + ratio + " of the row's sum of |terms|");
        }
      }
      System.out.println(kind + " after warm-up: largest |difference| / sum|terms| = " + worst + " (2^"
          + Math.getExponent(worst) + ")");
    }
  }

  /** Per-sample float32 weights: zeros, tiny ones (their gradients' products flush) and others in [-0.5, 1.5). */
  private static Tensor weights(SplittableRandom rng, int n) {
    double[] wv = new double[n];
    for (int i = 0; i < n; i++) {
      wv[i] = i % 11 == 0 ? 0 : i % 23 == 0 ? 1e-38 : rng.nextDouble() * 2 - 0.5;
    }
    return Tensor.ofFloating(DType.FLOAT32, wv, n);
  }

  /** The row's sum of |term| in double (the scale of the vector LOG's bound). */
  private static double absTermSum(RegressionRows.Kind kind, Tensor yTrue, Tensor yPred, int r, int c) {
    double s = 0;
    for (int j = 0; j < c; j++) {
      double y = KerasReduction.flush((float) yTrue.getDouble(r * c + j));
      double p = KerasReduction.flush((float) yPred.getDouble(r * c + j));
      if (kind == RegressionRows.Kind.KLD) {
        double t = RegressionRows.clip((float) y);
        double q = RegressionRows.clip((float) p);
        s += Math.abs(t * Math.log(t / q));
      } else {
        s += Math.abs(p - y * Math.log(p + 1e-7));
      }
    }
    return s;
  }

  private static void assertSameBits(String what, Tensor expected, Tensor actual) {
    assertArrayEquals(expected.shape(), actual.shape(), what);
    assertEquals(expected.dtype(), actual.dtype(), what);
    for (int i = 0; i < expected.numel(); i++) {
      double a = expected.getDouble(i);
      double b = actual.getDouble(i);
      if (Double.doubleToLongBits(a) != Double.doubleToLongBits(b)) {
        assertEquals(Ulps.describe(DType.FLOAT32, a), Ulps.describe(DType.FLOAT32, b), what + " at " + i);
      }
    }
  }
}
