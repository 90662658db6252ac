package dev.lossconformance.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.impl.ScaledImplementation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The known-deviations file: its format, its matching, and what a run reports for it. */
class DeviationsTest {

  private static FixtureCase named(String engine, String id) {
    return new FixtureCase(null, engine, id, "api", Map.of(), Map.of(), Map.of(), null, null);
  }

  @Test
  void patternsAreGlobsOverTheCaseIdWithAnOptionalEngine() throws Exception {
    Deviations d = Deviations.parse("dev.txt", String.join("\n",
        "# comment", "", "  torch:cross_entropy/index/*_none   reason one  ",
        "kl_div/log_target_? reason two", "nll_loss/a.b(c)+ literal dots and brackets"));
    assertEquals(3, d.entries().size());
    Deviations.Entry first = d.entries().get(0);
    assertEquals("dev.txt:3", first.where());
    assertEquals("reason one", first.reason());
    assertEquals("torch:cross_entropy/index/*_none", first.pattern());
    assertSame(first, d.match(named("torch", "cross_entropy/index/deep/x_none")));
    assertNull(d.match(named("tensorflow", "cross_entropy/index/x_none")), "engine prefix");
    assertNull(d.match(named("torch", "cross_entropy/index/x_none/f32")), "a glob matches the whole id");
    assertSame(d.entries().get(1), d.match(named("tensorflow", "kl_div/log_target_1")));
    assertNull(d.match(named("torch", "kl_div/log_target_12")));
    assertSame(d.entries().get(2), d.match(named("torch", "nll_loss/a.b(c)+")));
    assertNull(d.match(named("torch", "nll_loss/aXb(c)+")), "regex characters are literal");
  }

  @Test
  void malformedLinesAreRefusedWithFileAndLine() throws Exception {
    Deviations.FormatException noReason = assertThrows(Deviations.FormatException.class,
        () -> Deviations.parse("d.txt", "a/b reason\n\nc/d\n"));
    assertEquals("d.txt:3: pattern \"c/d\" has no reason (the format is PATTERN REASON, the reason being the rest"
        + " of the line)", noReason.getMessage());
    Deviations.FormatException upper = assertThrows(Deviations.FormatException.class,
        () -> Deviations.parse("d.txt", "ok/* fine\r\nTorch:x why"));
    assertEquals("d.txt:2: \"Torch\" before ':' in \"Torch:x\" is not an engine id (such as torch or tensorflow)",
        upper.getMessage());
    Deviations.FormatException noEngine = assertThrows(Deviations.FormatException.class,
        () -> Deviations.parse("d.txt", ":x why"));
    assertEquals("d.txt:1: \"\" before ':' in \":x\" is not an engine id (such as torch or tensorflow)",
        noEngine.getMessage());
    assertEquals("tab separated", Deviations.parse("d.txt", "a/*\ttab separated").entries().get(0).reason());
    Deviations.FormatException empty = assertThrows(Deviations.FormatException.class,
        () -> Deviations.parse("d.txt", "torch: why"));
    assertEquals("d.txt:1: pattern \"torch:\" has no case-id glob", empty.getMessage());
  }

  @Test
  void aListedFailureIsADeviationAndAListedPassIsReportedFixed() throws Exception {
    FixtureFile file = FixtureReader.read(Path.of(System.getProperty("conformance.fixtures", "fixtures"),
        "torch/l1_loss.json"));
    Deviations d = Deviations.parse("known.txt", "l1_loss/*_none/f32 scaled loss\nnot_a_case/* never used\n");
    CheckRun off = CheckRun.of(List.of(file), new CheckRun.Options(new ScaledImplementation(), d, false, false),
        e -> { });
    long deviations = off.summary().count(Status.DEVIATION);
    assertTrue(deviations > 0);
    for (CheckRun.Entry e : off.entries()) {
      if (e.fixture().id().endsWith("_none/f32") && e.fixture().unsupported() == null) {
        assertTrue(e.result().status() != Status.FAILED, e.fixture().id());
      }
      if (e.result().status() == Status.DEVIATION) {
        assertTrue(e.result().message().startsWith("known deviation (known.txt:1): scaled loss\n"),
            e.result().message());
      }
    }
    assertEquals(List.of(d.entries().get(1)), off.unusedDeviations());
    assertTrue(off.summary().line().contains(deviations + " deviations"), off.summary().line());

    // the same file for the right implementation: every listed case passes and is reported fixed
    CheckRun java = CheckRun.of(List.of(file), new CheckRun.Options(new dev.lossconformance.java.JavaImplementation(),
        d, false, false), e -> { });
    assertEquals(0, java.summary().count(Status.DEVIATION));
    assertEquals(deviations + off.fixedDeviations().size(), java.fixedDeviations().size());
  }
}
