package dev.lossconformance.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.Ulps;
import dev.lossconformance.loss.torch.CrossEntropy;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fused, chunked float32 cross-entropy on inputs large enough to be split across threads (the
 * fixtures are too small to reach that path), against the float64 path, which the fixtures check
 * against PyTorch. Runs in both surefire executions: scalar and Vector API kernels.
 */
class FastCrossEntropyTest {

  @ParameterizedTest(name = "{0}x{1}x{2} {3}")
  @CsvSource({
      "300, 1000, 1, mean", "300, 1000, 1, none", "300, 1000, 1, sum",
      "2, 64000, 1, mean",
      "4, 21, 4096, mean", "4, 21, 4096, none"})
  void matchesTheFloat64PathOnLargeInputs(int n, int c, int inner, String reduction) {
    SplittableRandom rng = new SplittableRandom(n * 31L + c);
    int[] shape = inner == 1 ? new int[] {n, c} : new int[] {n, c, 64, inner / 64};
    int[] tshape = inner == 1 ? new int[] {n} : new int[] {n, 64, inner / 64};
    double[] x = new double[n * c * inner];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextGaussian() * 3;
    }
    long[] t = new long[n * inner];
    for (int i = 0; i < t.length; i++) {
      t[i] = i % 17 == 5 ? -100 : rng.nextInt(c);
    }
    double[] w = new double[c];
    for (int i = 0; i < c; i++) {
      w[i] = 0.5 + rng.nextDouble();
    }
    Tensor x32 = Tensor.ofFloating(DType.FLOAT32, x, shape);
    Tensor x64 = Tensor.ofFloating(DType.FLOAT64, x32.toDoubleArray(), shape);
    Tensor target = Tensor.ofLongs(t, tshape);
    CrossEntropy ce32 = CrossEntropy.options().weight(Tensor.ofFloating(DType.FLOAT32, w, c))
        .reduction(Reduction.fromTorchName(reduction)).build();
    LossAndGrad fast = ce32.apply(x32, target);
    LossAndGrad exact = CrossEntropy.options().weight(Tensor.ofFloating(DType.FLOAT64, w, c))
        .reduction(Reduction.fromTorchName(reduction)).build().apply(x64, target);
    assertClose("loss", exact.loss(), fast.loss(), 4, 1);
    assertClose("grad_input", exact.gradInput(), fast.gradInput(), 4, 4);
    // the Vector API path may differ in the last bits between calls before and after C2 compiles its
    // loops (see VectorExp), so the forward alone is compared within the same allowance, not bitwise
    assertClose("forward alone vs forward+gradient", fast.loss(), ce32.loss(x32, target), 4, 1);
  }

  /**
   * Row widths around the vector length (16 float lanes with AVX-512, 8 with AVX2): rows narrower than
   * a vector, exactly one, one more (an overlapping last vector), and wide odd rows; ignored rows at
   * the start, the end and in a run, which interrupt the pipelined sweep of VectorExp.
   */
  @ParameterizedTest(name = "{0}x{1} {2}")
  @CsvSource({
      "64, 1, mean", "64, 3, mean", "257, 10, mean", "300, 10, none", "64, 7, sum", "64, 15, mean",
      "64, 16, mean", "64, 17, none", "64, 31, mean", "64, 33, sum", "300, 100, mean", "80, 1001, mean",
      "80, 1001, none"})
  void everyRowWidthMatchesTheFloat64Path(int n, int c, String reduction) {
    SplittableRandom rng = new SplittableRandom(n * 131L + c);
    double[] x = new double[n * c];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextGaussian() * 3;
    }
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      boolean ignored = i == 0 || i == n - 1 || (i >= 5 && i <= 7) || i % 13 == 9;
      t[i] = ignored ? -100 : rng.nextInt(c);
    }
    Tensor x32 = Tensor.ofFloating(DType.FLOAT32, x, n, c);
    Tensor target = Tensor.ofLongs(t, n);
    CrossEntropy ce = CrossEntropy.options().reduction(Reduction.fromTorchName(reduction)).build();
    LossAndGrad fast = ce.apply(x32, target);
    LossAndGrad exact = ce.apply(Tensor.ofFloating(DType.FLOAT64, x32.toDoubleArray(), n, c), target);
    assertClose("loss", exact.loss(), fast.loss(), 4, 1);
    assertClose("grad_input", exact.gradInput(), fast.gradInput(), 4, 4);
    assertClose("forward alone vs forward+gradient", fast.loss(), ce.loss(x32, target), 4, 1);
  }

  /**
   * Rows wider than VectorExp's segment (4096 classes), so the running max and sum are carried across
   * segments: the max rising in every segment (ascending rows), the max in the first segment, whole
   * segments of -inf before and after finite ones, rows entirely -inf (NaN), +inf or NaN in a late
   * segment (NaN), and the target in any segment.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"ascending", "descending", "leading -inf segments", "trailing -inf segments", "all -inf",
      "late +inf", "late NaN", "random"})
  void rowsWiderThanASegmentMatchTheFloat64Path(String kind) {
    int n = 6;
    int c = 3 * 4096 + 17;
    SplittableRandom rng = new SplittableRandom(kind.hashCode());
    double[] x = new double[n * c];
    long[] t = new long[n];
    for (int r = 0; r < n; r++) {
      for (int k = 0; k < c; k++) {
        double v = rng.nextGaussian() * 3;
        x[r * c + k] = switch (kind) {
          case "ascending" -> k * 0.01 + v * 0.1;
          case "descending" -> -k * 0.01 + v * 0.1;
          case "leading -inf segments" -> k < 2 * 4096 + 5 ? Double.NEGATIVE_INFINITY : v;
          case "trailing -inf segments" -> k >= 4096 ? Double.NEGATIVE_INFINITY : v;
          case "all -inf" -> Double.NEGATIVE_INFINITY;
          case "late +inf" -> k == c - 3 && r % 2 == 0 ? Double.POSITIVE_INFINITY : v;
          case "late NaN" -> k == 2 * 4096 + 1 && r % 2 == 1 ? Double.NaN : v;
          default -> v;
        };
      }
      // targets in the first, middle and last segments; finite logits where the kind allows
      t[r] = switch (kind) {
        case "leading -inf segments" -> c - 1 - r;
        case "trailing -inf segments" -> r * 100;
        default -> new long[] {0, 4095, 4096, 9000, c - 17, c - 1}[r];
      };
    }
    Tensor x32 = Tensor.ofFloating(DType.FLOAT32, x, n, c);
    Tensor target = Tensor.ofLongs(t, n);
    for (Reduction reduction : new Reduction[] {Reduction.NONE, Reduction.MEAN}) {
      CrossEntropy ce = CrossEntropy.options().reduction(reduction).build();
      LossAndGrad fast = ce.apply(x32, target);
      LossAndGrad exact = ce.apply(Tensor.ofFloating(DType.FLOAT64, x32.toDoubleArray(), n, c), target);
      assertClose(kind + " loss", exact.loss(), fast.loss(), 4, 1);
      assertClose(kind + " grad_input", exact.gradInput(), fast.gradInput(), 4, 4);
    }
  }

  /**
   * A caller's gradient array holding NaN from a "previous call" is overwritten everywhere, ignored
   * rows included, and the returned gradient wraps it: on the row path, the K-dim path and the general
   * path (label smoothing, whose result is copied in).
   */
  @ParameterizedTest(name = "{0} smoothing {1}")
  @CsvSource({"300x1000, 0", "257x10, 0", "4x21x64x64, 0", "40x30, 0.1"})
  void gradientIntoACallersArrayOverwritesEveryElement(String shapeText, double smoothing) {
    int[] shape = java.util.Arrays.stream(shapeText.split("x")).mapToInt(Integer::parseInt).toArray();
    int[] tshape = new int[shape.length - 1];
    tshape[0] = shape[0];
    System.arraycopy(shape, 2, tshape, 1, shape.length - 2);
    SplittableRandom rng = new SplittableRandom(shape.length * 7L + shape[1]);
    double[] x = new double[Tensor.numel(shape)];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextGaussian() * 3;
    }
    long[] t = new long[Tensor.numel(tshape)];
    for (int i = 0; i < t.length; i++) {
      t[i] = i % 11 == 3 ? -100 : rng.nextInt(shape[1]);
    }
    Tensor x32 = Tensor.ofFloating(DType.FLOAT32, x, shape);
    Tensor target = Tensor.ofLongs(t, tshape);
    CrossEntropy ce = CrossEntropy.options().labelSmoothing(smoothing).build();
    float[] buffer = new float[x.length];
    java.util.Arrays.fill(buffer, Float.NaN);
    LossAndGrad into = ce.apply(x32, target, buffer);
    LossAndGrad fresh = ce.apply(x32, target);
    assertTrue(into.gradInput().backingFloats() == buffer, "the returned gradient wraps the caller's array");
    assertClose("loss", fresh.loss(), into.loss(), 4, 1);
    assertClose("grad_input", fresh.gradInput(), into.gradInput(), 4, 4);
  }

  @org.junit.jupiter.api.Test
  void aGradientArrayOfTheWrongLengthOrForAFloat64InputIsRefused() {
    CrossEntropy ce = CrossEntropy.options().build();
    Tensor x32 = Tensor.ofFloats(new float[6], 2, 3);
    Tensor target = Tensor.ofLongs(new long[] {0, 2}, 2);
    var wrongLength = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> ce.apply(x32, target, new float[5]));
    assertEquals("torch.nn.functional.cross_entropy: gradInto: expected length 6 (input shape [2, 3]), got 5",
        wrongLength.getMessage());
    var float64 = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> ce.apply(Tensor.ofDoubles(new double[6], 2, 3), target, new float[6]));
    assertEquals("torch.nn.functional.cross_entropy: gradInto: a float[] gradient needs a float32 input, got input"
        + " of dtype float64", float64.getMessage());
  }

  @ParameterizedTest(name = "bce_with_logits {0}")
  @CsvSource({"mean", "none", "sum"})
  void bceWithLogitsMatchesTheFloat64PathOnLargeInputs(String reduction) {
    SplittableRandom rng = new SplittableRandom(99);
    int n = 300_000;
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = rng.nextGaussian() * 4;
      y[i] = rng.nextDouble();
    }
    Tensor x32 = Tensor.ofFloating(DType.FLOAT32, x, 600, 500);
    Tensor y32 = Tensor.ofFloating(DType.FLOAT32, y, 600, 500);
    var bce = dev.lossconformance.loss.torch.BinaryCrossEntropyWithLogits.options()
        .reduction(Reduction.fromTorchName(reduction)).build();
    LossAndGrad fast = bce.apply(x32, y32);
    LossAndGrad exact = bce.apply(Tensor.ofFloating(DType.FLOAT64, x32.toDoubleArray(), 600, 500),
        Tensor.ofFloating(DType.FLOAT64, y32.toDoubleArray(), 600, 500));
    assertClose("loss", exact.loss(), fast.loss(), 4, 1);
    assertClose("grad_input", exact.gradInput(), fast.gradInput(), 4, 4);
  }

  /**
   * Every element within {@code ulps} float32 ulps, or {@code scaleUlps} ulps of the largest finite
   * magnitude; NaN only where NaN, an infinity only where the same infinity.
   */
  private static void assertClose(String what, Tensor exact, Tensor actual, long ulps, long scaleUlps) {
    assertEquals(DType.FLOAT32, actual.dtype());
    double max = 0;
    for (int i = 0; i < exact.numel(); i++) {
      double v = Math.abs(exact.getDouble(i));
      if (Double.isFinite(v)) {
        max = Math.max(max, v);
      }
    }
    double floor = scaleUlps * Ulps.ulp(DType.FLOAT32, max);
    for (int i = 0; i < exact.numel(); i++) {
      double e = (float) exact.getDouble(i);
      double a = actual.getDouble(i);
      long u = Ulps.distance(DType.FLOAT32, e, a);
      assertTrue(u <= ulps || Math.abs(e - a) <= floor, what + " at " + i + ": float64 path " + e + ", fast path " + a
          + " (" + u + " ulps)");
    }
  }
}
