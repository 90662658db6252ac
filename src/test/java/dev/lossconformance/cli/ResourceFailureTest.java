package dev.lossconformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM giving out (heap, array size, thread stack) during a check: exit 2 with one line that says
 * what was being done and what to raise, never exit 1 with a stack trace. In a separate JVM with a small
 * {@code -Xmx} or {@code -Xss}, as a CI job would hit them.
 */
class ResourceFailureTest {
  @TempDir Path dir;

  /** One error line naming {@code file}, no stack trace. */
  private static void assertOneErrorLine(Processes.Result r, Path file) {
    assertEquals(2, r.exit(), r.toString());
    assertFalse(r.err().contains("\tat "), "stack trace: " + r);
    assertTrue(r.err().startsWith("error: "), r.toString());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r);
    assertTrue(r.err().contains(file.getFileName().toString()), "names " + file + ": " + r);
  }

  /** An l1_loss case whose input has {@code n} zeros: 2n bytes of JSON, far more as a tree or as doubles. */
  private Path zeros(String name, int n) throws Exception {
    Path f = dir.resolve(name);
    try (BufferedWriter w = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
      w.write("{\"source\": \"torch\", \"cases\": [{\"id\": \"big\", \"api\": \"torch.nn.functional.l1_loss\","
          + " \"params\": {\"reduction\": \"mean\"}, \"inputs\": {\"input\": {\"dtype\": \"float32\", \"shape\": ["
          + n + "], \"data\": [0");
      for (int i = 1; i < n; i++) {
        w.write(",0");
      }
      w.write("]}, \"target\": {\"dtype\": \"float32\", \"shape\": [1], \"data\": [0]}},"
          + " \"outputs\": {\"loss\": {\"dtype\": \"float32\", \"shape\": [], \"data\": [0]}}}]}");
    }
    return f;
  }

  @Test
  void outOfMemoryReadingABigFixtureIsExitTwoWithTheXmxAdvice() throws Exception {
    // 40 MB of JSON, 20M float32 values: 80 MB as floats, 160 MB as doubles, more as a JSON tree
    Path f = zeros("big.json", 20_000_000);
    Processes.Result r = Processes.cli(List.of("-Xmx64m"), "check", f.toString());
    assertOneErrorLine(r, f);
    assertTrue(r.err().contains("-Xmx"), r.toString());
    assertTrue(r.err().contains("out of memory"), r.toString());
  }

  @Test
  void outOfMemoryCheckingACaseIsExitTwoNamingTheCase() throws Exception {
    // 44 KB of JSON: input (4000, 1) against target (1, 4000) broadcasts to 16M elements
    int n = 4000;
    String column = String.join(",", java.util.Collections.nCopies(n, "0.5"));
    String row = String.join(",", java.util.Collections.nCopies(n, "0.25"));
    Path f = dir.resolve("broadcast.json");
    Files.writeString(f, "{\"source\": \"torch\", \"cases\": [{\"id\": \"l1_loss/broadcast_huge\","
        + " \"api\": \"torch.nn.functional.l1_loss\", \"params\": {\"reduction\": \"mean\"},"
        + " \"inputs\": {\"input\": {\"dtype\": \"float32\", \"shape\": [" + n + ", 1], \"data\": [" + column + "]},"
        + " \"target\": {\"dtype\": \"float32\", \"shape\": [1, " + n + "], \"data\": [" + row + "]}},"
        + " \"outputs\": {\"loss\": {\"dtype\": \"float32\", \"shape\": [], \"data\": [0.25]}}}]}");
    Processes.Result r = Processes.cli(List.of("-Xmx64m"), "check", f.toString());
    assertEquals(2, r.exit(), r.toString());
    assertFalse(r.err().contains("\tat "), "stack trace: " + r);
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r);
    assertTrue(r.err().startsWith("error: the JVM ran out of memory checking torch | l1_loss/broadcast_huge"), r.toString());
    assertTrue(r.err().contains("-Xmx"), r.toString());
  }

  @Test
  void deeplyNestedJsonIsExitTwoEvenWhenTheStackOverflows() throws Exception {
    // as deep as Jackson lets through (1000 levels); with a 160 KiB stack the recursive reader overflows
    Path f = dir.resolve("deep.json");
    Files.writeString(f, "[".repeat(999) + "]".repeat(999));
    Processes.Result r = Processes.cli(List.of("-Xss160k"), "check", f.toString());
    assertOneErrorLine(r, f);
  }

  @Test
  void aTwoGigabyteFileIsExitTwo() throws Exception {
    Path f = dir.resolve("sparse.json");
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(2L << 30); // sparse: no disk written
    }
    // in a process of its own: without the CLI's net, the OutOfMemoryError would end the test JVM
    assertOneErrorLine(Processes.cli(List.of(), "check", f.toString()), f);
  }
}
