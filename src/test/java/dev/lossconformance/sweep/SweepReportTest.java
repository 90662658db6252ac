package dev.lossconformance.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.check.Checker;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Classification, sweep.md and the catalog declaration, on cases with hand-made goldens: no engine. */
class SweepReportTest {

  private static FixtureCase l1(String id, Tensor loss, Tensor grad, String error) {
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("input", Tensor.ofFloats(new float[] {1.5f, -2f}, 2));
    in.put("target", Tensor.ofFloats(new float[] {0.5f, 1f}, 2));
    Map<String, Tensor> out = new LinkedHashMap<>();
    if (loss != null) {
      out.put("loss", loss);
      out.put("grad_input", grad);
      out.put("grad_target", Tensor.ofFloats(new float[] {-0.5f, 0.5f}, 2));
    }
    return new FixtureCase(null, "torch", id, TorchApis.L1_LOSS_NAME, Map.of("reduction", "mean"), in, out, error, null);
  }

  private static SweepOutcome outcome(FixtureCase c) {
    return SweepOutcome.of(c, Checker.run(c));
  }

  private static final Tensor GRAD = Tensor.ofFloats(new float[] {0.5f, -0.5f}, 2);

  @Test
  void outcomesAreClassifiedByOutputDtypeAndKind() {
    SweepOutcome pass = outcome(l1("a", Tensor.scalar(DType.FLOAT32, 2.0), GRAD, null));
    assertEquals(dev.lossconformance.check.CaseResult.Status.PASSED, pass.status());
    assertEquals(null, pass.failure());

    SweepOutcome nan = outcome(l1("b", Tensor.scalar(DType.FLOAT32, Double.NaN), GRAD, null));
    assertEquals(new SweepOutcome.FailureClass(TorchApis.L1_LOSS_NAME, "loss", "f32", "engine NaN, java not"), nan.failure());

    SweepOutcome off = outcome(l1("c", Tensor.scalar(DType.FLOAT32, 2.0001), GRAD, null));
    assertEquals("value <= 1024 ulps", off.failure().kind());

    SweepOutcome inf = outcome(l1("d", Tensor.scalar(DType.FLOAT32, 2.0),
        Tensor.ofFloats(new float[] {Float.POSITIVE_INFINITY, -0.5f}, 2), null));
    assertEquals(new SweepOutcome.FailureClass(TorchApis.L1_LOSS_NAME, "grad_input", "f32", "engine inf, java finite"),
        inf.failure());

    SweepOutcome raised = outcome(l1("e", null, null, "RuntimeError: expected scalar type Float but found Long"));
    assertEquals(new SweepOutcome.FailureClass(TorchApis.L1_LOSS_NAME, "-", "f32", "engine raised, java returned outputs"),
        raised.failure());
  }

  @Test
  void aJavaRefusalIsClassifiedByItsExceptionType() {
    FixtureCase c = l1("f", Tensor.scalar(DType.FLOAT32, 2.0), GRAD, null);
    dev.lossconformance.check.CaseResult r = new dev.lossconformance.check.CaseResult("torch", "f", c.api(),
        dev.lossconformance.check.CaseResult.Status.FAILED, 0, 0, "f vs torch: java raised java.lang.IllegalArgumentException:"
        + " shape [] holds 1 elements but data has 0 but the engine returned outputs", List.of());
    assertEquals("java raised IllegalArgumentException, engine returned outputs",
        SweepOutcome.classify(c, Map.of(), r).kind());
  }

  @Test
  void theDtypeLabelNamesInputsOfAnotherDtype() {
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("input", Tensor.ofFloats(new float[] {1}, 1));
    in.put("target", Tensor.ofLongs(DType.INT32, new long[] {0}, 1));
    in.put("weight", Tensor.ofDoubles(new double[] {1}, 1));
    assertEquals("f32 (target i32, weight f64)", SweepOutcome.dtypeLabel(in));
    in.put("target", Tensor.ofLongs(new long[] {0}, 1));
    in.remove("weight");
    assertEquals("f32", SweepOutcome.dtypeLabel(in));
  }

  @Test
  void theReportIsDeterministicAndHoldsCountsClassesAndPercentiles() {
    SweepReport a = new SweepReport();
    SweepReport b = new SweepReport();
    for (SweepReport r : List.of(a, b)) {
      r.add("torch", TorchApis.L1_LOSS_NAME, "sweep/l1_loss/0", outcome(l1("x", Tensor.scalar(DType.FLOAT32, 2.0), GRAD, null)));
      r.add("torch", TorchApis.L1_LOSS_NAME, "sweep/l1_loss/1", outcome(l1("y", Tensor.scalar(DType.FLOAT32, Double.NaN), GRAD, null)));
      r.add("torch", TorchApis.L1_LOSS_NAME, "sweep/l1_loss/2", outcome(l1("z", Tensor.scalar(DType.FLOAT32, Double.NaN), GRAD, null)));
      r.shrunk("torch", new SweepOutcome.FailureClass(TorchApis.L1_LOSS_NAME, "loss", "f32", "engine NaN, java not"),
          "Stream.of(...),", "z vs torch, output \"loss\" at []: expected NaN but was 2.0");
    }
    String md = a.markdown(List.of("seed 1"));
    assertEquals(md, b.markdown(List.of("seed 1")));
    assertTrue(md.contains("| torch | `l1_loss` | 3 | 1 | 0 | 2 | 0 | 0 |"), md);
    assertTrue(md.contains("| torch | `l1_loss` | loss | f32 | engine NaN, java not | 2 | `sweep/l1_loss/1` |"), md);
    assertTrue(md.contains("```java\nStream.of(...),\n```"), md);
    assertTrue(md.contains("| torch | `l1_loss` | loss | float32 | 3 | inf | inf | inf | - |"), md);
    assertEquals(1, a.classKeys().size());
    assertEquals(2, a.failures());
  }

  @Test
  void percentilesAreNearestRank() {
    List<Long> v = List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 100L);
    assertEquals(4, SweepReport.percentile(v, 0.5));
    assertEquals(100, SweepReport.percentile(v, 0.99));
    assertEquals(7, SweepReport.percentile(List.of(7L), 0.5));
  }

  @Test
  void aShrunkCaseIsPrintedAsACatalogDeclaration() {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("margin", 0.5);
    params.put("reduction", "none");
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("input1", Tensor.ofFloats(new float[] {-1.7e38f, Float.NaN}, 1, 2));
    in.put("input2", Tensor.ofFloats(new float[] {1e20f, -0f}, 1, 2));
    in.put("target", Tensor.ofLongs(DType.INT32, new long[] {-1}, 1));
    Call c = new Call(TorchApis.COSINE_EMBEDDING_LOSS_NAME, params, in, null, null);
    SweepOutcome.FailureClass cls = new SweepOutcome.FailureClass(c.api(), "grad_input1", "f32 (target i32)",
        "engine NaN, java not");
    String name = CatalogDeclaration.name(cls);
    assertEquals("sweep_engine_nan_java_not_grad_input1_target_i32", name);
    assertEquals("// found by the sweep\n"
        + "Stream.of(new CaseBuilder(OP, API, \"" + name + "\").param(\"margin\", 0.5).param(\"reduction\", \"none\")\n"
        + "    .input(\"input1\", values(new int[] {1, 2}, -1.7E38, Double.NaN))\n"
        + "    .input(\"input2\", values(new int[] {1, 2}, 1.0E20, -0.0))\n"
        + "    .input(\"target\", (rng, dt) -> Tensor.ofLongs(DType.INT32, new long[] {-1}, new int[] {1}))),",
        CatalogDeclaration.of(name, c, "found by the sweep"));
  }
}
