package dev.lossconformance.io;

import dev.lossconformance.cli.Main;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.fixture.FixtureWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The process {@link InterruptedWriteTest} kills: writes a fixture file or a report folder in a loop,
 * through the project's own writers, until it is killed.
 *
 * <p>{@code fixture TARGET A.json B.json}: {@link FixtureWriter#write} of A, then B, then A, ... to TARGET,
 * printing {@code writing} before each.
 * {@code report DIR REFS V0.json V1.json V2.json}: {@code check --report DIR Vk.json} for the version
 * after the one DIR's summary.json holds (compared with REFS/k/summary.json), cycling 0, 1, 2, printing
 * {@code writing} before each.
 * {@code lock DIR}: holds DIR/.lock until stdin closes.
 */
public final class WriterChild {
  private WriterChild() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("lock")) {
      // holds DIR/.lock, as a run writing into DIR does, until stdin closes
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(Path.of(args[1], AtomicFiles.LOCK),
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
          java.nio.channels.FileLock lock = ch.lock()) {
        System.out.println("locked");
        System.in.transferTo(java.io.OutputStream.nullOutputStream());
      }
      return;
    }
    if (args[0].equals("fixture")) {
      Path target = Path.of(args[1]);
      FixtureFile[] versions = {FixtureReader.read(Path.of(args[2])), FixtureReader.read(Path.of(args[3]))};
      System.out.println("ready");
      for (int i = 0; ; i++) {
        System.out.println("writing"); // the test kills at a random moment after one of these
        FixtureWriter.write(versions[i % 2], target);
      }
    }
    Path dir = Path.of(args[1]);
    Path refs = Path.of(args[2]);
    List<String> inputs = Arrays.asList(args).subList(3, args.length);
    byte[][] summaries = new byte[inputs.size()][];
    for (int k = 0; k < summaries.length; k++) {
      summaries[k] = Files.readAllBytes(refs.resolve(String.valueOf(k)).resolve("summary.json"));
    }
    System.out.println("ready");
    PrintWriter sink = new PrintWriter(new StringWriter());
    while (true) {
      Path summary = dir.resolve("summary.json");
      int current = -1;
      if (Files.exists(summary)) {
        byte[] now = Files.readAllBytes(summary);
        for (int k = 0; k < summaries.length; k++) {
          current = Arrays.equals(now, summaries[k]) ? k : current;
        }
      }
      int next = (current + 1) % inputs.size();
      System.out.println("writing");
      int exit = Main.run(sink, sink, "check", "--report", dir.toString(), inputs.get(next));
      if (exit != 0) {
        System.err.println("check exited " + exit);
        System.exit(3);
      }
    }
  }
}
