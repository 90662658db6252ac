package dev.lossconformance.report;

import dev.lossconformance.report.ReportModel.Entry;
import java.util.List;

/**
 * {@code summary.md}, the Markdown summary for a CI job: the verdict, the counts per engine and per
 * loss, the PyTorch vs TensorFlow line, up to {@value #MD_FAILURES} failing case ids and the final line.
 */
final class SummaryMarkdown {
  /** At most this many failing case ids in {@code summary.md} (and under the verdict of {@code index.html}). */
  static final int MD_FAILURES = 20;

  private SummaryMarkdown() {}

  /** The Markdown text of {@code m}. */
  static String render(ReportModel m) {
    StringBuilder md = new StringBuilder();
    md.append("## loss-conformance: ").append(m.failed() ? "❌ does not conform" : "✅ conforms").append("\n\n");
    md.append("Implementation `").append(m.implementation().replace("`", "'")).append("` against ")
        .append(String.join(" and ", m.namedEngines())).append(" goldens: ")
        .append(m.cases().size()).append(" fixture cases in ").append(m.files().size())
        .append(m.files().size() == 1 ? " file" : " files").append(m.strict() ? " (--strict)" : "").append(".\n\n");
    md.append("| Engine").append(headings()).append(" |\n");
    md.append("|---").append("|--:".repeat(ReportModel.COLUMNS.size())).append("|\n");
    for (String e : m.engines()) {
      md.append("| ").append(mdCell(e));
      for (long n : m.tally(e, null).columns()) {
        md.append(" | ").append(n);
      }
      md.append(" |\n");
    }
    md.append("\n| Loss | Engine").append(headings()).append(" |\n");
    md.append("|---|---").append("|--:".repeat(ReportModel.COLUMNS.size())).append("|\n");
    for (String op : m.ops()) {
      for (String e : m.engines()) {
        List<Long> counts = m.tally(e, op).columns();
        if (counts.stream().mapToLong(Long::longValue).sum() == 0) {
          continue;
        }
        md.append("| ").append(mdCell(op)).append(" | ").append(mdCell(e));
        for (long n : counts) {
          md.append(" | ").append(n);
        }
        md.append(" |\n");
      }
    }
    if (m.pairs() != null) {
      md.append("\nPyTorch vs TensorFlow: ").append(m.divergenceLine()).append(".\n");
    }
    List<Entry> failing = m.failing();
    if (!failing.isEmpty()) {
      md.append("\nFailing cases (").append(failing.size()).append("):\n\n");
      failing.stream().limit(MD_FAILURES).forEach(en -> md.append("- `").append(en.fixture().engine()).append(" | ")
          .append(en.fixture().id().replace("`", "'")).append("` ").append(en.status()).append('\n'));
      if (failing.size() > MD_FAILURES) {
        md.append("- … and ").append(failing.size() - MD_FAILURES).append(" more (see index.html or summary.json)\n");
      }
    }
    if (!m.unsupportedReasons().isEmpty()) {
      md.append("\nUnsupported by `").append(m.implementation().replace("`", "'")).append("`, per reason:\n\n");
      m.unsupportedReasons().forEach((why, n) -> md.append("- ").append(n).append(" × ").append(why).append('\n'));
    }
    md.append("\n**").append(m.summaryLine()).append("**\n");
    return md.toString();
  }

  /** {@code " | Passed | Failed | ..."}: the count columns' headings. */
  private static String headings() {
    StringBuilder sb = new StringBuilder();
    for (ReportModel.Column c : ReportModel.COLUMNS) {
      String word = c.name().equals("error") ? "errors" : c.name();
      sb.append(" | ").append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
    }
    return sb.toString();
  }

  private static String mdCell(String s) {
    return s.replace("|", "\\|");
  }
}
