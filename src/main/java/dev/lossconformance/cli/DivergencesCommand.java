package dev.lossconformance.cli;

import dev.lossconformance.check.Divergences;
import dev.lossconformance.engine.Engines;
import dev.lossconformance.fixture.FixtureFormatException;
import dev.lossconformance.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code divergences}: writes the PyTorch-vs-TensorFlow map of the catalog's paired cases. */
@Command(
    name = "divergences",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Pairs the torch and tensorflow goldens of every catalog case both run and writes whether they agree.")
final class DivergencesCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1", paramLabel = "FIXTURES", description = "the fixtures folder (holding torch/ and tensorflow/)")
  Path fixtures;

  @Option(names = "--out", paramLabel = "FILE", description = "where to write (default: FIXTURES/divergences.json)")
  Path out;

  @Override
  public Integer call() {
    if (!Files.isDirectory(fixtures)) {
      spec.commandLine().getErr().println("error: " + fixtures + ": " + (Files.exists(fixtures) ? "not a folder"
          : "no such folder") + "; FIXTURES is the folder holding " + String.join(" and ",
          Engines.all().stream().map(e -> e.folder() + "/").toList()));
      return 2;
    }
    Path file = out != null ? out : fixtures.resolve("divergences.json");
    try {
      List<Divergences.Pair> pairs = Divergences.pairs(fixtures);
      if (pairs.isEmpty()) {
        // nothing to pair is a wrong folder, not an empty map to write over the committed one
        spec.commandLine().getErr().println("error: no catalog case has goldens in both "
            + fixtures.resolve(Engines.reference().folder()) + " and " + String.join(", ", Engines.counterparts().stream()
                .map(e -> fixtures.resolve(e.folder()).toString()).toList()) + "; nothing written");
        return 2;
      }
      AtomicFiles.writeString(file, Divergences.toJson(pairs));
      long differ = pairs.stream().filter(p -> !p.agree()).count();
      long unexplained = pairs.stream().filter(p -> !p.agree() && p.reason() == null).count();
      spec.commandLine().getOut().println("wrote " + file + ": " + pairs.size() + " paired cases, " + differ
          + " differ (" + unexplained + " without a catalog reason)");
      pairs.stream().filter(p -> !p.agree() && p.reason() == null)
          .forEach(p -> spec.commandLine().getOut().println("  unexplained: " + p.id() + ": " + p.difference()));
      pairs.stream().filter(p -> Boolean.FALSE.equals(p.gradAgree()) && p.reason() == null)
          .forEach(p -> spec.commandLine().getOut().println("  unexplained gradient difference: " + p.id()));
      return 0;
    } catch (FixtureFormatException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      spec.commandLine().getErr().println("error: cannot write " + file + ": " + Problems.describe(e));
      return 2;
    }
  }
}
