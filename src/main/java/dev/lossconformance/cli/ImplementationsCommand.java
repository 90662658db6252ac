package dev.lossconformance.cli;

import dev.lossconformance.impl.AdapterConfig;
import dev.lossconformance.impl.IsolatedRun;
import dev.lossconformance.io.AtomicFiles;
import dev.lossconformance.report.ImplementationsOverview;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code implementations}: every adapter under a folder checked in a JVM of its own, each writing its
 * report, then the overview matrix. A crash, a hang past the adapter's time limit or an out-of-memory
 * error is that implementation's error, with its exit status; the run goes on with the next.
 */
@Command(
    name = "implementations",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
        "Checks every implementation adapter below DIR (folders with impl.properties, built with mvn package) against"
            + " the fixtures, each in its own JVM, and writes OUT/<name>/ (index.html, summary.json, summary.md)"
            + " and the overview OUT/index.html and OUT/summary.md.",
        "Exit status: 0 every implementation's check ran to its verdict (its failures are findings, in the"
            + " reports); 2 one crashed, hung past its timeout-seconds, ran out of memory, was not built or has a"
            + " bad impl.properties (the others still ran), or bad usage."})
final class ImplementationsCommand implements Callable<Integer> {

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "the folder holding the adapters (implementations/)")
  Path root;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "FIXTURES", description = "fixture files or folders")
  List<Path> fixtures;

  @Option(names = "--out", paramLabel = "OUT", required = true, description = "where the reports go")
  Path out;

  @Option(names = "--only", paramLabel = "NAME", description = "run only this implementation (repeatable)")
  List<String> only = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.isDirectory(root)) {
      err.println("error: DIR " + root + " is not a folder");
      return 2;
    }
    List<Path> folders = AdapterConfig.folders(root);
    if (folders.isEmpty()) {
      err.println("error: no adapter below " + root + " (a folder with " + AdapterConfig.FILE + ")");
      return 2;
    }
    // the gate's own class path: the jar this runs from (java -jar), or the build's classes in tests
    List<String> gate = List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator));
    List<ImplementationsOverview.Row> rows = new ArrayList<>();
    int errors = 0;
    int ran = 0;
    for (Path folder : folders) {
      AdapterConfig cfg;
      try {
        cfg = AdapterConfig.read(folder);
      } catch (AdapterConfig.ConfigException e) {
        err.println("error: " + e.getMessage());
        rows.add(ImplementationsOverview.failedRun(folder.getFileName().toString(), "", folder.getFileName().toString(),
            e.getMessage()));
        errors++;
        continue;
      }
      if (!only.isEmpty() && !only.contains(cfg.name())) {
        continue;
      }
      ran++;
      Path dir = out.resolve(cfg.name());
      o.println("== " + cfg.name() + " (" + folder + ", time limit " + cfg.timeoutSeconds() + " s)");
      o.flush();
      List<String> cp = new ArrayList<>(gate);
      try {
        cp.addAll(cfg.classPath());
      } catch (AdapterConfig.ConfigException e) {
        err.println("error: " + cfg.name() + ": " + e.getMessage());
        rows.add(failure(cfg, dir, e.getMessage()));
        errors++;
        continue;
      }
      List<String> args = new ArrayList<>(List.of("check", "--impl", cfg.name(), "--report", dir.toString()));
      if (cfg.derivedMean()) {
        args.add("--derived-mean");
      }
      if (cfg.deviations() != null) {
        args.add("--deviations");
        args.add(cfg.deviations().toString());
      }
      fixtures.forEach(f -> args.add(f.toString()));
      IsolatedRun.Outcome r;
      try {
        r = IsolatedRun.run(cp, cfg.maxHeap(), args, cfg.timeoutSeconds(), Path.of("").toAbsolutePath());
      } catch (IOException e) {
        String problem = "could not start its JVM: " + Problems.describe(e);
        err.println("error: " + cfg.name() + ": " + problem);
        rows.add(failure(cfg, dir, problem));
        errors++;
        continue;
      }
      if (!r.completed()) {
        String problem = r.problem(cfg.timeoutSeconds());
        err.println("error: " + cfg.name() + ": " + problem);
        rows.add(failure(cfg, dir, problem));
        errors++;
        continue;
      }
      String last = r.output().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("");
      o.println("   " + last + " (exit " + r.exit() + ", " + IsolatedRun.seconds(r.seconds()) + ")");
      o.flush();
      rows.add(ImplementationsOverview.completed(cfg.name(), cfg.description(), cfg.name(), dir.resolve("summary.json")));
    }
    if (ran == 0 && errors == 0) {
      err.println("error: --only " + only + " matches no adapter below " + root);
      return 2;
    }
    ImplementationsOverview overview = ImplementationsOverview.of(rows);
    LinkedHashMap<String, String> files = new LinkedHashMap<>();
    files.put("index.html", overview.html());
    files.put("summary.md", overview.markdown());
    try {
      AtomicFiles.writeAll(out, files, m -> err.println("note: " + m));
    } catch (IOException e) {
      err.println("error: cannot write " + out + ": " + Problems.describe(e));
      return 2;
    }
    o.println("wrote " + out.resolve("index.html") + (errors > 0 ? "; " + errors + " implementation"
        + (errors > 1 ? "s" : "") + " did not complete (above)" : ""));
    return errors > 0 ? 2 : 0;
  }

  /**
   * The row of a run that did not complete; its folder gets a page saying so, replacing a report of an
   * earlier run that would otherwise pass for this one's.
   */
  private static ImplementationsOverview.Row failure(AdapterConfig cfg, Path dir, String problem) throws IOException {
    LinkedHashMap<String, String> files = ImplementationsOverview.errorReport(cfg.name(), problem);
    AtomicFiles.writeAll(dir, files, m -> { });
    return ImplementationsOverview.failedRun(cfg.name(), cfg.description(), cfg.name(), problem);
  }
}
