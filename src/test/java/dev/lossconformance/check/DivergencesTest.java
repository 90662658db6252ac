package dev.lossconformance.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code fixtures/divergences.json} is current, explains every difference, and shows SEMANTICS.md's traps. */
class DivergencesTest {
  private static final Path FIXTURES = Path.of(System.getProperty("conformance.fixtures", "fixtures"));

  @Test
  void committedFileIsWhatTheFixturesGive() throws Exception {
    String expected = Divergences.toJson(Divergences.pairs(FIXTURES));
    assertEquals(expected, Files.readString(FIXTURES.resolve("divergences.json")),
        "fixtures/divergences.json is stale: run generator/regenerate (or java -jar target/loss-conformance.jar divergences fixtures)");
  }

  @Test
  void everyDifferenceHasACatalogReason() throws Exception {
    for (Divergences.Pair p : Divergences.pairs(FIXTURES)) {
      if (!p.agree() || Boolean.FALSE.equals(p.gradAgree())) {
        assertTrue(p.reason() != null, p.id() + " differs (" + p.difference() + ") without a reason in the catalog");
      }
    }
  }

  @Test
  void theDivergencesOfSemanticsSection5AreDemonstrated() throws Exception {
    List<Divergences.Pair> pairs = Divergences.pairs(FIXTURES);
    for (String t : List.of("T-1", "T-2", "T-3", "T-4", "T-5", "T-6", "T-7", "T-8", "T-9", "T-10", "T-11", "T-12", "T-13",
        "T-14", "T-15", "T-17", "T-18", "T-20", "T-21", "T-22", "T-23")) {
      assertTrue(pairs.stream().anyMatch(p -> p.reason() != null && p.reason().matches(".*\\b" + t + "\\b.*")),
          t + " is demonstrated by no paired case");
    }
    // T-16: a class index out of range raises in both
    assertTrue(pairs.stream().anyMatch(p -> p.reference().expectsError() && p.counterpart().expectsError()
        && p.counterpart().error().contains("outside the valid range")), "T-16");
    // T-19: a float64 case whose Keras loss is float32
    assertTrue(pairs.stream().anyMatch(p -> !p.reference().expectsError() && !p.counterpart().expectsError()
        && p.reference().outputs().get("loss").dtype() == DType.FLOAT64
        && p.counterpart().outputs().get("loss").dtype() == DType.FLOAT32), "T-19");
  }
}
