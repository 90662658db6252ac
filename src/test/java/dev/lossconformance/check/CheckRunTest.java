package dev.lossconformance.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.java.JavaImplementation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One run, read by every view: what it holds, in which order, and what it keeps. */
class CheckRunTest {
  private static FixtureFile file(String name) throws Exception {
    return FixtureReader.read(Path.of(System.getProperty("conformance.fixtures", "fixtures"), "torch", name));
  }

  @Test
  void holdsEveryCaseInOrderNamesTheImplementationAndCallsBackPerCase() throws Exception {
    FixtureFile l1 = file("l1_loss.json");
    FixtureFile nll = file("nll_loss.json");
    List<String> started = new ArrayList<>();
    List<String> judged = new ArrayList<>();
    CheckRun run = CheckRun.of(List.of(l1, nll), new CheckRun.Options(new JavaImplementation(), null, false, true),
        e -> judged.add(e.fixture().id()), c -> started.add(c.id()));
    List<String> ids = new ArrayList<>();
    l1.cases().forEach(c -> ids.add(c.id()));
    nll.cases().forEach(c -> ids.add(c.id()));
    assertEquals(ids, run.entries().stream().map(e -> e.fixture().id()).toList());
    assertEquals(ids, started);
    assertEquals(ids, judged);
    assertEquals("java", run.implementation());
    assertEquals(List.of(l1, nll), run.files());
    assertEquals(run.results(), run.summary().cases());
    // outputs kept for the report: a passing case carries the implementation's loss
    CheckRun.Entry passed = run.entries().stream().filter(e -> e.result().status() == Status.PASSED
        && !e.fixture().outputs().isEmpty()).findFirst().orElseThrow();
    assertTrue(passed.run().actual().containsKey("loss"));
    // not kept: the same verdicts without outputs
    CheckRun lean = CheckRun.of(List.of(l1), new CheckRun.Options(new JavaImplementation(), null, false, false), e -> { });
    assertTrue(lean.entries().stream().allMatch(e -> e.run().actual().isEmpty()));
    assertEquals(run.results().subList(0, l1.cases().size()), lean.results());
  }

  @Test
  void derivedMeanCasesFollowTheirFilesOwnCases() throws Exception {
    FixtureFile l1 = file("l1_loss.json");
    CheckRun run = CheckRun.of(List.of(l1), new CheckRun.Options(new JavaImplementation(), null, true, false), e -> { });
    List<FixtureCase> derived = DerivedCases.of(l1.cases());
    assertTrue(!derived.isEmpty());
    assertEquals(l1.cases().size() + derived.size(), run.entries().size());
    assertEquals(derived.get(0).id(), run.entries().get(l1.cases().size()).fixture().id());
  }
}
