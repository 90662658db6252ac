package dev.lossconformance.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verdict rules of {@link Checker}, on committed engine goldens and on tampered copies of them. */
class CheckerTest {
  private static final String CE = "torch.nn.functional.cross_entropy";

  static Path fixtures() {
    return Path.of(System.getProperty("conformance.fixtures", "fixtures"));
  }

  static FixtureCase committed(String engine, String op, String id) throws Exception {
    FixtureFile f = FixtureReader.read(fixtures().resolve(engine).resolve(op + ".json"));
    return f.cases().stream().filter(c -> c.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no case " + id + " in " + engine + "/" + op));
  }

  static FixtureCase withOutputs(FixtureCase c, Map<String, Tensor> outputs) {
    return new FixtureCase(c.file(), c.engine(), c.id(), c.api(), c.params(), c.inputs(), outputs, c.error(),
        c.unsupported());
  }

  /** {@code t} with element {@code i} replaced by {@code v}. */
  static Tensor with(Tensor t, int i, double v) {
    double[] d = t.toDoubleArray();
    d[i] = v;
    return Tensor.ofFloating(t.dtype(), d, t.shape());
  }

  @Test
  void anOutputJavaDoesNotComputeNeverHidesAWrongOne() throws Exception {
    FixtureCase c = committed("torch", "nll_loss", "nll_loss/plain_mean/f32");
    assertEquals(Status.PASSED, Checker.check(c).status());
    Tensor loss = c.outputs().get("loss");
    Map<String, Tensor> out = new LinkedHashMap<>(c.outputs());
    out.put("loss", with(loss, 0, loss.getDouble(0) * 1.001));
    out.put("grad_target", c.outputs().get("grad_input"));
    CaseResult r = Checker.check(withOutputs(c, out));
    assertEquals(Status.FAILED, r.status(), r.message());
    assertTrue(r.message().contains("output \"loss\""), r.message());
    assertTrue(r.message().contains("\"grad_target\""), r.message());

    // with the loss right, the uncomputable output makes the case unsupported, named
    out.put("loss", loss);
    CaseResult u = Checker.check(withOutputs(c, out));
    assertEquals(Status.UNSUPPORTED, u.status(), u.message());
    assertTrue(u.message().contains("\"grad_target\""), u.message());
  }

  @Test
  void theFailureLineSaysExpectedActualAndUlps() throws Exception {
    FixtureCase c = committed("torch", "nll_loss", "nll_loss/plain_mean/f32");
    Tensor loss = c.outputs().get("loss");
    Map<String, Tensor> out = new LinkedHashMap<>(c.outputs());
    out.put("loss", with(loss, 0, Math.nextUp(Math.nextUp((float) (loss.getDouble(0) * 1.001)))));
    String first = Checker.check(withOutputs(c, out)).message().lines().findFirst().orElseThrow();
    assertTrue(first.matches(".*output \"loss\" at \\[\\]: expected \\S+ \\(0x[0-9a-f]{8}\\) but was \\S+"
        + " \\(0x[0-9a-f]{8}\\): \\d+ ulps > 4 ulps allowed"), first);
  }

  /**
   * {@code index/confident_rows}: row losses log(1 + 4 e^-20) = 8.2e-9, 2.5e-5 and 3.7e-13 in one
   * {@code reduction="none"} tensor. In float64 each element keeps its relative precision: 50x, 2x, 0
   * and a sign flip of the 8.2e-9 loss all fail. In float32 PyTorch itself returns -0.0 for it (1 + 4
   * e^-20 rounds to 1) and 2.4795225e-05 for the 2.4576547e-05 one (a sum of five terms rounded at 1),
   * so there the element is judged in ulps of its term magnitude, about 1: that much still fails.
   */
  @Test
  void aTinyPerElementLossIsJudgedOnItsOwnMagnitude() throws Exception {
    FixtureCase f64 = committed("torch", "cross_entropy", "cross_entropy/index/confident_rows_none/f64");
    assertEquals(Status.PASSED, Checker.check(f64).status());
    Tensor loss = f64.outputs().get("loss");
    assertTrue(loss.getDouble(0) > 8e-9 && loss.getDouble(0) < 9e-9, loss.toString());
    for (double wrong : new double[] {loss.getDouble(0) * 50, 0.0, loss.getDouble(0) * 2, -loss.getDouble(0)}) {
      CaseResult r = Checker.check(withOutputs(f64, Map.of("loss", with(loss, 0, wrong),
          "grad_input", f64.outputs().get("grad_input"))));
      assertEquals(Status.FAILED, r.status(), "float64 golden " + wrong + " passed");
    }
    FixtureCase f32 = committed("torch", "cross_entropy", "cross_entropy/index/confident_rows_none/f32");
    assertEquals(Status.PASSED, Checker.check(f32).status());
    Tensor loss32 = f32.outputs().get("loss");
    assertEquals(0.0, Math.abs(loss32.getDouble(0)));
    for (double wrong : new double[] {1e-5, 2.5e-5 * 1.1}) {
      int at = wrong == 1e-5 ? 0 : 1;
      CaseResult r = Checker.check(withOutputs(f32, Map.of("loss", with(loss32, at, wrong),
          "grad_input", f32.outputs().get("grad_input"))));
      assertEquals(Status.FAILED, r.status(), "float32 golden " + wrong + " at " + at + " passed");
    }
  }

  /**
   * The golden gradient of a 1000-class cross-entropy (PyTorch) has non-target entries of 1e-8 next
   * to target entries near -1: a 2x error in a tiny entry must fail, where an allowance from the
   * tensor's largest magnitude (4 ulps of 1 = 4.8e-7) would pass it.
   */
  @Test
  void aTinySoftmaxEntryKeepsItsRelativePrecision() throws Exception {
    FixtureCase c = committed("torch", "cross_entropy", "cross_entropy/index/classes1000_none/f32");
    assertEquals(Status.PASSED, Checker.check(c).status());
    Tensor g = c.outputs().get("grad_input");
    int tiny = -1;
    for (int i = 0; i < g.numel(); i++) {
      if (g.getDouble(i) > 0 && g.getDouble(i) < 1e-7) {
        tiny = i;
        break;
      }
    }
    assertTrue(tiny >= 0, "no tiny entry in the golden");
    Map<String, Tensor> out = new LinkedHashMap<>(c.outputs());
    out.put("grad_input", with(g, tiny, g.getDouble(tiny) * 2));
    CaseResult r = Checker.check(withOutputs(c, out));
    assertEquals(Status.FAILED, r.status(), "a 2x error in " + g.getDouble(tiny) + " passed");
  }

  @Test
  void subnormalsCompareAsZeroAndNothingLarger() {
    assertTrue(Checker.subnormal(DType.FLOAT32, 3.7e-44));
    assertTrue(Checker.subnormal(DType.FLOAT32, -1e-39));
    assertFalse(Checker.subnormal(DType.FLOAT32, Float.MIN_NORMAL));
    assertFalse(Checker.subnormal(DType.FLOAT64, 1e-300));
    assertTrue(Checker.subnormal(DType.FLOAT64, 1e-310));
  }

  @Test
  void anAbsoluteErrorOfAFewSubnormalsIsRoundingAndMoreIsNot() {
    // the sweep's BCE-with-logits loss: 1.6323003E-38 (0x00b1bde4) from PyTorch, 1.6322994E-38 (0x00b1bdde)
    // from Java, 6 float32 ulps and 6 subnormals (8.4e-45) apart
    double e = Float.intBitsToFloat(0x00b1bde4);
    double a = Float.intBitsToFloat(0x00b1bdde);
    assertTrue(Checker.nearSubnormal(DType.FLOAT32, Math.abs(e - a)));
    assertTrue(Checker.nearSubnormal(DType.FLOAT32, 8 * (double) Float.MIN_VALUE));
    assertFalse(Checker.nearSubnormal(DType.FLOAT32, 9 * (double) Float.MIN_VALUE));
    // anything above 2^-125 is still judged in ulps:
    // 5 ulps of 1e-37 are 5 * 2^-146, more than 8 subnormals
    assertFalse(Checker.nearSubnormal(DType.FLOAT32, 5 * Math.ulp(1e-37f)));
    assertFalse(Checker.nearSubnormal(DType.FLOAT64, 9 * Double.MIN_VALUE));
  }

  /** Every output with a term allowance has a model, and it evaluates every committed case of its api. */
  @Test
  void everyTermAllowanceHasAModelThatEvaluatesTheCommittedCases() throws Exception {
    java.util.Set<String> needed = Tolerances.withTermAllowance();
    assertFalse(needed.isEmpty());
    java.util.Set<String> evaluated = new java.util.TreeSet<>();
    for (FixtureFile f : FixtureReader.readAll(fixtures())) {
      for (FixtureCase c : f.cases()) {
        for (Map.Entry<String, Tensor> o : c.outputs().entrySet()) {
          String key = c.api() + "|" + o.getKey();
          if (!needed.contains(key)) {
            continue;
          }
          assertTrue(TermMagnitudes.has(c.api(), o.getKey()), key);
          double[] m = TermMagnitudes.of(c.api(), o.getKey(), c.params(), c.inputs(),
              () -> Apis.evaluate(c.api(), c.params(), Checker.float64(c.inputs())));
          assertNotNull(m, c.displayName() + " " + o.getKey() + ": the model cannot evaluate the case");
          assertEquals(o.getValue().numel(), m.length, c.displayName() + " " + o.getKey());
          evaluated.add(key);
        }
      }
    }
    assertEquals(needed, evaluated, "term allowances no committed case exercises");
  }

  @Test
  void termMagnitudeIsTheElementItselfWhereNothingCancels() {
    // nll-free check of the model: a uniform 3-class row, target 0, mean over 1 row. p = 1/3 everywhere,
    // exponent terms |x - m| = 0 and |log s| = log 3, so the p term is (1 + log 3)/3; the target
    // element adds its onehot 1
    Tensor input = Tensor.ofDoubles(new double[] {0, 0, 0}, 1, 3);
    Tensor target = Tensor.ofLongs(new long[] {0}, 1);
    double[] m = TermMagnitudes.of(CE, "grad_input", Map.of("reduction", "mean"),
        Map.of("input", input, "target", target), () -> null);
    double p = (1 + Math.log(3)) / 3;
    assertEquals(p + 1, m[0], 1e-15);
    assertEquals(p, m[1], 1e-15);
    assertEquals(p, m[2], 1e-15);
  }

  /** Moves {@code v} by {@code n} float32 ulps. */
  private static double ulpsAway(double v, int n) {
    float f = (float) v;
    for (int i = 0; i < n; i++) {
      f = Math.nextUp(f);
    }
    return f;
  }

  @Test
  void theAllowanceIsInclusiveAndReportedExactly() throws Exception {
    FixtureCase c = committed("torch", "nll_loss", "nll_loss/plain_mean/f32");
    Checker.Run honest = Checker.run(c);
    Tensor java = honest.actual().get("loss");
    Tensor grad = honest.actual().get("grad_input");
    for (int n : new int[] {4, 5}) {
      Map<String, Tensor> out = new LinkedHashMap<>(c.outputs());
      out.put("loss", with(java, 0, ulpsAway(java.getDouble(0), n)));
      // a negative element (-0.25) n ulps toward zero
      out.put("grad_input", with(grad, 2, ulpsAway(grad.getDouble(2), n)));
      CaseResult r = Checker.check(withOutputs(c, out));
      assertEquals(n == 4 ? Status.PASSED : Status.FAILED, r.status(), n + " ulps: " + r.message());
      assertEquals(n, r.maxUlp());
      assertEquals(2, r.diffs().size());
      if (n == 5) {
        assertTrue(r.message().contains("1 of 1 elements over tolerance"), r.message());
        assertTrue(r.message().contains("1 of 20 elements over tolerance"), r.message());
      }
    }
  }

  @Test
  void aFloat64LossPromotedFromAFloat32InputIsJudgedInFloat32Ulps() throws Exception {
    // cross_entropy with a float64 probability target and a float32 input: the loss is float64, computed
    // from float32 log-probabilities, so its allowance is the float32 one counted in float32 ulps
    FixtureCase c = committed("torch", "cross_entropy", "cross_entropy/prob/target_other_float_dtype_mean/f32");
    assertEquals(Status.PASSED, Checker.check(c).status());
    Tensor mine = Checker.run(c).actual().get("loss");
    assertEquals(DType.FLOAT64, mine.dtype());
    double v = mine.getDouble(0);
    // 2 float32 ulps away (2^30 float64 ulps) passes; 1000 float32 ulps away fails
    for (int n : new int[] {2, 1000}) {
      double moved = v;
      for (int i = 0; i < n; i++) {
        moved = Math.nextUp((float) moved);
      }
      Map<String, Tensor> out = new LinkedHashMap<>(c.outputs());
      out.put("loss", with(mine, 0, moved));
      CaseResult r = Checker.check(withOutputs(c, out));
      assertEquals(n == 2 ? Status.PASSED : Status.FAILED, r.status(), n + " float32 ulps: " + r.message());
    }
    // the same output dtype from a float64 input keeps float64 ulps: 2 float32 ulps there fail
    FixtureCase c64 = committed("torch", "cross_entropy", "cross_entropy/prob/target_other_float_dtype_mean/f64");
    Tensor mine64 = Checker.run(c64).actual().get("loss");
    Map<String, Tensor> out = new LinkedHashMap<>(c64.outputs());
    out.put("loss", with(mine64, 0, Math.nextUp(Math.nextUp((float) mine64.getDouble(0)))));
    assertEquals(Status.FAILED, Checker.check(withOutputs(c64, out)).status());
  }

  @Test
  void theFloat64ReferenceSaysWhichSideIsOff() throws Exception {
    FixtureCase c = committed("torch", "nll_loss", "nll_loss/plain_mean/f32");
    Tensor mine = Checker.run(c).actual().get("loss");
    Map<String, Tensor> out = new LinkedHashMap<>(c.outputs());
    out.put("loss", with(mine, 0, ulpsAway(mine.getDouble(0), 1000)));
    String m = Checker.check(withOutputs(c, out)).message();
    java.util.regex.Matcher g = java.util.regex.Pattern
        .compile("float64 reference \\S+: torch is ([0-9.]+) ulps away, java ([0-9.]+) ulps").matcher(m);
    assertTrue(g.find(), m);
    double engine = Double.parseDouble(g.group(1));
    double javaUlps = Double.parseDouble(g.group(2));
    // Java sums nll_loss's float32 losses as aten's float32 cascade does (its bits, not the float64
    // value's), a few ulps at most from the float64 value; the moved golden is 1000 ulps from Java's, so
    // 1000 +- (Java's distance + 1) from the float64 value
    assertTrue(javaUlps <= 4, m);
    assertTrue(Math.abs(engine - 1000) <= javaUlps + 1, m);
  }

  @Test
  void anErrorCasePassesOnlyOnTheEnginesKindOfError() throws Exception {
    FixtureCase c = committed("torch", "cross_entropy", "cross_entropy/index/target_out_of_range_mean/f32");
    CaseResult ok = Checker.check(c);
    assertEquals(Status.PASSED, ok.status(), ok.message());
    assertTrue(ok.message().startsWith("raised as the engine did: "), ok.message());
    // the same inputs said to raise a shape error: Java's index error is the wrong kind
    FixtureCase shape = new FixtureCase(c.file(), c.engine(), c.id(), c.api(), c.params(), c.inputs(), Map.of(),
        "ValueError: Expected input batch_size (3) to match target batch_size (2).", null);
    assertEquals(Status.FAILED, Checker.check(shape).status());
    // an engine error where Java returns outputs fails, naming what Java returned
    FixtureCase fine = committed("torch", "nll_loss", "nll_loss/plain_mean/f32");
    FixtureCase said = new FixtureCase(fine.file(), fine.engine(), fine.id(), fine.api(), fine.params(), fine.inputs(),
        Map.of(), "IndexError: Target 7 is out of bounds.", null);
    CaseResult r = Checker.check(said);
    assertEquals(Status.FAILED, r.status());
    assertTrue(r.message().contains("but java returned"), r.message());
  }
}
