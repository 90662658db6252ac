package dev.lossconformance.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fixture set that is missing, empty or broken fails; it never passes by running nothing. */
class FixtureArgumentsProviderTest {
  @TempDir Path root;

  @Test
  void missingFileFailsNamingOpAndFolder() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> FixtureArgumentsProvider.arguments(root, "tensorflow", "nll_loss"));
    assertTrue(e.getMessage().startsWith("no fixture [nll_loss] in [" + root.resolve("tensorflow") + "]"), e.getMessage());
  }

  @Test
  void fileWithoutCasesFails() throws Exception {
    Files.createDirectories(root.resolve("torch"));
    Files.writeString(root.resolve("torch/nll_loss.json"), "{\"source\": \"s\", \"cases\": []}");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> FixtureArgumentsProvider.arguments(root, "torch", "nll_loss"));
    assertTrue(e.getMessage().contains("holds no case"), e.getMessage());
  }

  @Test
  void malformedFileFailsWithTheReadersMessage() throws Exception {
    Files.createDirectories(root.resolve("torch"));
    Files.writeString(root.resolve("torch/nll_loss.json"), "{\"source\": \"s\", \"cases\": [");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> FixtureArgumentsProvider.arguments(root, "torch", "nll_loss"));
    assertTrue(e.getMessage().contains("malformed JSON at line 1"), e.getMessage());
  }

  @Test
  void casesBecomeArgumentSetsNamedByEngineAndId() {
    Path fixtures = Path.of(System.getProperty("conformance.fixtures", "fixtures"));
    String first = FixtureArgumentsProvider.arguments(fixtures, "torch", "nll_loss").findFirst()
        .map(a -> ((org.junit.jupiter.params.provider.Arguments.ArgumentSet) a).getName()).orElseThrow();
    assertEquals("torch | nll_loss/plain_none/f32", first);
  }
}
