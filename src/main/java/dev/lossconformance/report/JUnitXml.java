package dev.lossconformance.report;

import dev.lossconformance.check.CaseResult;
import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.check.CheckRun;
import dev.lossconformance.fixture.FixtureCase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A check run in the JUnit XML report format that Jenkins, GitLab and GitHub test reporters read
 * ({@code check --junit-xml FILE}): one {@code <testsuite>} per fixture file ({@code torch/cross_entropy}),
 * one {@code <testcase>} per case, named by case id, with class name {@code <engine>.<file>}.
 *
 * <p>Failed cases carry {@code <failure>} (message attribute: the gate's first line; text: its full
 * message), malformed ones {@code <error>}; unsupported, engine-skipped and known-deviation cases
 * {@code <skipped>} with the reason (JUnit has no expected-failure state). A listed deviation that
 * passed says so in {@code <system-out>}. No times are written, so the file is byte-identical for the
 * same inputs.
 */
public final class JUnitXml {
  private JUnitXml() {}

  /** The XML document. */
  public static String of(CheckRun run) {
    Map<String, List<CheckRun.Entry>> suites = new LinkedHashMap<>();
    for (CheckRun.Entry e : run.entries()) {
      suites.computeIfAbsent(suiteName(e.fixture()), k -> new ArrayList<>()).add(e);
    }
    StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    sb.append("<testsuites name=\"").append(attr("loss-conformance " + run.implementation())).append('"');
    counts(sb, run.entries());
    sb.append(">\n");
    for (Map.Entry<String, List<CheckRun.Entry>> s : suites.entrySet()) {
      sb.append("  <testsuite name=\"").append(attr(s.getKey())).append('"');
      counts(sb, s.getValue());
      sb.append(">\n");
      sb.append("    <properties>\n      <property name=\"implementation\" value=\"")
          .append(attr(run.implementation())).append("\"/>\n    </properties>\n");
      String className = s.getKey().replace('/', '.');
      for (CheckRun.Entry e : s.getValue()) {
        testcase(sb, className, e);
      }
      sb.append("  </testsuite>\n");
    }
    return sb.append("</testsuites>\n").toString();
  }

  /** {@code engine/file}: the fixture file a case came from, without {@code .json}. */
  static String suiteName(FixtureCase c) {
    String file = c.file() == null || c.file().getFileName() == null ? "cases" : c.file().getFileName().toString();
    return c.engine() + "/" + (file.endsWith(".json") ? file.substring(0, file.length() - 5) : file);
  }

  private static void counts(StringBuilder sb, List<CheckRun.Entry> entries) {
    long failures = 0;
    long errors = 0;
    long skipped = 0;
    for (CheckRun.Entry e : entries) {
      switch (e.result().status()) {
        case FAILED -> failures++;
        case ERROR -> errors++;
        case UNSUPPORTED, SKIPPED, DEVIATION -> skipped++;
        case PASSED -> { }
      }
    }
    sb.append(" tests=\"").append(entries.size()).append("\" failures=\"").append(failures).append("\" errors=\"")
        .append(errors).append("\" skipped=\"").append(skipped).append('"');
  }

  private static void testcase(StringBuilder sb, String className, CheckRun.Entry e) {
    CaseResult r = e.result();
    sb.append("    <testcase classname=\"").append(attr(className)).append("\" name=\"").append(attr(r.id()))
        .append('"');
    String message = r.message() == null ? "" : r.message().strip();
    String first = message.lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
    Status s = r.status();
    if (s == Status.PASSED && !e.deviationFixed()) {
      sb.append("/>\n");
      return;
    }
    sb.append(">\n");
    switch (s) {
      case FAILED -> sb.append("      <failure message=\"").append(attr(first)).append("\" type=\"failed\">")
          .append(text(message)).append("</failure>\n");
      case ERROR -> sb.append("      <error message=\"").append(attr(first)).append("\" type=\"malformed case\">")
          .append(text(message)).append("</error>\n");
      case UNSUPPORTED -> sb.append("      <skipped message=\"").append(attr("unsupported: " + first)).append("\"/>\n");
      case SKIPPED -> sb.append("      <skipped message=\"").append(attr(first)).append("\"/>\n");
      case DEVIATION -> sb.append("      <skipped message=\"").append(attr(first)).append("\">").append(text(message))
          .append("</skipped>\n");
      case PASSED -> sb.append("      <system-out>").append(text("known deviation " + e.deviation().where()
          + " no longer fails: remove the line (" + e.deviation().reason() + ")")).append("</system-out>\n");
    }
    sb.append("    </testcase>\n");
  }

  /** An attribute value: markup escaped, line breaks and tabs as character references. */
  static String attr(String s) {
    return escape(s, true);
  }

  /** Element text: markup escaped. */
  static String text(String s) {
    return escape(s, false);
  }

  /**
   * Escapes markup; a character XML 1.0 cannot hold (controls other than tab and line breaks,
   * unpaired surrogates, U+FFFE, U+FFFF) is written as the text {@code \}{@code uXXXX}, so nothing of a
   * case id or message is lost.
   */
  private static String escape(String s, boolean attribute) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        sb.append(ch).append(s.charAt(++i));
        continue;
      }
      switch (ch) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append(attribute ? "&quot;" : "\"");
        case '\n' -> sb.append(attribute ? "&#10;" : "\n");
        case '\r' -> sb.append("&#13;");
        case '\t' -> sb.append(attribute ? "&#9;" : "\t");
        default -> {
          boolean allowed = ch >= 0x20 && ch != 0xFFFE && ch != 0xFFFF && !Character.isSurrogate(ch);
          if (allowed) {
            sb.append(ch);
          } else {
            sb.append(String.format("\\u%04X", (int) ch));
          }
        }
      }
    }
    return sb.toString();
  }
}
