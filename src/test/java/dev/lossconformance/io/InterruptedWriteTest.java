package dev.lossconformance.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lossconformance.cli.Main;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.fixture.FixtureWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills real JVMs that write a fixture file or a report folder in a loop (SIGKILL at seeded random
 * moments) and checks that every file is then either its previous or its new complete version, parsed
 * back in full. {@code -Dkill.iterations=N} (default 3 kills per test) and {@code -Dkill.seed=S} for a
 * longer stress run: {@code mvn -B test-compile surefire:test -Dtest=InterruptedWriteTest -Dkill.iterations=500}.
 */
class InterruptedWriteTest {
  private static final int ITERATIONS = Integer.getInteger("kill.iterations", 3);
  private static final long SEED = Long.getLong("kill.seed", 16);
  private static final Path SOURCE = Path.of(System.getProperty("conformance.fixtures", "fixtures"), "torch",
      "nll_loss.json");

  private static final Path SMALL = SOURCE.resolveSibling("hinge_embedding_loss.json");

  @TempDir
  Path dir;

  /**
   * Waits until {@code child} has completed one loop (two "writing" lines, timed) and then for a random
   * fraction of that loop's duration, so that the kill lands anywhere in a loop (render, write, fsync,
   * rename) whatever this machine's speed; returns the delay in microseconds.
   */
  private static long awaitKillMoment(ChildProcess child, Random random) throws IOException {
    child.await("ready");
    child.await("writing");
    long t = System.nanoTime();
    child.await("writing");
    long delay = (long) (random.nextDouble() * (System.nanoTime() - t));
    java.util.concurrent.locks.LockSupport.parkNanos(delay);
    return delay / 1000;
  }

  private static List<Path> partials(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(p -> AtomicFiles.targetOf(p) != null).toList();
    }
  }

  @Test
  void aKilledFixtureWriteLeavesTheOldOrTheNewFile() throws Exception {
    // a small fixture with an 8 MB provenance: the write itself, not the rendering of numbers, is most
    // of each loop, so many kills land mid-write, where a file written in place would be truncated
    FixtureFile read = FixtureReader.read(SMALL);
    FixtureFile a = new FixtureFile(read.source(), "x".repeat(8 << 20), read.cases());
    List<FixtureCase> reversed = new java.util.ArrayList<>(a.cases());
    java.util.Collections.reverse(reversed);
    FixtureFile b = new FixtureFile(a.source() + " (rewritten)", a.provenance(), reversed);
    Path in = Files.createDirectories(dir.resolve("in"));
    FixtureWriter.write(a, in.resolve("a.json"));
    FixtureWriter.write(b, in.resolve("b.json"));
    byte[][] versions = {FixtureWriter.toJson(a).getBytes(StandardCharsets.UTF_8),
        FixtureWriter.toJson(b).getBytes(StandardCharsets.UTF_8)};
    Path target = dir.resolve("out/torch/nll_loss.json");
    Random random = new Random(SEED);
    long t0 = System.nanoTime();
    int midWrite = 0;
    for (int i = 0; i < ITERATIONS; i++) {
      long delay;
      try (ChildProcess child = ChildProcess.start(WriterChild.class, "fixture", target.toString(),
          in.resolve("a.json").toString(), in.resolve("b.json").toString())) {
        delay = awaitKillMoment(child, random);
        if (!child.process.isAlive()) {
          fail("the writer ended before it was killed: exit " + child.process.exitValue() + "\n" + child.stderr());
        }
        child.kill();
      }
      String when = "kill " + (i + 1) + " (seed " + SEED + ", " + delay + " us into a loop): ";
      if (!Files.exists(target)) {
        continue; // killed before the first write finished: nothing, not a partial file
      }
      byte[] now = Files.readAllBytes(target);
      int version = Arrays.equals(now, versions[0]) ? 0 : Arrays.equals(now, versions[1]) ? 1 : -1;
      assertTrue(version >= 0, when + target + " is neither complete version (" + now.length + " bytes of "
          + versions[0].length + ")");
      FixtureFile back = FixtureReader.read(target);
      List<FixtureCase> expected = (version == 0 ? a : b).cases();
      assertEquals(expected.size(), back.cases().size(), when);
      assertEquals(expected.get(expected.size() - 1).id(), back.cases().get(back.cases().size() - 1).id(), when);
      midWrite += partials(target.getParent()).size();
      AtomicFiles.removeStale(target.getParent());
    }
    System.out.printf("kill test, fixture: %d kills in %.1f s, %d mid-write (a temporary file left), every file"
        + " complete%n", ITERATIONS, (System.nanoTime() - t0) / 1e9, midWrite);
  }

  @Test
  void aKilledReportWriteLeavesEachFileOldOrNewAndSummaryJsonLast() throws Exception {
    // three versions of the input, so that each report's files are told apart, and their reports
    FixtureFile full = FixtureReader.read(SMALL); // a small report: a quick loop, more kills per second
    List<FixtureCase> cases = full.cases();
    List<FixtureFile> inputs = List.of(full,
        new FixtureFile(full.source(), full.provenance(), cases.subList(0, cases.size() / 2)),
        new FixtureFile(full.source(), full.provenance(), cases.subList(1, cases.size())));
    Path in = Files.createDirectories(dir.resolve("in"));
    Path refs = dir.resolve("refs");
    String[] files = {"index.html", "summary.md", "summary.json"};
    byte[][][] ref = new byte[3][3][];
    String[] args = new String[3 + inputs.size()];
    PrintWriter sink = new PrintWriter(new StringWriter());
    for (int k = 0; k < inputs.size(); k++) {
      Path input = in.resolve("torch/v" + k + ".json");
      FixtureWriter.write(inputs.get(k), input);
      args[3 + k] = input.toString();
      assertEquals(0, Main.run(sink, sink, "check", "--report", refs.resolve(String.valueOf(k)).toString(),
          input.toString()));
      for (int f = 0; f < files.length; f++) {
        ref[k][f] = Files.readAllBytes(refs.resolve(String.valueOf(k)).resolve(files[f]));
      }
    }
    Path report = dir.resolve("report");
    args[0] = "report";
    args[1] = report.toString();
    args[2] = refs.toString();
    Random random = new Random(SEED + 1);
    ObjectMapper json = new ObjectMapper();
    long t0 = System.nanoTime();
    int midWrite = 0;
    int[] seen = new int[3];
    for (int i = 0; i < ITERATIONS; i++) {
      long delay;
      try (ChildProcess child = ChildProcess.start(WriterChild.class, args)) {
        delay = awaitKillMoment(child, random);
        if (!child.process.isAlive()) {
          fail("the writer ended before it was killed: exit " + child.process.exitValue() + "\n" + child.stderr());
        }
        child.kill();
      }
      String when = "kill " + (i + 1) + " (seed " + (SEED + 1) + ", " + delay + " us into a loop): ";
      // summary.json: absent (before the first run's last move) or one version, complete
      int j = -1;
      Path summary = report.resolve("summary.json");
      if (Files.exists(summary)) {
        byte[] now = Files.readAllBytes(summary);
        json.readTree(now); // parses in full
        for (int k = 0; k < 3; k++) {
          j = Arrays.equals(now, ref[k][2]) ? k : j;
        }
        assertTrue(j >= 0, when + "summary.json is no complete version (" + now.length + " bytes)");
      }
      int next = (j + 1) % 3;
      // index.html and summary.md: the version summary.json holds, or the next one (moved in before it)
      int[] version = new int[2];
      for (int f = 0; f < 2; f++) {
        Path p = report.resolve(files[f]);
        version[f] = -1;
        if (Files.exists(p)) {
          byte[] now = Files.readAllBytes(p);
          version[f] = Arrays.equals(now, ref[next][f]) ? next : j >= 0 && Arrays.equals(now, ref[j][f]) ? j : -2;
          assertTrue(version[f] != -2, when + files[f] + " is neither the version of summary.json (" + j
              + ") nor the next (" + next + "): " + now.length + " bytes");
          if (f == 0) {
            assertTrue(new String(now, StandardCharsets.UTF_8).strip().endsWith("</html>"), when + "index.html");
          }
        } else {
          assertEquals(-1, j, when + files[f] + " is missing but summary.json is there");
        }
      }
      // moved in the order index.html, summary.md, summary.json
      if (version[1] == next) {
        assertEquals(next, version[0], when + "summary.md is new but index.html is not");
      }
      if (j >= 0) {
        seen[j]++;
      }
      midWrite += partials(report).size();
    }
    System.out.printf("kill test, report: %d kills in %.1f s, %d mid-write (a temporary folder left), summary.json"
        + " versions seen %s, every file complete%n", ITERATIONS, (System.nanoTime() - t0) / 1e9, midWrite,
        Arrays.toString(seen));
  }
}
