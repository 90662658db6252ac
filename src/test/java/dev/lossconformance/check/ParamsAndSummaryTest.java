package dev.lossconformance.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.loss.Reduction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Params' typed reads (the framework's defaults, the legacy reduction pair) and the summary's JSON. */
class ParamsAndSummaryTest {
  private static Params params(Object... kv) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return new Params("api", m, Map.of());
  }

  /** torch.nn._reduction.legacy_get_string: reduce=False is none, else size_average=False is sum, else mean. */
  @Test
  void theLegacyReductionPairWinsOverReduction() {
    assertEquals(Reduction.MEAN, params().torchReduction());
    assertEquals(Reduction.SUM, params("reduction", "sum").torchReduction());
    assertEquals(Reduction.NONE, params("reduce", false, "reduction", "sum").torchReduction());
    assertEquals(Reduction.NONE, params("reduce", false, "size_average", false).torchReduction());
    assertEquals(Reduction.SUM, params("size_average", false).torchReduction());
    assertEquals(Reduction.SUM, params("size_average", false, "reduce", true).torchReduction());
    assertEquals(Reduction.MEAN, params("size_average", true, "reduction", "sum").torchReduction());
    assertEquals(Reduction.MEAN, params("reduce", true, "reduction", "none").torchReduction());
  }

  @Test
  void typedReadsTakeDefaultsAndWholeDoublesAndRefuseTheRest() {
    assertEquals(-100, params().integer("ignore_index", -100));
    assertEquals(3, params("ignore_index", 3.0).integer("ignore_index", -100));
    assertEquals(7, params("ignore_index", 7L).integer("ignore_index", -100));
    MalformedCaseException half = assertThrows(MalformedCaseException.class,
        () -> params("ignore_index", 2.5).integer("ignore_index", -100));
    assertEquals("params.ignore_index", half.where());
    MalformedCaseException text = assertThrows(MalformedCaseException.class,
        () -> params("ignore_index", "abc").integer("ignore_index", -100));
    assertTrue(text.getMessage().contains("got \"abc\" (a string)"), text.getMessage());
    assertEquals(0.25, params("label_smoothing", 0.25).real("label_smoothing", 0.0));
    assertEquals(1.5, params().real("margin", 1.5));
    assertEquals(2.0, params("margin", 2L).real("margin", 1.5));
    assertThrows(MalformedCaseException.class, () -> params("margin", true).real("margin", 1.5));
    assertEquals("sum", params("reduction", "sum").string("reduction", "mean"));
    assertThrows(MalformedCaseException.class, () -> params("reduction", 1L).string("reduction", "mean"));
    assertEquals(null, params().bool("full"));
    assertThrows(MalformedCaseException.class, () -> params("full", "yes").bool("full"));
    assertEquals("inputs.target", assertThrows(MalformedCaseException.class,
        () -> params().tensor("target")).where());
  }

  @Test
  void aParamNothingReadIsUnsupportedNamingIt() {
    Params p = params("reduction", "sum", "made_up", 1L);
    p.string("reduction", "mean");
    UnsupportedCaseException e = assertThrows(UnsupportedCaseException.class, p::requireAllRead);
    assertTrue(e.getMessage().contains("\"made_up\""), e.getMessage());
  }

  @Test
  void theSummaryJsonCarriesMessagesOfNonPassingCasesOnly() {
    CaseResult passed = new CaseResult("torch", "a", "api", Status.PASSED, 1, 1e-7, "raised as the engine did: x", List.of());
    CaseResult failed = new CaseResult("torch", "b", "api", Status.FAILED, Long.MAX_VALUE, 0.5, "why", List.of());
    CaseResult skipped = new CaseResult("tensorflow", "c", "api", Status.SKIPPED, 0, 0, "no weights", List.of());
    Summary s = new Summary(List.of(passed, failed, skipped));
    String json = s.toJson();
    assertTrue(json.contains("\"passed\": 1,"), json);
    assertTrue(json.contains("\"failed\": 1,"), json);
    assertTrue(json.contains("\"skipped\": 1,"), json);
    assertTrue(json.contains("{\"id\": \"a\", \"engine\": \"torch\", \"status\": \"passed\", \"max_ulp\": 1, \"max_abs_err\": 1.00000000e-07}"), json);
    assertTrue(json.contains("\"status\": \"failed\", \"max_ulp\": null, \"max_abs_err\": 0.500000000, \"message\": \"why\"}"), json);
    assertTrue(json.contains("\"message\": \"no weights\""), json);
    assertFalse(json.contains("raised as the engine did"), json);
    assertEquals("1 passed, 1 failed, 1 skipped", s.line());
    assertEquals("{\n  \"implementation\": \"java\",\n  \"passed\": 0,\n  \"failed\": 0,\n  \"unsupported\": 0,\n"
        + "  \"skipped\": 0,\n  \"errors\": 0,\n  \"deviations\": 0,\n  \"unsupported_reasons\": {},\n  \"cases\": []\n}\n",
        new Summary(List.of()).toJson());
    CaseResult declined = new CaseResult("torch", "d", "api", Status.UNSUPPORTED, 0, 0, "no weights\nmore", List.of());
    CaseResult declined2 = new CaseResult("torch", "e", "api", Status.UNSUPPORTED, 0, 0, "no weights", List.of());
    CaseResult other = new CaseResult("torch", "f", "api", Status.UNSUPPORTED, 0, 0, "no K-dim", List.of());
    Summary counted = new Summary("mine", List.of(other, declined, declined2));
    assertEquals(java.util.Map.of("no weights", 2L, "no K-dim", 1L), counted.reasons(Status.UNSUPPORTED));
    assertEquals(List.of("no weights", "no K-dim"), List.copyOf(counted.reasons(Status.UNSUPPORTED).keySet()),
        "most frequent first");
    assertTrue(counted.toJson().startsWith("{\n  \"implementation\": \"mine\",\n"), counted.toJson());
    assertTrue(counted.toJson().contains("\"unsupported_reasons\": {\n    \"no weights\": 2,\n    \"no K-dim\": 1\n  },"),
        counted.toJson());
  }
}
