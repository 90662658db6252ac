package dev.lossconformance.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs a command line as a separate process, for the behaviour that only a process shows. */
final class Processes {
  private Processes() {}

  /** What a process printed and returned. */
  record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n-- stdout:\n" + out + "\n-- stderr:\n" + err;
    }
  }

  /**
   * {@code java <jvmOptions> -cp <this test's class path> dev.lossconformance.cli.Main <args>}: the
   * compiled classes and the dependencies, as {@code java -jar target/loss-conformance.jar} has them.
   */
  static Result cli(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classPath());
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    return run(cmd, null, env -> { });
  }

  /** The test class path without surefire's own jars. */
  static String classPath() {
    List<String> keep = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!e.contains("surefire")) {
        keep.add(e);
      }
    }
    return String.join(File.pathSeparator, keep);
  }

  /** Runs {@code cmd} in {@code dir} (null: this process's) with its environment edited; stdin closed. */
  static Result run(List<String> cmd, Path dir, Consumer<Map<String, String>> env)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("process-out", ".txt");
    Path err = Files.createTempFile("process-err", ".txt");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      if (dir != null) {
        pb.directory(dir.toFile());
      }
      env.accept(pb.environment());
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out after 300 s: " + cmd);
      }
      return new Result(p.exitValue(), new String(Files.readAllBytes(out), StandardCharsets.UTF_8),
          new String(Files.readAllBytes(err), StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
