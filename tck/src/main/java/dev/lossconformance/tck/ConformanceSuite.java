package dev.lossconformance.tck;

import dev.lossconformance.check.CaseResult;
import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.check.CheckRun;
import dev.lossconformance.check.DerivedCases;
import dev.lossconformance.check.Deviations;
import dev.lossconformance.check.Summary;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.impl.LossImplementation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance suite for any {@link LossImplementation}: one JUnit dynamic test per fixture case,
 * named by case id, grouped by engine and fixture file, judged exactly as {@code check --impl} judges
 * it ({@link CheckRun#verdict}).
 *
 * <pre>{@code
 * class MyLossesConformanceTest extends ConformanceSuite {
 *   @Override
 *   protected LossImplementation implementation() {
 *     return new MyLossesImplementation();
 *   }
 * }
 * }</pre>
 *
 * <p>A case passes when the implementation matches the golden within the gate's tolerances (or
 * raises the engine's kind of error where the engine raised); it fails with the gate's full message
 * otherwise. A case the implementation declines ({@link LossImplementation#unsupported}), a case the
 * engine cannot express and a listed known deviation are aborted (reported as skipped) with the
 * reason. A listed deviation that passes fails by default ({@link #strictDeviations()}) so that its
 * line is removed. A last test, {@code summary}, prints the counts and the reasons cases were
 * declined, and fails when no case was compared at all: a suite that judged nothing never passes.
 *
 * <p>Override {@link #fixtures()}, {@link #engines()}, {@link #deviations()} and {@link
 * #derivedMeanCases()} to choose what runs.
 */
public abstract class ConformanceSuite {

  /** The implementation under test. */
  protected abstract LossImplementation implementation();

  /**
   * The fixture files or folders to run (default: every fixture bundled in this artifact, the goldens
   * of the loss-conformance release it belongs to).
   */
  protected List<Path> fixtures() {
    return List.of(BundledFixtures.root());
  }

  /** The engines whose goldens run, by id ({@code torch}, {@code tensorflow}); empty (the default): all. */
  protected Set<String> engines() {
    return Set.of();
  }

  /**
   * The implementation's known deviations (default: none), e.g. {@code
   * Deviations.read(Path.of("src/test/resources/known-deviations.txt"))}; format in {@link Deviations}.
   */
  protected Deviations deviations() throws Exception {
    return Deviations.none();
  }

  /**
   * Whether to add the mean cases derived from {@code reduction="none"} goldens ({@link DerivedCases}),
   * for implementations that only compute a mean (default: false).
   */
  protected boolean derivedMeanCases() {
    return false;
  }

  /** Whether a listed deviation that passes fails its test, so the line is removed (default: true). */
  protected boolean strictDeviations() {
    return true;
  }

  /** The dynamic tests: engine, then fixture file, then one test per case; then {@code summary}. */
  @TestFactory
  public Stream<DynamicNode> conformance() throws Exception {
    LossImplementation impl = implementation();
    Assertions.assertNotNull(impl, "implementation() returned null");
    Deviations known = deviations();
    Set<String> engines = engines();
    Map<String, List<DynamicNode>> byEngine = new LinkedHashMap<>();
    List<CaseResult> results = new ArrayList<>();
    int cases = 0;
    for (Path p : fixtures()) {
      for (FixtureFile f : FixtureReader.readAll(p)) {
        List<FixtureCase> all = new ArrayList<>();
        for (FixtureCase c : f.cases()) {
          if (engines.isEmpty() || engines.contains(c.engine())) {
            all.add(c);
          }
        }
        if (derivedMeanCases()) {
          all.addAll(DerivedCases.of(all));
        }
        if (all.isEmpty()) {
          continue;
        }
        cases += all.size();
        List<DynamicNode> tests = new ArrayList<>();
        for (FixtureCase c : all) {
          tests.add(DynamicTest.dynamicTest(c.id(), () -> judge(c, impl, known, results)));
        }
        String name = f.cases().get(0).file() == null ? f.source()
            : f.cases().get(0).file().getFileName().toString().replaceFirst("\\.json$", "");
        byEngine.computeIfAbsent(all.get(0).engine(), k -> new ArrayList<>())
            .add(DynamicContainer.dynamicContainer(name, tests));
      }
    }
    List<DynamicNode> nodes = new ArrayList<>();
    byEngine.forEach((engine, files) -> nodes.add(DynamicContainer.dynamicContainer(engine, files)));
    int total = cases;
    nodes.add(DynamicTest.dynamicTest("summary", () -> summary(impl, total, results)));
    return nodes.stream();
  }

  private void judge(FixtureCase c, LossImplementation impl, Deviations known, List<CaseResult> results) {
    CheckRun.Entry e = CheckRun.verdict(c, impl, known);
    CaseResult r = e.result();
    results.add(r);
    switch (r.status()) {
      case PASSED -> {
        if (e.deviationFixed() && strictDeviations()) {
          Assertions.fail("listed as a known deviation (" + e.deviation().where() + ": " + e.deviation().reason()
              + ") but passes: remove the line");
        }
      }
      case FAILED, ERROR -> Assertions.fail(r.message());
      case UNSUPPORTED -> Assumptions.abort("unsupported by " + impl.name() + ": " + r.message());
      case SKIPPED, DEVIATION -> Assumptions.abort(r.message());
    }
  }

  private static void summary(LossImplementation impl, int cases, List<CaseResult> results) {
    Summary s = new Summary(impl.name(), results);
    StringBuilder text = new StringBuilder(s.line()).append(" (").append(impl.name()).append(')');
    s.reasons(Status.UNSUPPORTED).forEach((why, n) -> text.append("\n  unsupported: ").append(n).append(" x ")
        .append(why));
    System.out.println("loss-conformance: " + text);
    if (cases == 0) {
      Assertions.fail("no fixture case to run: the fixtures hold none for the engines chosen; an empty suite"
          + " never passes");
    }
    if (s.count(Status.PASSED) + s.count(Status.FAILED) + s.count(Status.DEVIATION) == 0) {
      Assertions.fail("no case was compared: " + text + "; a suite that judged nothing never passes");
    }
  }
}
