package dev.lossconformance.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.cli.Main;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.fixture.FixtureWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real full disk: a 2 MB tmpfs mounted for the test (needs root; skipped, saying so, where mount is
 * refused), filled to its last pages, then written to. The previous files stay, the CLI exits 2.
 */
class FullDiskTest {
  private static final Path SOURCE = Path.of(System.getProperty("conformance.fixtures", "fixtures"), "torch",
      "nll_loss.json");
  private static Path disk;

  @BeforeAll
  static void mount() throws Exception {
    Path mp = Files.createTempDirectory("full-disk");
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mp.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    boolean ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    if (!ok) {
      Files.deleteIfExists(mp);
    }
    Assumptions.assumeTrue(ok, "cannot mount a tmpfs here (needs root): " + out.strip()
        + "; AtomicFilesTest covers the failing write with an injected ENOSPC");
    disk = mp;
  }

  @AfterAll
  static void unmount() throws Exception {
    if (disk != null) {
      new ProcessBuilder("umount", disk.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
      Files.deleteIfExists(disk);
    }
  }

  @AfterEach
  void empty() throws IOException {
    try (Stream<Path> s = Files.list(disk)) {
      for (Path p : s.toList()) {
        AtomicFiles.deleteTree(p);
      }
    }
  }

  /** Fills the disk but for {@code leave} bytes. */
  private static void fill(long leave) throws IOException {
    long free = Files.getFileStore(disk).getUsableSpace();
    byte[] zeros = new byte[(int) Math.max(0, free - leave)];
    Files.write(disk.resolve("filler"), zeros);
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aFullDiskLeavesThePreviousFixture() throws Exception {
    FixtureFile f = FixtureReader.read(SOURCE);
    Path target = disk.resolve("torch/nll_loss.json");
    FixtureFile small = new FixtureFile(f.source(), f.provenance(), f.cases().subList(0, 2));
    FixtureWriter.write(small, target);
    byte[] before = Files.readAllBytes(target);
    fill(16 << 10);
    IOException e = assertThrows(IOException.class, () -> FixtureWriter.write(f, target));
    assertEquals(target + ": No space left on device; the previous nll_loss.json is left as it was", e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(target));
    assertEquals(List.of("nll_loss.json"), names(target.getParent()));
  }

  @Test
  void checkOnAFullDiskExitsTwoAndLeavesThePreviousReportAndJson() throws Exception {
    FixtureFile full = FixtureReader.read(SOURCE);
    List<FixtureCase> cases = full.cases();
    Path dir = Files.createTempDirectory("full-disk-in");
    try {
      Path older = dir.resolve("torch/older.json");
      FixtureWriter.write(new FixtureFile(full.source(), full.provenance(), cases.subList(0, 10)), older);
      Path report = disk.resolve("report");
      Path json = disk.resolve("summary.json");
      StringWriter err = new StringWriter();
      PrintWriter sink = new PrintWriter(new StringWriter());
      assertEquals(0, Main.run(sink, new PrintWriter(err, true), "check", "--json", json.toString(), "--report",
          report.toString(), older.toString()), err.toString());
      byte[] index = Files.readAllBytes(report.resolve("index.html"));
      byte[] summary = Files.readAllBytes(report.resolve("summary.json"));
      byte[] jsonBefore = Files.readAllBytes(json);
      fill(8 << 10);

      // the report (165 KB of HTML for the whole file) does not fit
      err = new StringWriter();
      int exit = Main.run(sink, new PrintWriter(err, true), "check", "--report", report.toString(), SOURCE.toString());
      assertEquals(2, exit, err.toString());
      assertTrue(err.toString().startsWith("error: cannot write --report " + report + ": " + report.resolve("index.html")
          + ": No space left on device; the previous index.html is left as it was"), err.toString());
      assertArrayEquals(index, Files.readAllBytes(report.resolve("index.html")));
      assertArrayEquals(summary, Files.readAllBytes(report.resolve("summary.json")));
      assertEquals(List.of(".lock", "index.html", "summary.json", "summary.md"), names(report));

      // nor does the --json summary (10 KB)
      err = new StringWriter();
      exit = Main.run(sink, new PrintWriter(err, true), "check", "--json", json.toString(), SOURCE.toString());
      assertEquals(2, exit, err.toString());
      assertEquals("error: cannot write --json " + json + ": " + json + ": No space left on device; the previous"
          + " summary.json is left as it was", err.toString().strip());
      assertArrayEquals(jsonBefore, Files.readAllBytes(json));
      assertEquals(List.of("filler", "report", "summary.json"), names(disk));
    } finally {
      AtomicFiles.deleteTree(dir);
    }
  }
}
