package dev.lossconformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Empty, blank and null arguments: exit 2 naming the option and the value, before anything is read or
 * written. {@code Path.of("")} is the working directory, so without this {@code check ""} checked
 * whatever lies there and {@code --report ""} wrote the report into it.
 */
class EmptyArgumentsTest {
  private static final String FIXTURE =
      Path.of(System.getProperty("conformance.fixtures", "fixtures"), "torch", "nll_loss.json").toString();
  @TempDir Path dir;
  private String out;
  private String err;

  private int run(String... args) {
    CliRun r = CliRun.of(args);
    out = r.out();
    err = r.err();
    return r.exit();
  }

  @Test
  void emptyPathIsRefusedNotReadAsTheWorkingDirectory() {
    assertEquals(2, run("check", ""), out + err);
    assertTrue(err.startsWith("error: Invalid value for positional parameter PATH: '' is empty"), err);
    assertEquals("", out, "nothing is checked");
  }

  @Test
  void emptyPathAfterAGoodOneNamesItsPosition() {
    assertEquals(2, run("check", FIXTURE, ""), out + err);
    assertTrue(err.startsWith("error: Invalid value for positional parameter PATH #2: '' is empty"), err);
    assertEquals("", out);
  }

  @Test
  void blankPathIsRefused() {
    assertEquals(2, run("check", "  "), out + err);
    assertTrue(err.startsWith("error: Invalid value for positional parameter PATH: '  ' is blank"), err);
  }

  @Test
  void emptyJsonValueIsRefusedBeforeTheRun() {
    for (List<String> args : List.of(List.of("check", "--json", "", FIXTURE), List.of("check", "--json=", FIXTURE))) {
      assertEquals(2, run(args.toArray(String[]::new)), args + ": " + out + err);
      assertTrue(err.startsWith("error: Invalid value for option '--json': '' is empty"), args + ": " + err);
      assertEquals("", out, args + ": nothing is checked");
    }
  }

  /**
   * {@code args} in a process whose working directory is an empty folder, where an empty path would
   * read from and write to; asserts that the folder stays empty.
   */
  private Processes.Result inEmptyFolder(String... args) throws Exception {
    Path cwd = Files.createTempDirectory(dir, "cwd");
    List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", Processes.classPath(), Main.class.getName()));
    cmd.addAll(List.of(args));
    Processes.Result r = Processes.run(cmd, cwd, env -> { });
    try (Stream<Path> s = Files.list(cwd)) {
      assertEquals(List.of(), s.toList(), "files written into the working directory: " + r);
    }
    return r;
  }

  @Test
  void emptyReportValueWritesNothingIntoTheWorkingDirectory() throws Exception {
    Processes.Result r = inEmptyFolder("check", "--report", "", Path.of(FIXTURE).toAbsolutePath().toString());
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().startsWith("error: Invalid value for option '--report': '' is empty"), r.toString());
  }

  @Test
  void emptyDivergencesArgumentsAreRefused() throws Exception {
    Processes.Result r = inEmptyFolder("divergences", "");
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().startsWith("error: Invalid value for positional parameter at index 0 (FIXTURES): '' is empty"),
        r.toString());
    assertEquals(2, run("divergences", "--out", "", dir.toString()), out + err);
    assertTrue(err.startsWith("error: Invalid value for option '--out': '' is empty"), err);
  }

  @Test
  void nullArgumentsExitTwo() {
    assertEquals(2, run("check", null), out + err);
    assertEquals("error: argument 2 of 2 is null (after 'check')", err.strip());
    assertEquals(2, run((String[]) null), out + err);
    assertTrue(err.startsWith("error: no argument array (null)"), err);
    assertEquals(2, run("check", "--json", null, FIXTURE), out + err);
    assertEquals("error: argument 3 of 4 is null (after '--json')", err.strip());
  }
}
