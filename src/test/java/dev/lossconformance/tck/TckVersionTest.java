package dev.lossconformance.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** tck/pom.xml and the example's dependency carry the root project's version (they are separate poms). */
class TckVersionTest {
  private static String rootVersion() throws Exception {
    java.util.Properties p = new java.util.Properties();
    try (var in = TckVersionTest.class.getResourceAsStream("/dev/lossconformance/cli/version.properties")) {
      p.load(in);
    }
    return p.getProperty("version");
  }

  @Test
  void theTckAndTheExampleUseTheProjectVersion() throws Exception {
    String version = rootVersion();
    assertTrue(version != null && !version.contains("${"), "filtered version: " + version);
    String tck = Files.readString(Path.of("tck/pom.xml"));
    Matcher own = Pattern.compile("<artifactId>loss-conformance-tck</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(tck);
    assertTrue(own.find(), "tck/pom.xml names its version after its artifactId");
    assertEquals(version, own.group(1), "tck/pom.xml");
    String example = Files.readString(Path.of("examples/own-cross-entropy/pom.xml"));
    Matcher dep = Pattern.compile("<artifactId>loss-conformance-tck</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(example);
    assertTrue(dep.find(), "the example depends on loss-conformance-tck");
    assertEquals(version, dep.group(1), "examples/own-cross-entropy/pom.xml");
  }
}
