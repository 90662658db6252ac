package dev.lossconformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check --engine-version}: another version's goldens (the primary's plus that version's overlay in
 * fixtures/versions/), the Java kernels on the primary's semantics, and the cases where the version differs
 * named; and the primary folder's check never reading an overlay.
 */
class EngineVersionOptionTest {
  private static Path fixtures() {
    return Path.of(System.getProperty("conformance.fixtures", "fixtures"));
  }

  private static String bce() {
    return fixtures().resolve("torch/binary_cross_entropy_with_logits.json").toString();
  }

  @Test
  void anUnknownVersionIsExit2NamingTheArgumentAndTheVersionsAvailable() {
    CliRun r = CliRun.of("check", "--engine-version", "torch=9.9.9", fixtures().toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("--engine-version \"torch=9.9.9\": unknown"), r.err());
    assertTrue(r.err().contains("torch 2.1.1, 2.2.2, 2.3.1, 2.4.0, 2.5.1, 2.7.1"), r.err());
    assertTrue(r.err().contains("tensorflow 2.10.1, 2.16.1, 2.16.2, 2.18.0"), r.err());
    assertEquals(2, CliRun.of("check", "--engine-version", "9.9.9", fixtures().toString()).exit());
  }

  @Test
  void withoutDriftJsonAmongThePathsTheOptionIsRefused(@TempDir Path tmp) throws Exception {
    Files.copy(fixtures().resolve("torch/l1_loss.json"), tmp.resolve("l1_loss.json"));
    CliRun r = CliRun.of("check", "--engine-version", "torch=2.2.2", tmp.toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("needs the fixtures folder that holds drift.json"), r.err());
  }

  @Test
  void theGoldensOfTorch222FailTheCasesThatChangedThereAndOnlyThose() {
    CliRun primary = CliRun.of("check", bce());
    assertEquals(0, primary.exit(), primary.out() + primary.err());
    CliRun r = CliRun.of("check", "--engine-version", "torch=2.2.2", bce());
    assertEquals(1, r.exit(), r.out() + r.err());
    // drift.json: 8 binary_cross_entropy_with_logits cases changed beyond tolerance on 2.2.2
    List<String> failed = r.out().lines().filter(l -> l.startsWith("FAILED ")).toList();
    assertEquals(8, failed.size(), r.out());
    assertTrue(r.out().contains("FAILED torch | binary_cross_entropy_with_logits/plain_none/f32:"), r.out());
    List<String> marked = r.out().lines().filter(l -> l.startsWith("VERSION ")).toList();
    assertEquals(8, marked.size(), r.out());
    assertTrue(marked.stream().allMatch(l -> l.contains(": failed against torch 2.2.2") && l.contains("#115539")), r.out());
    assertTrue(r.out().contains("goldens: torch 2.2.2 (23 cases from versions/torch-2.2.2.goldens, 8 of them beyond"),
        r.out());
    // a file none of whose cases changed: nothing replaced, nothing counted, exit 0
    CliRun l1 = CliRun.of("check", "--engine-version", "torch=2.2.2", fixtures().resolve("torch/l1_loss.json").toString());
    assertEquals(0, l1.exit(), l1.out() + l1.err());
    assertTrue(l1.out().contains("goldens: torch 2.2.2 (0 cases from versions/torch-2.2.2.goldens, 0 of them"), l1.out());
  }

  @Test
  void aVersionWithoutChangesPassesAsThePrimaryAndABareVersionIsResolved() {
    CliRun r = CliRun.of("check", "--engine-version", "2.5.1", bce());
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("goldens: torch 2.5.1 (0 cases"), r.out());
    CliRun p = CliRun.of("check", "--engine-version", "torch=2.7.1", bce());
    assertEquals(0, p.exit(), p.out() + p.err());
    assertFalse(p.out().contains("goldens:"), p.out());
  }

  @Test
  void checkingThePrimaryFolderNeverReadsAVersionsOverlay() throws Exception {
    List<FixtureFile> all = FixtureReader.readAll(fixtures());
    int torch = FixtureReader.readAll(fixtures().resolve("torch")).stream().mapToInt(f -> f.cases().size()).sum();
    int tf = FixtureReader.readAll(fixtures().resolve("tensorflow")).stream().mapToInt(f -> f.cases().size()).sum();
    assertEquals(torch + tf, all.stream().mapToInt(f -> f.cases().size()).sum());
    assertTrue(all.stream().flatMap(f -> f.cases().stream()).noneMatch(c -> c.file().toString().contains("versions")));
    try (Stream<Path> s = Files.list(fixtures().resolve("versions"))) {
      assertTrue(s.count() >= 8, "one overlay per version");
    }
  }

  @Test
  void aPrimaryChangedSinceDriftJsonIsRefusedWithWhatToRerun(@TempDir Path tmp) throws Exception {
    Path copy = tmp.resolve("fixtures");
    try (Stream<Path> s = Files.walk(fixtures())) {
      for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
        Path to = copy.resolve(fixtures().relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    Path l1 = copy.resolve("torch/l1_loss.json");
    String text = Files.readString(l1);
    // one golden digit of the first case changed: the primary is no longer what drift.json was made from
    int at = text.indexOf("\"data\"", text.indexOf("\"outputs\""));
    int digit = at;
    while (!Character.isDigit(text.charAt(digit))) {
      digit++;
    }
    char d = text.charAt(digit);
    Files.writeString(l1, text.substring(0, digit) + (d == '9' ? '8' : (char) (d + 1)) + text.substring(digit + 1));
    CliRun r = CliRun.of("check", "--engine-version", "torch=2.2.2", copy.toString());
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains("rerun generator/drift"), r.err());
  }
}
