package dev.lossconformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code divergences} on a folder that is not a fixtures folder: exit 2, and nothing written. */
class DivergencesCommandTest {
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
  void aMissingFolderOrAFileIsExitTwo() throws Exception {
    Path missing = dir.resolve("nope");
    assertEquals(2, run("divergences", missing.toString()));
    assertEquals("error: " + missing + ": no such folder; FIXTURES is the folder holding torch/ and tensorflow/", err.strip());
    Path file = Files.writeString(dir.resolve("file.json"), "{}");
    assertEquals(2, run("divergences", file.toString()));
    assertTrue(err.startsWith("error: " + file + ": not a folder;"), err);
  }

  /** It wrote an empty map (exit 0) into any folder, where the committed map would be overwritten. */
  @Test
  void aFolderWithoutGoldensIsExitTwoAndWritesNothing() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertEquals(2, run("divergences", empty.toString()), out + err);
    assertTrue(err.startsWith("error: no catalog case has goldens in both "), err);
    try (Stream<Path> s = Files.list(empty)) {
      assertEquals(List.of(), s.toList());
    }
  }

  @Test
  void anUnwritableOutIsExitTwoWithTheReason() {
    String fixtures = System.getProperty("conformance.fixtures", "fixtures");
    assertEquals(2, run("divergences", "--out", dir.toString(), fixtures), out + err);
    assertEquals("error: cannot write " + dir + ": " + dir + ": Is a directory", err.strip());
  }
}
