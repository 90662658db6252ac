package dev.lossconformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The README's main job, {@code mvn -B -q package -DskipTests && java -jar target/loss-conformance.jar
 * check fixtures/}, piped: no ANSI escape byte in what a user greps. Debian's Maven 3.8 takes every
 * stream for a terminal (its jansi 2.4.0-2 bypasses TTY detection, "to preserve the Maven coloring with
 * dpkg-buildpackage") and writes a colour reset, ESC[0m, when it starts and ends, even with -B -q; {@code .mvn/jvm.config} turns that off
 * ({@code -Djansi.noreset=true}) and {@code .mvn/maven.config} Maven's colours ({@code -Dstyle.color=never}).
 */
class PipedOutputTest {
  private static final char ESC = 0x1b;

  private static Optional<Path> mvnOnPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(File.pathSeparator)).map(d -> Path.of(d, "mvn")).filter(Files::isExecutable).findFirst();
  }

  @Test
  void quietBatchMavenPrintsNoEscapeCodesIntoAPipe() throws Exception {
    Optional<Path> mvn = mvnOnPath();
    Assumptions.assumeTrue(mvn.isPresent(), "no mvn on PATH");
    // validate: the quickest lifecycle phase; -q -B as in the README; offline, it needs nothing new
    // the build's own local repository (surefire passes it), where this build's plugins already are
    List<String> command = new java.util.ArrayList<>(List.of(mvn.get().toString(), "-B", "-q", "-o"));
    String repo = System.getProperty("maven.repo.local");
    if (repo != null && !repo.isBlank()) {
      command.add("-Dmaven.repo.local=" + repo);
    }
    command.add("validate");
    Processes.Result r = Processes.run(command,
        Path.of("").toAbsolutePath(), env -> env.remove("MAVEN_OPTS"));
    assertEquals(0, r.exit(), r.toString());
    assertEquals(-1, r.out().indexOf(ESC), "escape code on stdout: " + r.out().replace(ESC, '^'));
    assertEquals(-1, r.err().indexOf(ESC), "escape code on stderr: " + r.err().replace(ESC, '^'));
  }

  @Test
  void theGatesOwnOutputHasNoEscapeCodes() throws Exception {
    Path fixture = Path.of(System.getProperty("conformance.fixtures", "fixtures"), "torch", "nll_loss.json");
    Processes.Result r = Processes.cli(List.of(), "check", fixture.toString());
    assertEquals(0, r.exit(), r.toString());
    assertFalse(r.out().isEmpty());
    assertEquals(-1, r.out().indexOf(ESC), r.out());
    assertEquals(-1, r.err().indexOf(ESC), r.err());
  }
}
