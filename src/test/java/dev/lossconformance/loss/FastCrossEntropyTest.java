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

  /** Every element within {@code ulps} float32 ulps, or {@code scaleUlps} ulps of the largest magnitude. */
  private static void assertClose(String what, Tensor exact, Tensor actual, long ulps, long scaleUlps) {
    assertEquals(DType.FLOAT32, actual.dtype());
    double max = 0;
    for (int i = 0; i < exact.numel(); i++) {
      max = Math.max(max, Math.abs(exact.getDouble(i)));
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
