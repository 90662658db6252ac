package dev.lossconformance.check;

import dev.lossconformance.api.TorchApis;
import dev.lossconformance.api.TfNnApis;
import dev.lossconformance.api.KerasApis;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The term models on inputs small enough to derive by hand; each expected value is worked out in the
 * comment next to it from the model's formula (its Javadoc in {@link TermMagnitudes}).
 */
class TermMagnitudesTest {
  private static final double EPS = 1e-12;

  private static double[] of(String api, String output, Map<String, Object> params, Map<String, Tensor> inputs) {
    return TermMagnitudes.of(api, output, params, inputs, () -> Apis.evaluate(api, params, inputs));
  }

  private static Map<String, Tensor> inputs(Object... nameThenTensor) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < nameThenTensor.length; i += 2) {
      m.put((String) nameThenTensor[i], (Tensor) nameThenTensor[i + 1]);
    }
    return m;
  }

  private static Tensor d(double... v) {
    return Tensor.ofDoubles(v, v.length);
  }

  @Test
  void bceWithLogitsGradientTermsAreSigmoidTimesLogWeightPlusPosWeightTarget() {
    // x = 0, y = 1, pos_weight 3, mean over 2 elements: k = 1/2, sigmoid(0) = 1/2, lw = 1 + (3 - 1) 1 = 3,
    // so k (sigmoid lw + pw y) = (1.5 + 3)/2 = 2.25; second element x = 0, y = 0: lw = 1, (0.5 + 0)/2 = 0.25
    String api = TorchApis.BINARY_CROSS_ENTROPY_WITH_LOGITS_NAME;
    double[] m = of(api, "grad_input", Map.of("reduction", "mean"),
        inputs("input", d(0, 0), "target", d(1, 0), "pos_weight", d(3)));
    assertArrayEquals(new double[] {2.25, 0.25}, m, EPS);
    // without pos_weight: (0.5 + 1)/2 = 0.75 and (0.5 + 0)/2
    assertArrayEquals(new double[] {0.75, 0.25}, of(api, "grad_input", Map.of("reduction", "mean"),
        inputs("input", d(0, 0), "target", d(1, 0))), EPS);
  }

  @Test
  void klDivTermsFollowLogTarget() {
    String api = TorchApis.KL_DIV_NAME;
    // plain target t = e, x = 1, sum: |t log t| + |t x| = e + e = 2e; the target gradient
    // |log t| + 1 + |x| = 1 + 1 + 1 = 3
    Map<String, Tensor> in = inputs("input", d(1), "target", d(Math.E));
    assertEquals(2 * Math.E, of(api, "loss", Map.of("reduction", "sum"), in)[0], EPS);
    assertEquals(3, of(api, "grad_target", Map.of("reduction", "sum"), in)[0], EPS);
    // log_target t = 1, x = 1: exp(1)(|t| + |x|) = 2e for the loss, exp(1)(1 + 1 + 1) = 3e for the gradient
    Map<String, Object> log = Map.of("reduction", "sum", "log_target", true);
    assertEquals(2 * Math.E, of(api, "loss", log, inputs("input", d(1), "target", d(1)))[0], EPS);
    assertEquals(3 * Math.E, of(api, "grad_target", log, inputs("input", d(1), "target", d(1)))[0], EPS);
    // batchmean over a (2, 1) input divides by 2
    Tensor x = Tensor.ofDoubles(new double[] {1, 1}, 2, 1);
    Tensor t = Tensor.ofDoubles(new double[] {1, 1}, 2, 1);
    assertArrayEquals(new double[] {1, 1}, of(api, "grad_target", Map.of("reduction", "batchmean"),
        inputs("input", x, "target", t)), EPS); // (|log 1| + 1 + |1|)/2 = 2/2
  }

  @Test
  void poissonTermsFollowLogInputFullAndEps() {
    String api = TorchApis.POISSON_NLL_LOSS_NAME;
    // log_input, x = 0, y = 2, sum: exp(0) + |2 * 0| = 1; full adds |2 log 2| + 2 + |log(4 pi)/2|
    Map<String, Tensor> in = inputs("input", d(0), "target", d(2));
    assertEquals(1, of(api, "loss", Map.of("reduction", "sum"), in)[0], EPS);
    double stirling = 2 * Math.log(2) + 2 + 0.5 * Math.log(4 * Math.PI);
    assertEquals(1 + stirling, of(api, "loss", Map.of("reduction", "sum", "full", true), in)[0], EPS);
    // rate input x = 1, y = 2, eps = 1: |1| + |2 log(1 + 1)| = 1 + 2 log 2; the gradient 1 + |2/(1 + 1)| = 2
    Map<String, Object> rate = Map.of("reduction", "sum", "log_input", false, "eps", 1.0);
    Map<String, Tensor> r = inputs("input", d(1), "target", d(2));
    assertEquals(1 + 2 * Math.log(2), of(api, "loss", rate, r)[0], EPS);
    assertEquals(2, of(api, "grad_input", rate, r)[0], EPS);
    // the target gradient: |log(1 + 1)| with full adds autograd's Stirling terms |log 2|, (y/y = 1),
    // |-1| and 1/(2y) = 1/4
    assertEquals(Math.log(2), of(api, "grad_target", rate, r)[0], EPS);
    Map<String, Object> rateFull = Map.of("reduction", "sum", "log_input", false, "eps", 1.0, "full", true);
    assertEquals(2 * Math.log(2) + 2 + 0.25, of(api, "grad_target", rateFull, r)[0], EPS);
  }

  @Test
  void gaussianVarTermsSumOverTheElementsABroadcastVarServes() {
    // input (2, 2), var (2, 1) = 1, d = x - y = 1 everywhere, sum: each element 0.5 (1/1 + 1/1) = 1,
    // two elements per var entry: 2; eps = 1e-6 does not clamp
    String api = TorchApis.GAUSSIAN_NLL_LOSS_NAME;
    Tensor x = Tensor.ofDoubles(new double[] {1, 1, 1, 1}, 2, 2);
    Tensor y = Tensor.ofDoubles(new double[] {0, 0, 0, 0}, 2, 2);
    Tensor v = Tensor.ofDoubles(new double[] {1, 1}, 2, 1);
    assertArrayEquals(new double[] {2, 2}, of(api, "grad_var", Map.of("reduction", "sum"),
        inputs("input", x, "target", y, "var", v)), EPS);
  }

  @Test
  void cosineTermsAreZeroOnInactiveRows() {
    // rows (1, 0).(1, 0) with target 1: cos = 1 (norms 1 + 1e-12f), the x1 term |x2|/den + |cos| |x1|/m1 = 2
    // at j = 0 and 0 at j = 1; target -1 with cos = 1 > margin 0 is active too; target -1 with cos = 0 is not
    String api = TorchApis.COSINE_EMBEDDING_LOSS_NAME;
    Tensor a = Tensor.ofDoubles(new double[] {1, 0, 1, 0}, 2, 2);
    Tensor b = Tensor.ofDoubles(new double[] {1, 0, 0, 1}, 2, 2);
    double[] m = of(api, "grad_input1", Map.of("reduction", "sum"), inputs("input1", a, "input2", b,
        "target", Tensor.ofLongs(new long[] {1, -1}, 2)));
    assertArrayEquals(new double[] {2, 0, 0, 0}, m, 1e-9);
  }

  @Test
  void pointwiseSweepModelsFollowTheirTerms() {
    // hinge, margin 1, sum: x = 2 with y = 1 gives |2| = 2; x = -3 with y = -1 gives max(0, 1 + 3) = 4;
    // x = 0.5 with y = 0 gives max(0, 0.5) + |0.5| = 1: total 7
    String hinge = TorchApis.HINGE_EMBEDDING_LOSS_NAME;
    assertArrayEquals(new double[] {7}, of(hinge, "loss", Map.of("reduction", "sum", "margin", 1.0),
        inputs("input", d(2, -3, 0.5), "target", d(1, -1, 0))), EPS);
    // l1, mean over 4 elements: a 0-dim target y = 1 next to x = (1, 1, 2, 3) serves 2 unequal
    // elements, 1/4 each: 0.5; the input's elements 0.25 each except where x = y
    String l1 = TorchApis.L1_LOSS_NAME;
    Map<String, Tensor> in = inputs("input", d(1, 1, 2, 3), "target", Tensor.scalar(DType.FLOAT64, 1));
    assertArrayEquals(new double[] {0.5}, of(l1, "grad_target", Map.of("reduction", "mean"), in), EPS);
    assertArrayEquals(new double[] {0, 0, 0.25, 0.25}, of(l1, "grad_input", Map.of("reduction", "mean"), in), EPS);
    // gaussian, sum: x - y = 2, var = e (log = 1): 0.5 (1 + 4/e)
    String gauss = TorchApis.GAUSSIAN_NLL_LOSS_NAME;
    assertArrayEquals(new double[] {0.5 * (1 + 4 / Math.E)}, of(gauss, "loss", Map.of("reduction", "sum"),
        inputs("input", d(2), "target", d(0), "var", d(Math.E))), EPS);
    // kl_div's target gradient sums over the broadcast: a 0-dim target t = e (|log t| + 1 = 2) next to
    // x = (0, -1), sum: (2 + 0) + (2 + 1) = 5
    String kl = TorchApis.KL_DIV_NAME;
    assertArrayEquals(new double[] {5}, of(kl, "grad_target", Map.of("reduction", "sum", "log_target", false),
        inputs("input", d(0, -1), "target", Tensor.scalar(DType.FLOAT64, Math.E))), EPS);
  }

  @Test
  void noModelOrUnreadableInputsGiveNull() {
    assertFalse(TermMagnitudes.has(TorchApis.L1_LOSS_NAME, "loss"));
    assertNull(of(TorchApis.L1_LOSS_NAME, "loss", Map.of(), inputs()));
    assertTrue(TermMagnitudes.has(TorchApis.CROSS_ENTROPY_NAME, "loss"));
    // a model that cannot evaluate its inputs (no target) leaves only the relative allowance
    assertNull(of(TorchApis.CROSS_ENTROPY_NAME, "loss", Map.of(), inputs("input", d(1, 2))));
  }

  /**
   * The invariant every model keeps: the magnitude of the terms is at least the magnitude of their
   * sum, so {@code M >= |value|} for the float64 value of every element of every committed case that
   * has a model (up to the rounding of the two sides: 1e-6, as Keras is float32-accurate). A model that
   * drops or shrinks a term fails.
   */
  @Test
  void theTermMagnitudeIsNeverBelowTheValue() throws Exception {
    int elements = 0;
    for (dev.lossconformance.fixture.FixtureFile f : dev.lossconformance.fixture.FixtureReader.readAll(CheckerTest.fixtures())) {
      for (dev.lossconformance.fixture.FixtureCase c : f.cases()) {
        for (String output : c.outputs().keySet()) {
          if (!TermMagnitudes.has(c.api(), output)) {
            continue;
          }
          Checker.Memo memo = new Checker.Memo(c);
          Tensor ref = memo.reference64.get().get(output);
          double[] m = TermMagnitudes.of(c.api(), output, c.params(), c.inputs(), memo.reference64);
          for (int i = 0; i < m.length; i++) {
            double v = Math.abs(ref.getDouble(i));
            if (Double.isFinite(v) && Double.isFinite(m[i]) && v >= Float.MIN_NORMAL) { // subnormals compare as zero
              elements++;
              // Keras and TF CTC compute in float32 even in float64, so their reference is float32-accurate
              assertTrue(m[i] >= v * (1 - 1e-6) - 1e-300, c.displayName() + " " + output + "[" + i + "]: term magnitude "
                  + m[i] + " below the value " + v);
            }
          }
        }
      }
    }
    assertTrue(elements > 10000, elements + " elements");
  }

  @Test
  void crossEntropyTermsOfAUniformRow() {
    String api = TorchApis.CROSS_ENTROPY_NAME;
    // logits (0, 0), target 0, mean over 1 row: p = 1/2, |x - m| = 0, log s = log 2; the loss terms
    // q_y (|x_y - m| + |log s| + 1) = 1 + log 2; the gradient p (1 + log 2) q_sum + q_c = (1 + log 2)/2 + [c = 0]
    Map<String, Tensor> in = inputs("input", Tensor.ofDoubles(new double[] {0, 0}, 1, 2),
        "target", Tensor.ofLongs(new long[] {0}, 1));
    double p = (1 + Math.log(2)) / 2;
    assertEquals(1 + Math.log(2), of(api, "loss", Map.of("reduction", "mean"), in)[0], EPS);
    assertArrayEquals(new double[] {p + 1, p}, of(api, "grad_input", Map.of("reduction", "mean"), in), EPS);
    // weight (2, 4), mean: the coefficient is w_y / sum of w_y = 2/2 = 1, the target weight 2:
    // loss 2 (1 + log 2); gradient p (1 + log 2) 2 + 2 [c = 0], all / 2
    Map<String, Tensor> w = new LinkedHashMap<>(in);
    w.put("weight", d(2, 4));
    assertEquals(1 + Math.log(2), of(api, "loss", Map.of("reduction", "mean"), w)[0], EPS);
    assertArrayEquals(new double[] {(2 * p + 2) / 2, 2 * p / 2}, of(api, "grad_input", Map.of("reduction", "mean"), w), EPS);
    // sum keeps the weight: 2 (1 + log 2)
    assertEquals(2 * (1 + Math.log(2)), of(api, "loss", Map.of("reduction", "sum"), w)[0], EPS);
    // label smoothing 0.5 without weights, sum: q = (0.75, 0.25), q_sum = 1:
    // loss (0.75 + 0.25)(1 + log 2); gradient p (1 + log 2) + q_c
    Map<String, Object> smooth = Map.of("reduction", "sum", "label_smoothing", 0.5);
    assertEquals(1 + Math.log(2), of(api, "loss", smooth, in)[0], EPS);
    assertArrayEquals(new double[] {p + 0.75, p + 0.25}, of(api, "grad_input", smooth, in), EPS);
    // an ignored row has no terms
    assertArrayEquals(new double[] {0, 0}, of(api, "grad_input", Map.of("reduction", "sum", "ignore_index", 0L), in), EPS);
    // probability target (1, 0) over the row, none: the same as class 0
    Map<String, Tensor> probs = inputs("input", Tensor.ofDoubles(new double[] {0, 0}, 1, 2),
        "target", Tensor.ofDoubles(new double[] {1, 0}, 1, 2));
    assertArrayEquals(new double[] {1 + Math.log(2)}, of(api, "loss", Map.of("reduction", "none"), probs), EPS);
    assertArrayEquals(new double[] {p + 1, p}, of(api, "grad_input", Map.of("reduction", "none"), probs), EPS);
  }

  @Test
  void kerasAndTfTermsOfSmallCases() {
    Map<String, Object> sum = Map.of("reduction", "sum", "from_logits", true);
    Tensor logits = Tensor.ofDoubles(new double[] {0, 0}, 1, 2);
    double p = (1 + Math.log(2)) / 2;
    // SparseCategoricalCrossentropy from logits, sum, one sample of factor 1: p-term + onehot
    assertArrayEquals(new double[] {p + 1, p}, of(KerasApis.SPARSE_CATEGORICAL_CROSSENTROPY_NAME, "grad_y_pred", sum,
        inputs("y_true", Tensor.ofLongs(new long[] {0}, 1), "y_pred", logits)), EPS);
    assertArrayEquals(new double[] {1 + Math.log(2)}, of(KerasApis.SPARSE_CATEGORICAL_CROSSENTROPY_NAME, "loss", sum,
        inputs("y_true", Tensor.ofLongs(new long[] {0}, 1), "y_pred", logits)), EPS);
    // from probabilities (0.5, 0.5), S = 1: ([c = t]/o_t + 1)/S = (2 + 1, 1)
    Map<String, Object> probs = Map.of("reduction", "sum");
    assertArrayEquals(new double[] {3, 1}, of(KerasApis.SPARSE_CATEGORICAL_CROSSENTROPY_NAME, "grad_y_pred", probs,
        inputs("y_true", Tensor.ofLongs(new long[] {0}, 1), "y_pred", Tensor.ofDoubles(new double[] {0.5, 0.5}, 1, 2))), EPS);
    // CategoricalCrossentropy from logits, labels (1, 0): p + q
    Tensor onehot = Tensor.ofDoubles(new double[] {1, 0}, 1, 2);
    assertArrayEquals(new double[] {p + 1, p}, of(KerasApis.CATEGORICAL_CROSSENTROPY_NAME, "grad_y_pred", sum,
        inputs("y_true", onehot, "y_pred", logits)), EPS);
    // BinaryCrossentropy from logits x = 0, y = 1, one element in the last axis: sigmoid(0) + |y| = 1.5
    assertArrayEquals(new double[] {1.5}, of(KerasApis.BINARY_CROSSENTROPY_NAME, "grad_y_pred", sum,
        inputs("y_true", Tensor.ofDoubles(new double[] {1}, 1, 1), "y_pred", Tensor.ofDoubles(new double[] {0}, 1, 1))), EPS);
    // from probabilities p = 0.5, y = 1: |y|/p + |1 - y|/(1 - p) = 2
    assertArrayEquals(new double[] {2}, of(KerasApis.BINARY_CROSSENTROPY_NAME, "grad_y_pred", probs,
        inputs("y_true", Tensor.ofDoubles(new double[] {1}, 1, 1), "y_pred", Tensor.ofDoubles(new double[] {0.5}, 1, 1))), EPS);
    // Poisson: 1 + |y/(p + 1e-7)| with y = 1, p = 1 - 1e-7: 2 (to float32's 1e-7 as Keras has it)
    double kp = 1 + 1 / (1 - 1e-7 + dev.lossconformance.loss.keras.KerasReduction.EPSILON);
    assertArrayEquals(new double[] {kp}, of(KerasApis.POISSON_NAME, "grad_y_pred", probs,
        inputs("y_true", Tensor.ofDoubles(new double[] {1}, 1, 1), "y_pred", Tensor.ofDoubles(new double[] {1 - 1e-7}, 1, 1))), EPS);
    // CosineSimilarity of (1, 0) and (1, 0): the loss's terms sum |a b| = 1; the gradient (|a| + |cos b|)/|y_pred| = (2, 0)
    Map<String, Tensor> cos = inputs("y_true", onehot, "y_pred", onehot);
    assertArrayEquals(new double[] {1}, of(KerasApis.COSINE_SIMILARITY_NAME, "loss", probs, cos), EPS);
    assertArrayEquals(new double[] {2, 0}, of(KerasApis.COSINE_SIMILARITY_NAME, "grad_y_pred", probs, cos), EPS);
    // tf.nn.sigmoid_cross_entropy_with_logits at x = 2, z = 1: max(x, 0) + |x z| + log1p(exp(-2))
    assertArrayEquals(new double[] {4 + Math.log1p(Math.exp(-2))}, of(TfNnApis.SIGMOID_CROSS_ENTROPY_WITH_LOGITS_NAME, "loss",
        Map.of(), inputs("labels", d(1), "logits", d(2))), EPS);
    // tf.nn.sparse_softmax_cross_entropy_with_logits: |log s| + 1 + |x_y - m| = log 2 + 1; backprop p + onehot
    Map<String, Tensor> sparse = inputs("labels", Tensor.ofLongs(new long[] {1}, 1), "logits", logits);
    assertArrayEquals(new double[] {Math.log(2) + 1}, of(TfNnApis.SPARSE_SOFTMAX_CROSS_ENTROPY_WITH_LOGITS_NAME, "loss",
        Map.of(), sparse), EPS);
    assertArrayEquals(new double[] {p, p + 1}, of(TfNnApis.SPARSE_SOFTMAX_CROSS_ENTROPY_WITH_LOGITS_NAME, "grad_logits",
        Map.of(), sparse), EPS);
    // tf.nn.weighted_cross_entropy_with_logits at x = 0, z = 1, q = 3: |1 - z| + |1 + 2 z| sigmoid(0) = 1.5
    assertArrayEquals(new double[] {1.5}, of(TfNnApis.WEIGHTED_CROSS_ENTROPY_WITH_LOGITS_NAME, "grad_logits", Map.of(),
        inputs("labels", d(1), "logits", d(0), "pos_weight", d(3))), EPS);
  }

  @Test
  void tfCtcLossTermsSumEachFramesLargestLogSoftmaxOverTheSamplesFrames() {
    // logits (T = 2, N = 2, C = 2), time-major. Sample 0: frames [0, 0] and [0, 0], log softmax
    // log(1/2) at both classes: 2 ln 2. Sample 1: frame 0 is [0, ln 3], log softmax [ln(1/4), ln(3/4)],
    // largest |.| ln 4; frame 1 is past its logit_length of 1, so not counted: ln 4.
    String api = dev.lossconformance.api.TfNnApis.CTC_LOSS_NAME;
    Tensor logits = Tensor.ofDoubles(new double[] {0, 0, 0, Math.log(3), 0, 0, 5, 7}, 2, 2, 2);
    double[] m = of(api, "loss", Map.of("blank_index", 0L, "logits_time_major", true),
        inputs("labels", Tensor.ofLongs(new long[] {1, 1}, 2, 1), "logits", logits,
            "label_length", Tensor.ofLongs(new long[] {1, 1}, 2), "logit_length", Tensor.ofLongs(new long[] {2, 1}, 2)));
    assertArrayEquals(new double[] {2 * Math.log(2), Math.log(4)}, m, EPS);
  }
}
