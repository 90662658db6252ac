package dev.lossconformance.report;

import dev.lossconformance.catalog.Case;
import dev.lossconformance.catalog.Catalog;
import dev.lossconformance.check.CaseResult;
import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.check.Checker;
import dev.lossconformance.check.Divergences;
import dev.lossconformance.check.Summary;
import dev.lossconformance.check.Tolerance;
import dev.lossconformance.check.Tolerances;
import dev.lossconformance.check.Ulps;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureFormatException;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.fixture.FixtureWriter;
import dev.lossconformance.fixture.FloatText;
import dev.lossconformance.io.AtomicFiles;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The conformance report of a {@code check} run ({@code check --report DIR}): {@code index.html}, a
 * self-contained page (inline CSS, JS and SVG, nothing fetched) in XHTML-compatible markup;
 * {@code summary.json}, exactly {@link Summary#toJson()}; and {@code summary.md}, a Markdown table
 * for a CI job summary.
 *
 * <p>The page: a pass/fail verdict with counts per engine and per loss, engine and DJL versions and the
 * fixture files' SHA-256; charts of the ULP errors and pass rates; PyTorch against TensorFlow on every
 * paired case that differs, with the catalog's reason; which parameter values the cases cover; and a
 * filterable matrix with one row per case id ({@code tr.case}), its verdict against each engine's
 * golden and a folded {@code <details>} with inputs, params, expected and actual losses and the
 * tolerance applied.
 *
 * <p>Deterministic: the same fixtures and results give the same bytes (catalog order, then file order;
 * no hash-map iteration; numbers formatted with {@link Locale#ROOT}). Only an explicit generation time
 * ({@code --timestamp}) adds a line to the HTML.
 */
public final class ConformanceReport {
  /** The file names written into the report folder. */
  public static final String HTML = "index.html";
  public static final String JSON = "summary.json";
  public static final String MARKDOWN = "summary.md";

  /** At most this many failing case ids in {@code summary.md}. */
  static final int MD_FAILURES = 20;
  /** Tensor values shown before "…". */
  private static final int SHOWN = 6;
  private static final List<String> BUCKETS = List.of("0", "1", "2", "3–4", "5–16", "17–256", ">256");
  private static final List<Status> STATUSES = List.of(Status.PASSED, Status.FAILED, Status.UNSUPPORTED,
      Status.SKIPPED, Status.ERROR);

  private final List<Path> paths;
  private final List<FixtureFile> files;
  private final List<FixtureCase> cases = new ArrayList<>();
  private final List<Checker.Run> runs;
  private final List<Divergences.Pair> pairs;
  private final boolean strict;
  private final Instant generatedAt;
  private final Summary summary;

  private final List<String> engines = new ArrayList<>();
  private final List<String> ops = new ArrayList<>();
  private final Map<String, List<Row>> rowsByOp = new LinkedHashMap<>();
  private final Map<String, Case> catalog = new HashMap<>();
  private final Map<String, Divergences.Pair> pairById = new HashMap<>();
  private final Map<String, String> divAnchor = new HashMap<>();
  private final Map<String, String> rowAnchors = new HashMap<>();

  /** One engine's side of a row. */
  private record Entry(FixtureCase fixture, Checker.Run run) {
    CaseResult result() {
      return run.result();
    }
  }

  /** One case id of one loss: every engine's fixture case and verdict. */
  private static final class Row {
    final String op;
    final String id;
    final String variant;
    final String dtype;
    final int order;
    final Map<String, Entry> byEngine = new LinkedHashMap<>();

    Row(String op, String id, String variant, String dtype, int order) {
      this.op = op;
      this.id = id;
      this.variant = variant;
      this.dtype = dtype;
      this.order = order;
    }
  }

  /**
   * A report of results already computed.
   *
   * @param paths the paths the run was given (shown on the page)
   * @param files the fixture files read from them, in reading order
   * @param runs one per case of {@code files}, in the same order
   * @param pairs PyTorch against TensorFlow ({@link Divergences#pairs}), or {@code null} when the run
   *     has no folder holding {@code torch/} and {@code tensorflow/}
   * @param strict whether unsupported cases fail the run (as {@code check --strict})
   * @param generatedAt the generation time to print, or {@code null} for none (reproducible output)
   */
  public ConformanceReport(List<Path> paths, List<FixtureFile> files, List<Checker.Run> runs,
      List<Divergences.Pair> pairs, boolean strict, Instant generatedAt) {
    this.paths = List.copyOf(paths);
    this.files = List.copyOf(files);
    for (FixtureFile f : files) {
      cases.addAll(f.cases());
    }
    if (cases.size() != runs.size()) {
      throw new IllegalArgumentException(runs.size() + " results for " + cases.size() + " fixture cases");
    }
    this.runs = List.copyOf(runs);
    this.pairs = pairs == null ? null : List.copyOf(pairs);
    this.strict = strict;
    this.generatedAt = generatedAt == null ? null : generatedAt.truncatedTo(ChronoUnit.SECONDS);
    this.summary = new Summary(runs.stream().map(Checker.Run::result).toList());
    index();
  }

  /** Reads {@code paths}, checks every case and pairs the engines where a folder allows it. */
  public static ConformanceReport build(List<Path> paths, boolean strict, Instant generatedAt)
      throws FixtureFormatException {
    List<FixtureFile> files = new ArrayList<>();
    List<Checker.Run> runs = new ArrayList<>();
    for (Path p : paths) {
      for (FixtureFile f : FixtureReader.readAll(p)) {
        files.add(f);
        for (FixtureCase c : f.cases()) {
          runs.add(Checker.run(c));
        }
      }
    }
    return new ConformanceReport(paths, files, runs, pairsFor(paths), strict, generatedAt);
  }

  /**
   * {@link Divergences#pairs} of the first of {@code paths} that is a folder holding {@code torch/}
   * and {@code tensorflow/}; {@code null} when there is none.
   */
  public static List<Divergences.Pair> pairsFor(List<Path> paths) throws FixtureFormatException {
    for (Path p : paths) {
      if (Files.isDirectory(p.resolve(Case.TORCH)) && Files.isDirectory(p.resolve(Case.TENSORFLOW))) {
        return Divergences.pairs(p);
      }
    }
    return null;
  }

  /** The check's summary (the {@code summary.json} content). */
  public Summary summary() {
    return summary;
  }

  /** True when the run fails: a failed or error case, or with {@code strict} an unsupported one. */
  public boolean failed() {
    return summary.count(Status.FAILED) > 0 || summary.count(Status.ERROR) > 0
        || (strict && summary.count(Status.UNSUPPORTED) > 0);
  }

  /** {@link #writeTo(Path, Consumer)} without notices. */
  public void writeTo(Path dir) throws IOException {
    writeTo(dir, m -> { });
  }

  /**
   * Writes {@code index.html}, {@code summary.md} and then {@code summary.json} into {@code dir},
   * creating it, with {@link AtomicFiles#writeAll}: under the lock {@code dir/.lock} (a concurrent run
   * into the same folder is waited for, {@code notice} told so), each file renamed into place atomically,
   * {@code summary.json} last, so a reader that sees the new {@code summary.json} sees the new
   * {@code index.html} and {@code summary.md}. An interrupted write leaves each file old or new, never
   * partial.
   */
  public void writeTo(Path dir, Consumer<String> notice) throws IOException {
    // rendered before the lock is taken: rendering 2.7 MB of HTML takes longer than writing it
    LinkedHashMap<String, String> files = new LinkedHashMap<>();
    files.put(HTML, html());
    files.put(MARKDOWN, markdown());
    files.put(JSON, summary.toJson());
    AtomicFiles.writeAll(dir, files, notice);
  }

  // ---------------------------------------------------------------------------------------------
  // model

  private void index() {
    for (String e : List.of(Case.TORCH, Case.TENSORFLOW)) {
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
        declared = Catalog.ops().contains(op) ? Catalog.cases(op) : List.of();
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
    for (int i = 0; i < cases.size(); i++) {
      FixtureCase c = cases.get(i);
      String op = opOf(c);
      String key = op + "|" + c.id();
      Row row = rows.get(key);
      if (row == null) {
        Integer declared = catalogOrder.get(key);
        row = new Row(op, c.id(), variantOf(op, c.id()), dtypeOf(c), declared != null ? declared : 1_000_000 + i);
        rows.put(key, row);
      }
      row.byEngine.putIfAbsent(c.engine(), new Entry(c, runs.get(i)));
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

  private static DType inputDtype(FixtureCase c) {
    return c.inputs().values().stream().map(Tensor::dtype).filter(DType::isFloating).findFirst().orElse(DType.FLOAT32);
  }

  private static boolean differs(Divergences.Pair p) {
    return !p.agree() || Boolean.FALSE.equals(p.gradAgree());
  }

  /** Severity for the row's worst status; skipped counts only when every engine skipped. */
  private static int severity(Status s) {
    return switch (s) {
      case SKIPPED -> 0;
      case PASSED -> 1;
      case UNSUPPORTED -> 2;
      case FAILED -> 3;
      case ERROR -> 4;
    };
  }

  private static Status worst(Row r) {
    Status w = null;
    for (Entry e : r.byEngine.values()) {
      Status s = e.result().status();
      if (w == null || severity(s) > severity(w)) {
        w = s;
      }
    }
    return w;
  }

  private long count(String engine, String op, Status s) {
    long n = 0;
    for (int i = 0; i < cases.size(); i++) {
      FixtureCase c = cases.get(i);
      if ((engine == null || c.engine().equals(engine)) && (op == null || opOf(c).equals(op))
          && runs.get(i).result().status() == s) {
        n++;
      }
    }
    return n;
  }

  private static String engineName(String engine) {
    return switch (engine) {
      case Case.TORCH -> "PyTorch";
      case Case.TENSORFLOW -> "TensorFlow";
      default -> engine;
    };
  }

  private static String engineShort(String engine) {
    return switch (engine) {
      case Case.TORCH -> "torch";
      case Case.TENSORFLOW -> "TF";
      default -> engine;
    };
  }

  /** An engine name usable in an attribute name ({@code data-status-<engine>}). */
  private static String attrName(String engine) {
    return engine.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "_");
  }

  private static Path file(FixtureFile f) {
    return f.cases().isEmpty() ? null : f.cases().get(0).file();
  }

  /**
   * A fixture file's name as shown: relative to the folder given on the command line and prefixed by
   * that folder's name ({@code fixtures/torch/kl_div.json} whether {@code fixtures} was given relative
   * or absolute), so the page does not depend on where the checkout lies.
   */
  private String shown(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    for (Path p : paths) {
      Path root = p.toAbsolutePath().normalize();
      if (abs.equals(root)) {
        return String.valueOf(abs.getFileName());
      }
      if (abs.startsWith(root)) {
        String rel = root.relativize(abs).toString().replace('\\', '/');
        return root.getFileName() == null ? rel : root.getFileName() + "/" + rel;
      }
    }
    return file.toString().replace('\\', '/');
  }

  /** A command-line path as shown: its last name ({@code fixtures/}), see {@link #shown(Path)}. */
  private static String shownArg(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    String name = abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
    return Files.isDirectory(abs) ? name + "/" : name;
  }

  private static String engineOf(FixtureFile f) {
    return f.cases().isEmpty() ? "" : f.cases().get(0).engine();
  }

  private static final Pattern VERSION = Pattern.compile(
      "\\b(PyTorch|TensorFlow|Keras|TF Java|DJL|JAX|torch|tensorflow|keras) v?([0-9]+(?:\\.[0-9A-Za-z-]+)+)");

  /** {@code [["PyTorch", "2.7.1"], ["DJL", "0.36.0"]]}: the versions a source line names, in order. */
  private static List<String[]> versions(String source) {
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

  private static String sha256(Path file) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
      StringBuilder sb = new StringBuilder();
      for (byte b : d) {
        sb.append(String.format(Locale.ROOT, "%02x", b & 0xff));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // summary.md

  /** The Markdown summary: verdict, counts per engine and per loss, failing ids, the final line. */
  public String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("## loss-conformance: ").append(failed() ? "❌ does not conform" : "✅ conforms").append("\n\n");
    md.append("Java kernels against ").append(String.join(" and ", engines.stream().map(e -> {
      String v = versionLine(e);
      return v.isEmpty() ? engineName(e) : v;
    }).toList())).append(" goldens: ").append(cases.size()).append(" fixture cases in ").append(files.size())
        .append(files.size() == 1 ? " file" : " files").append(strict ? " (--strict)" : "").append(".\n\n");
    md.append("| Engine | Passed | Failed | Unsupported | Skipped | Errors |\n");
    md.append("|---|--:|--:|--:|--:|--:|\n");
    for (String e : engines) {
      md.append("| ").append(mdCell(e));
      for (Status s : STATUSES) {
        md.append(" | ").append(count(e, null, s));
      }
      md.append(" |\n");
    }
    md.append("\n| Loss | Engine | Passed | Failed | Unsupported | Skipped | Errors |\n");
    md.append("|---|---|--:|--:|--:|--:|--:|\n");
    for (String op : ops) {
      for (String e : engines) {
        long total = STATUSES.stream().mapToLong(s -> count(e, op, s)).sum();
        if (total == 0) {
          continue;
        }
        md.append("| ").append(mdCell(op)).append(" | ").append(mdCell(e));
        for (Status s : STATUSES) {
          md.append(" | ").append(count(e, op, s));
        }
        md.append(" |\n");
      }
    }
    if (pairs != null) {
      md.append("\nPyTorch vs TensorFlow: ").append(divergenceLine()).append(".\n");
    }
    List<CaseResult> failing = summary.cases().stream().filter(this::failing).toList();
    if (!failing.isEmpty()) {
      md.append("\nFailing cases (").append(failing.size()).append("):\n\n");
      failing.stream().limit(MD_FAILURES).forEach(r -> md.append("- `").append(r.engine()).append(" | ")
          .append(r.id().replace("`", "'")).append("` ").append(r.status().jsonName()).append('\n'));
      if (failing.size() > MD_FAILURES) {
        md.append("- … and ").append(failing.size() - MD_FAILURES).append(" more (see index.html or summary.json)\n");
      }
    }
    md.append("\n**").append(summary.line()).append("**\n");
    return md.toString();
  }

  private boolean failing(CaseResult r) {
    return r.status() == Status.FAILED || r.status() == Status.ERROR || (strict && r.status() == Status.UNSUPPORTED);
  }

  private static String mdCell(String s) {
    return s.replace("|", "\\|");
  }

  /** {@code PyTorch 2.7.1} from the engine's source lines (first match), or "". */
  private String versionLine(String engine) {
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

  private String divergenceLine() {
    long agree = pairs.stream().filter(Divergences.Pair::agree).count();
    long expected = pairs.stream().filter(p -> differs(p) && p.reason() != null).count();
    long unexplained = pairs.stream().filter(p -> differs(p) && p.reason() == null).count();
    return pairs.size() + " paired cases, " + agree + " agree on the loss, " + (expected + unexplained)
        + " differ in loss or gradient (" + expected + " expected, " + unexplained + " unexplained)";
  }

  // ---------------------------------------------------------------------------------------------
  // index.html

  /** The HTML page. */
  public String html() {
    Html h = new Html();
    h.raw("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n");
    h.raw("<meta charset=\"utf-8\" />\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
    h.raw("<link rel=\"icon\" href=\"data:,\" />\n");
    h.raw("<title>").text("loss-conformance: " + (failed() ? "FAIL" : "PASS") + " — " + summary.line()).raw("</title>\n");
    h.raw("<style>\n").raw(CSS).raw("</style>\n</head>\n<body>\n");
    h.raw("<header class=\"top\"><div class=\"wrap\"><span class=\"brand\">loss-conformance</span>");
    h.raw("<nav><a href=\"#summary\">Summary</a><a href=\"#charts\">Charts</a><a href=\"#divergences\">PyTorch vs TensorFlow</a>"
        + "<a href=\"#coverage\">Coverage</a><a href=\"#matrix\">All cases</a><a href=\"#fixtures\">Fixtures</a></nav>");
    h.raw("</div></header>\n<main class=\"wrap\">\n");
    verdict(h);
    failures(h);
    summarySection(h);
    charts(h);
    divergences(h);
    coverage(h);
    matrix(h);
    h.raw("</main>\n<footer class=\"wrap\">Generated by <code>loss-conformance check --report</code> from ");
    h.text(String.join(" ", paths.stream().map(ConformanceReport::shownArg).toList()));
    h.raw(". Self-contained: nothing is loaded from the network or from other files.</footer>\n");
    h.raw("<script>//<![CDATA[\n").raw(JS).raw("//]]></script>\n</body>\n</html>\n");
    return h.toString();
  }

  private void verdict(Html h) {
    boolean bad = failed();
    h.raw("<section id=\"verdict\" class=\"verdict ").raw(bad ? "fail" : "pass").raw("\" data-verdict=\"")
        .raw(bad ? "fail" : "pass").raw("\">");
    h.raw("<div class=\"mark\">").raw(bad ? "✗" : "✓").raw("</div><div>");
    h.raw("<div class=\"word\">").text(bad ? "Does not conform" : "Conforms").raw("</div>");
    h.raw("<div class=\"line\" id=\"summary-line\">").text(summary.line()).raw("</div>");
    h.raw("<div class=\"sub\">Java kernels against the golden fixtures of ");
    List<String> named = new ArrayList<>();
    for (String e : engines) {
      String v = versionLine(e);
      named.add(v.isEmpty() ? engineName(e) : v);
    }
    h.text(String.join(" and ", named)).text(": " + cases.size() + " fixture cases (" + rowCount() + " case ids) in "
        + files.size() + (files.size() == 1 ? " file" : " files") + ". ");
    h.text(bad ? "Exit code 1: " + failReason() + "."
        : "Exit code 0: no case failed" + (strict ? " and none is unsupported (--strict)" : "") + ".");
    if (generatedAt != null) {
      h.raw(" <span class=\"ts\" id=\"generated-at\">Generated ").text(generatedAt.toString()).raw(".</span>");
    }
    h.raw("</div></div></section>\n");
  }

  /** Up to {@value #MD_FAILURES} failing cases right under the verdict, each linked to its matrix row. */
  private void failures(Html h) {
    List<Integer> bad = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      if (failing(runs.get(i).result())) {
        bad.add(i);
      }
    }
    if (bad.isEmpty()) {
      return;
    }
    h.raw("<section id=\"failures\"><h2>Failing cases <span class=\"muted\">").text(Integer.toString(bad.size()))
        .raw("</span></h2>\n<table class=\"failures\"><thead><tr><th>Engine</th><th>Case</th><th>Status</th><th>Where</th>"
            + "</tr></thead><tbody>\n");
    for (int i : bad.subList(0, Math.min(bad.size(), MD_FAILURES))) {
      FixtureCase c = cases.get(i);
      CaseResult r = runs.get(i).result();
      String msg = r.message() == null ? "" : r.message();
      List<String> lines = msg.lines().map(String::trim).toList();
      String where = lines.isEmpty() ? "" : lines.get(0);
      String head = c.id() + " vs " + c.engine() + ", ";
      if (where.startsWith(head) && where.endsWith(":") && lines.size() > 1) {
        where = where.substring(head.length(), where.length() - 1) + ": " + lines.get(1);
      }
      h.raw("<tr><td>").text(c.engine()).raw("</td><td><a href=\"#").attr(rowAnchor(opOf(c), c.id())).raw("\"><code>")
          .text(c.id()).raw("</code></a></td><td><span class=\"badge b-").raw(r.status().jsonName()).raw("\">")
          .raw(r.status().jsonName()).raw("</span></td><td class=\"msg1\">").text(abbreviate(where, 300)).raw("</td></tr>\n");
    }
    h.raw("</tbody></table>\n");
    if (bad.size() > MD_FAILURES) {
      h.raw("<p class=\"note\">").text("… and " + (bad.size() - MD_FAILURES) + " more: choose status \"failed\" in the "
          + "filter of All cases.").raw("</p>\n");
    }
    h.raw("</section>\n");
  }

  private String rowAnchor(String op, String id) {
    return rowAnchors.get(op + "|" + id);
  }

  private String failReason() {
    List<String> why = new ArrayList<>();
    long f = summary.count(Status.FAILED);
    long e = summary.count(Status.ERROR);
    long u = summary.count(Status.UNSUPPORTED);
    if (f > 0) {
      why.add(f + (f == 1 ? " case differs" : " cases differ") + " from the golden beyond tolerance");
    }
    if (e > 0) {
      why.add(e + (e == 1 ? " case" : " cases") + " could not be run as written");
    }
    if (strict && u > 0) {
      why.add(u + " unsupported (--strict)");
    }
    return String.join("; ", why);
  }

  private long rowCount() {
    return rowsByOp.values().stream().mapToLong(List::size).sum();
  }

  private void summarySection(Html h) {
    h.raw("<section id=\"summary\"><h2>Summary</h2>\n<div class=\"cols\">\n<div>");
    h.raw("<h3>Per engine</h3>\n<table class=\"counts\" id=\"engine-counts\"><thead><tr><th>Engine</th><th>Version</th><th>DJL</th>");
    for (Status s : STATUSES) {
      h.raw("<th class=\"num\" title=\"").attr(s.jsonName()).raw("\">").text(abbrev(s)).raw("</th>");
    }
    h.raw("</tr></thead><tbody>\n");
    for (String e : engines) {
      h.raw("<tr data-engine=\"").attr(e).raw("\"><th>").text(engineName(e)).raw("</th>");
      Set<String> engineV = new LinkedHashSet<>();
      Set<String> djl = new LinkedHashSet<>();
      Set<String> sources = new LinkedHashSet<>();
      for (FixtureFile f : files) {
        if (engineOf(f).equals(e)) {
          sources.add(f.source());
          List<String[]> v = versions(f.source());
          v.stream().filter(x -> !x[0].equals("DJL")).findFirst().ifPresent(x -> engineV.add(x[0] + " " + x[1]));
          v.stream().filter(x -> x[0].equals("DJL")).findFirst().ifPresent(x -> djl.add(x[1]));
        }
      }
      h.raw("<td title=\"").attr(String.join("\n", sources)).raw("\">").text(engineV.isEmpty() ? "—" : String.join(", ", engineV))
          .raw("</td><td>").text(djl.isEmpty() ? "—" : String.join(", ", djl)).raw("</td>");
      for (Status s : STATUSES) {
        countCell(h, s, count(e, null, s));
      }
      h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n");
    h.raw("<p class=\"note\">Sources, as each fixture file states them:</p><ul class=\"sources\">");
    Set<String> shown = new LinkedHashSet<>();
    for (String e : engines) {
      for (FixtureFile f : files) {
        if (engineOf(f).equals(e) && shown.add(e + "\u0000" + f.source())) {
          h.raw("<li><b>").text(engineShort(e)).raw("</b> ").text(f.source()).raw("</li>");
        }
      }
    }
    h.raw("</ul>\n");
    if (pairs != null) {
      h.raw("<p class=\"note\"><b>PyTorch vs TensorFlow:</b> ").text(divergenceLine())
          .raw(". <a href=\"#divergences\">Where and why</a></p>\n");
    }
    h.raw("</div>\n<div>");
    h.raw("<h3>Per loss</h3>\n<table class=\"counts\" id=\"loss-counts\"><thead><tr><th rowspan=\"2\">Loss</th>");
    for (String e : engines) {
      h.raw("<th colspan=\"5\" class=\"eng\">").text(engineName(e)).raw("</th>");
    }
    h.raw("</tr><tr>");
    for (String e : engines) {
      for (Status s : STATUSES) {
        h.raw("<th class=\"num\" title=\"").attr(s.jsonName()).raw("\">").text(abbrev(s)).raw("</th>");
      }
    }
    h.raw("</tr></thead><tbody>\n");
    for (String op : ops) {
      h.raw("<tr data-loss=\"").attr(op).raw("\"><th><a href=\"#loss-").attr(op).raw("\">").text(op).raw("</a></th>");
      for (String e : engines) {
        for (Status s : STATUSES) {
          countCell(h, s, count(e, op, s));
        }
      }
      h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n<p class=\"note\">pass = Java within tolerance of the golden (or raising where the engine "
        + "raised); fail = beyond it; unsup = an api, parameter or output Java does not implement; skip = the engine "
        + "cannot express the case; err = the case cannot be run as written.</p>\n");
    h.raw("</div>\n</div>\n");
    fixtures(h);
    h.raw("</section>\n");
  }

  private static String abbrev(Status s) {
    return switch (s) {
      case PASSED -> "pass";
      case FAILED -> "fail";
      case UNSUPPORTED -> "unsup";
      case SKIPPED -> "skip";
      case ERROR -> "err";
    };
  }

  private static void countCell(Html h, Status s, long n) {
    h.raw("<td class=\"num").raw(n == 0 ? " zero" : " c-" + s.jsonName()).raw("\">").text(Long.toString(n)).raw("</td>");
  }

  private void fixtures(Html h) {
    h.raw("<div id=\"fixtures\"><h3>Fixture files</h3>\n<p class=\"note\">SHA-256 of each file's bytes (first 12 hex "
        + "digits; hover for the whole digest), so the report names exactly the goldens it checked.</p>\n<div class=\"file-cols\">");
    List<String> groups = new ArrayList<>(engines);
    files.stream().map(ConformanceReport::engineOf).filter(e -> !groups.contains(e)).distinct().forEach(groups::add);
    for (String e : groups) {
      List<FixtureFile> mine = files.stream().filter(f -> engineOf(f).equals(e) && file(f) != null).toList();
      if (mine.isEmpty()) {
        continue;
      }
      h.raw("<table class=\"files\" data-engine=\"").attr(e).raw("\"><thead><tr><th>").text(engineName(e) + " file")
          .raw("</th><th class=\"num\">cases</th><th>SHA-256</th></tr></thead><tbody>\n");
      for (FixtureFile f : mine) {
        String path = shown(file(f));
        String digest = sha256(file(f));
        h.raw("<tr><td><code>").text(path).raw("</code></td><td class=\"num\">").text(Integer.toString(f.cases().size()))
            .raw("</td><td><code class=\"sha\" title=\"").attr(digest).raw("\">").text(digest.substring(0, 12))
            .raw("</code></td></tr>\n");
      }
      h.raw("</tbody></table>\n");
    }
    h.raw("</div></div>\n");
  }

  // ---------------------------------------------------------------------------------------------
  // charts

  private void charts(Html h) {
    h.raw("<section id=\"charts\"><h2>Charts</h2>\n<div class=\"charts\">\n<div class=\"hists\">\n");
    for (String e : engines) {
      histogram(h, e);
    }
    h.raw("</div>\n");
    passRates(h);
    h.raw("</div>\n</section>\n");
  }

  private static int bucket(long ulp) {
    if (ulp <= 2) {
      return (int) ulp;
    }
    if (ulp <= 4) {
      return 3;
    }
    if (ulp <= 16) {
      return 4;
    }
    return ulp <= 256 ? 5 : 6;
  }

  private void histogram(Html h, String engine) {
    long[] n = new long[BUCKETS.size()];
    long withoutNumbers = 0;
    for (int i = 0; i < cases.size(); i++) {
      CaseResult r = runs.get(i).result();
      if (!cases.get(i).engine().equals(engine) || r.status() != Status.PASSED) {
        continue;
      }
      if (r.diffs().isEmpty()) {
        withoutNumbers++;
        continue;
      }
      n[bucket(r.maxUlp())]++;
    }
    long max = Arrays.stream(n).max().orElse(0);
    long top = niceCeil(max);
    int w = 440;
    int ht = 250;
    int left = 52;
    int right = 12;
    int topM = 34;
    int bottom = 56;
    double pw = w - left - right;
    double ph = ht - topM - bottom;
    String title = engineName(engine) + ": max ULP error of passed cases against the golden";
    h.svgOpen("histogram", engine, w, ht, title);
    h.raw("<text class=\"ct\" x=\"").raw(Integer.toString(left)).raw("\" y=\"18\">").text(engineName(engine)
        + ": max ULP error, passed cases").raw("</text>\n");
    for (int t = 0; t <= 4; t++) {
      long v = top * t / 4;
      if (t > 0 && v == top * (t - 1) / 4) {
        continue;
      }
      double y = topM + ph - ph * v / top;
      h.svgLine("grid", left, left + pw, y, y).svgText("tick", left - 6, y + 4, "end", Long.toString(v)).raw("\n");
    }
    double slot = pw / n.length;
    for (int b = 0; b < n.length; b++) {
      double bh = ph * n[b] / top;
      double x = left + b * slot + slot * 0.15;
      double bw = slot * 0.7;
      h.raw("<rect class=\"bar b").raw(Integer.toString(b)).raw("\" x=\"").num(x).raw("\" y=\"").num(topM + ph - bh)
          .raw("\" width=\"").num(bw).raw("\" height=\"").num(bh).raw("\"><title>").text(n[b] + " cases with max ULP "
              + BUCKETS.get(b)).raw("</title></rect>");
      h.svgText("val", x + bw / 2, topM + ph - bh - 4, "middle", Long.toString(n[b]));
      h.svgText("tick", x + bw / 2, topM + ph + 15, "middle", BUCKETS.get(b)).raw("\n");
    }
    h.svgLine("axis", left, left + pw, topM + ph, topM + ph).raw("\n");
    h.svgText("al", left + pw / 2, ht - 22, "middle", "max ULP distance from the golden (per case)").raw("\n");
    h.raw("<text class=\"al\" x=\"14\" y=\"").num(topM + ph / 2).raw("\" text-anchor=\"middle\" transform=\"rotate(-90 14 ")
        .num(topM + ph / 2).raw(")\">cases</text>\n");
    h.svgText("note", left, ht - 5, null, withoutNumbers + " passed cases with no numbers compared (both raise) not counted")
        .raw("\n");
    h.raw("</svg></figure>\n");
  }

  private static long niceCeil(long v) {
    if (v <= 4) {
      return 4;
    }
    long p = 1;
    while (p * 10 < v) {
      p *= 10;
    }
    for (long m : new long[] {1, 2, 4, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private void passRates(Html h) {
    int barH = 13;
    int gap = 3;
    int groupGap = 11;
    int left = 300;
    int bar = 300;
    int w = 860;
    int topM = 40;
    int bottom = 40;
    int ht = topM + bottom;
    for (String op : ops) {
      ht += engines.size() * (barH + gap) + groupGap;
    }
    String title = "Pass rate per loss and engine: passed / (passed + failed + error); skipped and unsupported counted apart";
    h.svgOpen("passrate", null, w, ht, title);
    h.raw("<text class=\"ct\" x=\"8\" y=\"18\">").text("Pass rate per loss").raw("</text>\n");
    double axisY = ht - bottom + 4;
    for (int pct = 0; pct <= 100; pct += 25) {
      double x = left + bar * pct / 100.0;
      h.svgLine("grid", x, x, topM - 6, axisY).svgText("tick", x, axisY + 14, "middle", pct + "%").raw("\n");
    }
    h.svgText("al", left + bar / 2.0, ht - 6, "middle", "passed / (passed + failed + error)").raw("\n");
    h.svgText("al", left + bar + 12, topM - 12, null, "passed of run · not run").raw("\n");
    double y = topM;
    for (String op : ops) {
      boolean first = true;
      for (String e : engines) {
        long p = count(e, op, Status.PASSED);
        long f = count(e, op, Status.FAILED) + count(e, op, Status.ERROR);
        long s = count(e, op, Status.SKIPPED);
        long u = count(e, op, Status.UNSUPPORTED);
        if (first) {
          h.raw("<text class=\"loss\" x=\"8\" y=\"").num(y + barH - 2).raw("\">").text(op).raw("</text>");
          first = false;
        }
        h.svgText("eng", left - 6, y + barH - 2, "end", engineShort(e));
        h.raw("<rect class=\"track\" x=\"").num(left).raw("\" y=\"").num(y).raw("\" width=\"").num(bar).raw("\" height=\"")
            .num(barH).raw("\" />");
        long run = p + f;
        if (run > 0) {
          double pw = bar * (double) p / run;
          h.raw("<rect class=\"ok e-").attr(attrName(e)).raw("\" x=\"").num(left).raw("\" y=\"").num(y).raw("\" width=\"")
              .num(pw).raw("\" height=\"").num(barH).raw("\"><title>").text(op + ", " + engineName(e) + ": " + p + " of "
                  + run + " passed").raw("</title></rect>");
          if (f > 0) {
            h.raw("<rect class=\"bad\" x=\"").num(left + pw).raw("\" y=\"").num(y).raw("\" width=\"").num(bar - pw)
                .raw("\" height=\"").num(barH).raw("\" />");
          }
        }
        String rate = run == 0 ? "no case run" : String.format(Locale.ROOT, "%.1f%% (%d/%d)", 100.0 * p / run, p, run);
        h.raw("<text class=\"val").raw(f > 0 ? " badv" : "").raw("\" x=\"").num(left + bar + 12).raw("\" y=\"")
            .num(y + barH - 2).raw("\">").text(rate);
        if (s + u > 0) {
          h.raw("<tspan class=\"muted\">").text(" · " + (s > 0 ? s + " skipped" : "") + (s > 0 && u > 0 ? ", " : "")
              + (u > 0 ? u + " unsupported" : "")).raw("</tspan>");
        }
        h.raw("</text>\n");
        y += barH + gap;
      }
      y += groupGap;
    }
    h.raw("</svg></figure>\n");
  }

  // ---------------------------------------------------------------------------------------------
  // divergences

  private void divergences(Html h) {
    h.raw("<section id=\"divergences\"><h2>PyTorch vs TensorFlow</h2>\n");
    if (pairs == null) {
      h.raw("<p class=\"note\" id=\"divergence-count\">Not available: pass a folder holding <code>torch/</code> and "
          + "<code>tensorflow/</code> (such as <code>fixtures/</code>) to pair the engines' goldens.</p>\n</section>\n");
      return;
    }
    long gradCompared = pairs.stream().filter(p -> p.gradAgree() != null).count();
    long gradDiffer = pairs.stream().filter(p -> Boolean.FALSE.equals(p.gradAgree())).count();
    h.raw("<p class=\"lead\" id=\"divergence-count\">").text(divergenceLine() + "; gradients compared on " + gradCompared
        + ", " + gradDiffer + " differ.").raw("</p>\n");
    h.raw("<p class=\"note\">Both engines run the same case (the same drawn numbers under each framework's names). They "
        + "agree when both raise, or when every element is within 8 ulps of the coarser dtype (or of the largest "
        + "magnitude). <span class=\"tag exp\">expected</span> rows carry the catalog's reason; an "
        + "<span class=\"tag unexp\">unexplained</span> one is a finding.</p>\n");
    Map<String, List<Divergences.Pair>> byOp = new LinkedHashMap<>();
    for (String op : ops) {
      byOp.put(op, new ArrayList<>());
    }
    Map<String, Long> pairedByOp = new HashMap<>();
    for (Divergences.Pair p : pairs) {
      pairedByOp.merge(p.op(), 1L, Long::sum);
      if (differs(p)) {
        byOp.computeIfAbsent(p.op(), k -> new ArrayList<>()).add(p);
      }
    }
    h.raw("<table class=\"counts divsum\"><thead><tr><th>Loss</th><th class=\"num\">paired</th><th class=\"num\">differ</th>"
        + "<th>why (cases)</th></tr></thead><tbody>\n");
    for (Map.Entry<String, List<Divergences.Pair>> g : byOp.entrySet()) {
      long paired = pairedByOp.getOrDefault(g.getKey(), 0L);
      if (paired == 0) {
        continue;
      }
      h.raw("<tr><th>").raw(g.getValue().isEmpty() ? "" : "<a href=\"#div-loss-" + Html.escape(g.getKey()) + "\">")
          .text(g.getKey()).raw(g.getValue().isEmpty() ? "" : "</a>").raw("</th><td class=\"num\">").text(Long.toString(paired))
          .raw("</td><td class=\"num").raw(g.getValue().isEmpty() ? " zero" : "").raw("\">").text(Long.toString(g.getValue().size()))
          .raw("</td><td class=\"reasons\">");
      Map<String, Long> reasons = new LinkedHashMap<>();
      Map<String, String> full = new HashMap<>();
      for (Divergences.Pair p : g.getValue()) {
        reasons.merge(reasonCode(p), 1L, Long::sum);
        full.putIfAbsent(reasonCode(p), p.reason() == null ? "no catalog reason" : p.reason());
      }
      boolean firstR = true;
      for (Map.Entry<String, Long> r : reasons.entrySet()) {
        h.raw(firstR ? "" : " ").raw("<span class=\"tag ").raw(r.getKey().equals("unexplained") ? "unexp" : "exp")
            .raw("\" title=\"").attr(full.get(r.getKey())).raw("\">").text(r.getKey()).raw(" <b>")
            .text(Long.toString(r.getValue())).raw("</b></span>");
        firstR = false;
      }
      h.raw("</td></tr>\n");
    }
    h.raw("</tbody></table>\n");
    for (Map.Entry<String, List<Divergences.Pair>> g : byOp.entrySet()) {
      List<Divergences.Pair> list = g.getValue();
      if (list.isEmpty()) {
        continue;
      }
      h.raw("<h3 id=\"div-loss-").attr(g.getKey()).raw("\">").text(g.getKey()).raw(" <span class=\"muted\">")
          .text(list.size() + " of " + pairedByOp.getOrDefault(g.getKey(), 0L) + " paired cases differ").raw("</span></h3>\n");
      h.raw("<table class=\"div\" data-loss=\"").attr(g.getKey()).raw("\"><thead><tr><th>Case</th><th>Difference</th><th>PyTorch</th>"
          + "<th>TensorFlow</th><th>Why (catalog)</th></tr></thead><tbody>\n");
      for (int i = 0; i < list.size(); i++) {
        Divergences.Pair p = list.get(i);
        int span = 1;
        while (i + span < list.size() && java.util.Objects.equals(list.get(i + span).reason(), p.reason())) {
          span++;
        }
        for (int j = i; j < i + span; j++) {
          divRow(h, list.get(j), j == i ? span : 0);
        }
        i += span - 1;
      }
      h.raw("</tbody></table>\n");
    }
    h.raw("</section>\n");
  }

  /** {@code T-7} from a reason {@code T-7: ...}; the reason's start otherwise; "unexplained" without one. */
  private static String reasonCode(Divergences.Pair p) {
    if (p.reason() == null) {
      return "unexplained";
    }
    Matcher m = Pattern.compile("^(T-\\d+(?:[/,] ?T-\\d+)*)").matcher(p.reason());
    if (m.find()) {
      return m.group(1);
    }
    String r = p.reason();
    if (r.length() <= 36) {
      return r;
    }
    int cut = r.lastIndexOf(' ', 36);
    return r.substring(0, cut > 16 ? cut : 36) + " …";
  }

  private void divRow(Html h, Divergences.Pair p, int reasonSpan) {
    String anchor = divAnchor.get(p.op() + "|" + p.id());
    h.raw("<tr id=\"").attr(anchor).raw("\" data-id=\"").attr(p.id()).raw("\" class=\"").raw(p.reason() == null ? "unexp" : "exp")
        .raw("\"><td class=\"id\"><code>").raw(breakable(p.id())).raw("</code></td><td class=\"what\">");
    if (!p.agree()) {
      h.raw("<span class=\"tag ").raw(p.reason() == null ? "unexp" : "exp").raw("\">loss</span> ");
      h.text(p.difference() != null ? p.difference() : "differ");
    }
    if (Boolean.FALSE.equals(p.gradAgree())) {
      h.raw(p.agree() ? "" : "<br />").raw("<span class=\"tag ").raw(p.reason() == null ? "unexp" : "exp").raw("\">grad</span> ")
          .text(p.agree() ? "losses agree, gradients differ" : "gradients differ too");
    }
    String tfGrad = p.tensorflow().outputs().keySet().stream().skip(1).findFirst().orElse(null);
    boolean grads = Boolean.FALSE.equals(p.gradAgree());
    h.raw("</td><td class=\"vals\">");
    side(h, p.torch(), grads ? (tfGrad != null && p.torch().outputs().containsKey(tfGrad) ? tfGrad : "grad_input") : null);
    h.raw("</td><td class=\"vals\">");
    side(h, p.tensorflow(), grads ? tfGrad : null);
    h.raw("</td>");
    if (reasonSpan > 0) {
      h.raw("<td class=\"why\"").raw(reasonSpan > 1 ? " rowspan=\"" + reasonSpan + "\"" : "").raw(">");
      if (p.reason() == null) {
        h.raw("<span class=\"tag unexp\">unexplained</span>");
      } else {
        h.text(p.reason());
      }
      h.raw("</td>");
    }
    h.raw("</tr>\n");
  }

  private static void side(Html h, FixtureCase c, String grad) {
    h.raw("<div class=\"api\" title=\"").attr(c.api()).raw("\">").text(c.api()).raw("</div>");
    if (c.expectsError()) {
      h.raw("<div class=\"err\">raises ").text(c.error()).raw("</div>");
      return;
    }
    Tensor loss = c.outputs().get("loss");
    if (loss != null) {
      h.raw("<div><span class=\"k\">loss</span> ").raw("<code>").text(values(loss, 4)).raw("</code></div>");
    }
    if (grad != null && c.outputs().containsKey(grad)) {
      h.raw("<div><span class=\"k\">").text(grad).raw("</span> <code>").text(values(c.outputs().get(grad), 4)).raw("</code></div>");
    }
  }

  /** {@code f32[4] [1.5, 2.0, …]} with at most {@value #SHOWN} values. */
  static String values(Tensor t) {
    return values(t, SHOWN);
  }

  /** {@code f32[4] [1.5, 2.0, …]} with at most {@code shown} values. */
  static String values(Tensor t, int shown) {
    StringBuilder sb = new StringBuilder();
    sb.append(t.dtype().shortName()).append(Arrays.toString(t.shape())).append(' ');
    if (t.numel() == 1 && t.rank() == 0) {
      return sb.append(element(t, 0)).toString();
    }
    sb.append('[');
    for (int i = 0; i < Math.min(t.numel(), shown); i++) {
      sb.append(i == 0 ? "" : ", ").append(element(t, i));
    }
    return sb.append(t.numel() > shown ? ", …]" : "]").toString();
  }

  private static String element(Tensor t, int i) {
    return FixtureWriter.element(t, i).replace("\"", "");
  }

  // ---------------------------------------------------------------------------------------------
  // coverage

  private static List<String> allowed(String api, String param, List<Object> used) {
    if (param.equals("reduction")) {
      if (api.startsWith("torch.")) {
        return api.endsWith(".kl_div") ? List.of("none", "mean", "sum", "batchmean") : List.of("none", "mean", "sum");
      }
      if (api.startsWith("keras.")) {
        return List.of("sum_over_batch_size", "sum", "none");
      }
      return null;
    }
    if (param.equals("dtype")) {
      return List.of("float32", "float64");
    }
    if (!used.isEmpty() && used.stream().allMatch(v -> v instanceof Boolean)) {
      return List.of("false", "true");
    }
    return null;
  }

  private static String paramText(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Double d) {
      return FloatText.ofDouble(d);
    }
    return v.toString();
  }

  private static final Comparator<Object> PARAM_ORDER = (a, b) -> {
    int ra = rank(a);
    int rb = rank(b);
    if (ra != rb) {
      return Integer.compare(ra, rb);
    }
    if (a instanceof Number x && b instanceof Number y) {
      int c = Double.compare(x.doubleValue(), y.doubleValue());
      return c != 0 ? c : paramText(a).compareTo(paramText(b));
    }
    return ra == 0 ? 0 : paramText(a).compareTo(paramText(b));
  };

  private static int rank(Object v) {
    return v == null ? 0 : v instanceof Boolean ? 1 : v instanceof Number ? 2 : 3;
  }

  private void coverage(Html h) {
    h.raw("<section id=\"coverage\"><h2>Parameter coverage</h2>\n<p class=\"note\">For each loss and API: the values "
        + "the cases pass for each parameter (cases the engine ran; skipped ones not counted). Where the API's set is "
        + "known (reduction, booleans, the dtype) the values no case covers are listed "
        + "<span class=\"uncovered\">in red</span>; <span class=\"val outside\">struck-out</span> values lie outside "
        + "the API's set and probe its error path.</p>\n<div class=\"cov-grid\">\n");
    for (String op : ops) {
      Map<String, List<FixtureCase>> byApi = new LinkedHashMap<>();
      for (String e : engines) {
        for (FixtureCase c : cases) {
          if (c.engine().equals(e) && opOf(c).equals(op) && c.unsupported() == null) {
            byApi.computeIfAbsent(e + "|" + c.api(), k -> new ArrayList<>()).add(c);
          }
        }
      }
      h.raw("<div class=\"cov\" data-loss=\"").attr(op).raw("\"><h3>").text(op).raw("</h3>\n");
      if (byApi.isEmpty()) {
        h.raw("<p class=\"note\">no case run</p></div>\n");
        continue;
      }
      h.raw("<table class=\"cov\"><tbody>\n");
      for (Map.Entry<String, List<FixtureCase>> a : byApi.entrySet()) {
        String engine = a.getKey().substring(0, a.getKey().indexOf('|'));
        String api = a.getKey().substring(a.getKey().indexOf('|') + 1);
        Map<String, List<Object>> values = new LinkedHashMap<>();
        Map<String, Set<String>> seen = new HashMap<>();
        for (FixtureCase c : a.getValue()) {
          for (Map.Entry<String, Object> p : c.params().entrySet()) {
            if (seen.computeIfAbsent(p.getKey(), k -> new java.util.HashSet<>()).add(rank(p.getValue()) + paramText(p.getValue()))) {
              values.computeIfAbsent(p.getKey(), k -> new ArrayList<>()).add(p.getValue());
            }
          }
        }
        List<String> names = new ArrayList<>(values.keySet());
        Set<String> dtypes = new TreeSet<>();
        a.getValue().forEach(c -> dtypes.add(inputDtype(c).jsonName()));
        h.raw("<tr class=\"api\"><th colspan=\"3\"><span class=\"eng-tag\">").text(engineShort(engine)).raw("</span> <code>")
            .text(api).raw("</code> <span class=\"muted\">").text(a.getValue().size() + " cases").raw("</span></th></tr>\n");
        List<Object> dt = new ArrayList<>(dtypes);
        covRow(h, api, "dtype", dt);
        for (String name : names) {
          List<Object> vs = new ArrayList<>(values.get(name));
          vs.sort(PARAM_ORDER);
          covRow(h, api, name, vs);
        }
      }
      h.raw("</tbody></table></div>\n");
    }
    h.raw("</div>\n</section>\n");
  }

  private static void covRow(Html h, String api, String name, List<Object> used) {
    List<String> known = allowed(api, name, used);
    List<String> usedText = used.stream().map(ConformanceReport::paramText).toList();
    h.raw("<tr data-param=\"").attr(name).raw("\"><td class=\"pn\"><code>").text(name).raw("</code></td><td class=\"pv\">");
    for (int i = 0; i < used.size(); i++) {
      boolean outside = known != null && !known.contains(usedText.get(i));
      h.raw("<span class=\"val").raw(outside ? " outside\" title=\"not in the API's set: probes the error path" : "").raw("\">")
          .text(usedText.get(i)).raw("</span>");
    }
    h.raw("</td><td class=\"pu\">");
    if (known == null) {
      h.raw("<span class=\"muted\" title=\"open-ended: no fixed set of values\">—</span>");
    } else {
      List<String> missing = known.stream().filter(k -> !usedText.contains(k)).toList();
      if (missing.isEmpty()) {
        h.raw("<span class=\"allcov\">all covered</span>");
      } else {
        h.raw("<span class=\"uncovered\">not covered: ");
        for (int i = 0; i < missing.size(); i++) {
          h.raw(i == 0 ? "" : ", ").raw("<b>").text(missing.get(i)).raw("</b>");
        }
        h.raw("</span>");
      }
    }
    h.raw("</td></tr>\n");
  }

  // ---------------------------------------------------------------------------------------------
  // matrix

  private void matrix(Html h) {
    h.raw("<section id=\"matrix\"><h2>All cases</h2>\n");
    h.raw("<div class=\"filters\" id=\"filters\"><label>Case id <input id=\"filter\" type=\"search\" "
        + "placeholder=\"substring of the id, e.g. smoothing\" autocomplete=\"off\" /></label>");
    h.raw("<label>Loss <select id=\"filter-loss\"><option value=\"any\">all losses</option>");
    for (String op : ops) {
      h.raw("<option value=\"").attr(op).raw("\">").text(op).raw("</option>");
    }
    h.raw("</select></label><label>Engine <select id=\"filter-engine\"><option value=\"any\">any</option>");
    for (String e : engines) {
      h.raw("<option value=\"").attr(e).raw("\">").text(e).raw("</option>");
    }
    h.raw("</select></label><label>Status <select id=\"filter-status\"><option value=\"any\">any</option>");
    for (Status s : STATUSES) {
      h.raw("<option value=\"").raw(s.jsonName()).raw("\">").raw(s.jsonName()).raw("</option>");
    }
    h.raw("</select></label><span class=\"shown\"><span id=\"visible-count\">").text(Long.toString(rowCount()))
        .raw("</span> of <span id=\"total-count\">").text(Long.toString(rowCount())).raw("</span> cases shown</span></div>\n");
    h.raw("<p class=\"note\">One row per case id. Status with engine <i>any</i> filters on the row's worst status "
        + "(error &gt; failed &gt; unsupported &gt; passed &gt; skipped, skipped only when every engine skipped); with an "
        + "engine chosen, on that engine's status. Each cell: verdict, max ULP distance, max absolute error.</p>\n");
    h.raw("<table class=\"matrix\" id=\"cases\"><thead><tr><th>Case</th><th>dtype</th>");
    for (String e : engines) {
      h.raw("<th>").text(engineShort(e) + " golden vs Java").raw("</th>");
    }
    h.raw("<th>").text(pairs != null ? "torch vs TF" : "engines").raw("</th><th></th></tr></thead>\n");
    int columns = engines.size() + 4;
    for (String op : ops) {
      List<Row> rows = rowsByOp.get(op);
      h.raw("<tbody class=\"loss-group\" id=\"loss-").attr(op).raw("\" data-loss=\"").attr(op).raw("\">\n");
      h.raw("<tr class=\"group-head\" data-loss=\"").attr(op).raw("\"><th colspan=\"").raw(Integer.toString(columns)).raw("\">")
          .text(op).raw(" <span class=\"muted\">").text(rows.size() + " case ids").raw("</span></th></tr>\n");
      String previous = null;
      for (Row r : rows) {
        caseRow(h, r, !r.variant.equals(previous));
        previous = r.variant;
      }
      h.raw("</tbody>\n");
    }
    h.raw("</table>\n</section>\n");
  }

  private void caseRow(Html h, Row r, boolean variantStart) {
    Status w = worst(r);
    h.raw("<tr id=\"").raw(rowAnchor(r.op, r.id)).raw("\" class=\"case").raw(variantStart ? " vstart" : "").raw("\" data-id=\"").attr(r.id).raw("\" data-loss=\"").attr(r.op)
        .raw("\" data-variant=\"").attr(r.variant).raw("\" data-engines=\"").attr(String.join(" ", engines.stream().filter(r.byEngine::containsKey).toList()))
        .raw("\" data-status=\"").raw(w.jsonName()).raw("\"");
    for (String e : engines) {
      Entry en = r.byEngine.get(e);
      if (en != null) {
        h.raw(" data-status-").raw(attrName(e)).raw("=\"").raw(en.result().status().jsonName()).raw("\"");
      }
    }
    h.raw(">");
    String rest = r.id.startsWith(r.op + "/") ? r.id.substring(r.op.length() + 1) : r.id;
    String suffix = "/" + r.dtype;
    h.raw("<td class=\"id\"><code>");
    if (rest.length() < r.id.length()) {
      h.raw("<span class=\"dim\">").text(r.op + "/").raw("</span>");
    }
    if (rest.endsWith(suffix)) {
      h.text(rest.substring(0, rest.length() - suffix.length())).raw("<span class=\"dim\">").text(suffix).raw("</span>");
    } else {
      h.text(rest);
    }
    h.raw("</code></td><td class=\"dt\">").text(r.dtype).raw("</td>");
    for (String e : engines) {
      Entry en = r.byEngine.get(e);
      if (en == null) {
        h.raw("<td class=\"res na\">—</td>");
      } else {
        resultCell(h, en);
      }
    }
    vsCell(h, r);
    h.raw("<td class=\"more\"><details class=\"case-details\"><summary>details</summary><div class=\"detail-body\">");
    details(h, r);
    h.raw("</div></details></td></tr>\n");
  }

  private static void resultCell(Html h, Entry en) {
    CaseResult res = en.result();
    Status s = res.status();
    String tip = res.message() == null ? null : firstLines(res.message(), 3, 400);
    h.raw("<td class=\"res s-").raw(s.jsonName()).raw("\"");
    if (tip != null && s != Status.PASSED) {
      h.raw(" title=\"").attr(tip).raw("\"");
    }
    h.raw("><span class=\"badge b-").raw(s.jsonName()).raw("\">").raw(s.jsonName()).raw("</span>");
    if (!res.diffs().isEmpty()) {
      h.raw(" <span class=\"m\">").text(Ulps.text(res.maxUlp()) + " ulp").raw("</span> <span class=\"m abs\">")
          .text(fmt(res.maxAbsErr())).raw("</span>");
    } else if (en.fixture().expectsError() && s == Status.PASSED) {
      h.raw(" <span class=\"m\">both raise</span>");
    }
    h.raw("</td>");
  }

  private void vsCell(Html h, Row r) {
    Divergences.Pair p = pairById.get(r.op + "|" + r.id);
    if (p == null) {
      String why = pairs == null ? "engines not paired in this run" : "not paired: an engine does not run this case";
      h.raw("<td class=\"vs na\" title=\"").attr(why).raw("\">—</td>");
      return;
    }
    if (!differs(p)) {
      h.raw("<td class=\"vs\"><span class=\"agree\">agree</span>");
      if (p.torch().expectsError() && p.tensorflow().expectsError()) {
        h.raw(" <span class=\"m\">both raise</span>");
      } else {
        h.raw(" <span class=\"m\">").text(Ulps.text(p.maxUlp()) + " ulp").raw("</span>");
      }
      h.raw("</td>");
      return;
    }
    String cls = p.reason() == null ? "unexp" : "exp";
    h.raw("<td class=\"vs\" title=\"").attr(p.reason() != null ? p.reason() : "no catalog reason: unexplained").raw("\"><a class=\"differ ")
        .raw(cls).raw("\" href=\"#").attr(divAnchor.get(r.op + "|" + r.id)).raw("\">differ</a>");
    if (!p.agree()) {
      h.raw(" <span class=\"m\">").text(p.maxUlp() != Long.MAX_VALUE ? Ulps.text(p.maxUlp()) + " ulp"
          : p.difference() == null ? "loss" : p.difference().startsWith("loss shapes") ? "shape"
          : p.difference().contains("raises") ? "raise" : "NaN/inf").raw("</span>");
    }
    if (Boolean.FALSE.equals(p.gradAgree())) {
      h.raw(" <span class=\"m\">grad</span>");
    }
    h.raw("</td>");
  }

  private void details(Html h, Row r) {
    Case declared = catalog.get(r.op + "|" + r.id);
    if (declared != null && declared.why() != null) {
      h.raw("<p class=\"why\"><b>Probes:</b> ").text(declared.why()).raw("</p>");
    }
    if (declared != null && declared.divergence() != null) {
      h.raw("<p class=\"why\"><b>PyTorch vs TensorFlow:</b> ").text(declared.divergence()).raw("</p>");
    }
    h.raw("<div class=\"sides\">");
    for (String e : engines) {
      Entry en = r.byEngine.get(e);
      if (en == null) {
        continue;
      }
      FixtureCase c = en.fixture();
      CaseResult res = en.result();
      h.raw("<div class=\"side\"><h4>").text(engineName(e)).raw(" <code>").text(c.api()).raw("</code> <span class=\"badge b-")
          .raw(res.status().jsonName()).raw("\">").raw(res.status().jsonName()).raw("</span></h4><dl>");
      h.raw("<dt>params</dt><dd>");
      if (c.params().isEmpty()) {
        h.raw("<span class=\"muted\">none</span>");
      } else {
        boolean first = true;
        for (Map.Entry<String, Object> p : c.params().entrySet()) {
          h.raw(first ? "" : ", ").raw("<code>").text(p.getKey() + "=" + paramText(p.getValue())).raw("</code>");
          first = false;
        }
      }
      h.raw("</dd><dt>inputs</dt><dd>");
      boolean first = true;
      for (Map.Entry<String, Tensor> in : c.inputs().entrySet()) {
        Tensor t = in.getValue();
        h.raw(first ? "" : "<br />").raw("<code>").text(in.getKey()).raw("</code> ").text(t.dtype().jsonName()
            + Arrays.toString(t.shape()));
        if (t.numel() <= 4 && t.numel() > 0) {
          h.raw(" <code class=\"v\">").text(values(t).substring(values(t).indexOf(' ') + 1)).raw("</code>");
        }
        first = false;
      }
      h.raw("</dd>");
      if (c.unsupported() != null) {
        h.raw("<dt>skipped</dt><dd>").text(c.unsupported()).raw("</dd>");
      }
      if (c.expectsError()) {
        h.raw("<dt>engine raised</dt><dd class=\"err\">").text(c.error()).raw("</dd>");
        if (res.status() == Status.PASSED && res.message() != null) {
          h.raw("<dt>java raised</dt><dd>").text(abbreviate(res.message().replaceFirst("^raised as the engine did: ", ""), 400))
              .raw("</dd>");
        }
      }
      Tensor expected = c.outputs().get("loss");
      if (expected != null) {
        Tensor actual = en.run().actual().get("loss");
        h.raw("<dt>loss</dt><dd><span class=\"k\">golden</span> <code>").text(values(expected)).raw("</code><br />")
            .raw("<span class=\"k\">java</span> <code>").text(actual == null ? "—" : values(actual)).raw("</code></dd>");
      }
      h.raw("</dl>");
      if (!c.outputs().isEmpty()) {
        h.raw("<table class=\"outs\"><thead><tr><th>output</th><th class=\"num\">max ulp</th><th class=\"num\">max abs</th>"
            + "<th>tolerance</th></tr></thead><tbody>");
        for (Map.Entry<String, Tensor> o : c.outputs().entrySet()) {
          DType dt = o.getValue().dtype();
          Tolerance tol = dt.isFloating() ? Tolerances.of(c.api(), o.getKey(), dt) : null;
          CaseResult.OutputDiff d = res.diffs().stream().filter(x -> x.output().equals(o.getKey())).findFirst().orElse(null);
          h.raw("<tr><td class=\"o\"><code>").text(o.getKey()).raw("</code> ").text(dt.shortName() + Arrays.toString(o.getValue().shape()))
              .raw("</td><td class=\"num\">").text(d == null ? "—" : Ulps.text(d.maxUlp())).raw("</td><td class=\"num\">")
              .text(d == null ? "—" : fmt(d.maxAbs())).raw("</td><td>");
          if (tol != null) {
            h.raw("<b>").text(tol.toString()).raw("</b> <span class=\"muted\">").text(tol.reason()).raw("</span>");
          }
          h.raw("</td></tr>");
        }
        h.raw("</tbody></table>");
      }
      if (res.message() != null && res.status() != Status.PASSED && res.status() != Status.SKIPPED) {
        h.raw("<pre class=\"msg\">").text(abbreviate(res.message(), 4000)).raw("</pre>");
      }
      h.raw("</div>");
    }
    h.raw("</div>");
  }

  /** Escaped text with a line-break opportunity after each {@code /} and {@code _}. */
  private static String breakable(String id) {
    return Html.escape(id).replace("/", "/<wbr />").replace("_", "_<wbr />");
  }

  private static String fmt(double v) {
    if (v == 0) {
      return "0";
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }

  private static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }

  private static String firstLines(String s, int lines, int max) {
    return abbreviate(String.join("\n", s.lines().limit(lines).toList()), max);
  }

  // ---------------------------------------------------------------------------------------------
  // markup

  /** A string builder that escapes text for XML and HTML alike. */
  private static final class Html {
    private final StringBuilder sb = new StringBuilder(1 << 22);

    Html raw(String s) {
      sb.append(s);
      return this;
    }

    Html text(String s) {
      sb.append(escape(s));
      return this;
    }

    Html attr(String s) {
      sb.append(escape(s));
      return this;
    }

    Html num(double v) {
      sb.append(String.format(Locale.ROOT, "%.1f", v));
      return this;
    }

    /**
     * The opening of a chart: {@code <figure><svg class="chart KIND" [data-engine] width height viewBox
     * role="img"><title>}, the title being what a screen reader says.
     */
    Html svgOpen(String kind, String engine, int width, int height, String title) {
      raw("<figure><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart ").raw(kind).raw("\"");
      if (engine != null) {
        raw(" data-engine=\"").attr(engine).raw("\"");
      }
      return raw(" width=\"" + width + "\" height=\"" + height + "\" viewBox=\"0 0 " + width + " " + height
          + "\" role=\"img\"><title>").text(title).raw("</title>\n");
    }

    /** {@code <line class="CLS" x1 x2 y1 y2 />}, coordinates to one decimal. */
    Html svgLine(String cls, double x1, double x2, double y1, double y2) {
      return raw("<line class=\"" + cls + "\" x1=\"").num(x1).raw("\" x2=\"").num(x2).raw("\" y1=\"").num(y1)
          .raw("\" y2=\"").num(y2).raw("\" />");
    }

    /** {@code <text class="CLS" x y [text-anchor]>content</text>}, the content escaped. */
    Html svgText(String cls, double x, double y, String anchor, String content) {
      raw("<text class=\"" + cls + "\" x=\"").num(x).raw("\" y=\"").num(y).raw("\"");
      if (anchor != null) {
        raw(" text-anchor=\"" + anchor + "\"");
      }
      return raw(">").text(content).raw("</text>");
    }

    /** {@code & < > "} as entities, line breaks kept, other characters XML 1.0 cannot hold dropped. */
    static String escape(String s) {
      StringBuilder out = new StringBuilder(s.length() + 16);
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '&' -> out.append("&amp;");
          case '<' -> out.append("&lt;");
          case '>' -> out.append("&gt;");
          case '"' -> out.append("&quot;");
          case '\n', '\t' -> out.append(c);
          case '\r' -> { }
          default -> {
            if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
              continue;
            }
            if (Character.isHighSurrogate(c) && (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))) {
              continue;
            }
            if (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) {
              continue;
            }
            out.append(c);
          }
        }
      }
      return out.toString();
    }

    @Override
    public String toString() {
      return sb.toString();
    }
  }

  /** The page's style sheet and script: resources beside this class, inlined into {@code index.html}. */
  private static final String CSS = resource("report.css");
  private static final String JS = resource("report.js");

  private static String resource(String name) {
    try (InputStream in = ConformanceReport.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " missing beside " + ConformanceReport.class.getName());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
