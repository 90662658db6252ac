package dev.lossconformance.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The mean cases derived from reduction="none" goldens, for mean-only implementations. */
class DerivedCasesTest {
  private static final List<FixtureCase> ALL = new ArrayList<>();

  @BeforeAll
  static void read() throws Exception {
    for (FixtureFile f : FixtureReader.readAll(Path.of(System.getProperty("conformance.fixtures", "fixtures")))) {
      ALL.addAll(f.cases());
    }
  }

  @Test
  void everyDerivedCaseOfTheCommittedGoldensPassesForTheJavaKernels() {
    Map<String, Integer> perApi = new TreeMap<>();
    for (FixtureCase c : ALL) {
      for (FixtureCase d : DerivedCases.of(c)) {
        CaseResult r = Checker.check(d);
        assertEquals(Status.PASSED, r.status(), d.displayName() + ": " + r.message());
        perApi.merge(d.api(), 1, Integer::sum);
      }
    }
    // every family the class comment lists derives cases from the committed goldens
    assertEquals(List.of("keras.losses.BinaryCrossentropy", "keras.losses.CategoricalCrossentropy",
        "keras.losses.CosineSimilarity", "keras.losses.Hinge", "keras.losses.KLDivergence",
        "keras.losses.MeanAbsoluteError", "keras.losses.Poisson", "keras.losses.SparseCategoricalCrossentropy",
        "torch.nn.functional.binary_cross_entropy", "torch.nn.functional.binary_cross_entropy_with_logits",
        "torch.nn.functional.cosine_embedding_loss", "torch.nn.functional.cross_entropy",
        "torch.nn.functional.gaussian_nll_loss", "torch.nn.functional.hinge_embedding_loss",
        "torch.nn.functional.kl_div", "torch.nn.functional.l1_loss", "torch.nn.functional.nll_loss",
        "torch.nn.functional.poisson_nll_loss"), List.copyOf(perApi.keySet()), perApi.toString());
  }

  /** l1_loss none of [[1, 4], [2, 8]] vs zeros: element [1, 0] is the mean case |2 - 0| = 2, grad sign(2) = 1. */
  @Test
  void anElementBecomesAOneElementMeanCaseWithItsGradient() {
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    inputs.put("input", Tensor.ofDoubles(new double[] {1, 4, 2, 8}, 2, 2));
    inputs.put("target", Tensor.ofDoubles(new double[] {0, 0, 0, 0}, 2, 2));
    Map<String, Tensor> outputs = new LinkedHashMap<>();
    outputs.put("loss", Tensor.ofDoubles(new double[] {1, 4, 2, 8}, 2, 2));
    outputs.put("grad_input", Tensor.ofDoubles(new double[] {1, 1, 1, 1}, 2, 2));
    outputs.put("grad_target", Tensor.ofDoubles(new double[] {-1, -1, -1, -1}, 2, 2));
    FixtureCase none = new FixtureCase(null, "torch", "l1/x_none", "torch.nn.functional.l1_loss",
        Map.of("reduction", "none"), inputs, outputs, null, null);
    List<FixtureCase> derived = DerivedCases.of(none);
    assertEquals(4, derived.size());
    FixtureCase d = derived.get(2);
    assertEquals("l1/x_none/derived_mean[1,0]", d.id());
    assertEquals("mean", d.params().get("reduction"));
    assertEquals(Tensor.ofDoubles(new double[] {2}, 1), d.inputs().get("input"));
    assertEquals(Tensor.ofDoubles(new double[] {2}), d.outputs().get("loss"));
    assertEquals(Tensor.ofDoubles(new double[] {1}, 1), d.outputs().get("grad_input"));
    assertEquals(Tensor.ofDoubles(new double[] {-1}, 1), d.outputs().get("grad_target"));
    assertEquals(Status.PASSED, Checker.check(d).status());
    // a wrong golden in the none case is a wrong golden in the derived one: the gate still sees it
    Map<String, Tensor> wrong = new LinkedHashMap<>(outputs);
    wrong.put("loss", Tensor.ofDoubles(new double[] {1, 4, 2.001, 8}, 2, 2));
    FixtureCase bad = new FixtureCase(null, "torch", "l1/x_none", none.api(), none.params(), inputs, wrong, null, null);
    assertEquals(Status.FAILED, Checker.check(DerivedCases.of(bad).get(2)).status());
  }

  @Test
  void ignoredRowsClassWeightsBroadcastsAndOtherReductionsDeriveNothing() {
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    inputs.put("input", Tensor.ofFloating(DType.FLOAT32, new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
    inputs.put("target", Tensor.ofLongs(new long[] {-100, 2}, 2));
    Map<String, Tensor> outputs = Map.of("loss", Tensor.ofFloating(DType.FLOAT32, new double[] {0, 0.4076059}, 2),
        "grad_input", Tensor.ofFloating(DType.FLOAT32, new double[6], 2, 3));
    String ce = "torch.nn.functional.cross_entropy";
    List<FixtureCase> rows = DerivedCases.of(new FixtureCase(null, "torch", "ce", ce, Map.of("reduction", "none"),
        inputs, outputs, null, null));
    assertEquals(List.of("ce/derived_mean[1]"), rows.stream().map(FixtureCase::id).toList(), "the ignored row is left out");
    assertEquals(Tensor.ofFloating(DType.FLOAT32, new double[] {4, 5, 6}, 1, 3), rows.get(0).inputs().get("input"));
    Map<String, Tensor> weighted = new LinkedHashMap<>(inputs);
    weighted.put("weight", Tensor.ofFloating(DType.FLOAT32, new double[] {1, 2, 3}, 3));
    assertEquals(List.of(), DerivedCases.of(new FixtureCase(null, "torch", "ce", ce, Map.of("reduction", "none"),
        weighted, outputs, null, null)));
    assertEquals(List.of(), DerivedCases.of(new FixtureCase(null, "torch", "ce", ce, Map.of("reduction", "sum"),
        inputs, outputs, null, null)));
    Map<String, Tensor> broadcast = new LinkedHashMap<>();
    broadcast.put("input", Tensor.ofDoubles(new double[] {1, 2}, 2));
    broadcast.put("target", Tensor.ofDoubles(new double[] {0}, 1));
    assertEquals(List.of(), DerivedCases.of(new FixtureCase(null, "torch", "l1", "torch.nn.functional.l1_loss",
        Map.of("reduction", "none"), broadcast, Map.of("loss", Tensor.ofDoubles(new double[] {1, 2}, 2)), null, null)));
  }

  /** Keras converts Hinge labels {0, 1} to {-1, 1} only when the whole y_true is binary (the tensorflow fixture's case). */
  @Test
  void hingeRowsWhoseLabelsAloneWouldConvertAreLeftOut() {
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    inputs.put("y_true", Tensor.ofFloating(DType.FLOAT32, new double[] {0, -1}, 2, 1));
    inputs.put("y_pred", Tensor.ofFloating(DType.FLOAT32, new double[] {0.3, 0.3}, 2, 1));
    Map<String, Tensor> outputs = new LinkedHashMap<>();
    outputs.put("loss", Tensor.ofFloating(DType.FLOAT32, new double[] {1, 1.3}, 2));
    outputs.put("grad_y_pred", Tensor.ofFloating(DType.FLOAT32, new double[] {-0.0, 1}, 2, 1));
    List<FixtureCase> d = DerivedCases.of(new FixtureCase(null, "tensorflow", "h", "keras.losses.Hinge",
        Map.of("reduction", "none"), inputs, outputs, null, null));
    assertEquals(List.of("h/derived_mean[1]"), d.stream().map(FixtureCase::id).toList());
    assertTrue(Checker.check(d.get(0)).status() == Status.PASSED, Checker.check(d.get(0)).message());
  }
}
