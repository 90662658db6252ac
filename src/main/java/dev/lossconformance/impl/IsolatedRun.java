package dev.lossconformance.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One implementation's check in a JVM of its own: a native library that crashes, hangs or runs out
 * of memory takes down that process only, and the outcome names what happened with the exit status.
 */
public final class IsolatedRun {
  private IsolatedRun() {}

  /**
   * How the child ended.
   *
   * @param exit its exit status ({@code -1} when it was killed for the time limit)
   * @param timedOut whether it was killed for the time limit
   * @param seconds its wall time
   * @param output its standard output and error, interleaved (the last lines are in {@link #problem})
   */
  public record Outcome(int exit, boolean timedOut, double seconds, String output) {
    /** Whether the check ran to its verdict (exit 0: conforms, 1: a case failed). */
    public boolean completed() {
      return !timedOut && (exit == 0 || exit == 1);
    }

    /** What went wrong, for a run that did not complete: the cause and the output's last lines. */
    public String problem(long timeoutSeconds) {
      String cause;
      if (timedOut) {
        cause = "hung: killed after the time limit of " + timeoutSeconds + " s (timeout-seconds in impl.properties)";
      } else if (exit > 128) {
        cause = "crashed: exit " + exit + " (" + signal(exit - 128) + ")";
      } else if (exit == 2) {
        cause = "the gate could not run it: exit 2";
      } else {
        cause = "crashed: exit " + exit;
      }
      List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
      List<String> tail = lines.subList(Math.max(0, lines.size() - 6), lines.size());
      return cause + (tail.isEmpty() ? "" : "; last output:\n  " + String.join("\n  ", tail));
    }
  }

  private static String signal(int n) {
    return switch (n) {
      case 4 -> "SIGILL";
      case 6 -> "SIGABRT, as the JVM does on a fatal error";
      case 9 -> "SIGKILL, as the kernel's out-of-memory killer does";
      case 11 -> "SIGSEGV";
      case 15 -> "SIGTERM";
      default -> "signal " + n;
    };
  }

  /** The {@code java} of this JVM. */
  static String javaCommand() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * Runs {@code Main args} with {@code classPath} in a new JVM, killing it (and anything it started)
   * past {@code timeoutSeconds}. Its output is collected in a temporary file, returned and deleted.
   */
  public static Outcome run(List<String> classPath, String maxHeap, List<String> args, long timeoutSeconds,
      Path workDir) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaCommand());
    if (maxHeap != null) {
      cmd.add("-Xmx" + maxHeap);
    }
    // a native crash's report goes to the temporary folder, not into the working tree
    cmd.add("-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "loss-conformance-hs_err_%p.log"));
    cmd.add("-cp");
    cmd.add(String.join(java.io.File.pathSeparator, classPath));
    cmd.add("dev.lossconformance.cli.Main");
    cmd.addAll(args);
    Path log = Files.createTempFile("loss-conformance-impl", ".log");
    try {
      long start = System.nanoTime();
      Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!done) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      // as bytes: a native library may print anything, and nothing of it is lost to a decoding error
      String output = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
      return new Outcome(done ? p.exitValue() : -1, !done, seconds, output);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** {@code 12.3 s}. */
  public static String seconds(double s) {
    return String.format(Locale.ROOT, "%.1f s", s);
  }
}
