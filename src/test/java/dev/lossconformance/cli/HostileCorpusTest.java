package dev.lossconformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile fixture corpus ({@code src/test/resources/hostile/}, listed in its README): each file is
 * named {@code exit<N>-<what it probes>.json} and must give exit N from {@code check}, with no stack
 * trace, naming the file; malformed files (exit 2) also name the JSON path.
 */
class HostileCorpusTest {
  static final Path CORPUS = Path.of("src/test/resources/hostile");

  @TempDir
  Path tmp;

  static CliRun check(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "check";
    System.arraycopy(args, 0, all, 1, args.length);
    return CliRun.of(all);
  }

  static List<Path> corpus() throws Exception {
    try (Stream<Path> s = Files.list(CORPUS)) {
      return s.filter(p -> p.getFileName().toString().matches("exit[0-2]-.*\\.json")).sorted().toList();
    }
  }

  @TestFactory
  Stream<DynamicTest> eachFileGivesItsExitCode() throws Exception {
    List<Path> files = corpus();
    assertTrue(files.size() >= 13, "corpus has " + files.size() + " files");
    return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
      int expected = f.getFileName().toString().charAt(4) - '0';
      CliRun o = check(f.toString());
      String all = o.out() + o.err();
      assertEquals(expected, o.exit(), all);
      assertFalse(all.contains("\tat "), all);
      if (expected == 2) {
        assertTrue(o.err().contains(f.getFileName().toString()), "names the file: " + o.err());
        assertTrue(o.err().contains("$."), "names the JSON path: " + o.err());
      } else if (expected == 1) {
        assertTrue(o.out().contains("FAILED "), all);
      }
    }));
  }

  @Test
  void aSymlinkedFolderAndASymlinkedPathAreFollowed() throws Exception {
    Path real = tmp.resolve("real");
    Files.createDirectories(real);
    Files.copy(CORPUS.resolve("exit1-per-element-loss-50x.json"), real.resolve("case.json"));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
    assertEquals(1, check(link.toString()).exit(), "a PATH that is a symlink to a folder");
    Path outer = tmp.resolve("outer");
    Files.createDirectories(outer);
    Files.createSymbolicLink(outer.resolve("inner"), real);
    CliRun o = check(outer.toString());
    assertEquals(1, o.exit(), "a symlinked folder below a PATH: " + o.out() + o.err());
  }

  @Test
  void theGatesOwnSummaryInACheckedFolderIsPassedOver() throws Exception {
    Path dir = tmp.resolve("run");
    Files.createDirectories(dir);
    Path fixture = Path.of(System.getProperty("conformance.fixtures", "fixtures")).resolve("torch/nll_loss.json");
    Files.copy(fixture, dir.resolve("nll_loss.json"));
    assertEquals(0, check("--json", dir.resolve("summary.json").toString(), dir.toString()).exit());
    CliRun again = check(dir.toString());
    assertEquals(0, again.exit(), again.out() + again.err());
  }
}
