package dev.lossconformance.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.loss.torch.BinaryCrossEntropy;
import dev.lossconformance.loss.torch.BinaryCrossEntropyWithLogits;
import dev.lossconformance.loss.torch.CrossEntropy;
import dev.lossconformance.loss.torch.NllLoss;
import dev.lossconformance.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Values derived by hand, each with its derivation, independent of any engine: they pin the formulas
 * the Javadoc states, so a kernel change that still happened to match a golden within tolerance
 * cannot silently change a closed form.
 */
class HandDerivedTest {

  private static double scalar(Tensor t) {
    assertEquals(0, t.rank(), "expected a 0-d loss");
    return t.getDouble(0);
  }

  @Test
  void crossEntropyOfUniformLogitsIsLogC() {
    // logits all equal: softmax = 1/C, so -log(1/C) = log(5) for every row; grad = (1/5 - onehot)/N
    Tensor x = Tensor.ofDoubles(new double[10], 2, 5);
    Tensor y = Tensor.ofLongs(new long[] {0, 3}, 2);
    LossAndGrad r = CrossEntropy.options().build().apply(x, y);
    assertEquals(Math.log(5), scalar(r.loss()), 1e-15);
    assertEquals((0.2 - 1) / 2, r.gradInput().getDouble(0), 1e-16);
    assertEquals(0.2 / 2, r.gradInput().getDouble(1), 1e-16);
  }

  @Test
  void labelSmoothingUnweightedEqualsSoftTargets() {
    // SEMANTICS.md §2.1: logits [1,2,3], y = 2, eps = 0.1: q = [1/30, 1/30, 0.9 + 1/30];
    // logsoftmax = x - log(e + e^2 + e^3) = x - 3.40760596; loss = -sum q*logp
    //   = (1/30)(2.40760596 + 1.40760596) + (28/30)(0.40760596) = 0.12717040 + 0.38043223 = 0.50760596
    Tensor x = Tensor.ofDoubles(new double[] {1, 2, 3}, 3);
    Tensor y = Tensor.ofLongs(new long[] {2});
    double loss = scalar(CrossEntropy.options().labelSmoothing(0.1).build().loss(x, y));
    assertEquals(0.5076059644443807, loss, 1e-15);
  }

  @Test
  void weightedSmoothingNormalisesByTargetWeights() {
    // SEMANTICS.md §2.1: rows [1,2,3] twice, y = [2, 0], w = [1, 1, 2], eps = 0.1, mean.
    // logp = [-2.40760596, -1.40760596, -0.40760596].
    // nll: (2*0.40760596 + 1*2.40760596) / (2 + 1) = 1.07427263
    // smooth per row: 1*2.40760596 + 1*1.40760596 + 2*0.40760596 = 4.63042384; both rows: 9.26084768 / 3 = 3.08694923
    // loss = 0.9 * 1.07427263 + (0.1/3) * 3.08694923 = 0.96684537 + 0.10289831 = 1.06974368
    Tensor x = Tensor.ofDoubles(new double[] {1, 2, 3, 1, 2, 3}, 2, 3);
    Tensor y = Tensor.ofLongs(new long[] {2, 0}, 2);
    Tensor w = Tensor.ofDoubles(new double[] {1, 1, 2}, 3);
    double loss = scalar(CrossEntropy.options().weight(w).labelSmoothing(0.1).build().loss(x, y));
    assertEquals(1.06974368, loss, 1e-8);
  }

  @Test
  void nllWithWeightsDividesByTheTargetsWeights() {
    // -(w[1]*x[0,1] + w[0]*x[1,0]) / (w[1] + w[0]) = -(2*-1 + 0.5*-4) / 2.5 = 4 / 2.5 = 1.6
    Tensor x = Tensor.ofDoubles(new double[] {-3, -1, -4, -2}, 2, 2);
    Tensor y = Tensor.ofLongs(new long[] {1, 0}, 2);
    Tensor w = Tensor.ofDoubles(new double[] {0.5, 2}, 2);
    LossAndGrad r = NllLoss.options().weight(w).build().apply(x, y);
    assertEquals(1.6, scalar(r.loss()), 1e-15);
    // d/dx[0,1] = -w[1]/2.5 = -0.8; d/dx[1,0] = -w[0]/2.5 = -0.2; others 0
    assertEquals(-0.8, r.gradInput().getDouble(1), 1e-15);
    assertEquals(-0.2, r.gradInput().getDouble(2), 1e-15);
    assertEquals(0.0, r.gradInput().getDouble(0));
  }

  @Test
  void bceSaturatesAtOneHundred() {
    // p = 0, y = 1: -max(log 0, -100) = 100; p = 1, y = 0: -max(log1p(-1), -100) = 100
    Tensor p = Tensor.ofFloats(new float[] {0, 1}, 2);
    Tensor y = Tensor.ofFloats(new float[] {1, 0}, 2);
    LossAndGrad r = BinaryCrossEntropy.options().reduction(Reduction.NONE).build().apply(p, y);
    assertEquals(100.0, r.loss().getDouble(0));
    assertEquals(100.0, r.loss().getDouble(1));
    // gradient (p - y) / max(p(1-p), 1e-12f) = -1 / 9.99999996e-13
    assertEquals((float) (-1 / (double) 1e-12f), (float) r.gradInput().getDouble(0));
  }

  @Test
  void bceWithLogitsPosWeightWorkedExample() {
    // SEMANTICS.md §2.4: x = 0.5, y = 1, pos_weight = 3: 3 * softplus(-0.5) = 3 * log(1 + e^-0.5)
    //   = 3 * 0.47407698 = 1.42223094
    Tensor x = Tensor.ofDoubles(new double[] {0.5}, 1);
    Tensor y = Tensor.ofDoubles(new double[] {1}, 1);
    Tensor pw = Tensor.ofDoubles(new double[] {3}, 1);
    LossAndGrad r = BinaryCrossEntropyWithLogits.options().posWeight(pw).build().apply(x, y);
    assertEquals(3 * Math.log1p(Math.exp(-0.5)), scalar(r.loss()), 1e-15);
    // gradient (pw*y + 1 - y) sigmoid(x) - pw*y = 3 * sigmoid(0.5) - 3 = -3 * sigmoid(-0.5)
    assertEquals(-3 / (1 + Math.exp(0.5)), r.gradInput().getDouble(0), 1e-15);
  }

  @Test
  void errorsNameArgumentPositionAndValue() {
    Tensor x = Tensor.ofDoubles(new double[6], 2, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CrossEntropy.options().build().apply(x, Tensor.ofLongs(new long[] {0, 7}, 2)));
    assertTrue(e.getMessage().contains("target: element [1] = 7 is out of bounds for 3 classes"), e.getMessage());

    Tensor p = Tensor.ofDoubles(new double[] {0.5, 1.5}, 2);
    e = assertThrows(IllegalArgumentException.class,
        () -> BinaryCrossEntropy.options().build().apply(p, Tensor.ofDoubles(new double[] {1, 0}, 2)));
    assertTrue(e.getMessage().contains("input: element [1] = 1.5 is not between 0 and 1"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class, () -> Reduction.fromTorchName("avg"));
    assertTrue(e.getMessage().contains("reduction: \"avg\""), e.getMessage());
  }
}
