package dev.lossconformance.cli;

import dev.lossconformance.check.Deviations;
import dev.lossconformance.check.Drift;
import dev.lossconformance.check.EngineVersions;
import dev.lossconformance.engine.Engine;
import dev.lossconformance.engine.Engines;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureFormatException;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.fixture.FixtureWriter;
import dev.lossconformance.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code drift}: rebuilds {@code fixtures/drift.json} and the versions' overlays from version runs
 * (generator/drift). A listed version without a run on the command line is read back from its committed
 * overlay.
 */
@Command(
    name = "drift",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Compares other engine versions' goldens with the primary goldens (the gate's Checker) and writes"
        + " FIXTURES/drift.json and FIXTURES/versions/<engine>-<version>.goldens.")
final class DriftCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--fixtures", required = true, paramLabel = "DIR", description = "the primary fixtures folder")
  Path fixtures;

  @Option(names = "--versions", required = true, paramLabel = "FILE",
      description = "the versions list (generator/versions/versions.txt): engine, version, build properties per line")
  Path versionsFile;

  @Option(names = "--reasons", paramLabel = "FILE",
      description = "why cases changed, in the known-deviations format (engine:glob reason)")
  Path reasonsFile;

  @Option(names = "--excluded", paramLabel = "DIR",
      description = "per-version exclusions, DIR/<engine>-<version>.txt in the known-deviations format"
          + " (default: the versions file's folder/excluded)")
  Path excludedDir;

  @Parameters(arity = "0..*", paramLabel = "ENGINE=VERSION=DIR",
      description = "a fresh run of a listed version: its fixtures folder (DIR/<engine>/<op>.json)")
  List<String> runs = new ArrayList<>();

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    var out = spec.commandLine().getOut();
    try {
      Map<String, List<String>> listed = EngineVersions.readList(versionsFile);
      Map<String, Path> fresh = new LinkedHashMap<>();
      for (String r : runs) {
        String[] p = r.split("=", 3);
        if (p.length != 3 || !listed.getOrDefault(p[0], List.of()).contains(p[1])) {
          err.println("error: run \"" + r + "\" is not ENGINE=VERSION=DIR of a version in " + versionsFile + " ("
              + EngineVersions.describe(listed) + ")");
          return 2;
        }
        fresh.put(p[0] + " " + p[1], Path.of(p[2]));
      }
      Deviations reasons = reasonsFile == null ? Deviations.none() : Deviations.read(reasonsFile);
      Path exDir = excludedDir != null ? excludedDir
          : versionsFile.toAbsolutePath().getParent().resolve("excluded");
      Map<String, String> primaryVersions = new LinkedHashMap<>();
      Map<String, List<String>> allVersions = new LinkedHashMap<>();
      Map<String, String> sources = new LinkedHashMap<>();
      Map<String, Integer> bits = new LinkedHashMap<>();
      Map<String, String> digests = new LinkedHashMap<>();
      Map<String, Deviations> excluded = new LinkedHashMap<>();
      Map<String, List<Drift.Change>> changes = new LinkedHashMap<>();
      Map<String, FixtureFile> overlays = new LinkedHashMap<>();
      for (Engine engine : Engines.all()) {
        List<String> others = listed.getOrDefault(engine.id(), List.of());
        if (others.isEmpty()) {
          continue;
        }
        List<FixtureFile> primaryFiles = FixtureReader.readAll(fixtures.resolve(engine.folder()));
        List<FixtureCase> primary = new ArrayList<>();
        primaryFiles.forEach(f -> primary.addAll(f.cases()));
        String primaryVersion = EngineVersions.versionOf(primaryFiles.get(0).source());
        String digest = Drift.digest(primaryFiles);
        primaryVersions.put(engine.id(), primaryVersion);
        digests.put(engine.id(), digest);
        sources.put(engine.id() + " " + primaryVersion + " (primary)", primaryFiles.get(0).source());
        Map<String, Drift.VersionRun> byVersion = new LinkedHashMap<>();
        for (String v : others) {
          String label = engine.id() + " " + v;
          Path exFile = exDir.resolve(engine.id() + "-" + v + ".txt");
          Deviations ex = Files.isRegularFile(exFile) ? Deviations.read(exFile) : Deviations.none();
          if (!ex.entries().isEmpty()) {
            excluded.put(label, ex);
          }
          Drift.VersionRun run;
          Path overlayFile = fixtures.resolve("versions").resolve(Drift.overlayName(engine.id(), v));
          if (fresh.containsKey(label)) {
            run = EngineVersions.readRun(engine, v, fresh.get(label).resolve(engine.folder()));
            FixtureFile overlay = Drift.overlay(primary, run, ex);
            overlay = new FixtureFile(overlay.source(), EngineVersions.provenance(digest), overlay.cases());
            overlays.put(label, overlay);
            out.println(label + ": " + run.cases().size() + " cases run, " + overlay.cases().size()
                + " not byte-identical to the primary's (" + overlayFile.getFileName() + ")");
          } else {
            run = EngineVersions.fromOverlay(engine.id(), v, primaryFiles, overlayFile, digest);
            out.println(label + ": not run, read from " + overlayFile);
          }
          byVersion.put(v, run);
          sources.put(label, run.source());
          // excluded cases are not reproducible on that version: not counted, as the overlay leaves them out
          bits.put(label, (int) primary.stream().filter(p -> ex.match(run.cases().get(p.id())) == null
              && !Drift.identical(p, run.cases().get(p.id()))).count());
        }
        List<String> order = new ArrayList<>(others);
        order.add(primaryVersion);
        order.sort(EngineVersions.ORDER);
        allVersions.put(engine.id(), order);
        List<Drift.Change> list = Drift.changes(primary, order, primaryVersion, byVersion, excluded, reasons);
        changes.put(engine.id(), list);
        for (String v : others) {
          long n = list.stream().filter(c -> c.outcomes().stream().anyMatch(o -> o.changed() && o.version().equals(v))).count();
          out.println(engine.id() + " " + v + ": " + n + " cases changed beyond the gate's tolerance");
        }
        long noReason = list.stream().filter(c -> c.reason() == null).count();
        if (noReason > 0) {
          out.println(engine.id() + ": " + noReason + " changed cases without a reason in " + reasonsFile);
        }
      }
      for (Map.Entry<String, FixtureFile> o : overlays.entrySet()) {
        String[] ev = o.getKey().split(" ");
        FixtureWriter.write(o.getValue(), fixtures.resolve("versions").resolve(Drift.overlayName(ev[0], ev[1])));
      }
      Path file = fixtures.resolve("drift.json");
      AtomicFiles.writeString(file, Drift.toJson(primaryVersions, allVersions, sources, bits, digests, excluded, changes));
      out.println("wrote " + file + ": " + changes.values().stream().mapToInt(List::size).sum() + " changed cases");
      return 0;
    } catch (EngineVersions.Problem | FixtureFormatException | Deviations.FormatException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("error: " + Problems.describe(e));
      return 2;
    }
  }
}
