package dev.lossconformance.report;

import dev.lossconformance.catalog.Case;
import dev.lossconformance.catalog.Catalog;
import dev.lossconformance.check.CaseResult;
import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.check.CheckRun;
import dev.lossconformance.engine.Engines;
import dev.lossconformance.check.Checker;
import dev.lossconformance.check.Divergences;
import dev.lossconformance.check.EngineVersions;
import dev.lossconformance.check.Summary;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the report shows, built once from a check run: the engines and losses in page order, one
 * {@link Row} per case id with each engine's {@link Entry}, the counts per engine and loss, the
 * catalog's declarations, the PyTorch vs TensorFlow pairs and the anchors that link the sections.
 *
 * <p>The one class of the report that knows {@link Checker.Run}, {@link Status} and {@link Summary}:
 * the sections see verdicts as their JSON names, {@link Column}s and {@link Tally}s.
 */
final class ReportModel {
  /** The verdicts in the order of the count tables' columns. */
  private static final List<Status> STATUSES = List.of(Status.PASSED, Status.FAILED, Status.DEVIATION,
      Status.UNSUPPORTED, Status.SKIPPED, Status.ERROR);

  /** A column of the count tables: a verdict's JSON name ({@code passed}) and its heading ({@code pass}). */
  record Column(String name, String abbrev) {}

  /** The count tables' columns, in order. */
  static final List<Column> COLUMNS = STATUSES.stream().map(s -> new Column(s.jsonName(), abbrev(s))).toList();

  private final List<Path> paths;
  private final List<FixtureFile> files;
  private final List<FixtureCase> cases = new ArrayList<>();
  private final List<Entry> entries = new ArrayList<>();
  private final List<Divergences.Pair> pairs;
  private final boolean strict;
  private final Instant generatedAt;
  private final Summary summary;
  private final String implementation;

  private final List<String> engines = new ArrayList<>();
  private final List<String> ops = new ArrayList<>();
  private final Map<String, List<Row>> rowsByOp = new LinkedHashMap<>();
  private final Map<String, List<Case>> catalogCases = new HashMap<>();
  private final Map<String, Case> catalog = new HashMap<>();
  private final Map<String, Divergences.Pair> pairById = new HashMap<>();
  private final Map<String, String> divAnchor = new HashMap<>();
  private final Map<String, String> rowAnchors = new HashMap<>();

  /** One engine's side of a row: its fixture case and Java's verdict on it. */
  static final class Entry {
    private final FixtureCase fixture;
    private final Checker.Run run;
    private final boolean failing;

    private Entry(FixtureCase fixture, Checker.Run run, boolean failing) {
      this.fixture = fixture;
      this.run = run;
      this.failing = failing;
    }

    FixtureCase fixture() {
      return fixture;
    }

    /** The verdict's JSON name: {@code passed}, {@code failed}, .... */
    String status() {
      return run.result().status().jsonName();
    }

    boolean passed() {
      return run.result().status() == Status.PASSED;
    }

    boolean skipped() {
      return run.result().status() == Status.SKIPPED;
    }

    /** Whether this case fails the run (failed, error, or with {@code --strict} unsupported). */
    boolean failing() {
      return failing;
    }

    String message() {
      return run.result().message();
    }

    /** Whether any numbers were compared (not, for instance, when both sides raise). */
    boolean compared() {
      return !run.result().diffs().isEmpty();
    }

    long maxUlp() {
      return run.result().maxUlp();
    }

    double maxAbsErr() {
      return run.result().maxAbsErr();
    }

    /** The comparison of one output, or {@code null} when it was not compared. */
    CaseResult.OutputDiff diff(String output) {
      return run.result().diffs().stream().filter(x -> x.output().equals(output)).findFirst().orElse(null);
    }

    /** What Java computed for one output, or {@code null}. */
    Tensor actual(String output) {
      return run.actual().get(output);
    }
  }

  /** One case id of one loss: every engine's fixture case and verdict. */
  static final class Row {
    final String op;
    final String id;
    final String variant;
    final String dtype;
    final int order;
    final Map<String, Entry> byEngine = new LinkedHashMap<>();

    private Row(String op, String id, String variant, String dtype, int order) {
      this.op = op;
      this.id = id;
      this.variant = variant;
      this.dtype = dtype;
      this.order = order;
    }

    /** The JSON name of the row's worst verdict; skipped counts only when every engine skipped. */
    String worst() {
      Status w = null;
      for (Entry e : byEngine.values()) {
        Status s = e.run.result().status();
        if (w == null || severity(s) > severity(w)) {
          w = s;
        }
      }
      return w.jsonName();
    }
  }

  /** How the cases of one engine on one loss ended. */
  static final class Tally {
    private final Map<Status, Long> n = new EnumMap<>(Status.class);

    long passed() {
      return get(Status.PASSED);
    }

    long failed() {
      return get(Status.FAILED);
    }

    long unsupported() {
      return get(Status.UNSUPPORTED);
    }

    long skipped() {
      return get(Status.SKIPPED);
    }

    long errors() {
      return get(Status.ERROR);
    }

    /** The counts in the order of {@link #COLUMNS}. */
    List<Long> columns() {
      return STATUSES.stream().map(this::get).toList();
    }

    private long get(Status s) {
      return n.getOrDefault(s, 0L);
    }
  }

  /**
   * The model of a run.
   *
   * @param paths the paths the run was given
   * @param run the check run: its files, in reading order, and one verdict per case of them (derived
   *     cases after their file's own)
   * @param strict whether unsupported cases fail the run
   * @param generatedAt the generation time to print, or {@code null}
   */
  ReportModel(List<Path> paths, CheckRun run, boolean strict, Instant generatedAt) {
    this(paths, run, strict, generatedAt, null);
  }

  /** As above, with the engine versions of the run ({@code null}: drift.json of the paths, if any). */
  ReportModel(List<Path> paths, CheckRun run, boolean strict, Instant generatedAt, EngineVersions.Selection drift) {
    this.versions = drift != null ? drift : driftOf(paths);
    this.paths = List.copyOf(paths);
    this.files = run.files();
    this.implementation = run.implementation();
    this.strict = strict;
    for (CheckRun.Entry e : run.entries()) {
      cases.add(e.fixture());
      entries.add(new Entry(e.fixture(), e.run(), failing(e.result().status())));
    }
    this.pairs = pairsOf(this.paths, this.files);
    this.generatedAt = generatedAt == null ? null : generatedAt.truncatedTo(ChronoUnit.SECONDS);
    this.summary = run.summary();
    index();
  }

  private final EngineVersions.Selection versions;

  /** drift.json of the first of {@code paths} in a fixtures folder holding one, as a selection of nothing. */
  private static EngineVersions.Selection driftOf(List<Path> paths) {
    Path folder = EngineVersions.findDriftFolder(paths);
    if (folder == null) {
      return null;
    }
    try {
      return new EngineVersions.Selection(folder, EngineVersions.readIndex(folder.resolve("drift.json")), Map.of(),
          java.util.Set.of(), Map.of());
    } catch (EngineVersions.Problem e) {
      return null; // the report is about the run; a malformed drift.json leaves the section out
    }
  }

  /** The engine versions (drift.json and the chosen versions), or {@code null}. */
  EngineVersions.Selection versions() {
    return versions;
  }

  /** The verdict entries of one case of this run: {@code engine|id} -> entry. */
  Entry entry(String engine, String id) {
    for (Entry e : entries) {
      if (e.fixture().engine().equals(engine) && e.fixture().id().equals(id)) {
        return e;
      }
    }
    return null;
  }

  /** The name of the implementation judged ({@code java}, ...). */
  String implementation() {
    return implementation;
  }

  /** How many cases the implementation declined, per reason, most frequent first. */
  Map<String, Long> unsupportedReasons() {
    return summary.reasons(Status.UNSUPPORTED);
  }

  /**
   * {@link Divergences#pairs} of the first of {@code paths} that is a folder holding {@code torch/} and
   * {@code tensorflow/}, from the files already read; {@code null} when there is none.
   */
  private List<Divergences.Pair> pairsOf(List<Path> paths, List<FixtureFile> files) {
    for (Path p : paths) {
      if (Files.isDirectory(p.resolve(Engines.reference().folder()))
          && Engines.counterparts().stream().anyMatch(e -> Files.isDirectory(p.resolve(e.folder())))) {
        return List.copyOf(Divergences.pairs(p, files, this::catalogCases));
      }
    }
    return null;
  }

  /** An op's catalog cases: generated once per report, for the pairs and the rows alike. */
  private List<Case> catalogCases(String op) {
    return catalogCases.computeIfAbsent(op, Catalog::cases);
  }

  private void index() {
    for (String e : Engines.ids()) {
      if (cases.stream().anyMatch(c -> c.engine().equals(e))) {
        engines.add(e);
      }
    }
    cases.stream().map(FixtureCase::engine).filter(e -> !engines.contains(e)).sorted().distinct()
        .forEach(engines::add);

    Set<String> seenOps = new LinkedHashSet<>();
    cases.forEach(c -> seenOps.add(opOf(c)));
    for (String op : Catalog.ops()) {
      if (seenOps.contains(op)) {
        ops.add(op);
      }
    }
    seenOps.stream().filter(op -> !ops.contains(op)).forEach(ops::add);

    Map<String, Integer> catalogOrder = new HashMap<>();
    for (String op : ops) {
      List<Case> declared;
      try {
        declared = Catalog.ops().contains(op) ? catalogCases(op) : List.of();
      } catch (RuntimeException e) {
        declared = List.of();
      }
      for (int i = 0; i < declared.size(); i++) {
        Case c = declared.get(i);
        catalog.put(op + "|" + c.id(), c);
        catalogOrder.put(op + "|" + c.id(), i);
      }
    }

    Map<String, Row> rows = new LinkedHashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      Entry en = entries.get(i);
      FixtureCase c = en.fixture;
      String op = opOf(c);
      String key = op + "|" + c.id();
      Row row = rows.get(key);
      if (row == null) {
        Integer declared = catalogOrder.get(key);
        row = new Row(op, c.id(), variantOf(op, c.id()), dtypeOf(c), declared != null ? declared : 1_000_000 + i);
        rows.put(key, row);
      }
      row.byEngine.putIfAbsent(c.engine(), en);
    }
    for (String op : ops) {
      rowsByOp.put(op, new ArrayList<>());
    }
    rows.values().forEach(r -> rowsByOp.get(r.op).add(r));
    rowsByOp.values().forEach(l -> l.sort(Comparator.comparingInt(r -> r.order)));
    int n = 0;
    for (List<Row> l : rowsByOp.values()) {
      for (Row r : l) {
        rowAnchors.put(r.op + "|" + r.id, "case-" + (++n));
      }
    }

    if (pairs != null) {
      for (Divergences.Pair p : pairs) {
        pairById.putIfAbsent(p.op() + "|" + p.id(), p);
      }
      int d = 0;
      for (Divergences.Pair p : pairs) {
        if (differs(p)) {
          divAnchor.putIfAbsent(p.op() + "|" + p.id(), "div-" + (++d));
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the run

  /** The paths the run was given. */
  List<Path> paths() {
    return paths;
  }

  /** The fixture files, in reading order. */
  List<FixtureFile> files() {
    return files;
  }

  /** Every fixture case, in reading order. */
  List<FixtureCase> cases() {
    return cases;
  }

  /** One entry per fixture case, in reading order. */
  List<Entry> entries() {
    return entries;
  }

  /** The entries that fail the run, in reading order. */
  List<Entry> failing() {
    return entries.stream().filter(Entry::failing).toList();
  }

  boolean strict() {
    return strict;
  }

  /** The generation time to print, to the second, or {@code null}. */
  Instant generatedAt() {
    return generatedAt;
  }

  Summary summary() {
    return summary;
  }

  /** {@link Summary#line()}: {@code N passed, N failed, ...}. */
  String summaryLine() {
    return summary.line();
  }

  /** {@link Summary#toJson()}: the content of {@code summary.json}. */
  String summaryJson() {
    return summary.toJson();
  }

  /** True when the run fails: a failed or error case, or with {@code strict} an unsupported one. */
  boolean failed() {
    return summary.count(Status.FAILED) > 0 || summary.count(Status.ERROR) > 0
        || (strict && summary.count(Status.UNSUPPORTED) > 0);
  }

  private boolean failing(Status s) {
    return s == Status.FAILED || s == Status.ERROR || (strict && s == Status.UNSUPPORTED);
  }

  /** The counts of one engine on one loss; {@code null} for either means all of them. */
  Tally tally(String engine, String op) {
    Tally t = new Tally();
    for (Entry en : entries) {
      FixtureCase c = en.fixture;
      if ((engine == null || c.engine().equals(engine)) && (op == null || opOf(c).equals(op))) {
        t.n.merge(en.run.result().status(), 1L, Long::sum);
      }
    }
    return t;
  }

  private static String abbrev(Status s) {
    return switch (s) {
      case PASSED -> "pass";
      case FAILED -> "fail";
      case DEVIATION -> "dev";
      case UNSUPPORTED -> "unsup";
      case SKIPPED -> "skip";
      case ERROR -> "err";
    };
  }

  /** Severity for the row's worst status; skipped counts only when every engine skipped. */
  private static int severity(Status s) {
    return switch (s) {
      case SKIPPED -> 0;
      case PASSED -> 1;
      case UNSUPPORTED, DEVIATION -> 2;
      case FAILED -> 3;
      case ERROR -> 4;
    };
  }

  // ---------------------------------------------------------------------------------------------
  // engines, losses, rows

  /** The engines of the run: torch, tensorflow, then any other in name order. */
  List<String> engines() {
    return engines;
  }

  /** The losses of the run: catalog order, then any other in reading order. */
  List<String> ops() {
    return ops;
  }

  /** The rows of one loss, in catalog order (cases the catalog does not declare last). */
  List<Row> rows(String op) {
    return rowsByOp.get(op);
  }

  /** How many case ids (rows) the run has. */
  long rowCount() {
    return rowsByOp.values().stream().mapToLong(List::size).sum();
  }

  /** The {@code id} of a case's row in the matrix: {@code case-7}. */
  String rowAnchor(String op, String id) {
    return rowAnchors.get(op + "|" + id);
  }

  /** The catalog's declaration of a case, or {@code null}. */
  Case declared(String op, String id) {
    return catalog.get(op + "|" + id);
  }

  /** The loss a case belongs to: its fixture file's name, else the first segment of its id. */
  static String opOf(FixtureCase c) {
    if (c.file() != null && c.file().getFileName() != null) {
      String name = c.file().getFileName().toString();
      return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    }
    int slash = c.id().indexOf('/');
    return slash > 0 ? c.id().substring(0, slash) : c.id();
  }

  /** The id without its op prefix and its dtype suffix: {@code index/weight_mean}. */
  static String variantOf(String op, String id) {
    String v = id.startsWith(op + "/") ? id.substring(op.length() + 1) : id;
    int slash = v.lastIndexOf('/');
    if (slash > 0 && isDtypeSuffix(v.substring(slash + 1))) {
      v = v.substring(0, slash);
    }
    return v;
  }

  private static boolean isDtypeSuffix(String s) {
    return Arrays.stream(DType.values()).anyMatch(d -> d.shortName().equals(s));
  }

  /** {@code f32} from the id's suffix, else from the first floating input. */
  private static String dtypeOf(FixtureCase c) {
    int slash = c.id().lastIndexOf('/');
    String suffix = slash >= 0 ? c.id().substring(slash + 1) : "";
    if (isDtypeSuffix(suffix)) {
      return suffix;
    }
    return inputDtype(c).shortName();
  }

  /** The dtype of a case's first floating input (float32 without one). */
  static DType inputDtype(FixtureCase c) {
    return c.inputs().values().stream().map(Tensor::dtype).filter(DType::isFloating).findFirst().orElse(DType.FLOAT32);
  }

  // ---------------------------------------------------------------------------------------------
  // fixture files and versions

  /** The engine of a fixture file's cases; "" for a file without cases. */
  static String engineOf(FixtureFile f) {
    return f.cases().isEmpty() ? "" : f.cases().get(0).engine();
  }

  /** The path a fixture file was read from; {@code null} for a file without cases. */
  static Path file(FixtureFile f) {
    return f.cases().isEmpty() ? null : f.cases().get(0).file();
  }

  private static final Pattern VERSION = Pattern.compile(
      "\\b(PyTorch|TensorFlow|Keras|TF Java|DJL|JAX|torch|tensorflow|keras) v?([0-9]+(?:\\.[0-9A-Za-z-]+)+)");

  /** {@code [["PyTorch", "2.7.1"], ["DJL", "0.36.0"]]}: the versions a source line names, in order. */
  static List<String[]> versions(String source) {
    List<String[]> out = new ArrayList<>();
    Matcher m = VERSION.matcher(source);
    while (m.find()) {
      String v = m.group(2).replaceAll("[.;,]+$", "");
      if (out.stream().noneMatch(x -> x[0].equals(m.group(1)))) {
        out.add(new String[] {m.group(1), v});
      }
    }
    return out;
  }

  /** {@code PyTorch 2.7.1} from the engine's source lines (first match), or "". */
  String versionLine(String engine) {
    for (FixtureFile f : files) {
      if (engineOf(f).equals(engine)) {
        List<String[]> v = versions(f.source());
        if (!v.isEmpty() && !v.get(0)[0].equals("DJL")) {
          return v.get(0)[0] + " " + v.get(0)[1];
        }
      }
    }
    return "";
  }

  /** Each engine as its version line names it ({@code PyTorch 2.7.1}), else by its display name. */
  List<String> namedEngines() {
    return engines.stream().map(e -> {
      String v = versionLine(e);
      return v.isEmpty() ? Format.engineName(e) : v;
    }).toList();
  }

  // ---------------------------------------------------------------------------------------------
  // PyTorch vs TensorFlow

  /** The pairs, or {@code null} when no path of the run is a folder holding {@code torch/} and {@code tensorflow/}. */
  List<Divergences.Pair> pairs() {
    return pairs;
  }

  /** The pair of a case id, or {@code null}. */
  Divergences.Pair pair(String op, String id) {
    return pairById.get(op + "|" + id);
  }

  /** The {@code id} of a differing pair's row in the divergences section: {@code div-3}. */
  String divAnchor(String op, String id) {
    return divAnchor.get(op + "|" + id);
  }

  /** Whether the engines differ on a pair, in the loss or in the gradient. */
  static boolean differs(Divergences.Pair p) {
    return !p.agree() || Boolean.FALSE.equals(p.gradAgree());
  }

  /** {@code N paired cases, N agree on the loss, N differ in loss or gradient (N expected, N unexplained)}. */
  String divergenceLine() {
    long agree = pairs.stream().filter(Divergences.Pair::agree).count();
    long expected = pairs.stream().filter(p -> differs(p) && p.reason() != null).count();
    long unexplained = pairs.stream().filter(p -> differs(p) && p.reason() == null).count();
    return pairs.size() + " paired cases, " + agree + " agree on the loss, " + (expected + unexplained)
        + " differ in loss or gradient (" + expected + " expected, " + unexplained + " unexplained)";
  }
}
