package dev.lossconformance.loss.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.Ulps;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.keras.SoftmaxXent;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SoftmaxXent} (the tf.nn softmax kernels' fused rows) against {@link TfNn}'s exact path, on
 * inputs above the parallel threshold (several chunks; run with {@code -Dlossconformance.threads=1} and
 * {@code 2}: the exact path does not depend on the chunking, and the scalar rows match it bit for bit), at row widths around the 8-lane packet and the 32-element block, float32 and float64
 * labels. The scalar rows give the exact path's bits. The Vector API rows differ by the vector
 * exponential only: the dense kernel's (double lanes rounded to float32) measured here at 0 ulps on 4M
 * logits of scale 3 to 40 (its gradient asserted within the gate's plain 4 ulps); the sparse kernel's
 * (float lanes) at most 3 float32 ulps of the element or of its larger term (the sparse
 * loss: {@code max(1, log s, |x_y - m|)}, as an ulp of {@code s >= 1} is up to {@code ulp(1)} of
 * {@code log s}; the gradient: 1 at the label); 4 is asserted. Rare rows (NaN, infinite, tiny
 * logits) go to the exact path.
 * Runs in both surefire executions.
 */
class TfSoftmaxFastPathTest {
  private static final boolean SCALAR = SoftmaxXent.implementation().equals("scalar");

  private static double[] logits(SplittableRandom rng, int n) {
    double[] x = new double[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextGaussian() * (i % 5 == 0 ? 40 : 3); // some rows reach exp's flushed range
    }
    return x;
  }

  @ParameterizedTest(name = "{0}x{1} labels {2}")
  @CsvSource({"4096, 1000, float32", "300, 1000, float64", "2, 64000, float32", "70000, 1, float32",
      "9000, 7, float32", "8000, 8, float64", "7000, 9, float32", "4000, 31, float32", "4000, 32, float32",
      "3000, 33, float32", "2000, 40, float64", "64, 5, float32"})
  void denseMatchesTheExactPath(int n, int c, String labelType) {
    SplittableRandom rng = new SplittableRandom(n * 31L + c);
    Tensor x = Tensor.ofFloating(DType.FLOAT32, logits(rng, n * c), n, c);
    double[] y = new double[n * c];
    for (int i = 0; i < y.length; i++) { // soft labels, some 0, some not summing to 1, one subnormal
      y[i] = i % 3 == 0 ? 0 : i % 7 == 0 ? rng.nextDouble() * 4 - 1 : rng.nextDouble() / c;
    }
    y[1] = 1e-40;
    Tensor labels = Tensor.ofFloating(DType.fromJsonName(labelType), y, n, c);
    LossAndGrad exact = TfNn.softmaxCrossEntropyWithLogits(labels, x, -1, false);
    LossAndGrad fast = SoftmaxXent.dense(labels, x, n, c, new int[] {n});
    assertNotNull(fast, "ordinary rows take the fast path");
    assertClose("loss", exact.loss(), fast.loss(), i -> Math.abs(exact.loss().getDouble(i)));
    assertClose("grad", exact.gradInput(), fast.gradInput(), j -> 0); // the gate's 4 ulps, no term allowance
    LossAndGrad api = TfNn.softmaxCrossEntropyWithLogits(labels, x, -1);
    assertArrayEquals(fast.gradInput().backingFloats(), api.gradInput().backingFloats());
  }

  /**
   * The sweep's case 2169 of seed 2, shrunk: a soft label near its softmax, where {@code e / s - y}
   * cancels; the float lanes' exp was 64 ulps off TF's gradient here, the double lanes' give the exact
   * path's bits.
   */
  @Test
  void denseGradientOfASoftLabelNearItsSoftmaxIsTheExactPaths() {
    Tensor x = Tensor.ofFloats(new float[] {2, 0, 3.8852677f, 0, 2.14f, 0, 0, 0}, 1, 8);
    Tensor y = Tensor.ofFloats(new float[] {0, 0, 0, 0, 0.11923942f, 0, 0, 0}, 1, 8);
    assertBits(TfNn.softmaxCrossEntropyWithLogits(y, x, -1, false), SoftmaxXent.dense(y, x, 1, 8, new int[] {1}));
  }

  @ParameterizedTest(name = "{0}x{1}")
  @CsvSource({"4096, 1000", "2, 64000", "70000, 1", "9000, 7", "8000, 8", "7000, 9", "4000, 31", "4000, 32",
      "3000, 33", "2000, 65", "64, 5"})
  void sparseMatchesTheExactPath(int n, int c) {
    SplittableRandom rng = new SplittableRandom(n * 17L + c);
    Tensor x = Tensor.ofFloating(DType.FLOAT32, logits(rng, n * c), n, c);
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      t[i] = rng.nextInt(c);
    }
    Tensor labels = Tensor.ofLongs(t, n);
    LossAndGrad exact = TfNn.sparseSoftmaxCrossEntropyWithLogits(labels, x, false);
    LossAndGrad fast = SoftmaxXent.sparse(t, x, n, c, new int[] {n});
    assertNotNull(fast, "ordinary rows take the fast path");
    float[] v = x.backingFloats();
    // x_y - max: the loss is log s - dy, both terms larger than it when they cancel; and log s of s >= 1 turns
    // an ulp of s into up to ulp(1) of log s (whatever log s is), so 1 is a term too
    IntToDoubleFunction dy = i -> {
      float m = Float.NEGATIVE_INFINITY;
      for (int k = 0; k < c; k++) {
        m = Math.max(m, v[i * c + k]);
      }
      return v[i * c + (int) t[i]] - m;
    };
    assertClose("loss", exact.loss(), fast.loss(), i -> Math.max(1, Math.max(Math.abs(exact.loss().getDouble(i)
        + dy.applyAsDouble(i)), Math.abs(dy.applyAsDouble(i)))));
    assertClose("grad", exact.gradInput(), fast.gradInput(), j -> j % c == t[j / c] ? 1 : 0);
    LossAndGrad api = TfNn.sparseSoftmaxCrossEntropyWithLogits(labels, x);
    assertArrayEquals(fast.gradInput().backingFloats(), api.gradInput().backingFloats());
  }

  /** A row with a NaN, an infinite or a tiny nonzero logit sends the call to the exact path, whose bits the API returns. */
  @ParameterizedTest
  @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-35f, -1e-40f})
  void rareRowsGoToTheExactPath(float rare) {
    int n = 600;
    int c = 200;
    SplittableRandom rng = new SplittableRandom(5);
    double[] v = logits(rng, n * c);
    v[n * c - 7] = rare;
    Tensor x = Tensor.ofFloating(DType.FLOAT32, v, n, c);
    long[] t = new long[n];
    double[] y = new double[n * c];
    for (int i = 0; i < n; i++) {
      t[i] = rng.nextInt(c);
      y[i * c + (int) t[i]] = 1;
    }
    Tensor dense = Tensor.ofFloating(DType.FLOAT32, y, n, c);
    assertNull(SoftmaxXent.dense(dense, x, n, c, new int[] {n}));
    assertNull(SoftmaxXent.sparse(t, x, n, c, new int[] {n}));
    assertBits(TfNn.softmaxCrossEntropyWithLogits(dense, x, -1, false), TfNn.softmaxCrossEntropyWithLogits(dense, x, -1));
    Tensor labels = Tensor.ofLongs(t, n);
    assertBits(TfNn.sparseSoftmaxCrossEntropyWithLogits(labels, x, false), TfNn.sparseSoftmaxCrossEntropyWithLogits(labels, x));
  }

  private static void assertBits(LossAndGrad expected, LossAndGrad actual) {
    assertArrayEquals(expected.loss().backingFloats(), actual.loss().backingFloats());
    assertArrayEquals(expected.gradInput().backingFloats(), actual.gradInput().backingFloats());
  }

  /**
   * Bit for bit on the scalar rows; on the vector rows within 4 float32 ulps of the element or of its
   * term magnitude {@code term}, or 4 x MIN_NORMAL absolute (the flush boundary).
   */
  static void assertClose(String what, Tensor expected, Tensor actual, IntToDoubleFunction term) {
    assertEquals(expected.dtype(), actual.dtype(), what + " dtype");
    assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
    long worst = 0;
    for (int i = 0; i < expected.numel(); i++) {
      double e = expected.getDouble(i);
      double a = actual.getDouble(i);
      if (SCALAR) {
        assertEquals(Double.doubleToRawLongBits(e), Double.doubleToRawLongBits(a), what + " at " + i + ": " + e + " vs " + a);
        continue;
      }
      long d = Ulps.distance(DType.FLOAT32, e, a);
      float termUlp = Math.ulp((float) term.applyAsDouble(i));
      long inTerm = e == a ? 0 : (long) Math.ceil(Math.abs(e - a) / termUlp);
      worst = Math.max(worst, Math.min(d, inTerm));
      assertTrue(d <= 4 || Math.abs(e - a) <= 4 * Float.MIN_NORMAL || inTerm <= 4,
          what + " at " + i + ": " + e + " vs " + a + " (" + d + " ulps, " + inTerm + " term ulps)");
    }
    System.out.println("TfSoftmaxFastPathTest " + what + ": " + expected.numel() + " elements, at most " + worst + " ulps");
  }
}
