package dev.lossconformance.loss.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.Ulps;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Keras fast paths ({@link KerasFast}) against the exact op-by-op paths, which the conformance
 * fixtures and the sweep check against TensorFlow: on inputs above {@link Parallel#THRESHOLD} (split in
 * chunks), at every row width around the 8-lane packet, in float32 and float64, with sample weights and
 * every reduction. The scalar rows give the exact path's bits; the Vector API rows (the surefire
 * execution with jdk.incubator.vector) differ only by the API's EXP, within 4 ulps. Runs in both
 * surefire executions.
 */
class KerasFastPathTest {
  private static final boolean SCALAR = SoftmaxRows.best().name().equals("scalar");

  @ParameterizedTest(name = "{0}x{1} {2} {3} weighted {4}")
  @CsvSource({
      "4096, 100, float32, sum_over_batch_size, false", "300, 1000, float32, none, false",
      "300, 1000, float64, sum, true", "300, 1000, float64, sum_over_batch_size, false",
      "2, 64000, float32, sum_over_batch_size, true", "70000, 1, float32, sum, false",
      "64, 1, float32, sum_over_batch_size, false", "64, 7, float32, none, false", "64, 8, float64, sum, true",
      "64, 9, float32, sum_over_batch_size, true", "64, 17, float32, sum_over_batch_size, false",
      "64, 31, float64, none, false"})
  void sparseFromLogitsMatchesTheExactPath(int n, int c, String dtype, String reduction, boolean weighted) {
    SplittableRandom rng = new SplittableRandom(n * 31L + c);
    double[] x = new double[n * c];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextGaussian() * (i % 5 == 0 ? 40 : 3); // some rows reach exp's flushed range
    }
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      t[i] = rng.nextInt(c);
    }
    DType dt = DType.fromJsonName(dtype);
    Tensor yPred = Tensor.ofFloating(dt, x, n, c);
    Tensor yTrue = Tensor.ofLongs(t, n);
    Tensor w = null;
    if (weighted) {
      double[] wv = new double[n];
      for (int i = 0; i < n; i++) {
        wv[i] = i % 11 == 0 ? 0 : rng.nextDouble() * 2 - 0.5;
      }
      w = Tensor.ofFloating(DType.FLOAT32, wv, n);
    }
    SparseCategoricalCrossentropy loss = new SparseCategoricalCrossentropy(true, null, KerasReduction.Mode.of(reduction));
    LossAndGrad exact = loss.exact(yTrue, yPred, w);
    LossAndGrad fast = KerasFast.sparseSoftmax(yTrue, yPred, w, KerasReduction.Mode.of(reduction), null, null);
    assertNotNull(fast, "ordinary inputs take the fast path");
    assertClose("loss", exact.loss(), fast.loss());
    Tensor weights = w;
    java.util.function.IntToDoubleFunction term = j -> j % c == t[j / c]
        ? Math.abs(KerasReduction.factor(KerasReduction.weights(n, new int[] {n}, null, weights,
            KerasReduction.Mode.of(reduction)), j / c, n, KerasReduction.Mode.of(reduction))) : 0;
    assertClose("grad_y_pred", exact.gradInput(), fast.gradInput(), term);
    assertEquals(dt, fast.gradInput().dtype());
    LossAndGrad api = loss.apply(yTrue, yPred, w);
    assertClose("apply", exact.gradInput(), api.gradInput(), term);
  }

  /**
   * SparseCategoricalCrossentropy(from_logits=False): probabilities inside and outside the clip (0, 1,
   * above 1, negative, subnormal, infinite), float32 and float64, weighted, against the exact path; a
   * NaN probability goes to the exact path.
   */
  @ParameterizedTest(name = "{0}x{1} {2} {3} weighted {4}")
  @CsvSource({
      "4096, 100, float32, sum_over_batch_size, false", "300, 1000, float64, sum, true",
      "64, 1, float32, none, false", "64, 7, float32, sum_over_batch_size, true", "64, 17, float64, none, false"})
  void sparseProbabilitiesMatchTheExactPath(int n, int c, String dtype, String reduction, boolean weighted) {
    SplittableRandom rng = new SplittableRandom(n * 7L + c);
    double[] x = new double[n * c];
    double[] odd = {0, 1, 1.5, -0.25, 1e-40, Double.POSITIVE_INFINITY, 1e-7, 0.99999988};
    for (int i = 0; i < x.length; i++) {
      x[i] = i % 13 == 0 ? odd[(i / 13) % odd.length] : rng.nextDouble();
    }
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      t[i] = rng.nextInt(c);
    }
    DType dt = DType.fromJsonName(dtype);
    Tensor yPred = Tensor.ofFloating(dt, x, n, c);
    Tensor yTrue = Tensor.ofLongs(t, n);
    Tensor w = weighted ? Tensor.ofFloating(DType.FLOAT32, rng.doubles(n).map(v -> 3 * v - 1).toArray(), n) : null;
    KerasReduction.Mode mode = KerasReduction.Mode.of(reduction);
    SparseCategoricalCrossentropy loss = new SparseCategoricalCrossentropy(false, null, mode);
    LossAndGrad exact = loss.exact(yTrue, yPred, w);
    LossAndGrad fast = KerasFast.sparseProbabilities(yTrue, yPred, w, mode, null, null);
    assertNotNull(fast, "ordinary inputs take the fast path");
    assertClose("loss", exact.loss(), fast.loss());
    double[] ws = KerasReduction.weights(n, new int[] {n}, null, w, mode);
    float[] p32 = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      p32[i] = SoftmaxRows.flush((float) x[i]);
    }
    assertClose("grad_y_pred", exact.gradInput(), fast.gradInput(), j -> j % c == t[j / c]
        ? Math.abs(KerasReduction.factor(ws, j / c, n, mode)) / SoftmaxRows.clip(p32[j]) : 0);
    x[c + 1] = Double.NaN;
    Tensor withNaN = Tensor.ofFloating(dt, x, n, c);
    assertNull(KerasFast.sparseProbabilities(yTrue, withNaN, w, mode, null, null));
    assertArrayEquals(loss.exact(yTrue, withNaN, w).gradInput().toDoubleArray(),
        loss.apply(yTrue, withNaN, w).gradInput().toDoubleArray());
  }

  /** The CategoricalCrossentropy tests' shapes, dtypes, label smoothings and reductions. */
  static Stream<Arguments> categoricalShapes() {
    return Stream.of(Arguments.of(4096, 100, "float32", 0.1, "sum_over_batch_size"), Arguments.of(300, 1000, "float32", 0, "none"),
        Arguments.of(300, 1000, "float64", 0.2, "sum"), Arguments.of(64, 1, "float32", 0, "sum_over_batch_size"),
        Arguments.of(64, 7, "float32", 0.1, "none"), Arguments.of(64, 9, "float64", 0, "sum"),
        Arguments.of(2000, 17, "float32", 0.3, "sum_over_batch_size"), Arguments.of(64, 33, "float32", 0, "sum_over_batch_size"));
  }

  /** One-hot (every third row), uniform soft and Gaussian (negative too) labels. */
  private static double label(SplittableRandom rng, int row, int c) {
    return row % 3 == 0 ? (rng.nextInt(c) == 0 ? 1 : 0) : row % 3 == 1 ? rng.nextDouble() : rng.nextGaussian();
  }

  /**
   * CategoricalCrossentropy(from_logits=True)'s fast rows against its op-by-op fibers: one-hot, soft and
   * smoothed labels (negative and subnormal ones too), rows of non-ordinary logits (NaN, inf, a
   * subnormal) among ordinary ones, which take the op-by-op fiber.
   */
  @ParameterizedTest(name = "{0}x{1} {2} smoothing {3} {4}")
  @MethodSource("categoricalShapes")
  void categoricalFromLogitsMatchesTheExactPath(int n, int c, String dtype, double smoothing, String reduction) {
    SplittableRandom rng = new SplittableRandom(n * 17L + c);
    double[] x = new double[n * c];
    double[] y = new double[n * c];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextGaussian() * (i % 5 == 0 ? 40 : 3);
      y[i] = label(rng, i / c, c);
    }
    y[3] = 1e-40;
    y[4] = -1e-39;
    x[2 * c] = Double.NaN;
    x[4 * c + 1] = Double.POSITIVE_INFINITY;
    x[6 * c] = 1e-40;
    DType dt = DType.fromJsonName(dtype);
    Tensor yPred = Tensor.ofFloating(dt, x, n, c);
    Tensor yTrue = Tensor.ofFloating(dt, y, n, c);
    CategoricalCrossentropy loss = new CategoricalCrossentropy(true, smoothing, -1, KerasReduction.Mode.of(reduction));
    LossAndGrad exact = loss.exact(yTrue, yPred, null);
    LossAndGrad fast = loss.apply(yTrue, yPred, null);
    assertClose("loss", exact.loss(), fast.loss());
    KerasReduction.Mode mode = KerasReduction.Mode.of(reduction);
    assertClose("grad_y_pred", exact.gradInput(), fast.gradInput(),
        j -> Math.abs(KerasReduction.factor(null, j / c, n, mode)) * Math.max(1, Math.abs(y[j]) + smoothing));
  }

  /**
   * CategoricalCrossentropy(from_logits=False)'s fast rows ({@code FastRows.probabilities}) against its
   * op-by-op fibers, on probabilities inside and outside the clip (0, negative, above 1, NaN, infinite,
   * subnormal), one-hot, soft and smoothed labels: the gradient bit for bit in both implementations (it
   * takes no log); the loss bit for bit on the scalar rows, and on the vector rows (VectorMath.log,
   * within a float64 ulp) within 1 float32 ulp, the count of differing losses printed (measured: 0).
   */
  @ParameterizedTest(name = "{0}x{1} {2} smoothing {3} {4}")
  @MethodSource("categoricalShapes")
  void categoricalProbabilitiesMatchTheExactPath(int n, int c, String dtype, double smoothing, String reduction) {
    SplittableRandom rng = new SplittableRandom(n * 13L + c);
    double[] x = new double[n * c];
    double[] y = new double[n * c];
    for (int i = 0; i < x.length; i++) {
      int r = i / c;
      x[i] = r % 4 == 0 ? rng.nextDouble() * 1.3 - 0.1 : Math.exp(-rng.nextDouble() * 20);
      y[i] = label(rng, r, c);
    }
    x[3] = 1e-40;
    x[2 * c] = Double.NaN;
    x[4 * c + 1] = Double.POSITIVE_INFINITY;
    x[6 * c] = 0;
    DType dt = DType.fromJsonName(dtype);
    Tensor yPred = Tensor.ofFloating(dt, x, n, c);
    Tensor yTrue = Tensor.ofFloating(dt, y, n, c);
    CategoricalCrossentropy loss = new CategoricalCrossentropy(false, smoothing, -1, KerasReduction.Mode.of(reduction));
    LossAndGrad exact = loss.exact(yTrue, yPred, null);
    LossAndGrad fast = loss.apply(yTrue, yPred, null);
    assertArrayEquals(exact.gradInput().toDoubleArray(), fast.gradInput().toDoubleArray(), 0.0);
    int differ = 0;
    for (int i = 0; i < exact.loss().numel(); i++) {
      double e = exact.loss().getDouble(i);
      double a = fast.loss().getDouble(i);
      long d = Ulps.distance(DType.FLOAT32, e, a);
      differ += d == 0 ? 0 : 1;
      assertTrue(SCALAR ? Double.doubleToRawLongBits(e) == Double.doubleToRawLongBits(a) : d <= 1,
          "loss at " + i + ": " + e + " vs " + a);
    }
    System.out.println("KerasFastPathTest categorical probabilities " + n + "x" + c + ": " + differ + " of "
        + exact.loss().numel() + " losses differ");
  }

  /** The rows' results do not depend on the chunking (so not on the thread count): bit for bit. */
  @Test
  void sparseFromLogitsDoesNotDependOnTheChunks() {
    int n = 1000;
    int c = 131;
    SplittableRandom rng = new SplittableRandom(7);
    double[] x = new double[n * c];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextGaussian() * 3;
    }
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      t[i] = rng.nextInt(c);
    }
    Tensor yPred = Tensor.ofFloating(DType.FLOAT32, x, n, c);
    Tensor yTrue = Tensor.ofLongs(t, n);
    for (KerasReduction.Mode mode : KerasReduction.Mode.values()) {
      LossAndGrad one = KerasFast.sparse(yTrue, yPred, null, mode, true, null, null, SoftmaxRows.scalar(), 1);
      for (int chunks : new int[] {2, 3, 8, 17, 1000}) {
        LossAndGrad many = KerasFast.sparse(yTrue, yPred, null, mode, true, null, null, SoftmaxRows.scalar(), chunks);
        assertArrayEquals(one.loss().backingFloats(), many.loss().backingFloats(), mode + " loss, " + chunks + " chunks");
        assertArrayEquals(one.gradInput().backingFloats(), many.gradInput().backingFloats(),
            mode + " grad, " + chunks + " chunks");
      }
    }
  }

  /**
   * Inputs outside the domain (NaN, infinities, subnormal float32 logits, labels out of range, an
   * ignore_class) are handed to the exact path, which gives its result (or its error).
   */
  @Test
  void rareInputsGoToTheExactPath() {
    float[][] rows = {{1, Float.NaN, 2}, {1, Float.POSITIVE_INFINITY, 2}, {1, Float.NEGATIVE_INFINITY, 2},
        {1, 1e-40f, 2}, {1, 1e-35f, 2}};
    for (float[] row : rows) {
      Tensor yPred = Tensor.wrapFloats(row.clone(), 1, 3);
      Tensor yTrue = Tensor.ofLongs(new long[] {0}, 1);
      assertNull(KerasFast.sparseSoftmax(yTrue, yPred, null, KerasReduction.Mode.SUM, null, null), Arrays.toString(row));
      SparseCategoricalCrossentropy loss = new SparseCategoricalCrossentropy(true, null, KerasReduction.Mode.SUM);
      LossAndGrad exact = loss.exact(yTrue, yPred, null);
      LossAndGrad api = loss.apply(yTrue, yPred, null);
      assertArrayEquals(exact.loss().toDoubleArray(), api.loss().toDoubleArray());
      assertArrayEquals(exact.gradInput().toDoubleArray(), api.gradInput().toDoubleArray());
    }
    Tensor yPred = Tensor.wrapFloats(new float[] {1, 2, 3}, 1, 3);
    assertNull(KerasFast.sparseSoftmax(Tensor.ofLongs(new long[] {3}, 1), yPred, null, KerasReduction.Mode.SUM, null, null));
    assertThrows(LossArgumentException.class, () -> new SparseCategoricalCrossentropy(true, null,
        KerasReduction.Mode.SUM).apply(Tensor.ofLongs(new long[] {3}, 1), yPred, null));
  }

  /** gradInto: written everywhere (NaN from a previous call overwritten), wrapped; wrong arrays refused. */
  @Test
  void gradIntoIsWrittenAndWrapped() {
    int n = 300;
    int c = 1000;
    SplittableRandom rng = new SplittableRandom(3);
    double[] x = new double[n * c];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextGaussian();
    }
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      t[i] = rng.nextInt(c);
    }
    Tensor yTrue = Tensor.ofLongs(t, n);
    SparseCategoricalCrossentropy loss = new SparseCategoricalCrossentropy(true, null, KerasReduction.Mode.SUM_OVER_BATCH_SIZE);
    Tensor p32 = Tensor.ofFloating(DType.FLOAT32, x, n, c);
    float[] g32 = new float[n * c];
    Arrays.fill(g32, Float.NaN);
    LossAndGrad r32 = loss.apply(yTrue, p32, null, g32);
    assertSame(g32, r32.gradInput().backingFloats());
    assertArrayEquals(loss.apply(yTrue, p32, null).gradInput().backingFloats(), g32);
    Tensor p64 = Tensor.ofFloating(DType.FLOAT64, x, n, c);
    double[] g64 = new double[n * c];
    Arrays.fill(g64, Double.NaN);
    LossAndGrad r64 = loss.apply(yTrue, p64, null, g64);
    assertSame(g64, r64.gradInput().backingDoubles());
    assertArrayEquals(loss.apply(yTrue, p64, null).gradInput().backingDoubles(), g64);
    // the exact path's result (a NaN logit) is copied in
    float[] nanRow = new float[] {1, Float.NaN};
    float[] into = {7, 7};
    LossAndGrad r = loss.apply(Tensor.ofLongs(new long[] {0}, 1), Tensor.wrapFloats(nanRow, 1, 2), null, into);
    assertSame(into, r.gradInput().backingFloats());
    assertTrue(Float.isNaN(into[0]) && Float.isNaN(into[1]));
    assertThrows(LossArgumentException.class, () -> loss.apply(yTrue, p32, null, new float[3]));
    assertThrows(LossArgumentException.class, () -> loss.apply(yTrue, p64, null, new float[n * c]));
    assertThrows(LossArgumentException.class, () -> loss.apply(yTrue, p32, null, new double[n * c]));
  }

  /** {@link #assertClose(String, Tensor, Tensor, java.util.function.IntToDoubleFunction)} without term magnitudes. */
  static void assertClose(String what, Tensor expected, Tensor actual) {
    assertClose(what, expected, actual, j -> 0);
  }

  /**
   * Bit for bit on the scalar rows; on the Vector API's EXP within 4 float32 ulps of the element, or of
   * its term magnitude {@code term} (the larger of the two terms of a difference such as the label's
   * {@code up (q - 1)}, where an ulp of {@code q} near 1 is many ulps of the result: the gate's "term
   * ulps", whose allowance for these gradients is 4 to 10), or 4 x MIN_NORMAL absolute (a result at the
   * flush boundary).
   */
  static void assertClose(String what, Tensor expected, Tensor actual, java.util.function.IntToDoubleFunction term) {
    assertEquals(expected.dtype(), actual.dtype(), what + " dtype");
    assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
    DType ulpsOf = DType.FLOAT32; // Keras computes in float32 whatever the dtype
    for (int i = 0; i < expected.numel(); i++) {
      double e = expected.getDouble(i);
      double a = actual.getDouble(i);
      if (SCALAR) {
        assertEquals(Double.doubleToRawLongBits(e), Double.doubleToRawLongBits(a),
            what + " at " + i + ": " + e + " vs " + a);
      } else {
        long d = Ulps.distance(ulpsOf, e, a);
        double termUlp = term.applyAsDouble(i) == 0 ? 0 : Math.ulp((float) term.applyAsDouble(i));
        assertTrue(d <= 4 || Math.abs(e - a) <= 4 * Float.MIN_NORMAL || Math.abs(e - a) <= 4 * termUlp, what + " at " + i + ": " + e + " vs " + a
            + " (" + d + " ulps)");
      }
    }
  }
}
