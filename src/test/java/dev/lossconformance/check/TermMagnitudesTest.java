package dev.lossconformance.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    String api = "torch.nn.functional.binary_cross_entropy_with_logits";
    double[] m = of(api, "grad_input", Map.of("reduction", "mean"),
        inputs("input", d(0, 0), "target", d(1, 0), "pos_weight", d(3)));
    assertArrayEquals(new double[] {2.25, 0.25}, m, EPS);
    // without pos_weight: (0.5 + 1)/2 = 0.75 and (0.5 + 0)/2
    assertArrayEquals(new double[] {0.75, 0.25}, of(api, "grad_input", Map.of("reduction", "mean"),
        inputs("input", d(0, 0), "target", d(1, 0))), EPS);
  }

  @Test
  void klDivTermsFollowLogTarget() {
    String api = "torch.nn.functional.kl_div";
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
    String api = "torch.nn.functional.poisson_nll_loss";
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
    // the target gradient: |log(1 + 1)| with full adds |log 2| + 1/4
    assertEquals(Math.log(2), of(api, "grad_target", rate, r)[0], EPS);
    Map<String, Object> rateFull = Map.of("reduction", "sum", "log_input", false, "eps", 1.0, "full", true);
    assertEquals(2 * Math.log(2) + 0.25, of(api, "grad_target", rateFull, r)[0], EPS);
  }

  @Test
  void gaussianVarTermsSumOverTheElementsABroadcastVarServes() {
    // input (2, 2), var (2, 1) = 1, d = x - y = 1 everywhere, sum: each element 0.5 (1/1 + 1/1) = 1,
    // two elements per var entry: 2; eps = 1e-6 does not clamp
    String api = "torch.nn.functional.gaussian_nll_loss";
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
    String api = "torch.nn.functional.cosine_embedding_loss";
    Tensor a = Tensor.ofDoubles(new double[] {1, 0, 1, 0}, 2, 2);
    Tensor b = Tensor.ofDoubles(new double[] {1, 0, 0, 1}, 2, 2);
    double[] m = of(api, "grad_input1", Map.of("reduction", "sum"), inputs("input1", a, "input2", b,
        "target", Tensor.ofLongs(new long[] {1, -1}, 2)));
    assertArrayEquals(new double[] {2, 0, 0, 0}, m, 1e-9);
  }

  @Test
  void noModelOrUnreadableInputsGiveNull() {
    assertFalse(TermMagnitudes.has("torch.nn.functional.l1_loss", "loss"));
    assertNull(of("torch.nn.functional.l1_loss", "loss", Map.of(), inputs()));
    assertTrue(TermMagnitudes.has("torch.nn.functional.cross_entropy", "loss"));
    // a model that cannot evaluate its inputs (no target) leaves only the relative allowance
    assertNull(of("torch.nn.functional.cross_entropy", "loss", Map.of(), inputs("input", d(1, 2))));
  }
}
