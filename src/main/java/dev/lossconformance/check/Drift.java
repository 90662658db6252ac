package dev.lossconformance.check;

import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureWriter;
import dev.lossconformance.impl.LossCall;
import dev.lossconformance.impl.LossImplementation;
import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Version drift (issue 15): the same catalog cases through other releases of an engine, compared with
 * the primary goldens by the gate itself. A version's golden is judged as if it were an
 * implementation under test ({@link #replay}): {@link Checker#run} compares every output element by
 * element under {@link Tolerances}, and an engine error against an engine error by kind, so "changed"
 * means exactly "a case the gate would fail if the primary goldens were that version's".
 *
 * <p>Two products: {@code fixtures/drift.json} ({@link #toJson}), every case whose outcome changed
 * beyond the gate's tolerance, with each version's outcome; and per version an overlay,
 * {@code fixtures/versions/<engine>-<version>.goldens} ({@link #overlay}), the cases whose bytes differ
 * from the primary's in any way, so that the primary goldens plus the overlay are that version's goldens
 * exactly ({@link #apply}, what {@code check --engine-version} checks against).
 */
public final class Drift {
  private Drift() {}

  /** The file name of a version's overlay inside {@code fixtures/versions/}: not {@code *.json}, so folder walks pass it over. */
  public static String overlayName(String engine, String version) {
    return engine + "-" + version + ".goldens";
  }

  /**
   * One engine version's run of the catalog.
   *
   * @param engine engine id ({@code torch}, {@code tensorflow})
   * @param version as the engine reports it
   * @param source the fixture files' source line of that run
   * @param cases every case of the run, by id
   */
  public record VersionRun(String engine, String version, String source, Map<String, FixtureCase> cases) {
    public VersionRun {
      cases = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(cases));
    }

    /** {@code torch 2.4.0}. */
    public String label() {
      return engine + " " + version;
    }
  }

  /** A case's outcome on one version: what it computed or raised, and the gate's verdict against the primary. */
  public record Outcome(String version, boolean changed, FixtureCase golden, CaseResult verdict) {}

  /**
   * A case whose outcome changed on at least one version.
   *
   * @param primary the primary golden
   * @param outcomes per version in release order, the primary's among them ({@code changed} false)
   * @param firstChanged the first version, in release order, whose outcome differs from the previous
   *     version's as judged against the primary (a flip between "as the primary" and "changed")
   * @param reason why, from the reasons file, or {@code null} when none matches
   */
  public record Change(FixtureCase primary, List<Outcome> outcomes, String firstChanged, String reason) {
    public String engine() {
      return primary.engine();
    }

    public String id() {
      return primary.id();
    }
  }

  /**
   * The verdict on version {@code other}'s golden of a case against the primary golden {@code primary}:
   * {@link Checker#run} with the version's outputs (or error) as the implementation's.
   */
  public static CaseResult compare(FixtureCase primary, FixtureCase other, String label) {
    if (!primary.id().equals(other.id()) || !primary.api().equals(other.api()) || !primary.params().equals(other.params())
        || !primary.inputs().equals(other.inputs())) {
      throw new IllegalArgumentException(label + " ran another case than the primary under the id " + primary.id()
          + " (api, params or inputs differ: the catalog changed between the two runs)");
    }
    if (primary.unsupported() != null || other.unsupported() != null) {
      boolean same = Objects.equals(primary.unsupported(), other.unsupported());
      return new CaseResult(primary.engine(), primary.id(), primary.api(), same ? Status.SKIPPED : Status.FAILED, 0, 0,
          same ? "unsupported on both" : "unsupported on " + (primary.unsupported() != null ? "the primary" : label)
              + ": " + (primary.unsupported() != null ? primary.unsupported() : other.unsupported()), List.of());
    }
    return Checker.run(primary, replay(other, label, EngineErrors.kindOf(primary.error()))).result();
  }

  /**
   * A version's golden as an implementation: returns its outputs, or raises its error with the kind
   * its message has ({@link EngineErrors}); a message without a known kind raises {@code fallback}'s
   * kind (it cannot contradict the primary's), or the unsupported-argument kind.
   */
  static LossImplementation replay(FixtureCase golden, String label, ErrorKind fallback) {
    return new LossImplementation() {
      @Override
      public String name() {
        return label;
      }

      @Override
      public String unsupported(FixtureCase c) {
        return null;
      }

      @Override
      public Map<String, Tensor> run(LossCall call) {
        if (golden.error() != null) {
          ErrorKind k = EngineErrors.kindOf(golden.error());
          k = k != null ? k : fallback != null ? fallback : ErrorKind.UNSUPPORTED_ARGUMENT;
          throw new LossArgumentException(k, label + " raised " + golden.error());
        }
        return golden.outputs();
      }
    };
  }

  /** True when the two cases are the same bytes in a fixture file (outputs, error and unsupported). */
  public static boolean identical(FixtureCase a, FixtureCase b) {
    return a.outputs().equals(b.outputs()) && Objects.equals(a.error(), b.error())
        && Objects.equals(a.unsupported(), b.unsupported()) && a.inputs().equals(b.inputs())
        && a.params().equals(b.params()) && a.api().equals(b.api());
  }

  /**
   * The overlay of {@code run}: its cases that are not byte-identical to the primary's, in the
   * primary's order, minus {@code excluded} (cases whose outcome on that version is not reproducible).
   */
  public static FixtureFile overlay(List<FixtureCase> primary, VersionRun run, Deviations excluded) {
    List<FixtureCase> differ = new ArrayList<>();
    for (FixtureCase p : primary) {
      FixtureCase v = run.cases().get(p.id());
      if (v == null) {
        throw new IllegalArgumentException(run.label() + " has no case " + p.id() + " (the catalog changed; rerun it)");
      }
      if (!identical(p, v) && excluded.match(v) == null) {
        differ.add(new FixtureCase(null, v.engine(), v.id(), v.api(), v.params(), v.inputs(), v.outputs(), v.error(),
            v.unsupported()));
      }
    }
    if (run.cases().size() != primary.size()) {
      throw new IllegalArgumentException(run.label() + " ran " + run.cases().size() + " cases, the primary "
          + primary.size() + " (the catalog changed; rerun it)");
    }
    return new FixtureFile(run.source(), null, differ);
  }

  /**
   * The goldens of another version: each primary file with the overlay's cases in place of the
   * primary's (same id), the file's source replaced by the overlay's where a case was replaced.
   *
   * @return the files, and through {@code replaced} the ids taken from the overlay
   */
  public static List<FixtureFile> apply(List<FixtureFile> primary, FixtureFile overlay, java.util.Set<String> replaced) {
    Map<String, FixtureCase> byId = new LinkedHashMap<>();
    String engine = null;
    for (FixtureCase c : overlay.cases()) {
      byId.put(c.id(), c);
      engine = c.engine();
    }
    List<FixtureFile> out = new ArrayList<>();
    for (FixtureFile f : primary) {
      List<FixtureCase> cases = new ArrayList<>();
      boolean any = false;
      for (FixtureCase c : f.cases()) {
        FixtureCase v = c.engine().equals(engine) ? byId.get(c.id()) : null;
        if (v == null) {
          cases.add(c);
        } else {
          cases.add(new FixtureCase(c.file(), c.engine(), c.id(), v.api(), v.params(), v.inputs(), v.outputs(), v.error(),
              v.unsupported()));
          replaced.add(c.engine() + "|" + c.id());
          any = true;
        }
      }
      out.add(any ? new FixtureFile(overlay.source(), f.provenance(), cases) : f);
    }
    return out;
  }

  /**
   * Every case of {@code primary} (one engine's cases, in file order) whose outcome changed beyond the
   * gate's tolerance on some version of {@code runs}.
   *
   * @param order every version of the engine in release order, the primary's included
   * @param primaryVersion the primary's version
   * @param runs the other versions' runs
   * @param excluded per version label, cases left out of that version's comparison
   * @param reasons why each group of cases changed ({@link Deviations} format: {@code engine:glob reason})
   */
  public static List<Change> changes(List<FixtureCase> primary, List<String> order, String primaryVersion,
      Map<String, VersionRun> runs, Map<String, Deviations> excluded, Deviations reasons) {
    List<Change> out = new ArrayList<>();
    for (FixtureCase p : primary) {
      List<Outcome> outcomes = new ArrayList<>();
      boolean any = false;
      for (String v : order) {
        if (v.equals(primaryVersion)) {
          outcomes.add(new Outcome(v, false, p, null));
          continue;
        }
        VersionRun run = runs.get(v);
        FixtureCase other = run == null ? null : run.cases().get(p.id());
        if (other == null) {
          continue;
        }
        Deviations ex = excluded.getOrDefault(run.label(), Deviations.none());
        if (ex.match(other) != null) {
          continue;
        }
        CaseResult r = compare(p, other, run.label());
        boolean changed = r.status() == Status.FAILED || r.status() == Status.UNSUPPORTED;
        any |= changed;
        outcomes.add(new Outcome(v, changed, other, r));
      }
      if (!any) {
        continue;
      }
      String first = null;
      for (int i = 1; i < outcomes.size() && first == null; i++) {
        if (outcomes.get(i).changed() != outcomes.get(i - 1).changed()) {
          first = outcomes.get(i).version();
        }
      }
      Deviations.Entry why = reasons.match(p);
      out.add(new Change(p, outcomes, first, why == null ? null : why.reason()));
    }
    return out;
  }

  /** Loss values shown per outcome in drift.json: at most this many, then a count. */
  static final int SHOWN = 6;

  /** One outcome in drift.json's one-line object form. */
  static String outcomeJson(Outcome o, boolean primary) {
    StringBuilder sb = new StringBuilder("{");
    FixtureCase g = o.golden();
    if (g.error() != null) {
      sb.append("\"error\": ").append(FixtureWriter.quote(g.error()));
    } else if (g.unsupported() != null) {
      sb.append("\"unsupported\": ").append(FixtureWriter.quote(g.unsupported()));
    } else {
      Tensor loss = g.outputs().get("loss");
      sb.append("\"loss\": ").append(values(loss));
    }
    if (!primary) {
      sb.append(", \"verdict\": ").append(FixtureWriter.quote(o.changed() ? "changed" : "as the primary"));
      if (o.changed()) {
        sb.append(", \"gate\": ").append(FixtureWriter.quote(firstLine(o.verdict().message())));
      }
    }
    return sb.append('}').toString();
  }

  private static String values(Tensor t) {
    if (t == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder("[");
    int n = Math.min(SHOWN, t.numel());
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ", ").append(FixtureWriter.element(t, i));
    }
    if (t.numel() > n) {
      sb.append(", \"... ").append(t.numel() - n).append(" more\"");
    }
    return sb.append(']').toString();
  }


  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /**
   * drift.json's text: the versions run, the primaries, each version's source line and byte-level
   * difference count, the exclusions, and every change.
   *
   * @param primaryVersions engine -> primary version
   * @param versions engine -> the other versions in release order
   * @param sources version label -> source line
   * @param bitsChanged version label -> cases not byte-identical to the primary (the overlay's size)
   * @param primaryDigest engine -> SHA-256 of the primary goldens ({@link #digest})
   * @param excluded version label -> the exclusions applied
   * @param changes per engine
   */
  public static String toJson(Map<String, String> primaryVersions, Map<String, List<String>> versions,
      Map<String, String> sources, Map<String, Integer> bitsChanged, Map<String, String> primaryDigest,
      Map<String, Deviations> excluded, Map<String, List<Change>> changes) {
    StringBuilder sb = new StringBuilder("{\n");
    sb.append("  \"about\": ").append(FixtureWriter.quote("Version drift: the catalog's cases on other releases of each"
        + " engine, each version's goldens judged against the primary goldens by the gate (check/Checker, the"
        + " tolerances of check): a case is listed when its outcome on some version would fail the gate"
        + " (beyond tolerance, another error kind, or error <-> outputs). first_changed: the first version in"
        + " release order whose outcome flips against the previous one's. gate: the gate's first line, where"
        + " \"expected\" is the primary's golden and \"was\" that version's. Each version's goldens differing"
        + " from the primary's in any bit are in versions/<engine>-<version>.goldens (check --engine-version);"
        + " bits_changed counts them per version. excluded: cases left out of a version's comparison and"
        + " overlay because that version does not reproduce them run to run, with why."))
        .append(",\n");
    sb.append("  \"primary\": {");
    appendStrings(sb, primaryVersions);
    sb.append("},\n  \"versions\": {");
    boolean first = true;
    for (Map.Entry<String, List<String>> e : versions.entrySet()) {
      sb.append(first ? "" : ", ").append(FixtureWriter.quote(e.getKey())).append(": [");
      sb.append(String.join(", ", e.getValue().stream().map(FixtureWriter::quote).toList())).append(']');
      first = false;
    }
    sb.append("},\n  \"primary_sha256\": {");
    appendStrings(sb, primaryDigest);
    sb.append("},\n  \"sources\": {\n");
    first = true;
    for (Map.Entry<String, String> e : sources.entrySet()) {
      sb.append(first ? "" : ",\n").append("    ").append(FixtureWriter.quote(e.getKey())).append(": ")
          .append(FixtureWriter.quote(e.getValue()));
      first = false;
    }
    sb.append("\n  },\n  \"bits_changed\": {");
    first = true;
    for (Map.Entry<String, Integer> e : bitsChanged.entrySet()) {
      sb.append(first ? "" : ", ").append(FixtureWriter.quote(e.getKey())).append(": ").append(e.getValue());
      first = false;
    }
    sb.append("},\n  \"excluded\": [");
    first = true;
    for (Map.Entry<String, Deviations> e : excluded.entrySet()) {
      for (Deviations.Entry d : e.getValue().entries()) {
        sb.append(first ? "\n" : ",\n").append("    {\"version\": ").append(FixtureWriter.quote(e.getKey()))
            .append(", \"cases\": ").append(FixtureWriter.quote(d.pattern())).append(", \"reason\": ")
            .append(FixtureWriter.quote(d.reason())).append('}');
        first = false;
      }
    }
    sb.append(first ? "]" : "\n  ]").append(",\n  \"changes\": [");
    first = true;
    for (List<Change> list : changes.values()) {
      for (Change c : list) {
        sb.append(first ? "\n" : ",\n");
        first = false;
        sb.append("    {\n      \"engine\": ").append(FixtureWriter.quote(c.engine())).append(",\n");
        sb.append("      \"id\": ").append(FixtureWriter.quote(c.id())).append(",\n");
        sb.append("      \"api\": ").append(FixtureWriter.quote(c.primary().api())).append(",\n");
        sb.append("      \"first_changed\": ").append(c.firstChanged() == null ? "null" : FixtureWriter.quote(c.firstChanged()))
            .append(",\n");
        sb.append("      \"changed_on\": [").append(String.join(", ", c.outcomes().stream().filter(Outcome::changed)
            .map(o -> FixtureWriter.quote(o.version())).toList())).append("],\n");
        sb.append("      \"reason\": ").append(FixtureWriter.quote(c.reason() == null ? "not found" : c.reason()))
            .append(",\n");
        sb.append("      \"outcomes\": {");
        boolean f2 = true;
        for (Outcome o : c.outcomes()) {
          boolean primary = o.verdict() == null;
          sb.append(f2 ? "\n" : ",\n").append("        ").append(FixtureWriter.quote(o.version() + (primary ? " (primary)" : "")))
              .append(": ").append(outcomeJson(o, primary));
          f2 = false;
        }
        sb.append("\n      }\n    }");
      }
    }
    sb.append(first ? "]" : "\n  ]").append("\n}\n");
    return sb.toString();
  }

  private static void appendStrings(StringBuilder sb, Map<String, String> m) {
    boolean first = true;
    for (Map.Entry<String, String> e : m.entrySet()) {
      sb.append(first ? "" : ", ").append(FixtureWriter.quote(e.getKey())).append(": ").append(FixtureWriter.quote(e.getValue()));
      first = false;
    }
  }

  /**
   * A digest of one engine's primary goldens: SHA-256 over each case's canonical fixture text
   * ({@link FixtureWriter}), in file and case order, so that drift.json and the overlays can tell when
   * the primary goldens they were made against have changed.
   */
  public static String digest(List<FixtureFile> files) {
    try {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      for (FixtureFile f : files) {
        for (FixtureCase c : f.cases()) {
          FixtureCase bare = new FixtureCase(null, c.engine(), c.id(), c.api(), c.params(), c.inputs(), c.outputs(),
              c.error(), c.unsupported());
          md.update(FixtureWriter.toJson(new FixtureFile("", null, List.of(bare))).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      StringBuilder hex = new StringBuilder();
      for (byte b : md.digest()) {
        hex.append(String.format(Locale.ROOT, "%02x", b));
      }
      return hex.toString();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
