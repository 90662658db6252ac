package dev.lossconformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;

/** {@code --version} of the tool and of each command: the version in pom.xml, not a copy of it. */
class VersionTest {
  /** {@code /project/version} of the pom.xml this build runs from. */
  private static String pomVersion() throws Exception {
    var pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
    String v = XPathFactory.newInstance().newXPath().evaluate("/project/version", pom).strip();
    assertEquals(false, v.isEmpty(), "pom.xml has a /project/version");
    return v;
  }

  private static String[] run(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
    return new String[] {Integer.toString(code), o.toString(), e.toString()};
  }

  @Test
  void topLevelVersionIsThePomVersion() throws Exception {
    String[] r = run("--version");
    assertEquals("0", r[0], r[2]);
    assertEquals("loss-conformance " + pomVersion(), r[1].strip());
  }

  @Test
  void checkVersionPrintsTheSameLine() throws Exception {
    String[] r = run("check", "--version");
    assertEquals("0", r[0], r[2]);
    assertEquals("loss-conformance " + pomVersion(), r[1].strip());
    assertEquals("", r[2]);
  }

  @Test
  void divergencesVersionPrintsTheSameLine() throws Exception {
    String[] r = run("divergences", "--version");
    assertEquals("0", r[0], r[2]);
    assertEquals("loss-conformance " + pomVersion(), r[1].strip());
  }
}
