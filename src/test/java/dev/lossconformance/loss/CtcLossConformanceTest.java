package dev.lossconformance.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.junit.Conformance;
import dev.lossconformance.junit.FixtureSource;
import dev.lossconformance.loss.tf.TfCtcLoss;
import dev.lossconformance.loss.torch.CtcLoss;
import dev.lossconformance.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Every {@code ctc_loss} golden of both engines against the Java kernels, and values derived by hand
 * (with their derivations) for the closed forms the Javadoc states.
 */
class CtcLossConformanceTest {

  @ParameterizedTest(name = "{argumentSetName}")
  @FixtureSource(engine = "torch", op = "ctc_loss")
  void matchesTorch(FixtureCase c) {
    Conformance.assertConforms(c);
  }

  @ParameterizedTest(name = "{argumentSetName}")
  @FixtureSource(engine = "tensorflow", op = "ctc_loss")
  void matchesTensorflow(FixtureCase c) {
    Conformance.assertConforms(c);
  }

  private static final double LOG_HALF = Math.log(0.5);

  private static Tensor lengths(long... v) {
    return Tensor.ofLongs(v, v.length);
  }

  @Test
  void oneFrameOneLabelIsLogTwo() {
    // T = 1, C = 2, log_probs = [log 0.5, log 0.5], target [1], blank 0. The extended label is
    // (blank, 1, blank); in one frame the only alignment emitting "1" is the single frame labelled 1,
    // of probability 0.5: loss = -log 0.5 = log 2 = 0.6931472. Its occupancy is 1 for class 1 and 0
    // for the blank, so PyTorch's gradient softmax - occupancy is [0.5 - 0, 0.5 - 1] = [0.5, -0.5],
    // which is also the true gradient with respect to the logits (rows of log_probs are normalised).
    Tensor lp = Tensor.ofDoubles(new double[] {LOG_HALF, LOG_HALF}, 1, 1, 2);
    Tensor target = Tensor.ofLongs(new long[] {1}, 1, 1);
    CtcLoss.Result r = CtcLoss.options().reduction(Reduction.NONE).build().apply(lp, target, lengths(1), lengths(1));
    assertEquals(Math.log(2), r.loss().getDouble(0), 1e-15);
    assertArrayEquals(new double[] {0.5, -0.5}, r.gradLogProbs().toDoubleArray(), 1e-15);
    assertArrayEquals(new double[] {0.5, -0.5}, r.gradLogits().toDoubleArray(), 1e-15);
    // TF applies softmax to the same numbers as logits: softmax(log 0.5, log 0.5) = (0.5, 0.5), same loss
    LossAndGrad tf = TfCtcLoss.ctcLoss(target, lp, lengths(1), lengths(1), 0, true);
    assertEquals(Math.log(2), tf.loss().getDouble(0), 1e-15);
    assertArrayEquals(new double[] {0.5, -0.5}, tf.gradInput().toDoubleArray(), 1e-7); // expf occupancy
  }

  @Test
  void twoFramesOneLabelSumThreeAlignments() {
    // T = 2, C = 2, uniform probabilities 0.5, target [1]: the alignments collapsing to "1" are
    // (1, 1), (blank, 1), (1, blank), each 0.25, so p = 0.75 and loss = -log 0.75 = 0.28768207.
    // Occupancy at t = 0: class 1 in (1,1) and (1,blank), 0.5 / 0.75 = 2/3; blank 1/3. Gradient
    // softmax - occupancy at t = 0: [0.5 - 1/3, 0.5 - 2/3] = [1/6, -1/6]; t = 1 likewise by symmetry.
    Tensor lp = Tensor.ofDoubles(new double[] {LOG_HALF, LOG_HALF, LOG_HALF, LOG_HALF}, 2, 1, 2);
    Tensor target = Tensor.ofLongs(new long[] {1}, 1, 1);
    CtcLoss.Result r = CtcLoss.options().reduction(Reduction.SUM).build().apply(lp, target, lengths(2), lengths(1));
    assertEquals(-Math.log(0.75), r.loss().getDouble(0), 1e-15);
    double sixth = 1.0 / 6;
    assertArrayEquals(new double[] {sixth, -sixth, sixth, -sixth}, r.gradLogits().toDoubleArray(), 1e-15);
  }

  @Test
  void unnormalisedLogProbsAreTakenAsGiven() {
    // T-12 and T-18, T = 1, C = 2, all-zero log_probs, target [1]: torch takes them as given, so the
    // only alignment has probability exp(0) = 1 and the loss is -log 1 = -0.0 (the sign of PyTorch's
    // -log_likelihood); its returned gradient is exp(lp) - occupancy = [1 - 0, 1 - 1] = [1, 0], rows
    // that do not sum to 0. Through log_softmax the logits (0, 0) give probabilities 0.5: gradient
    // [0.5, -0.5], and TF (softmax inside) gives loss log 2 with that same gradient.
    Tensor lp = Tensor.ofDoubles(new double[] {0, 0}, 1, 1, 2);
    Tensor target = Tensor.ofLongs(new long[] {1}, 1, 1);
    CtcLoss.Result r = CtcLoss.options().reduction(Reduction.NONE).build().apply(lp, target, lengths(1), lengths(1));
    assertEquals(-0.0, r.loss().getDouble(0));
    assertTrue(1 / r.loss().getDouble(0) < 0, "-0.0");
    assertArrayEquals(new double[] {1, 0}, r.gradLogProbs().toDoubleArray(), 0);
    assertArrayEquals(new double[] {0.5, -0.5}, r.gradLogits().toDoubleArray(), 1e-15);
    LossAndGrad tf = TfCtcLoss.ctcLoss(target, lp, lengths(1), lengths(1), 0, true);
    assertEquals(Math.log(2), tf.loss().getDouble(0), 1e-15);
  }

  @Test
  void impossibleAlignmentIsInfiniteOrZeroOrRaisesInTf() {
    // T-17: T = 1 and a target of length 2 needs at least 2 frames: PyTorch's loss is +inf (its
    // gradient NaN, -inf + inf), 0 with zero_infinity (gradient 0); TF's CTCLoss raises.
    Tensor lp = Tensor.ofDoubles(new double[] {LOG_HALF, LOG_HALF, LOG_HALF}, 1, 1, 3);
    Tensor target = Tensor.ofLongs(new long[] {1, 2}, 1, 2);
    CtcLoss.Result r = CtcLoss.options().reduction(Reduction.NONE).build().apply(lp, target, lengths(1), lengths(2));
    assertEquals(Double.POSITIVE_INFINITY, r.loss().getDouble(0));
    assertTrue(Double.isNaN(r.gradLogProbs().getDouble(0)));
    CtcLoss.Result z = CtcLoss.options().reduction(Reduction.MEAN).zeroInfinity(true).build()
        .apply(lp, target, lengths(1), lengths(2));
    assertEquals(0.0, z.loss().getDouble(0));
    assertArrayEquals(new double[3], z.gradLogits().toDoubleArray(), 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TfCtcLoss.ctcLoss(target, lp, lengths(2), lengths(1), 0, true));
    assertTrue(e.getMessage().contains("Not enough time for target transition sequence"), e.getMessage());
  }

  @Test
  void longSequenceIsFiniteWithRowsSummingToZero() {
    // T = 1000 frames, a target of 200 labels (S = 200, U = 401 states), C = 30: finite losses, and
    // every gradient row with respect to the logits is softmax - occupancy, both summing to 1
    int t = 1000;
    int s = 200;
    int c = 30;
    SplittableRandom rng = new SplittableRandom(7);
    double[] lp = new double[t * c];
    for (int f = 0; f < t; f++) {
      double sum = 0;
      for (int k = 0; k < c; k++) {
        lp[f * c + k] = rng.nextGaussian() * 2;
        sum += Math.exp(lp[f * c + k]);
      }
      double log = Math.log(sum);
      for (int k = 0; k < c; k++) {
        lp[f * c + k] -= log;
      }
    }
    long[] labels = new long[s];
    for (int i = 0; i < s; i++) {
      labels[i] = 1 + rng.nextInt(c - 1);
    }
    Tensor logProbs = Tensor.ofDoubles(lp, t, 1, c);
    Tensor target = Tensor.ofLongs(labels, 1, s);
    CtcLoss.Result r = CtcLoss.options().reduction(Reduction.NONE).build()
        .apply(logProbs, target, lengths(t), lengths(s));
    double loss = r.loss().getDouble(0);
    assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
    // log alpha reaches ~ -3000 here (ulp 4.5e-13), which bounds how well the occupancy sums to 1
    assertRowsSumToZero(r.gradLogits(), c, 1e-10);
    assertRowsSumToZero(r.gradLogProbs(), c, 1e-10);

    LossAndGrad tf = TfCtcLoss.ctcLoss(target, logProbs, lengths(s), lengths(t), 0, true);
    assertEquals(loss, tf.loss().getDouble(0), 1e-6 * loss); // TF's log-adds are float32-accurate
    assertRowsSumToZero(tf.gradInput(), c, 1e-6); // its occupancy is rounded to float32 per class
  }

  private static void assertRowsSumToZero(Tensor g, int c, double tol) {
    double[] v = g.toDoubleArray();
    for (int r = 0; r * c < v.length; r++) {
      double sum = 0;
      for (int k = 0; k < c; k++) {
        assertTrue(Double.isFinite(v[r * c + k]), "row " + r + " is not finite");
        sum += v[r * c + k];
      }
      assertEquals(0, sum, tol, "row " + r + " sums to " + sum);
    }
  }

  @Test
  void blankOutsideTheClassRangeRaises() {
    Tensor lp = Tensor.ofDoubles(new double[] {LOG_HALF, LOG_HALF}, 1, 1, 2);
    Tensor target = Tensor.ofLongs(new long[] {1}, 1, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CtcLoss.options().blank(2).build().apply(lp, target, lengths(1), lengths(1)));
    assertTrue(e.getMessage().contains("blank must be in label range"), e.getMessage());
  }
}
