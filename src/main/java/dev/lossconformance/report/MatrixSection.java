package dev.lossconformance.report;

import dev.lossconformance.check.Divergences;
import dev.lossconformance.check.Ulps;
import dev.lossconformance.report.ReportModel.Column;
import dev.lossconformance.report.ReportModel.Entry;
import dev.lossconformance.report.ReportModel.Row;
import java.util.List;

/**
 * The case matrix ({@code #matrix}, "All cases"): the filters (case id, loss, engine, status) that
 * {@code report.js} applies, then per loss one row per case id ({@code tr.case}) with its verdict
 * against each engine's golden, the PyTorch vs TensorFlow cell and a folded {@link CaseDetails} panel.
 */
final class MatrixSection {
  private MatrixSection() {}

  static void render(Html h, ReportModel m) {
    h.raw("<section id=\"matrix\"><h2>All cases</h2>\n");
    h.raw("<div class=\"filters\" id=\"filters\"><label>Case id <input id=\"filter\" type=\"search\" "
        + "placeholder=\"substring of the id, e.g. smoothing\" autocomplete=\"off\" /></label>");
    h.raw("<label>Loss <select id=\"filter-loss\"><option value=\"any\">all losses</option>");
    for (String op : m.ops()) {
      h.raw("<option value=\"").attr(op).raw("\">").text(op).raw("</option>");
    }
    h.raw("</select></label><label>Engine <select id=\"filter-engine\"><option value=\"any\">any</option>");
    for (String e : m.engines()) {
      h.raw("<option value=\"").attr(e).raw("\">").text(e).raw("</option>");
    }
    h.raw("</select></label><label>Status <select id=\"filter-status\"><option value=\"any\">any</option>");
    for (Column c : ReportModel.COLUMNS) {
      h.raw("<option value=\"").raw(c.name()).raw("\">").raw(c.name()).raw("</option>");
    }
    h.raw("</select></label><span class=\"shown\"><span id=\"visible-count\">").text(Long.toString(m.rowCount()))
        .raw("</span> of <span id=\"total-count\">").text(Long.toString(m.rowCount())).raw("</span> cases shown</span></div>\n");
    h.raw("<p class=\"note\">One row per case id. Status with engine <i>any</i> filters on the row's worst status "
        + "(error &gt; failed &gt; unsupported &gt; passed &gt; skipped, skipped only when every engine skipped); with an "
        + "engine chosen, on that engine's status. Each cell: verdict, max ULP distance, max absolute error.</p>\n");
    h.raw("<table class=\"matrix\" id=\"cases\"><thead><tr><th>Case</th><th>dtype</th>");
    for (String e : m.engines()) {
      h.raw("<th>").text(Format.engineShort(e) + " golden vs Java").raw("</th>");
    }
    h.raw("<th>").text(m.pairs() != null ? "torch vs TF" : "engines").raw("</th><th></th></tr></thead>\n");
    int columns = m.engines().size() + 4;
    for (String op : m.ops()) {
      List<Row> rows = m.rows(op);
      h.raw("<tbody class=\"loss-group\" id=\"loss-").attr(op).raw("\" data-loss=\"").attr(op).raw("\">\n");
      h.raw("<tr class=\"group-head\" data-loss=\"").attr(op).raw("\"><th colspan=\"").raw(Integer.toString(columns)).raw("\">")
          .text(op).raw(" <span class=\"muted\">").text(rows.size() + " case ids").raw("</span></th></tr>\n");
      String previous = null;
      for (Row r : rows) {
        caseRow(h, m, r, !r.variant.equals(previous));
        previous = r.variant;
      }
      h.raw("</tbody>\n");
    }
    h.raw("</table>\n</section>\n");
  }

  private static void caseRow(Html h, ReportModel m, Row r, boolean variantStart) {
    h.raw("<tr id=\"").raw(m.rowAnchor(r.op, r.id)).raw("\" class=\"case").raw(variantStart ? " vstart" : "").raw("\" data-id=\"")
        .attr(r.id).raw("\" data-loss=\"").attr(r.op).raw("\" data-variant=\"").attr(r.variant).raw("\" data-engines=\"")
        .attr(String.join(" ", m.engines().stream().filter(r.byEngine::containsKey).toList()))
        .raw("\" data-status=\"").raw(r.worst()).raw("\"");
    for (String e : m.engines()) {
      Entry en = r.byEngine.get(e);
      if (en != null) {
        h.raw(" data-status-").raw(Format.attrName(e)).raw("=\"").raw(en.status()).raw("\"");
      }
    }
    h.raw(">");
    String rest = r.id.startsWith(r.op + "/") ? r.id.substring(r.op.length() + 1) : r.id;
    String suffix = "/" + r.dtype;
    h.raw("<td class=\"id\"><code>");
    if (rest.length() < r.id.length()) {
      h.raw("<span class=\"dim\">").text(r.op + "/").raw("</span>");
    }
    if (rest.endsWith(suffix)) {
      h.text(rest.substring(0, rest.length() - suffix.length())).raw("<span class=\"dim\">").text(suffix).raw("</span>");
    } else {
      h.text(rest);
    }
    h.raw("</code></td><td class=\"dt\">").text(r.dtype).raw("</td>");
    for (String e : m.engines()) {
      Entry en = r.byEngine.get(e);
      if (en == null) {
        h.raw("<td class=\"res na\">—</td>");
      } else {
        resultCell(h, en);
      }
    }
    vsCell(h, m, r);
    h.raw("<td class=\"more\"><details class=\"case-details\"><summary>details</summary><div class=\"detail-body\">");
    CaseDetails.render(h, m, r);
    h.raw("</div></details></td></tr>\n");
  }

  private static void resultCell(Html h, Entry en) {
    String s = en.status();
    String tip = en.message() == null ? null : Format.firstLines(en.message(), 3, 400);
    h.raw("<td class=\"res s-").raw(s).raw("\"");
    if (tip != null && !en.passed()) {
      h.raw(" title=\"").attr(tip).raw("\"");
    }
    h.raw(">").badge(s);
    if (en.compared()) {
      h.raw(" <span class=\"m\">").text(Ulps.text(en.maxUlp()) + " ulp").raw("</span> <span class=\"m abs\">")
          .text(Format.fmt(en.maxAbsErr())).raw("</span>");
    } else if (en.fixture().expectsError() && en.passed()) {
      h.raw(" <span class=\"m\">both raise</span>");
    }
    h.raw("</td>");
  }

  private static void vsCell(Html h, ReportModel m, Row r) {
    Divergences.Pair p = m.pair(r.op, r.id);
    if (p == null) {
      String why = m.pairs() == null ? "engines not paired in this run" : "not paired: an engine does not run this case";
      h.raw("<td class=\"vs na\" title=\"").attr(why).raw("\">—</td>");
      return;
    }
    if (!ReportModel.differs(p)) {
      h.raw("<td class=\"vs\"><span class=\"agree\">agree</span>");
      if (p.reference().expectsError() && p.counterpart().expectsError()) {
        h.raw(" <span class=\"m\">both raise</span>");
      } else {
        h.raw(" <span class=\"m\">").text(Ulps.text(p.maxUlp()) + " ulp").raw("</span>");
      }
      h.raw("</td>");
      return;
    }
    String cls = p.reason() == null ? "unexp" : "exp";
    h.raw("<td class=\"vs\" title=\"").attr(p.reason() != null ? p.reason() : "no catalog reason: unexplained").raw("\"><a class=\"differ ")
        .raw(cls).raw("\" href=\"#").attr(m.divAnchor(r.op, r.id)).raw("\">differ</a>");
    if (!p.agree()) {
      h.raw(" <span class=\"m\">").text(p.maxUlp() != Long.MAX_VALUE ? Ulps.text(p.maxUlp()) + " ulp"
          : p.difference() == null ? "loss" : p.difference().startsWith("loss shapes") ? "shape"
          : p.difference().contains("raises") ? "raise" : "NaN/inf").raw("</span>");
    }
    if (Boolean.FALSE.equals(p.gradAgree())) {
      h.raw(" <span class=\"m\">grad</span>");
    }
    h.raw("</td>");
  }
}
