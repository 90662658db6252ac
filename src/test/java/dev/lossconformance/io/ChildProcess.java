package dev.lossconformance.io;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A JVM started on this test's class path, its stderr in a file; for the tests that kill or race processes. */
final class ChildProcess implements AutoCloseable {
  final Process process;
  final Path err;
  final BufferedReader out;

  private ChildProcess(Process process, Path err) {
    this.process = process;
    this.err = err;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** {@code java -cp <test class path> mainClass args}. */
  static ChildProcess start(Class<?> mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    List<String> keep = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!e.contains("surefire")) {
        keep.add(e);
      }
    }
    cmd.add(String.join(File.pathSeparator, keep));
    cmd.add(mainClass.getName());
    cmd.addAll(List.of(args));
    Path err = Files.createTempFile("child-err", ".txt");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    return new ChildProcess(p, err);
  }

  /** Waits for the line {@code expected} on stdout; fails with stderr when the process ends first. */
  void await(String expected) throws IOException {
    String line = out.readLine();
    if (!expected.equals(line)) {
      throw new AssertionError("child printed " + line + " instead of " + expected + "; stderr:\n" + stderr());
    }
  }

  String stderr() throws IOException {
    return Files.readString(err);
  }

  /** SIGKILL (Process.destroyForcibly on Linux), then waits for the end. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  int waitFor() throws InterruptedException {
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("child did not end within 120 s");
    }
    return process.exitValue();
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (process.isAlive()) {
      kill();
    }
    Files.deleteIfExists(err);
  }
}
