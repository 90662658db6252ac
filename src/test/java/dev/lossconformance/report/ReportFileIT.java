package dev.lossconformance.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

/** The files the package phase wrote to {@code reports/}: well-formed, complete, and reproducible. */
class ReportFileIT {

  private static Path reports() {
    return Path.of(System.getProperty("conformance.reports", "reports"));
  }

  @Test
  void indexIsWellFormedMarkup() throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    // throws SAXParseException with line and column on an unclosed tag or an unescaped '&'
    f.newDocumentBuilder().parse(reports().resolve("index.html").toFile());
  }

  @Test
  void pageIsSelfContained() throws Exception {
    String html = Files.readString(reports().resolve("index.html"));
    for (String external : List.of("src=\"http", "href=\"http", "src='http", "@import", "url(http")) {
      assertTrue(!html.contains(external), "the report loads something from outside: " + external);
    }
  }

  @Test
  void regeneratingGivesTheSameBytes() throws Exception {
    Path again = Path.of(System.getProperty("conformance.target", "target")).resolve("report-again");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "check", "--report", again.toString(),
        System.getProperty("conformance.fixtures", "fixtures"));
    assertEquals(0, code, err.toString());
    for (String file : List.of("index.html", "summary.json", "summary.md")) {
      assertArrayEquals(Files.readAllBytes(reports().resolve(file)), Files.readAllBytes(again.resolve(file)),
          file + " differs between two runs on the same fixtures");
    }
  }
}
