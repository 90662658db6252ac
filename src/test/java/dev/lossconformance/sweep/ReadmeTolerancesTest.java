package dev.lossconformance.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * README's tolerance table is derived from the committed sweep report: its rows are exactly the rows
 * of {@code reports/sweep.md}'s "Tolerances beyond the 4-ulp base", in the same order, so a tolerance
 * or a measurement changed in one and not the other fails here.
 */
class ReadmeTolerancesTest {
  private static final String HEADER = "| engine | api | output | dtype | cases | p50 ulps | p99 ulps | max ulps |"
      + " max term ulps | allowed |";

  /** The table rows after {@code heading} (the first table with {@link #HEADER} under it). */
  static List<String> table(Path file, String heading) throws IOException {
    List<String> lines = Files.readAllLines(file);
    int at = lines.indexOf(heading);
    if (at < 0) {
      throw new AssertionError(file + " has no heading \"" + heading + "\"");
    }
    int h = at;
    while (h < lines.size() && !lines.get(h).equals(HEADER)) {
      h++;
    }
    if (h == lines.size()) {
      throw new AssertionError(file + ": no table under \"" + heading + "\"");
    }
    List<String> rows = new ArrayList<>();
    for (int i = h + 2; i < lines.size() && lines.get(i).startsWith("| "); i++) {
      rows.add(lines.get(i));
    }
    return rows;
  }

  @Test
  void readmeTableIsTheSweepReportsLoosenedRows() throws IOException {
    List<String> sweep = table(Path.of("reports/sweep.md"), "## Tolerances beyond the 4-ulp base");
    List<String> readme = table(Path.of("README.md"), "## Tolerances");
    assertFalse(sweep.isEmpty(), "reports/sweep.md lists no loosened tolerance");
    assertEquals(String.join("\n", sweep), String.join("\n", readme),
        "README's tolerance table differs from reports/sweep.md's (copy the sweep report's rows)");
  }
}
