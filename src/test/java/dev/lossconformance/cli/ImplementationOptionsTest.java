package dev.lossconformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** check --impl, --list-impls, --junit-xml, --deviations and --derived-mean. */
class ImplementationOptionsTest {
  private static final String L1 = Path.of(System.getProperty("conformance.fixtures", "fixtures"), "torch",
      "l1_loss.json").toString();

  @Test
  void listImplsNamesEveryImplementationOnTheClassPath() {
    CliRun r = CliRun.of("check", "--list-impls");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("java         this project's kernels (dev.lossconformance.loss)"), r.out());
    assertTrue(r.out().contains("\ntest-crash   dev.lossconformance.impl.Misbehaving$Crash\n"), "description() defaults to"
        + " the class name: " + r.out());
    assertTrue(r.out().contains("\ntest-scaled  test only: the java kernels with the loss 0.1% too large\n"), r.out());
  }

  @Test
  void implChoosesTheImplementationAndTheSummaryNamesIt(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("s.json");
    CliRun r = CliRun.of("check", "--impl", "test-scaled", "--json", json.toString(), L1);
    assertEquals(1, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("FAILED torch | l1_loss/"), r.out());
    assertTrue(r.out().strip().endsWith("failed (test-scaled)") || r.out().contains(" (test-scaled)\n"), r.out());
    assertTrue(Files.readString(json).startsWith("{\n  \"implementation\": \"test-scaled\",\n"));
    CliRun java = CliRun.of("check", "--impl", "java", L1);
    assertEquals(0, java.exit(), java.out());
  }

  @Test
  void anUnknownImplementationIsBadUsageNamingWhatExists() {
    CliRun r = CliRun.of("check", "--impl", "onnxruntime", L1);
    assertEquals(2, r.exit());
    assertEquals("error: --impl onnxruntime: no loss implementation named \"onnxruntime\" on the class path; found:"
        + " java, test-crash, test-hang, test-oom, test-scaled (check --list-impls lists them; add a jar with -cp)\n", r.err());
  }

  @Test
  void noPathIsBadUsage() {
    CliRun r = CliRun.of("check");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("Missing required parameter: 'PATH'"), r.err());
  }

  @Test
  void junitXmlHasOneTestcasePerCaseAndTheGatesMessages(@TempDir Path dir) throws Exception {
    Path xml = dir.resolve("sub/junit.xml");
    Files.createDirectories(xml.getParent());
    CliRun r = CliRun.of("check", "--impl", "test-scaled", "--junit-xml", xml.toString(), L1);
    assertEquals(1, r.exit());
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
    NodeList cases = doc.getElementsByTagName("testcase");
    NodeList failures = doc.getElementsByTagName("failure");
    long failedLines = r.out().lines().filter(l -> l.startsWith("FAILED ")).count();
    assertEquals(failedLines, failures.getLength());
    Element root = doc.getDocumentElement();
    assertEquals("loss-conformance test-scaled", root.getAttribute("name"));
    assertEquals(Integer.toString(cases.getLength()), root.getAttribute("tests"));
    Element firstFailure = (Element) failures.item(0);
    Element testcase = (Element) firstFailure.getParentNode();
    assertEquals("torch.l1_loss", testcase.getAttribute("classname"));
    String line = r.out().lines().filter(l -> l.startsWith("FAILED torch | " + testcase.getAttribute("name") + ": "))
        .findFirst().orElseThrow();
    assertEquals(line.substring(line.indexOf(": ") + 2), firstFailure.getAttribute("message"));
    assertTrue(firstFailure.getTextContent().contains("elements over tolerance"), firstFailure.getTextContent());
    // the same inputs give the same bytes
    byte[] once = Files.readAllBytes(xml);
    CliRun.of("check", "--impl", "test-scaled", "--junit-xml", xml.toString(), L1);
    assertEquals(new String(once, java.nio.charset.StandardCharsets.UTF_8), Files.readString(xml));
  }

  @Test
  void deviationsTurnListedFailuresIntoDeviations(@TempDir Path dir) throws Exception {
    Path known = dir.resolve("known.txt");
    Files.writeString(known, "# test-scaled\ntorch:l1_loss/* the loss is scaled on purpose\nnever/* unused line\n");
    CliRun r = CliRun.of("check", "--impl", "test-scaled", "--deviations", known.toString(), L1);
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains(" deviations"), r.out());
    assertTrue(r.err().contains("note: known deviation " + known + ":3 (never/*) matches no case of this run"), r.err());
    CliRun fixed = CliRun.of("check", "--deviations", known.toString(), L1);
    assertEquals(0, fixed.exit());
    assertTrue(fixed.out().contains("FIXED torch | l1_loss/"), fixed.out());
    assertEquals(1, CliRun.of("check", "--strict", "--deviations", known.toString(), L1).exit(),
        "--strict fails on a listed deviation that passes");
    Files.writeString(known, "l1_loss/*\n");
    CliRun bad = CliRun.of("check", "--deviations", known.toString(), L1);
    assertEquals(2, bad.exit());
    assertTrue(bad.err().startsWith("error: --deviations: " + known + ":1: pattern \"l1_loss/*\" has no reason"),
        bad.err());
    CliRun missing = CliRun.of("check", "--deviations", dir.resolve("none.txt").toString(), L1);
    assertEquals(2, missing.exit());
    assertTrue(missing.err().startsWith("error: --deviations " + dir.resolve("none.txt") + ": cannot read"), missing.err());
  }

  @Test
  void derivedMeanAddsOneCasePerElement() {
    CliRun plain = CliRun.of("check", L1);
    CliRun derived = CliRun.of("check", "--derived-mean", L1);
    assertEquals(0, derived.exit(), derived.out());
    long before = Long.parseLong(plain.out().strip().split(" ")[0]);
    long after = Long.parseLong(derived.out().strip().split(" ")[0]);
    assertTrue(after > before, plain.out() + " vs " + derived.out());
  }
}
