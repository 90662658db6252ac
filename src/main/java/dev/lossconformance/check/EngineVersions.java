package dev.lossconformance.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lossconformance.engine.Engine;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureFormatException;
import dev.lossconformance.fixture.FixtureReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The other engine versions of {@link Drift}: the versions list, a version's run or overlay read back,
 * and {@code fixtures/drift.json} read for {@code check --engine-version} and the report.
 */
public final class EngineVersions {
  private EngineVersions() {}

  /** A versions list, run folder, overlay or drift.json that cannot be used, with what to do. */
  public static final class Problem extends Exception {
    private static final long serialVersionUID = 1L;

    public Problem(String message) {
      super(message);
    }
  }

  /** Release order: numeric parts compared as numbers ({@code 2.10.1} after {@code 2.9.0}). */
  public static final Comparator<String> ORDER = (a, b) -> {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int c = Integer.compare(i < x.length ? parse(x[i]) : 0, i < y.length ? parse(y[i]) : 0);
      if (c != 0) {
        return c;
      }
    }
    return a.compareTo(b);
  };

  private static int parse(String s) {
    int n = 0;
    for (char c : s.toCharArray()) {
      if (c < '0' || c > '9') {
        break;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /** {@code generator/versions/versions.txt}: engine -> versions in file order ({@code #} lines and blank lines skipped). */
  public static Map<String, List<String>> readList(Path file) throws IOException, Problem {
    Map<String, List<String>> out = new LinkedHashMap<>();
    List<String> lines = Files.readAllLines(file);
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] p = l.split("\\s+");
      if (p.length < 2) {
        throw new Problem(file + ":" + (i + 1) + ": expected ENGINE VERSION [MAVEN PROPERTIES], got \"" + l + "\"");
      }
      out.computeIfAbsent(p[0], k -> new ArrayList<>()).add(p[1]);
    }
    return out;
  }

  /** {@code torch 2.1.1, 2.2.2; tensorflow 2.10.1}. */
  public static String describe(Map<String, List<String>> versions) {
    List<String> parts = new ArrayList<>();
    versions.forEach((e, vs) -> parts.add(e + " " + String.join(", ", vs)));
    return String.join("; ", parts);
  }

  /** The engine version a fixture source line names: {@code PyTorch 2.7.1 (...)} gives {@code 2.7.1}. */
  public static String versionOf(String source) {
    String[] p = source == null ? new String[0] : source.split(" ", 3);
    return p.length >= 2 ? p[1] : "unknown";
  }

  /** The overlay's provenance line, which names the primary goldens it was made against. */
  public static String provenance(String primaryDigest) {
    return "The cases of this engine version whose outcome is not byte-identical to the primary goldens';"
        + " every other case is as the primary's (primary goldens SHA-256 " + primaryDigest + ", check/Drift.digest).";
  }

  /** A fresh run of version {@code version}: every file in {@code folder}, its source naming that version. */
  public static Drift.VersionRun readRun(Engine engine, String version, Path folder) throws FixtureFormatException, Problem {
    if (!Files.isDirectory(folder)) {
      throw new Problem(folder + ": no such folder (the run of " + engine.id() + " " + version + ")");
    }
    Map<String, FixtureCase> cases = new LinkedHashMap<>();
    String source = null;
    for (FixtureFile f : FixtureReader.readAll(folder)) {
      String v = versionOf(f.source());
      if (!v.equals(version)) {
        throw new Problem(folder + ": the engine reported version " + v + ", not " + version + " (source \"" + f.source()
            + "\"); fix generator/versions/versions.txt");
      }
      source = f.source();
      for (FixtureCase c : f.cases()) {
        cases.put(c.id(), new FixtureCase(null, engine.id(), c.id(), c.api(), c.params(), c.inputs(), c.outputs(), c.error(),
            c.unsupported()));
      }
    }
    if (source == null) {
      throw new Problem(folder + ": no fixture file (the run of " + engine.id() + " " + version + ")");
    }
    return new Drift.VersionRun(engine.id(), version, source, cases);
  }

  /**
   * Reads an overlay and checks that it was made against {@code primaryDigest}'s goldens: a primary
   * regenerated since (a catalog or engine change) makes the overlay stale.
   */
  public static FixtureFile readOverlay(String engine, String version, Path overlay, String primaryDigest)
      throws FixtureFormatException, Problem {
    if (!Files.isRegularFile(overlay)) {
      throw new Problem(overlay + ": no such file (the goldens of " + engine + " " + version + "; generator/drift"
          + " --engine-version " + engine + "=" + version + " writes it)");
    }
    FixtureFile f = FixtureReader.read(overlay);
    if (f.provenance() == null || !f.provenance().contains(primaryDigest)) {
      throw new Problem(overlay + " was made against other primary goldens than those read (their SHA-256 is "
          + primaryDigest + "); rerun generator/drift --engine-version " + engine + "=" + version);
    }
    return f;
  }

  /** A version's run rebuilt from the primary goldens and its overlay. */
  public static Drift.VersionRun fromOverlay(String engine, String version, List<FixtureFile> primary, Path overlay,
      String primaryDigest) throws FixtureFormatException, Problem {
    FixtureFile f = readOverlay(engine, version, overlay, primaryDigest);
    Set<String> replaced = new HashSet<>();
    Map<String, FixtureCase> cases = new LinkedHashMap<>();
    for (FixtureFile p : Drift.apply(primary, f, replaced)) {
      for (FixtureCase c : p.cases()) {
        cases.put(c.id(), new FixtureCase(null, engine, c.id(), c.api(), c.params(), c.inputs(), c.outputs(), c.error(),
            c.unsupported()));
      }
    }
    return new Drift.VersionRun(engine, version, f.source(), cases);
  }

  /**
   * {@code fixtures/drift.json} as {@code check} and the report read it.
   *
   * @param primary engine -> primary version
   * @param versions engine -> every version run, in release order (the primary's included)
   * @param digests engine -> the primary goldens' digest the drift was computed against
   * @param changes every changed case
   */
  public record Index(Map<String, String> primary, Map<String, List<String>> versions, Map<String, String> digests,
      List<ChangedCase> changes) {

    /** The versions other than the primaries, {@code torch 2.1.1, 2.2.2; tensorflow ...}. */
    public String describeOthers() {
      Map<String, List<String>> o = new LinkedHashMap<>();
      versions.forEach((e, vs) -> o.put(e, vs.stream().filter(v -> !v.equals(primary.get(e))).toList()));
      return describe(o);
    }

    /** The changed cases of one version, by {@code engine|id}. */
    public Map<String, ChangedCase> changedOn(String engine, String version) {
      Map<String, ChangedCase> m = new LinkedHashMap<>();
      for (ChangedCase c : changes) {
        if (c.engine().equals(engine) && c.changedOn().contains(version)) {
          m.put(engine + "|" + c.id(), c);
        }
      }
      return m;
    }
  }

  /**
   * One entry of drift.json's {@code changes}.
   *
   * @param outcomes version -> the outcome's one-line JSON text
   */
  public record ChangedCase(String engine, String id, String api, String firstChanged, List<String> changedOn,
      String reason, Map<String, String> outcomes) {
    /** {@code cross_entropy} of {@code cross_entropy/index/...}. */
    public String op() {
      int slash = id.indexOf('/');
      return slash < 0 ? id : id.substring(0, slash);
    }
  }

  /**
   * The drift of a check run: drift.json's index, and with {@code check --engine-version} the versions
   * chosen and the cases whose goldens came from their overlays.
   *
   * @param folder the fixtures folder holding drift.json
   * @param chosen engine -> the version whose goldens were checked (only engines not on their primary)
   * @param replaced {@code engine|id} of the cases whose golden is the chosen version's, not the primary's
   * @param changed {@code engine|id} -> the drift.json entry of the cases that changed on the chosen version
   */
  public record Selection(Path folder, Index index, Map<String, String> chosen, Set<String> replaced,
      Map<String, ChangedCase> changed) {}

  /**
   * The fixtures folder holding drift.json and versions/ for the first of {@code paths} that lies in
   * one: the path itself, its folder, or that folder's parent ({@code fixtures/}, {@code fixtures/torch/},
   * {@code fixtures/torch/nll_loss.json}); {@code null} when none does.
   */
  public static Path findDriftFolder(List<Path> paths) {
    for (Path p : paths) {
      Path d = p.toAbsolutePath().normalize();
      for (int up = 0; up < 3 && d != null; up++, d = d.getParent()) {
        if (Files.isRegularFile(d.resolve("drift.json")) && Files.isDirectory(d.resolve("versions"))) {
          return d;
        }
      }
    }
    return null;
  }

  /**
   * {@code check --engine-version}: each argument {@code ENGINE=VERSION} or a bare {@code VERSION}
   * (when one engine has it) resolved against drift.json, the overlays read (after checking that the
   * primary goldens of {@code folder} are those drift.json was made against), and {@code files}
   * rewritten with the chosen versions' goldens.
   *
   * @param files the files read, replaced in place
   * @throws Problem an unknown version (naming the argument and the versions available), two versions
   *     of one engine, no drift.json among the paths, or a stale overlay
   */
  public static Selection choose(List<Path> paths, List<String> args, List<FixtureFile> files)
      throws Problem, FixtureFormatException {
    Path folder = findDriftFolder(paths);
    if (folder == null) {
      throw new Problem("--engine-version needs the fixtures folder that holds drift.json and versions/ among the"
          + " PATHs (e.g. check --engine-version torch=2.4.0 fixtures/); none of " + paths + " is in one");
    }
    Index index = readIndex(folder.resolve("drift.json"));
    Map<String, String> chosen = new LinkedHashMap<>();
    for (String a : args) {
      String engine = null;
      String version = a;
      int eq = a.indexOf('=');
      if (eq >= 0) {
        engine = a.substring(0, eq);
        version = a.substring(eq + 1);
      }
      List<String> engines = new ArrayList<>();
      for (Map.Entry<String, List<String>> e : index.versions().entrySet()) {
        if ((engine == null || engine.equals(e.getKey())) && e.getValue().contains(version)) {
          engines.add(e.getKey());
        }
      }
      if (engines.size() != 1) {
        throw new Problem("--engine-version \"" + a + "\": " + (engines.isEmpty() ? "unknown" : "ambiguous (" + engines
            + "; write ENGINE=VERSION)") + "; versions available (" + folder.resolve("drift.json") + "): "
            + describe(index.versions()) + " (primary: " + describeMap(index.primary()) + ")");
      }
      String old = chosen.put(engines.get(0), version);
      if (old != null && !old.equals(version)) {
        throw new Problem("--engine-version: two versions of " + engines.get(0) + " (" + old + " and " + version + ")");
      }
    }
    Set<String> replaced = new HashSet<>();
    Map<String, ChangedCase> changed = new LinkedHashMap<>();
    Map<String, String> others = new LinkedHashMap<>();
    for (Map.Entry<String, String> c : chosen.entrySet()) {
      String engine = c.getKey();
      if (c.getValue().equals(index.primary().get(engine))) {
        continue; // the primary goldens as they are
      }
      others.put(engine, c.getValue());
      Engine e = dev.lossconformance.engine.Engines.require(engine);
      String digest = Drift.digest(FixtureReader.readAll(folder.resolve(e.folder())));
      if (!digest.equals(index.digests().get(engine))) {
        throw new Problem(folder.resolve("drift.json") + " was made against other " + engine + " goldens than "
            + folder.resolve(e.folder()) + " holds now; rerun generator/drift");
      }
      FixtureFile overlay = readOverlay(engine, c.getValue(),
          folder.resolve("versions").resolve(Drift.overlayName(engine, c.getValue())), digest);
      List<FixtureFile> swapped = Drift.apply(files, overlay, replaced);
      files.clear();
      files.addAll(swapped);
      changed.putAll(index.changedOn(engine, c.getValue()));
    }
    return new Selection(folder, index, others, replaced, changed);
  }

  private static String describeMap(Map<String, String> m) {
    List<String> parts = new ArrayList<>();
    m.forEach((k, v) -> parts.add(k + " " + v));
    return String.join(", ", parts);
  }

  /** Reads drift.json. */
  public static Index readIndex(Path driftJson) throws Problem {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(driftJson.toFile());
    } catch (IOException e) {
      throw new Problem(driftJson + ": cannot read: " + e.getMessage());
    }
    if (root == null || !root.path("versions").isObject() || !root.path("changes").isArray()) {
      throw new Problem(driftJson + ": not a drift file (expected top-level \"versions\" and \"changes\")");
    }
    Map<String, String> primary = new LinkedHashMap<>();
    root.path("primary").fields().forEachRemaining(e -> primary.put(e.getKey(), e.getValue().asText()));
    Map<String, String> digests = new LinkedHashMap<>();
    root.path("primary_sha256").fields().forEachRemaining(e -> digests.put(e.getKey(), e.getValue().asText()));
    Map<String, List<String>> versions = new LinkedHashMap<>();
    root.path("versions").fields().forEachRemaining(e -> {
      List<String> vs = new ArrayList<>();
      e.getValue().forEach(v -> vs.add(v.asText()));
      versions.put(e.getKey(), vs);
    });
    List<ChangedCase> changes = new ArrayList<>();
    for (JsonNode c : root.path("changes")) {
      List<String> on = new ArrayList<>();
      c.path("changed_on").forEach(v -> on.add(v.asText()));
      Map<String, String> outcomes = new LinkedHashMap<>();
      c.path("outcomes").fields().forEachRemaining(e -> outcomes.put(e.getKey(), e.getValue().toString()));
      changes.add(new ChangedCase(c.path("engine").asText(), c.path("id").asText(), c.path("api").asText(),
          c.path("first_changed").isNull() ? null : c.path("first_changed").asText(), on, c.path("reason").asText(),
          outcomes));
    }
    return new Index(primary, versions, digests, changes);
  }
}
