package dev.lossconformance.report;

import dev.lossconformance.report.ReportModel.Tally;
import java.util.Locale;

/**
 * The pass-rate chart of the charts section: an SVG bar per loss and engine of passed / (passed +
 * failed + error), with the skipped and unsupported cases counted apart.
 */
final class PassRateChart {
  private PassRateChart() {}

  static void render(Html h, ReportModel m) {
    int barH = 13;
    int gap = 3;
    int groupGap = 11;
    int left = 300;
    int bar = 300;
    int w = 860;
    int topM = 40;
    int bottom = 40;
    int ht = topM + bottom;
    for (int i = 0; i < m.ops().size(); i++) {
      ht += m.engines().size() * (barH + gap) + groupGap;
    }
    String title = "Pass rate per loss and engine: passed / (passed + failed + error); skipped and unsupported counted apart";
    h.svgOpen("passrate", null, w, ht, title);
    h.raw("<text class=\"ct\" x=\"8\" y=\"18\">").text("Pass rate per loss").raw("</text>\n");
    double axisY = ht - bottom + 4;
    for (int pct = 0; pct <= 100; pct += 25) {
      double x = left + bar * pct / 100.0;
      h.svgLine("grid", x, x, topM - 6, axisY).svgText("tick", x, axisY + 14, "middle", pct + "%").raw("\n");
    }
    h.svgText("al", left + bar / 2.0, ht - 6, "middle", "passed / (passed + failed + error)").raw("\n");
    h.svgText("al", left + bar + 12, topM - 12, null, "passed of run · not run").raw("\n");
    double y = topM;
    for (String op : m.ops()) {
      boolean first = true;
      for (String e : m.engines()) {
        Tally t = m.tally(e, op);
        long p = t.passed();
        long f = t.failed() + t.errors();
        long s = t.skipped();
        long u = t.unsupported();
        if (first) {
          h.raw("<text class=\"loss\" x=\"8\" y=\"").num(y + barH - 2).raw("\">").text(op).raw("</text>");
          first = false;
        }
        h.svgText("eng", left - 6, y + barH - 2, "end", Format.engineShort(e));
        h.raw("<rect class=\"track\" x=\"").num(left).raw("\" y=\"").num(y).raw("\" width=\"").num(bar).raw("\" height=\"")
            .num(barH).raw("\" />");
        long run = p + f;
        if (run > 0) {
          double pw = bar * (double) p / run;
          h.raw("<rect class=\"ok e-").attr(Format.attrName(e)).raw("\" x=\"").num(left).raw("\" y=\"").num(y)
              .raw("\" width=\"").num(pw).raw("\" height=\"").num(barH).raw("\"><title>").text(op + ", "
                  + Format.engineName(e) + ": " + p + " of " + run + " passed").raw("</title></rect>");
          if (f > 0) {
            h.raw("<rect class=\"bad\" x=\"").num(left + pw).raw("\" y=\"").num(y).raw("\" width=\"").num(bar - pw)
                .raw("\" height=\"").num(barH).raw("\" />");
          }
        }
        String rate = run == 0 ? "no case run" : String.format(Locale.ROOT, "%.1f%% (%d/%d)", 100.0 * p / run, p, run);
        h.raw("<text class=\"val").raw(f > 0 ? " badv" : "").raw("\" x=\"").num(left + bar + 12).raw("\" y=\"")
            .num(y + barH - 2).raw("\">").text(rate);
        if (s + u > 0) {
          h.raw("<tspan class=\"muted\">").text(" · " + (s > 0 ? s + " skipped" : "") + (s > 0 && u > 0 ? ", " : "")
              + (u > 0 ? u + " unsupported" : "")).raw("</tspan>");
        }
        h.raw("</text>\n");
        y += barH + gap;
      }
      y += groupGap;
    }
    h.raw("</svg></figure>\n");
  }
}
