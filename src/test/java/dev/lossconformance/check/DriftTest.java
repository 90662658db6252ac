package dev.lossconformance.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.tensor.Tensor;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Version drift: a version's golden judged by the gate against the primary's, overlays, first changes. */
class DriftTest {
  private static FixtureCase primaryCase(String file, String id) throws Exception {
    FixtureFile f = FixtureReader.read(Path.of(System.getProperty("conformance.fixtures", "fixtures"), "torch", file));
    return f.cases().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
  }

  /** {@code c} with its loss's first element multiplied by {@code factor}. */
  private static FixtureCase scaled(FixtureCase c, double factor) {
    Map<String, Tensor> out = new LinkedHashMap<>(c.outputs());
    Tensor loss = out.get("loss");
    double[] d = loss.toDoubleArray();
    d[0] *= factor;
    out.put("loss", Tensor.ofFloating(loss.dtype(), d, loss.shape()));
    return new FixtureCase(null, c.engine(), c.id(), c.api(), c.params(), c.inputs(), out, c.error(), c.unsupported());
  }

  private static FixtureCase raising(FixtureCase c, String error) {
    return new FixtureCase(null, c.engine(), c.id(), c.api(), c.params(), c.inputs(), Map.of(), error, null);
  }

  @Test
  void aVersionWithinTheGatesToleranceIsAsThePrimaryAndBeyondItChanged() throws Exception {
    FixtureCase p = primaryCase("l1_loss.json", "l1_loss/plain_none/f32");
    assertEquals(Status.PASSED, Drift.compare(p, p, "torch 9.9").status());
    // one float32 ulp of the first element: inside the 4-ulp base
    assertEquals(Status.PASSED, Drift.compare(p, scaled(p, 1 + 1e-7), "torch 9.9").status());
    CaseResult r = Drift.compare(p, scaled(p, 1.001), "torch 9.9");
    assertEquals(Status.FAILED, r.status());
    assertTrue(r.message().contains("ulps"), r.message());
  }

  @Test
  void anErrorAgainstOutputsIsAChangeAndTheSameErrorKindIsNot() throws Exception {
    FixtureCase p = primaryCase("l1_loss.json", "l1_loss/plain_none/f32");
    assertEquals(Status.FAILED, Drift.compare(p, raising(p, "RuntimeError: The size of tensor a (3) must match the size of"
        + " tensor b (4) at non-singleton dimension 1"), "torch 9.9").status());
    FixtureCase err = primaryCase("cross_entropy.json", "cross_entropy/index/target_out_of_range_mean/f32");
    assertTrue(err.expectsError());
    assertEquals(Status.PASSED, Drift.compare(err, err, "torch 9.9").status());
    // another kind of error (a shape mismatch instead of an index out of range) is a change
    assertEquals(Status.FAILED, Drift.compare(err, raising(err, "RuntimeError: The size of tensor a (3) must match the"
        + " size of tensor b (4) at non-singleton dimension 1"), "torch 9.9").status());
    // outputs where the primary raised
    FixtureCase computes = new FixtureCase(null, err.engine(), err.id(), err.api(), err.params(), err.inputs(),
        Map.of("loss", Tensor.scalar(dev.lossconformance.tensor.DType.FLOAT32, 1.0)), null, null);
    assertEquals(Status.FAILED, Drift.compare(err, computes, "torch 9.9").status());
  }

  @Test
  void anotherCaseUnderTheSameIdIsRefused() throws Exception {
    FixtureCase p = primaryCase("l1_loss.json", "l1_loss/plain_none/f32");
    FixtureCase other = primaryCase("l1_loss.json", "l1_loss/plain_mean/f32");
    FixtureCase renamed = new FixtureCase(null, other.engine(), p.id(), other.api(), other.params(), other.inputs(),
        other.outputs(), null, null);
    assertThrows(IllegalArgumentException.class, () -> Drift.compare(p, renamed, "torch 9.9"));
  }

  @Test
  void theOverlayHoldsExactlyTheCasesNotByteIdenticalAndApplyingItGivesTheVersionsGoldens() throws Exception {
    FixtureFile l1 = FixtureReader.read(Path.of(System.getProperty("conformance.fixtures", "fixtures"), "torch",
        "l1_loss.json"));
    Map<String, FixtureCase> version = new LinkedHashMap<>();
    l1.cases().forEach(c -> version.put(c.id(), c));
    FixtureCase first = l1.cases().stream().filter(c -> !c.outputs().isEmpty()).findFirst().orElseThrow();
    FixtureCase moved = scaled(first, 1 + 1e-7);
    version.put(first.id(), moved);
    Drift.VersionRun run = new Drift.VersionRun("torch", "9.9", "PyTorch 9.9 test", version);
    FixtureFile overlay = Drift.overlay(l1.cases(), run, Deviations.none());
    assertEquals(List.of(first.id()), overlay.cases().stream().map(FixtureCase::id).toList());
    assertEquals("PyTorch 9.9 test", overlay.source());
    // excluded cases stay out
    Deviations ex = Deviations.parse("test", "torch:" + first.id() + " not reproducible\n");
    assertTrue(Drift.overlay(l1.cases(), run, ex).cases().isEmpty());
    Set<String> replaced = new HashSet<>();
    List<FixtureFile> applied = Drift.apply(List.of(l1), overlay, replaced);
    assertEquals(Set.of("torch|" + first.id()), replaced);
    FixtureCase got = applied.get(0).cases().stream().filter(c -> c.id().equals(first.id())).findFirst().orElseThrow();
    assertEquals(moved.outputs(), got.outputs());
    assertEquals(first.file(), got.file());
    assertEquals("PyTorch 9.9 test", applied.get(0).source());
    // a run that misses a case is refused (the catalog changed)
    Map<String, FixtureCase> fewer = new LinkedHashMap<>(version);
    fewer.remove(first.id());
    assertThrows(IllegalArgumentException.class,
        () -> Drift.overlay(l1.cases(), new Drift.VersionRun("torch", "9.9", "s", fewer), Deviations.none()));
  }

  @Test
  void firstChangedIsTheFirstVersionWhoseOutcomeFlipsAndTheReasonComesFromTheFile() throws Exception {
    FixtureCase p = primaryCase("l1_loss.json", "l1_loss/plain_none/f32");
    FixtureCase q = primaryCase("l1_loss.json", "l1_loss/plain_mean/f32");
    Map<String, Drift.VersionRun> runs = new LinkedHashMap<>();
    // 1.0 and 1.1 differ on p, 1.2 is as the primary 2.0, 3.0 differs again; q never changes
    runs.put("1.0", new Drift.VersionRun("torch", "1.0", "s", Map.of(p.id(), scaled(p, 2), q.id(), q)));
    runs.put("1.1", new Drift.VersionRun("torch", "1.1", "s", Map.of(p.id(), scaled(p, 2), q.id(), q)));
    runs.put("1.2", new Drift.VersionRun("torch", "1.2", "s", Map.of(p.id(), p, q.id(), q)));
    runs.put("3.0", new Drift.VersionRun("torch", "3.0", "s", Map.of(p.id(), scaled(p, 3), q.id(), q)));
    Deviations reasons = Deviations.parse("reasons", "torch:l1_loss/plain_none/* a test reason\n");
    List<Drift.Change> changes = Drift.changes(List.of(p, q), List.of("1.0", "1.1", "1.2", "2.0", "3.0"), "2.0", runs,
        Map.of(), reasons);
    assertEquals(1, changes.size());
    Drift.Change c = changes.get(0);
    assertEquals(p.id(), c.id());
    assertEquals("1.2", c.firstChanged());
    assertEquals("a test reason", c.reason());
    assertEquals(List.of("1.0", "1.1", "3.0"), c.outcomes().stream().filter(Drift.Outcome::changed)
        .map(Drift.Outcome::version).toList());
    // excluded on 3.0 and 1.0: only 1.1 is left changed, and the first flip is 1.2
    Map<String, Deviations> ex = Map.of("torch 3.0", Deviations.parse("x", "torch:l1_* flaky\n"),
        "torch 1.0", Deviations.parse("x", "torch:l1_* flaky\n"));
    Drift.Change d = Drift.changes(List.of(p, q), List.of("1.0", "1.1", "1.2", "2.0", "3.0"), "2.0", runs, ex,
        Deviations.none()).get(0);
    assertEquals(List.of("1.1", "1.2", "2.0"), d.outcomes().stream().map(Drift.Outcome::version).toList());
    assertNull(d.reason());
    String json = Drift.toJson(Map.of("torch", "2.0"), Map.of("torch", List.of("1.0", "1.1", "1.2", "2.0", "3.0")),
        Map.of("torch 1.0", "s"), Map.of("torch 1.0", 1), Map.of("torch", "abc"), ex, Map.of("torch", List.of(d)));
    assertTrue(json.contains("\"reason\": \"not found\""), json);
    assertTrue(json.contains("\"first_changed\": \"1.2\""), json);
    // a folder walk passes drift.json over (no top-level "cases")
    Path dir = java.nio.file.Files.createTempDirectory("drift");
    java.nio.file.Files.writeString(dir.resolve("drift.json"), json);
    assertTrue(FixtureReader.readAll(dir).isEmpty());
    assertFalse(json.isEmpty());
  }

  @Test
  void releaseOrderComparesNumbers() {
    List<String> v = new java.util.ArrayList<>(List.of("2.16.1", "2.10.1", "2.9.0", "2.18.0", "2.16.2"));
    v.sort(EngineVersions.ORDER);
    assertEquals(List.of("2.9.0", "2.10.1", "2.16.1", "2.16.2", "2.18.0"), v);
  }
}
