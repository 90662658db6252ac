package dev.lossconformance.cli;

import dev.lossconformance.check.CaseResult;
import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.check.CheckRun;
import dev.lossconformance.check.Deviations;
import dev.lossconformance.check.Drift;
import dev.lossconformance.check.EngineVersions;
import dev.lossconformance.check.Summary;
import dev.lossconformance.check.Tolerances;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureFormatException;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.impl.Implementations;
import dev.lossconformance.impl.LossImplementation;
import dev.lossconformance.io.AtomicFiles;
import dev.lossconformance.java.JavaImplementation;
import dev.lossconformance.report.JUnitXml;
import dev.lossconformance.report.ConformanceReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code check}: a loss implementation (by default this project's kernels) against fixture files, as a CI gate. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
        "Checks a loss implementation (--impl, default java: this project's kernels) against fixture files or"
            + " folders.",
        "Prints one line per failing case and a final line 'N passed, N failed'.",
        "Exit status: 0 nothing failed; 1 a case failed (or, with --strict, was unsupported or is a listed"
            + " deviation that no longer fails);",
        "2 bad usage, an unknown implementation, or an unreadable or malformed fixture or deviations file.",
        "--report DIR also writes index.html, summary.json and summary.md into DIR."})
final class CheckCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  // strings, converted in call(): picocli would take a PATH after the first that fails conversion (an
  // empty one) for an unmatched argument and say only that
  @Parameters(arity = "0..*", paramLabel = "PATH", description = "fixture files or folders (*.json below a folder)")
  List<String> pathArgs = new ArrayList<>();

  @Option(names = "--impl", paramLabel = "NAME", defaultValue = JavaImplementation.NAME,
      description = "the implementation to check, by name (default: ${DEFAULT-VALUE}, this project's kernels);"
          + " any on the class path (-cp loss-conformance.jar:their.jar) is found, see --list-impls")
  String impl;

  @Option(names = "--list-impls", description = "list the implementations on the class path and exit")
  boolean listImpls;

  @Option(names = "--deviations", paramLabel = "FILE",
      description = "known deviations: lines 'PATTERN REASON'; a failing case a pattern matches is reported as a"
          + " deviation with the reason instead of failing")
  Path deviations;

  @Option(names = "--derived-mean", description = "also check each reduction=\"none\" golden of an element-wise or"
      + " row-wise loss as one mean case per element or row (for implementations that only compute a mean)")
  boolean derivedMean;

  @Option(names = "--junit-xml", paramLabel = "FILE",
      description = "also write the results in the JUnit XML format CI test reporters read (one testcase per case)")
  Path junitXml;

  @Option(names = "--json", paramLabel = "SUMMARY.json", description = "also write the results as JSON")
  Path json;

  @Option(names = "--strict", description = "a case the Java side does not support fails the run")
  boolean strict;

  @Option(names = {"-v", "--verbose"}, description = "print the full failure message of each failing case")
  boolean verbose;

  @Option(names = "--measure", description = "print the largest error per engine, api, output and dtype")
  boolean measure;

  @Option(names = "--report", paramLabel = "DIR",
      description = "also write an HTML report: DIR/index.html, DIR/summary.json (as --json), DIR/summary.md")
  Path report;

  @Option(names = "--engine-version", paramLabel = "ENGINE=VERSION",
      description = "check against another engine version's goldens (fixtures/drift.json lists them, e.g. torch=2.4.0"
          + " or tensorflow=2.18.0); the Java kernels keep the primary version's semantics, and the cases whose"
          + " outcome differs on that version are listed (and marked in the report); repeatable, one per engine")
  List<String> engineVersions = new ArrayList<>();

  @Option(names = "--timestamp", description = "with --report: print the generation time in index.html "
      + "(without it the report is byte-identical for the same inputs)")
  boolean timestamp;

  private LossImplementation implementation;
  private Deviations known = Deviations.none();

  /** {@code --list-impls}: name and description of each implementation found, one per line. */
  private static int listImplementations(PrintWriter out, PrintWriter err, ClassLoader loader) {
    List<LossImplementation> all;
    try {
      all = Implementations.all(loader);
    } catch (Implementations.LookupException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    int width = all.stream().mapToInt(i -> i.name().length()).max().orElse(0);
    for (LossImplementation i : all) {
      String description;
      try {
        description = i.description();
      } catch (RuntimeException e) {
        description = "(description() threw " + e + ")";
      }
      out.println(String.format(Locale.ROOT, "%-" + width + "s  %s", i.name(), description));
    }
    out.flush();
    return 0;
  }

  /** What the run is doing, for a message when the JVM gives out: "reading fixtures/", "checking torch | id". */
  private String doing = "starting";
  private boolean reading;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (listImpls) {
      return listImplementations(out, err, loader);
    }
    if (pathArgs.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "Missing required parameter: 'PATH' (fixture files or folders; or --list-impls)");
    }
    List<Path> paths = new ArrayList<>(pathArgs.size());
    for (int i = 0; i < pathArgs.size(); i++) {
      try {
        paths.add(new PathConverter().convert(pathArgs.get(i)));
      } catch (picocli.CommandLine.TypeConversionException e) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "Invalid value for positional parameter PATH" + (pathArgs.size() > 1 ? " #" + (i + 1) : "") + ": "
            + e.getMessage());
      }
    }
    // the outputs before a run that can take minutes: a path that cannot be written is bad usage
    String bad = json == null ? null : Problems.unwritable(json, false);
    if (bad != null) {
      err.println("error: cannot write --json " + json + ": " + bad);
      return 2;
    }
    bad = report == null ? null : Problems.unwritable(report, true);
    if (bad != null) {
      err.println("error: cannot write --report " + report + ": " + bad);
      return 2;
    }
    bad = junitXml == null ? null : Problems.unwritable(junitXml, false);
    if (bad != null) {
      err.println("error: cannot write --junit-xml " + junitXml + ": " + bad);
      return 2;
    }
    try {
      implementation = Implementations.named(impl, loader);
    } catch (Implementations.LookupException e) {
      err.println("error: --impl " + impl + ": " + e.getMessage());
      return 2;
    }
    if (deviations != null) {
      try {
        known = Deviations.read(deviations);
      } catch (Deviations.FormatException e) {
        err.println("error: --deviations: " + e.getMessage());
        return 2;
      } catch (IOException e) {
        err.println("error: --deviations " + deviations + ": cannot read: " + Problems.describe(e));
        return 2;
      }
    }
    // the memory and stack the run held are unreachable once check() has returned or thrown
    try {
      return check(paths, out, err);
    } catch (OutOfMemoryError e) {
      out.flush();
      err.println("error: " + Problems.outOfMemory(doing, e));
      return 2;
    } catch (StackOverflowError e) {
      out.flush();
      err.println("error: " + Problems.stackOverflow(doing, reading));
      return 2;
    } catch (RuntimeException | Error e) {
      // a bug, not the input's fault: still exit 2 ("could not run") with what was being done
      out.flush();
      err.println("error: " + doing + ": unexpected " + e + " (a bug in loss-conformance; please report it with"
          + " the command line)");
      return 2;
    }
  }

  private int check(List<Path> paths, PrintWriter out, PrintWriter err) {
    List<FixtureFile> files = new ArrayList<>();
    List<FixtureCase> cases = new ArrayList<>();
    reading = true;
    for (Path p : paths) {
      doing = "reading " + p;
      try {
        for (FixtureFile f : FixtureReader.readAll(p)) {
          files.add(f);
          cases.addAll(f.cases());
        }
      } catch (FixtureFormatException e) {
        err.println("error: " + Problems.withMemoryAdvice(e));
        return 2;
      } catch (java.io.UncheckedIOException e) {
        // a folder walk that met an entry it may not read
        err.println("error: " + p + ": cannot read: " + Problems.describe(e.getCause()));
        return 2;
      }
    }
    reading = false;
    EngineVersions.Selection drift = null;
    if (!engineVersions.isEmpty()) {
      doing = "reading the goldens of --engine-version " + String.join(", ", engineVersions);
      try {
        drift = EngineVersions.choose(paths, engineVersions, files);
      } catch (EngineVersions.Problem e) {
        err.println("error: " + e.getMessage());
        return 2;
      } catch (FixtureFormatException e) {
        err.println("error: " + Problems.withMemoryAdvice(e));
        return 2;
      }
      cases.clear();
      files.forEach(f -> cases.addAll(f.cases()));
      for (Map.Entry<String, String> c : drift.chosen().entrySet()) {
        long n = drift.replaced().stream().filter(k -> k.startsWith(c.getKey() + "|")).count();
        java.util.Set<String> replaced = drift.replaced();
        long m = drift.changed().keySet().stream().filter(k -> k.startsWith(c.getKey() + "|")
            && replaced.contains(k)).count();
        out.println("goldens: " + c.getKey() + " " + c.getValue() + " (" + n + " cases from "
            + drift.folder().relativize(drift.folder().resolve("versions").resolve(Drift.overlayName(c.getKey(), c.getValue())))
            + ", " + m + " of them beyond the gate's tolerance of the primary " + drift.index().primary().get(c.getKey())
            + ", whose semantics the Java kernels keep)");
      }
    }
    if (cases.isEmpty()) {
      err.println("error: no fixture case found under " + paths);
      return 2;
    }
    // the report needs every case's outputs; without one they are dropped case by case
    int[] malformed = {0};
    CheckRun run = CheckRun.of(files, new CheckRun.Options(implementation, known, derivedMean, report != null), e -> {
      FixtureCase c = e.fixture();
      CaseResult r = e.result();
      if (r.status() == Status.ERROR) {
        // a malformed case: named as a reader error is, file, case and JSON path; exit 2 at the end
        malformed[0]++;
        err.println("error: " + c.file() + ": case " + c.id() + ", " + jsonPath(files, c) + "." + r.message());
      }
      boolean bad = r.status() == Status.FAILED || (strict && r.status() == Status.UNSUPPORTED);
      if (bad || (verbose && r.status() == Status.DEVIATION)) {
        String text = verbose ? (r.message() == null ? "" : r.message().strip()) : firstLine(r.message());
        out.println(r.status().name() + " " + c.displayName() + (text.isEmpty() ? "" : ": " + text));
      }
      if (e.deviationFixed()) {
        out.println("FIXED " + c.displayName() + ": listed as a known deviation (" + e.deviation().where()
            + ") but passes; remove the line");
      }
    }, c -> doing = "checking " + c.displayName() + " with " + implementation.name());
    List<CaseResult> results = run.results();
    if (drift != null) {
      for (CheckRun.Entry e : run.entries()) {
        EngineVersions.ChangedCase ch = drift.changed().get(e.fixture().engine() + "|" + e.fixture().id());
        if (ch != null) {
          out.println("VERSION " + e.fixture().displayName() + ": " + e.result().status().jsonName() + " against "
              + e.fixture().engine() + " " + drift.chosen().get(e.fixture().engine()) + ", whose outcome differs from the"
              + " primary's: " + ch.reason());
        }
      }
    }
    for (Deviations.Entry d : run.unusedDeviations()) {
      err.println("note: known deviation " + d.where() + " (" + d.pattern() + ") matches no case of this run");
    }
    doing = "summing up the results";
    Summary summary = run.summary();
    if (measure) {
      doing = "computing --measure";
      printMeasure(out, results);
    }
    summary.reasons(Status.UNSUPPORTED).forEach((why, n) -> out.println("unsupported by " + implementation.name()
        + ": " + n + " case" + (n == 1 ? "" : "s") + ": " + why));
    out.println(summary.line() + (implementation.name().equals(JavaImplementation.NAME) ? ""
        : " (" + implementation.name() + ")"));
    out.flush();
    if (json != null) {
      doing = "writing --json " + json;
      try {
        AtomicFiles.writeString(json, summary.toJson());
      } catch (IOException e) {
        err.println("error: cannot write --json " + json + ": " + Problems.describe(e));
        return 2;
      }
    }
    if (junitXml != null) {
      doing = "writing --junit-xml " + junitXml;
      try {
        AtomicFiles.writeString(junitXml, JUnitXml.of(run));
      } catch (IOException e) {
        err.println("error: cannot write --junit-xml " + junitXml + ": " + Problems.describe(e));
        return 2;
      }
    }
    if (report != null) {
      doing = "writing --report " + report;
      try {
        new ConformanceReport(paths, run, strict, timestamp ? Instant.now() : null, drift).writeTo(report,
            m -> err.println("note: " + m));
      } catch (IOException e) {
        err.println("error: cannot write --report " + report + ": " + Problems.describe(e));
        return 2;
      } catch (RuntimeException e) {
        err.println("error: cannot write --report " + report + ": " + e);
        return 2;
      }
    }
    if (malformed[0] > 0) {
      err.println("error: " + malformed[0] + " malformed case" + (malformed[0] > 1 ? "s" : "") + " (above); the other cases"
          + " were checked");
      return 2;
    }
    boolean failed = summary.count(Status.FAILED) > 0
        || (strict && (summary.count(Status.UNSUPPORTED) > 0 || !run.fixedDeviations().isEmpty()));
    if (!failed && summary.count(Status.PASSED) == 0) {
      // a gate that compared nothing never passes
      err.println("error: no case under " + paths + " could be compared (" + summary.line() + ")");
      return 2;
    }
    return failed ? 1 : 0;
  }

  /** {@code $.cases[i]}: where {@code c} is in its file. */
  private static String jsonPath(List<FixtureFile> files, FixtureCase c) {
    for (FixtureFile f : files) {
      int i = f.cases().indexOf(c);
      if (i >= 0) {
        return "$.cases[" + i + "]";
      }
    }
    return "$.cases[?]";
  }



  /**
   * What a failing case prints without {@code -v}: the first line of its message that is not blank,
   * whole (the line that says where and by how much); "" for no message.
   */
  static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    return message.lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
  }

  /** Largest distances per group, to set {@link Tolerances} from measurement. */
  private static void printMeasure(PrintWriter out, List<CaseResult> results) {
    Map<String, double[]> groups = new TreeMap<>();
    for (CaseResult r : results) {
      for (CaseResult.OutputDiff d : r.diffs()) {
        String key = r.engine() + " " + r.api() + " " + d.output() + " " + d.dtype();
        double[] g = groups.computeIfAbsent(key, k -> new double[4]);
        g[0]++;
        g[1] = Math.max(g[1], d.maxUlp() == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : d.maxUlp());
        g[2] = Math.max(g[2], d.maxAbs());
        g[3] = Math.max(g[3], d.scaledBeyondUlps());
      }
    }
    out.printf(Locale.ROOT, "%-95s %5s %10s %12s %14s %s%n", "engine api output dtype", "cases", "max ulp",
        "max abs", "scaled beyond", "allowed");
    groups.forEach((k, g) -> {
      String[] p = k.split(" ");
      out.printf(Locale.ROOT, "%-95s %5d %10.0f %12.3g %14.2f %s%n", k, (long) g[0], g[1], g[2], g[3],
          Tolerances.of(p[1], p[2], dev.lossconformance.tensor.DType.fromJsonName(p[3])));
    });
  }
}
