package dev.lossconformance.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.cli.Main;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.fixture.FixtureWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report folder as a set: {@code summary.json} renamed last, and two {@code check --report} processes
 * into one folder, where the lock makes the result one run's output.
 */
class ReportLockTest {
  private static final Path SOURCE = Path.of(System.getProperty("conformance.fixtures", "fixtures"), "torch",
      "nll_loss.json");
  private static final String[] FILES = {"index.html", "summary.md", "summary.json"};

  @TempDir
  Path dir;

  private Path[] inputs() throws Exception {
    FixtureFile full = FixtureReader.read(SOURCE);
    List<FixtureCase> cases = full.cases();
    Path a = dir.resolve("in/torch/a.json");
    Path b = dir.resolve("in/torch/b.json");
    FixtureWriter.write(full, a);
    FixtureWriter.write(new FixtureFile(full.source(), full.provenance(), cases.subList(0, cases.size() / 2)), b);
    return new Path[] {a, b};
  }

  private static byte[][] read(Path report) throws Exception {
    byte[][] r = new byte[FILES.length][];
    for (int f = 0; f < FILES.length; f++) {
      r[f] = Files.readAllBytes(report.resolve(FILES[f]));
    }
    return r;
  }

  @Test
  void aRunWaitsWhileAnotherHoldsTheFolderAndSaysSo() throws Exception {
    Path[] in = inputs();
    Path report = Files.createDirectories(dir.resolve("report"));
    try (ChildProcess holder = ChildProcess.start(WriterChild.class, "lock", report.toString())) {
      holder.await("locked");
      try (ChildProcess check = ChildProcess.start(Main.class, "check", "--report", report.toString(),
          in[0].toString())) {
        // the check itself takes about a second; then it waits for the lock
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!check.stderr().contains("waiting for another run") && check.process.isAlive()
            && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        String err = check.stderr();
        assertTrue(err.contains("note: waiting for another run writing into " + report + " to finish (it holds "
            + report.resolve(".lock") + ")"), err);
        Thread.sleep(300);
        assertTrue(check.process.isAlive(), "finished while the folder was locked: " + check.stderr());
        assertFalse(Files.exists(report.resolve("index.html")), "wrote into the locked folder");
        holder.process.getOutputStream().close(); // the holder releases the lock and ends
        assertEquals(0, check.waitFor(), check.stderr());
      }
    }
    Path ref = dir.resolve("ref");
    PrintWriter sink = new PrintWriter(new StringWriter());
    assertEquals(0, Main.run(sink, sink, "check", "--report", ref.toString(), in[0].toString()));
    byte[][] got = read(report);
    byte[][] want = read(ref);
    for (int f = 0; f < FILES.length; f++) {
      assertArrayEquals(want[f], got[f], FILES[f]);
    }
  }

  @Test
  void summaryJsonIsRenamedLast() throws Exception {
    // summary.md cannot be replaced (a non-empty folder in its place): the rename before it (index.html)
    // has happened, the one after it (summary.json) has not
    Path[] in = inputs();
    Path report = dir.resolve("report");
    PrintWriter sink = new PrintWriter(new StringWriter());
    assertEquals(0, Main.run(sink, sink, "check", "--report", report.toString(), in[1].toString()));
    byte[][] old = read(report);
    Files.delete(report.resolve("summary.md"));
    Files.createDirectories(report.resolve("summary.md/x"));
    StringWriter err = new StringWriter();
    assertEquals(2, Main.run(sink, new PrintWriter(err, true), "check", "--report", report.toString(),
        in[0].toString()));
    assertTrue(err.toString().startsWith("error: cannot write --report " + report + ": "
        + report.resolve("summary.md") + ": "), err.toString());
    Path ref = dir.resolve("ref");
    assertEquals(0, Main.run(sink, sink, "check", "--report", ref.toString(), in[0].toString()));
    assertArrayEquals(Files.readAllBytes(ref.resolve("index.html")), Files.readAllBytes(report.resolve("index.html")));
    assertArrayEquals(old[2], Files.readAllBytes(report.resolve("summary.json")));
  }

  @Test
  void twoRunsAtOnceLeaveOneRunsCompleteOutput() throws Exception {
    Path[] in = inputs();
    PrintWriter sink = new PrintWriter(new StringWriter());
    byte[][][] ref = new byte[2][][];
    for (int k = 0; k < 2; k++) {
      Path r = dir.resolve("ref" + k);
      assertEquals(0, Main.run(sink, sink, "check", "--report", r.toString(), in[k].toString()));
      ref[k] = read(r);
    }
    for (int round = 0; round < 2; round++) {
      Path report = dir.resolve("report" + round);
      try (ChildProcess a = ChildProcess.start(Main.class, "check", "--report", report.toString(), in[0].toString());
          ChildProcess b = ChildProcess.start(Main.class, "check", "--report", report.toString(), in[1].toString())) {
        assertEquals(0, a.waitFor(), a.stderr());
        assertEquals(0, b.waitFor(), b.stderr());
      }
      byte[][] got = read(report);
      int k = Arrays.equals(got[2], ref[0][2]) ? 0 : 1;
      for (int f = 0; f < FILES.length; f++) {
        assertArrayEquals(ref[k][f], got[f], "round " + round + ": " + FILES[f] + " is not from the run whose"
            + " summary.json is there");
      }
    }
  }
}
