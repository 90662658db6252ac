package dev.lossconformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code implementations}: each adapter in a JVM of its own; a native crash, a hang past the time
 * limit, an out-of-memory error, an unbuilt adapter and a bad impl.properties are each that
 * implementation's error, and the run goes on with the next (the test implementations are in
 * dev.lossconformance.impl.Misbehaving).
 */
class ImplementationsCommandTest {
  private static final String L1 = Path.of(System.getProperty("conformance.fixtures", "fixtures"), "torch",
      "l1_loss.json").toString();

  private static void adapter(Path root, String folder, String properties, boolean built) throws Exception {
    Path d = Files.createDirectories(root.resolve(folder));
    Files.writeString(d.resolve("impl.properties"), properties);
    if (built) {
      Files.createDirectories(d.resolve("target/classes"));
      Files.writeString(d.resolve("target/classpath.txt"), ""); // everything is on the gate's (the test's) class path
    }
  }

  @Test
  void everyWayAnAdapterProcessCanDieIsItsOwnErrorAndTheRunGoesOn(@TempDir Path tmp) throws Exception {
    Path root = tmp.resolve("implementations");
    adapter(root, "a-crash", "name=test-crash\ntimeout-seconds=120\n", true);
    adapter(root, "b-hang", "name=test-hang\ntimeout-seconds=3\n", true);
    adapter(root, "c-oom", "name=test-oom\nmax-heap=48m\ntimeout-seconds=120\n", true);
    adapter(root, "d-scaled", "name=test-scaled\ndescription=the java kernels 0.1% off\ntimeout-seconds=120\n", true);
    adapter(root, "e-unbuilt", "name=java\n", false);
    adapter(root, "f-bad", "name=x\nderived-mean=maybe\n", true);
    Path out = tmp.resolve("out");
    // an earlier run's report of the crashing implementation must not pass for this run's
    Files.createDirectories(out.resolve("test-crash"));
    Files.writeString(out.resolve("test-crash/summary.json"), "{\"implementation\": \"test-crash\", \"passed\": 9}\n");

    CliRun r = CliRun.of("implementations", "--out", out.toString(), root.toString(), L1);
    assertEquals(2, r.exit(), r.out() + r.err());
    String err = r.err() + "\n--- out:\n" + r.out();
    assertTrue(err.contains("error: test-crash: crashed: exit 134 (SIGABRT, as the JVM does on a fatal error)"), err);
    assertTrue(err.contains("error: test-hang: hung: killed after the time limit of 3 s (timeout-seconds in"
        + " impl.properties)"), err);
    assertTrue(err.contains("error: test-oom: the gate could not run it: exit 2; last output:"), err);
    assertTrue(err.contains("ran out of memory"), err);
    assertTrue(err.contains("e-unbuilt is not built (no target/classes or target/classpath.txt)"), err);
    assertTrue(err.contains("f-bad/impl.properties: derived-mean must be true or false, not \"maybe\""), err);
    // the run went on: the adapter after the crashes completed, with its own report
    assertTrue(r.out().contains("== test-scaled"), r.out());
    assertTrue(Files.readString(out.resolve("test-scaled/summary.json")).startsWith(
        "{\n  \"implementation\": \"test-scaled\",\n"));
    assertTrue(Files.readString(out.resolve("test-crash/summary.json")).contains("\"error\": \"crashed: exit 134"));
    String html = Files.readString(out.resolve("index.html"));
    assertTrue(html.contains("<tr data-impl=\"test-scaled\">"), html);
    assertTrue(html.contains("href=\"test-scaled/index.html#loss-l1_loss\""), html);
    assertTrue(html.contains("<td class=\"error\""), html);
    String md = Files.readString(out.resolve("summary.md"));
    assertTrue(md.contains("| [test-scaled](test-scaled/index.html) |"), md);
    assertTrue(md.contains("| [test-hang](test-hang/index.html) | error: hung: killed after the time limit of 3 s"), md);
  }

  @Test
  void aFolderWithoutAdaptersIsBadUsage(@TempDir Path tmp) {
    CliRun r = CliRun.of("implementations", "--out", tmp.resolve("out").toString(), tmp.toString(), L1);
    assertEquals(2, r.exit());
    assertTrue(r.err().startsWith("error: no adapter below " + tmp), r.err());
  }
}
