package dev.lossconformance.report;

import dev.lossconformance.report.ReportModel.Tally;
import java.util.ArrayList;
import java.util.List;

/**
 * The verdict at the top of {@code index.html} ({@code #verdict}): conforms or not, the summary line,
 * the engines and their versions, the counts of cases and files, the exit code and why, and the
 * generation time when one was asked for.
 */
final class VerdictSection {
  private VerdictSection() {}

  static void render(Html h, ReportModel m) {
    boolean bad = m.failed();
    h.raw("<section id=\"verdict\" class=\"verdict ").raw(bad ? "fail" : "pass").raw("\" data-verdict=\"")
        .raw(bad ? "fail" : "pass").raw("\">");
    h.raw("<div class=\"mark\">").raw(bad ? "✗" : "✓").raw("</div><div>");
    h.raw("<div class=\"word\">").text(bad ? "Does not conform" : "Conforms").raw("</div>");
    h.raw("<div class=\"line\" id=\"summary-line\">").text(m.summaryLine()).raw("</div>");
    h.raw("<div class=\"sub\">Implementation <code id=\"implementation\">").text(m.implementation())
        .raw("</code> against the golden fixtures of ");
    h.text(String.join(" and ", m.namedEngines())).text(": " + m.cases().size() + " fixture cases (" + m.rowCount()
        + " case ids) in " + m.files().size() + (m.files().size() == 1 ? " file" : " files") + ". ");
    h.text(bad ? "Exit code 1: " + failReason(m) + "."
        : "Exit code 0: no case failed" + (m.strict() ? " and none is unsupported (--strict)" : "") + ".");
    if (m.generatedAt() != null) {
      h.raw(" <span class=\"ts\" id=\"generated-at\">Generated ").text(m.generatedAt().toString()).raw(".</span>");
    }
    h.raw("</div></div></section>\n");
  }

  private static String failReason(ReportModel m) {
    List<String> why = new ArrayList<>();
    Tally all = m.tally(null, null);
    long f = all.failed();
    long e = all.errors();
    long u = all.unsupported();
    if (f > 0) {
      why.add(f + (f == 1 ? " case differs" : " cases differ") + " from the golden beyond tolerance");
    }
    if (e > 0) {
      why.add(e + (e == 1 ? " case" : " cases") + " could not be run as written");
    }
    if (m.strict() && u > 0) {
      why.add(u + " unsupported (--strict)");
    }
    return String.join("; ", why);
  }
}
