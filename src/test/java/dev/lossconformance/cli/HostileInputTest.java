package dev.lossconformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inputs and output paths that are not what {@code check} expects: exit 2 and one error line, no stack trace. */
class HostileInputTest {
  private static final Path FIXTURE = Path.of(System.getProperty("conformance.fixtures", "fixtures"), "torch", "nll_loss.json");
  @TempDir Path dir;
  private String out;
  private String err;

  private int check(String... args) {
    CliRun r = CliRun.of(args);
    out = r.out();
    err = r.err();
    return r.exit();
  }

  private void assertExitTwoWithOneLine(int code, String what) {
    assertEquals(2, code, what + ": " + out + err);
    assertFalse(err.contains("\tat "), what + ": stack trace: " + err);
    assertTrue(err.startsWith("error: "), what + ": " + err);
    assertEquals(1, err.strip().lines().count(), what + ": one line: " + err);
  }

  @Test
  void filesThatAreNotFixturesExitTwoNamingTheFile() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.json"), "");
    Path array = Files.writeString(dir.resolve("array.json"), "[1, 2, 3]");
    Path binary = Files.write(dir.resolve("binary.json"), new byte[] {(byte) 0xff, (byte) 0xd9, 0, 1, 2, (byte) 0x80});
    for (Path p : List.of(empty, array, binary, Path.of("/dev/null"))) {
      assertExitTwoWithOneLine(check("check", p.toString()), p.toString());
      assertTrue(err.startsWith("error: " + p + ": "), err);
    }
  }

  /** The reader's number parsing threw a NumberFormatException that picocli printed without the file. */
  @Test
  void anExponentBeyondBigDecimalExitsTwoNamingTheFile() throws Exception {
    Path f = Files.writeString(dir.resolve("exponent.json"), "{\"source\": \"torch\", \"cases\": [], \"x\": 1e9999999999}");
    assertExitTwoWithOneLine(check("check", f.toString()), f.toString());
    assertTrue(err.contains(f.toString()), err);
  }

  @Test
  void aFolderNamedLikeAFixtureIsWalkedNotRead() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("x.json"));
    Files.copy(FIXTURE, folder.resolve("nll_loss.json"));
    assertEquals(0, check("check", dir.toString()), err);
    assertEquals(0, check("check", folder.toString()), err);
    assertTrue(out.strip().endsWith("passed, 0 failed"), out);
  }

  /**
   * A sub-folder the run may not read: the folder walk's UncheckedIOException named neither PATH nor
   * the reason. Root reads everything, so as root the check runs without the capabilities that let it.
   */
  @Test
  void anUnreadableSubFolderExitsTwoNamingIt() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("fixtures").resolve("locked"));
    Files.copy(FIXTURE, sub.resolve("nll_loss.json"));
    Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("---------"));
    try {
      List<String> prefix = new ArrayList<>();
      if (Files.isReadable(sub)) { // root
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "root without setpriv");
        prefix.addAll(List.of("/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search"));
      }
      List<String> cmd = new ArrayList<>(prefix);
      cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", Processes.classPath(),
          Main.class.getName(), "check", dir.resolve("fixtures").toString()));
      Processes.Result r = Processes.run(cmd, null, env -> { });
      assertEquals(2, r.exit(), r.toString());
      assertFalse(r.err().contains("\tat "), r.toString());
      assertEquals("error: " + sub + ": cannot list folder: permission denied", r.err().strip());
    } finally {
      Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void jsonBelowARegularFileExitsTwoBeforeTheRun() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    Path json = file.resolve("out").resolve("summary.json");
    assertExitTwoWithOneLine(check("check", "--json", json.toString(), FIXTURE.toString()), "--json");
    assertEquals("error: cannot write --json " + json + ": " + file + ": is a file, not a folder, so " + json
        + " cannot be created below it", err.strip());
    assertEquals("", out, "nothing checked");
  }

  @Test
  void jsonThatIsAFolderExitsTwoBeforeTheRun() {
    assertExitTwoWithOneLine(check("check", "--json", dir.toString(), FIXTURE.toString()), "--json");
    assertEquals("error: cannot write --json " + dir + ": " + dir + ": is a folder, not a file", err.strip());
    assertEquals("", out, "nothing checked");
  }

  @Test
  void reportThatIsAFileExitsTwoBeforeTheRun() throws Exception {
    Path file = Files.writeString(dir.resolve("report.html"), "x");
    assertExitTwoWithOneLine(check("check", "--report", file.toString(), FIXTURE.toString()), "--report");
    assertEquals("error: cannot write --report " + file + ": " + file + ": is a file, not a folder", err.strip());
    assertEquals("", out, "nothing checked");
  }
}
