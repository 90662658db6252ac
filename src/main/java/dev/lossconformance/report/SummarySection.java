package dev.lossconformance.report;

import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.report.ReportModel.Column;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The summary tables of {@code index.html} ({@code #summary}): the counts per engine with its version
 * and DJL version, the fixture files' source lines, the PyTorch vs TensorFlow line, the counts per loss
 * and engine; then the fixture files ({@link FixturesSection}).
 */
final class SummarySection {
  private SummarySection() {}

  static void render(Html h, ReportModel m) {
    h.raw("<section id=\"summary\"><h2>Summary</h2>\n<div class=\"cols\">\n<div>");
    h.raw("<h3>Per engine</h3>\n<table class=\"counts\" id=\"engine-counts\"><thead><tr><th>Engine</th><th>Version</th><th>DJL</th>");
    columnHeads(h);
    h.raw("</tr></thead><tbody>\n");
    for (String e : m.engines()) {
      h.raw("<tr data-engine=\"").attr(e).raw("\"><th>").text(Format.engineName(e)).raw("</th>");
      Set<String> engineV = new LinkedHashSet<>();
      Set<String> djl = new LinkedHashSet<>();
      Set<String> sources = new LinkedHashSet<>();
      for (FixtureFile f : m.files()) {
        if (ReportModel.engineOf(f).equals(e)) {
          sources.add(f.source());
          List<String[]> v = ReportModel.versions(f.source());
          v.stream().filter(x -> !x[0].equals("DJL")).findFirst().ifPresent(x -> engineV.add(x[0] + " " + x[1]));
          v.stream().filter(x -> x[0].equals("DJL")).findFirst().ifPresent(x -> djl.add(x[1]));
        }
      }
      h.raw("<td title=\"").attr(String.join("\n", sources)).raw("\">").text(engineV.isEmpty() ? "—" : String.join(", ", engineV))
          .raw("</td><td>").text(djl.isEmpty() ? "—" : String.join(", ", djl)).raw("</td>");
      countCells(h, m, e, null);
      h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n");
    h.raw("<p class=\"note\">Sources, as each fixture file states them:</p><ul class=\"sources\">");
    Set<String> shown = new LinkedHashSet<>();
    for (String e : m.engines()) {
      for (FixtureFile f : m.files()) {
        if (ReportModel.engineOf(f).equals(e) && shown.add(e + "\u0000" + f.source())) {
          h.raw("<li><b>").text(Format.engineShort(e)).raw("</b> ").text(f.source()).raw("</li>");
        }
      }
    }
    h.raw("</ul>\n");
    if (m.pairs() != null) {
      h.raw("<p class=\"note\"><b>PyTorch vs TensorFlow:</b> ").text(m.divergenceLine())
          .raw(". <a href=\"#divergences\">Where and why</a></p>\n");
    }
    h.raw("</div>\n<div>");
    h.raw("<h3>Per loss</h3>\n<table class=\"counts\" id=\"loss-counts\"><thead><tr><th rowspan=\"2\">Loss</th>");
    for (String e : m.engines()) {
      h.raw("<th colspan=\"").raw(Integer.toString(ReportModel.COLUMNS.size())).raw("\" class=\"eng\">")
          .text(Format.engineName(e)).raw("</th>");
    }
    h.raw("</tr><tr>");
    for (int i = 0; i < m.engines().size(); i++) {
      columnHeads(h);
    }
    h.raw("</tr></thead><tbody>\n");
    for (String op : m.ops()) {
      h.raw("<tr data-loss=\"").attr(op).raw("\"><th><a href=\"#loss-").attr(op).raw("\">").text(op).raw("</a></th>");
      for (String e : m.engines()) {
        countCells(h, m, e, op);
      }
      h.raw("</tr>\n");
    }
    h.raw("</tbody></table>\n<p class=\"note\">pass = the implementation within tolerance of the golden (or raising where "
        + "the engine raised); fail = beyond it; dev = a failure listed as a known deviation, with its reason; unsup = "
        + "an api, parameter or output the implementation does not support; skip = the engine cannot express the case;"
        + " err = the case cannot be run as written.</p>\n");
    if (!m.unsupportedReasons().isEmpty()) {
      h.raw("<h3>Unsupported by <code>").text(m.implementation()).raw("</code>, per reason</h3>\n");
      h.raw("<table class=\"counts\" id=\"unsupported-reasons\"><thead><tr><th class=\"num\">cases</th>"
          + "<th>reason</th></tr></thead><tbody>\n");
      m.unsupportedReasons().forEach((why, n) -> h.raw("<tr><td class=\"num\">").text(Long.toString(n))
          .raw("</td><td>").text(why).raw("</td></tr>\n"));
      h.raw("</tbody></table>\n");
    }
    h.raw("</div>\n</div>\n");
    FixturesSection.render(h, m);
    h.raw("</section>\n");
  }

  private static void columnHeads(Html h) {
    for (Column c : ReportModel.COLUMNS) {
      h.raw("<th class=\"num\" title=\"").attr(c.name()).raw("\">").text(c.abbrev()).raw("</th>");
    }
  }

  /** One cell per column: the count of {@code engine} on {@code op} ({@code null}: every loss). */
  private static void countCells(Html h, ReportModel m, String engine, String op) {
    List<Long> counts = m.tally(engine, op).columns();
    for (int i = 0; i < counts.size(); i++) {
      long n = counts.get(i);
      h.raw("<td class=\"num").raw(n == 0 ? " zero" : " c-" + ReportModel.COLUMNS.get(i).name()).raw("\">")
          .text(Long.toString(n)).raw("</td>");
    }
  }
}
