package dev.lossconformance.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's Versions section: drift.json's version x loss matrix, and the cases a chosen version changes. */
class VersionsSectionTest {
  private static Path fixtures() {
    return Path.of(System.getProperty("conformance.fixtures", "fixtures"));
  }

  private static String report(Path dir, String... args) throws Exception {
    String[] all = new String[args.length + 3];
    all[0] = "check";
    all[1] = "--report";
    all[2] = dir.toString();
    System.arraycopy(args, 0, all, 3, args.length);
    StringWriter err = new StringWriter();
    int exit = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), all);
    assertTrue(exit == 0 || exit == 1, err.toString());
    return Files.readString(dir.resolve("index.html"));
  }

  /** The cells of the matrix row of {@code op} in {@code engine}'s table. */
  private static String row(String html, String engine, String op) {
    int table = html.indexOf("<table class=\"versions-matrix\" data-engine=\"" + engine + "\">");
    assertTrue(table >= 0, "no " + engine + " matrix");
    int end = html.indexOf("</table>", table);
    Matcher m = Pattern.compile("<tr><td><code>" + Pattern.quote(op) + "</code></td>(.*?)</tr>")
        .matcher(html.substring(table, end));
    assertTrue(m.find(), "no row " + op);
    return m.group(1).replaceAll("<td[^>]*>", "").replace("</td>", " ").strip();
  }

  @Test
  void theMatrixCountsTheChangedCasesPerLossAndVersion(@TempDir Path tmp) throws Exception {
    String html = report(tmp, fixtures().resolve("torch/binary_cross_entropy_with_logits.json").toString());
    assertTrue(html.contains("<section id=\"versions\">"), "no Versions section");
    // torch 2.1.1 2.2.2 2.3.1 2.4.0 2.5.1 2.7.1 (primary): 8 cases changed on 2.1.1 and 2.2.2 (#115539)
    assertEquals("8 8 0 0 0 \u2014", row(html, "torch", "binary_cross_entropy_with_logits"));
    assertEquals("1 0 0 0 0 \u2014", row(html, "torch", "cross_entropy"));
    // tensorflow 2.10.1 2.16.1 (primary) 2.16.2 2.18.0
    assertEquals("1 \u2014 0 1", row(html, "tensorflow", "cross_entropy"));
    assertFalse(html.contains("id=\"versions-chosen\""), "no version was chosen");
  }

  @Test
  void aChosenVersionsChangedCasesAreListedWithTheirVerdicts(@TempDir Path tmp) throws Exception {
    String html = report(tmp, "--engine-version", "torch=2.2.2",
        fixtures().resolve("torch/binary_cross_entropy_with_logits.json").toString());
    assertTrue(html.contains("id=\"versions-chosen\""), "the chosen version is not named");
    int start = html.indexOf("<table class=\"versions-chosen\">");
    String table = html.substring(start, html.indexOf("</table>", start));
    assertEquals(8, table.split("<tr class=\"version-changed\">", -1).length - 1);
    assertEquals(8, table.split("<span class=\"badge b-failed\">", -1).length - 1, table);
  }

  @Test
  void noDriftJsonNoSection(@TempDir Path tmp) throws Exception {
    Path lone = tmp.resolve("in");
    Files.createDirectories(lone);
    Files.copy(fixtures().resolve("torch/l1_loss.json"), lone.resolve("l1_loss.json"));
    String html = report(tmp.resolve("out"), lone.toString());
    assertFalse(html.contains("<section id=\"versions\">"));
  }
}
