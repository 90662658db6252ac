package dev.lossconformance.report;

import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.report.ReportModel.Entry;
import java.util.List;

/**
 * The failing cases right under the verdict ({@code #failures}): up to
 * {@value SummaryMarkdown#MD_FAILURES} of them, each with the line that says where it fails and a link
 * to its row in the matrix; nothing when no case fails.
 */
final class FailuresSection {
  private FailuresSection() {}

  static void render(Html h, ReportModel m) {
    List<Entry> bad = m.failing();
    if (bad.isEmpty()) {
      return;
    }
    int max = SummaryMarkdown.MD_FAILURES;
    h.raw("<section id=\"failures\"><h2>Failing cases <span class=\"muted\">").text(Integer.toString(bad.size()))
        .raw("</span></h2>\n<table class=\"failures\"><thead><tr><th>Engine</th><th>Case</th><th>Status</th><th>Where</th>"
            + "</tr></thead><tbody>\n");
    for (Entry en : bad.subList(0, Math.min(bad.size(), max))) {
      FixtureCase c = en.fixture();
      String msg = en.message() == null ? "" : en.message();
      List<String> lines = msg.lines().map(String::trim).toList();
      String where = lines.isEmpty() ? "" : lines.get(0);
      String head = c.id() + " vs " + c.engine() + ", ";
      if (where.startsWith(head) && where.endsWith(":") && lines.size() > 1) {
        where = where.substring(head.length(), where.length() - 1) + ": " + lines.get(1);
      }
      h.raw("<tr><td>").text(c.engine()).raw("</td><td><a href=\"#").attr(m.rowAnchor(ReportModel.opOf(c), c.id()))
          .raw("\"><code>").text(c.id()).raw("</code></a></td><td>").badge(en.status())
          .raw("</td><td class=\"msg1\">").text(Format.abbreviate(where, 300)).raw("</td></tr>\n");
    }
    h.raw("</tbody></table>\n");
    if (bad.size() > max) {
      h.raw("<p class=\"note\">").text("… and " + (bad.size() - max) + " more: choose status \"failed\" in the "
          + "filter of All cases.").raw("</p>\n");
    }
    h.raw("</section>\n");
  }
}
