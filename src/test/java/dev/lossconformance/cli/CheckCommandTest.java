package dev.lossconformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.Apis;
import dev.lossconformance.check.Checker;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.fixture.FixtureWriter;
import dev.lossconformance.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code check} gate as a CI job sees it: output lines, exit codes, the JSON summary. */
class CheckCommandTest {
  @TempDir Path dir;
  private FixtureFile golden;
  private String out;
  private String err;

  @BeforeEach
  void takeRealGoldens() throws Exception {
    Path fixtures = Path.of(System.getProperty("conformance.fixtures", "fixtures"));
    FixtureFile all = FixtureReader.read(fixtures.resolve("torch").resolve("nll_loss.json"));
    List<String> ids = List.of("nll_loss/plain_mean/f32", "nll_loss/target_out_of_range_mean/f32", "nll_loss/plain_sum/f64");
    List<FixtureCase> some = new ArrayList<>();
    for (FixtureCase c : all.cases()) {
      if (ids.contains(c.id())) {
        some.add(c);
      }
    }
    assertEquals(ids.size(), some.size(), "cases " + ids + " in " + fixtures);
    golden = new FixtureFile(all.source(), null, some);
  }

  private int check(String... args) {
    CliRun r = CliRun.of(args);
    out = r.out();
    err = r.err();
    return r.exit();
  }

  private Path write(String name, FixtureFile f) throws Exception {
    Path p = dir.resolve(name);
    FixtureWriter.write(f, p);
    return p;
  }

  /** The golden file with case {@code i} changed by {@code edit}. */
  private FixtureFile edited(int i, java.util.function.UnaryOperator<FixtureCase> edit) {
    List<FixtureCase> cases = new ArrayList<>(golden.cases());
    cases.set(i, edit.apply(cases.get(i)));
    return new FixtureFile(golden.source(), null, cases);
  }

  /** The case with its float32 loss golden set {@code ulps} above what Java computes. */
  private static FixtureCase movedFromJava(FixtureCase c, int ulps) {
    Map<String, Tensor> outs = new LinkedHashMap<>(c.outputs());
    float v = (float) Apis.evaluate(c.api(), c.params(), c.inputs()).get("loss").getDouble(0);
    outs.put("loss", Tensor.ofFloats(new float[] {Float.intBitsToFloat(Float.floatToIntBits(v) + ulps)}));
    return new FixtureCase(null, c.engine(), c.id(), c.api(), c.params(), c.inputs(), outs, null, null);
  }

  @Test
  void passingFileExitsZeroWithTheClosingLine() throws Exception {
    Path f = write("ok.json", golden);
    assertEquals(0, check("check", f.toString()), err);
    assertEquals("3 passed, 0 failed", out.strip());
  }

  @Test
  void aGoldenMovedByFiveUlpsFailsWithOneLineNamingTheCase() throws Exception {
    Path f = write("bad.json", edited(0, c -> {
      return movedFromJava(c, 5);
    }));
    Path json = dir.resolve("out").resolve("summary.json");
    assertEquals(1, check("check", "--json", json.toString(), f.toString()));
    String id = golden.cases().get(0).id();
    assertTrue(out.startsWith("FAILED torch | " + id + ": " + id + " vs torch, output \"loss\" at []:"), out);
    assertTrue(out.strip().endsWith("2 passed, 1 failed"), out);
    String summary = Files.readString(json);
    assertTrue(summary.contains("\"passed\": 2,"), summary);
    assertTrue(summary.contains("\"failed\": 1,"), summary);
    assertTrue(summary.contains("\"id\": \"" + id + "\", \"engine\": \"torch\", \"status\": \"failed\", \"max_ulp\": 5,"), summary);
  }

  @Test
  void verboseFailureShowsBothValuesWithBitsAndTheFloat64Reference() throws Exception {
    Path f = write("bad.json", edited(0, c -> {
      return movedFromJava(c, 9);
    }));
    check("check", "-v", f.toString());
    assertTrue(out.contains("9 ulps > 4 ulps allowed"), out);
    assertTrue(out.matches("(?s).*expected [0-9.]+ \\(0x[0-9a-f]{8}\\) but was [0-9.]+ \\(0x[0-9a-f]{8}\\).*"), out);
    assertTrue(out.contains("float64 reference"), out);
    assertTrue(out.contains("1 of 1 elements over tolerance"), out);
  }

  /** The line without -v is the checker's first message line, whatever it says; -v prints all of it. */
  @Test
  void failedLineIsTheWholeFirstLineOfTheMessageAndVerboseTheWholeMessage() throws Exception {
    FixtureFile bad = edited(0, c -> movedFromJava(c, 7));
    Path f = write("bad.json", bad);
    String message = Checker.run(FixtureReader.read(f).cases().get(0)).result().message();
    assertTrue(message.lines().count() > 1, "a message of several lines: " + message);
    String id = golden.cases().get(0).id();
    assertEquals(1, check("check", f.toString()));
    assertEquals(List.of("FAILED torch | " + id + ": " + message.lines().findFirst().orElseThrow(), "2 passed, 1 failed"),
        out.lines().toList());
    assertEquals(1, check("check", "-v", f.toString()));
    assertEquals("FAILED torch | " + id + ": " + message.strip() + "\n2 passed, 1 failed", out.strip().replace("\r\n", "\n"));
  }

  @Test
  void firstLineSkipsBlankLinesAndKeepsTheLineWhole() {
    assertEquals("expected 1.0 (0x3f800000) but was 1.0000001 (0x3f800001): 1 ulps > 0 ulps allowed",
        CheckCommand.firstLine("\n  \nexpected 1.0 (0x3f800000) but was 1.0000001 (0x3f800001): 1 ulps > 0 ulps allowed\nmore"));
    assertEquals("one line", CheckCommand.firstLine("one line"));
    assertEquals("", CheckCommand.firstLine(null));
    assertEquals("", CheckCommand.firstLine(" \n "));
  }

  @Test
  void unsupportedApiCountsAndFailsOnlyUnderStrict() throws Exception {
    Path f = write("other.json", edited(2, c -> new FixtureCase(null, c.engine(), c.id(), "torch.nn.functional.made_up",
        c.params(), c.inputs(), c.outputs(), c.error(), null)));
    assertEquals(0, check("check", f.toString()));
    // the reason is counted before the summary line, so over-broad declining shows
    assertEquals("unsupported by java: 1 case: api torch.nn.functional.made_up is not implemented in Java\n"
        + "2 passed, 0 failed, 1 unsupported", out.strip());
    assertEquals(1, check("check", "--strict", f.toString()));
    assertTrue(out.contains("UNSUPPORTED torch | "), out);
  }

  @Test
  void errorCasePassesOnlyWhenJavaRaises() throws Exception {
    int errorCase = -1;
    for (int i = 0; i < golden.cases().size(); i++) {
      if (golden.cases().get(i).expectsError()) {
        errorCase = i;
      }
    }
    assertTrue(errorCase >= 0, "the sample needs an engine error case");
    // the same inputs with the out-of-range target replaced by a valid one: Java no longer raises
    Path f = write("err.json", edited(errorCase, c -> {
      Map<String, Tensor> in = new LinkedHashMap<>(c.inputs());
      Tensor t = in.get("target");
      in.put("target", Tensor.ofLongs(new long[t.numel()], t.shape()));
      return new FixtureCase(null, c.engine(), c.id(), c.api(), c.params(), in, Map.of(), c.error(), null);
    }));
    assertEquals(1, check("check", f.toString()));
    assertTrue(out.contains("the engine raised \"IndexError: Target"), out);
  }

  @Test
  void reportShowsAFailingBuildInRedAndListsTheCase() throws Exception {
    Path f = write("bad.json", edited(0, c -> movedFromJava(c, 50)));
    Path report = dir.resolve("report");
    assertEquals(1, check("check", "--report", report.toString(), f.toString()));
    String html = Files.readString(report.resolve("index.html"));
    assertTrue(html.contains("data-verdict=\"fail\""), "verdict banner");
    String id = golden.cases().get(0).id();
    assertTrue(html.contains("data-id=\"" + id + "\""), "matrix row of " + id);
    String md = Files.readString(report.resolve("summary.md"));
    assertTrue(md.contains(id), md);
    assertTrue(md.contains("2 passed, 1 failed"), md);
    assertTrue(Files.readString(report.resolve("summary.json")).contains("\"failed\": 1,"));
  }

  @Test
  void truncatedFileExitsTwoNamingTheFile() throws Exception {
    Path f = dir.resolve("cut.json");
    String text = FixtureWriter.toJson(golden);
    Files.writeString(f, text.substring(0, text.length() - 40));
    assertEquals(2, check("check", f.toString()));
    assertTrue(err.startsWith("error: " + f + ": malformed JSON at line "), err);
    assertFalse(err.contains("\tat "), "no stack trace: " + err);
  }

  @Test
  void dataLengthMismatchExitsTwoNamingCaseAndPath() throws Exception {
    Path f = dir.resolve("shape.json");
    Files.writeString(f, FixtureWriter.toJson(golden).replaceFirst("\"shape\": \\[4, 5\\]", "\"shape\": [4, 6]"));
    assertEquals(2, check("check", f.toString()));
    assertTrue(err.contains(": case " + golden.cases().get(0).id() + ", $.cases[0].inputs.input.data: has 20 values but shape [4, 6] holds 24"), err);
  }

  @Test
  void badUsageExitsTwo() throws Exception {
    assertEquals(2, check("check"));
    assertTrue(err.contains("Missing required parameter"), err);
    assertEquals(2, check("check", dir.resolve("nope.json").toString()));
    assertTrue(err.contains("no such file or folder"), err);
    assertEquals(2, check("check", dir.toString()));
    assertTrue(err.contains("no fixture case found"), err);
    assertEquals(2, check("frobnicate"));
  }
}
