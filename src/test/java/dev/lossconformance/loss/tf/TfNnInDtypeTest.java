package dev.lossconformance.loss.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The tf.nn kernels op by op in the dtype (issue 13's sweep classes). Each expected value is derived by
 * hand from the op graph TF builds (nn_impl.py) with float32 arithmetic, written next to it.
 */
class TfNnInDtypeTest {
  private static Tensor f(float... v) {
    return Tensor.ofFloats(v, v.length);
  }

  private static Tensor d(double... v) {
    return Tensor.ofFloating(DType.FLOAT64, v, new int[] {v.length});
  }

  @Test
  void sigmoidGradientRoundsEachOpInFloat32() {
    // x = 0 (cond true), z = 0.5043491f: e = exp(0) = 1, gn = (1/(1+1)) * 1 = 0.5, AddN = ((1 + -z) + 0) + -0.5;
    // 1 - 0.5043491f is exact in float32 (0.4956509f), minus 0.5 gives -0.0043491125f (exact too); the
    // float64 value (1 - z) - 0.5 of the double z is the same number, so check the rounding point that
    // differs: x = 1.0522752f, z = 0.7f, where (1 - z) rounds
    float x = 1.0522752f;
    float z = 0.7f;
    float e = (float) Math.exp(-x);
    float gn = (1f / (1f + e)) * e;
    float expected = ((1f - z) + 0f) + -gn;
    LossAndGrad r = TfNn.sigmoidCrossEntropyWithLogits(f(z), f(x));
    assertEquals(expected, r.gradInput().getDouble(0), 0.0);
  }

  @Test
  void subnormalLogitIsReadAsZero() {
    // DAZ: -1.4e-45f is read as -0, and -0 >= 0, so the x >= 0 branch: (1 - z) - 0.5, not 0.5 - z
    float z = 0.3f;
    LossAndGrad r = TfNn.sigmoidCrossEntropyWithLogits(f(z), f(-1.4e-45f));
    assertEquals((1f - z) - 0.5f, r.gradInput().getDouble(0), 0.0);
  }

  @Test
  void subnormalLabelTimesHugeLogitIsZero() {
    // x = -3e38f, z = 1.4e-45f (subnormal, read as 0): max(x, 0) - x*0 + log1p(exp(-3e38)) = 0, where the
    // exact product would leave 4.2e-7
    LossAndGrad r = TfNn.sigmoidCrossEntropyWithLogits(f(1.4e-45f), f(-3e38f));
    assertEquals(0.0, r.loss().getDouble(0), 0.0);
  }

  @Test
  void weightedInfinitePosWeightGivesNaNGradient() {
    // q = -inf, z = 1, x = 1: log_weight = 1 + (-inf - 1) * 1 = -inf; ReluGrad(-inf, -x = -1) = -inf * 0 = NaN
    LossAndGrad r = TfNn.weightedCrossEntropyWithLogits(f(1), f(1), f(Float.NEGATIVE_INFINITY));
    assertTrue(Double.isNaN(r.gradInput().getDouble(0)));
  }

  @Test
  void logPoissonOverflowsInFloat32() {
    // c = 3e38f, z = 2: exp(c) = inf, c * z = inf in float32, inf - inf = NaN (float64 keeps 6e38: inf)
    assertTrue(Double.isNaN(TfNn.logPoissonLoss(f(2), f(3e38f), false).loss().getDouble(0)));
    assertEquals(Double.POSITIVE_INFINITY, TfNn.logPoissonLoss(d(2), d(3e38), false).loss().getDouble(0), 0.0);
  }

  @Test
  void logPoissonGradientIsExpMinusTargetRoundedOnce() {
    // AddN(exp(c), -z) with exp(c) already a float32: fl(fl(exp(0.7304691f)) - 2)
    float c = 0.7304691f;
    float expected = (float) Math.exp(c) - 2f;
    assertEquals(expected, TfNn.logPoissonLoss(f(2), f(c), true).gradInput().getDouble(0), 0.0);
  }

  @Test
  void mixedDtypesAreRefusedAsTheRawMulDoes() {
    LossArgumentException e = assertThrows(LossArgumentException.class, () -> TfNn.logPoissonLoss(d(1), f(0), true));
    assertEquals(ErrorKind.DTYPE, e.kind());
    assertEquals("cannot compute Mul as input #1(zero-based) was expected to be a float tensor but is a double tensor",
        e.getMessage());
    assertEquals(ErrorKind.DTYPE, assertThrows(LossArgumentException.class,
        () -> TfNn.logPoissonLoss(Tensor.ofLongs(new long[] {0}, 1), f(0), false)).kind());
    assertEquals(ErrorKind.DTYPE, assertThrows(LossArgumentException.class,
        () -> TfNn.weightedCrossEntropyWithLogits(f(1), f(0), d(2))).kind());
    assertEquals(ErrorKind.DTYPE, assertThrows(LossArgumentException.class,
        () -> TfNn.sigmoidCrossEntropyWithLogits(d(1), f(0))).kind());
  }

  @Test
  void softmaxBackpropKeepsTheBitsOfAFloat32NearOne() {
    // row [10, 0], labels [1, 1]: d = [0, -10], s = 1 + fl(exp(-10)), backprop fl(1 / s) - 1
    float s = 1f + (float) Math.exp(-10);
    float expected = 1f / s - 1f;
    LossAndGrad r = TfNn.softmaxCrossEntropyWithLogits(Tensor.ofFloats(new float[] {1, 1}, 1, 2),
        Tensor.ofFloats(new float[] {10, 0}, 1, 2), -1);
    assertEquals(expected, r.gradInput().getDouble(0), 0.0);
  }
}
