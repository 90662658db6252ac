package dev.lossconformance.report;

import dev.lossconformance.report.ReportModel.Entry;
import java.util.Arrays;
import java.util.List;

/**
 * The charts of {@code index.html} ({@code #charts}): per engine, an SVG histogram of the max ULP
 * error of its passed cases against the golden; beside them the pass rates ({@link PassRateChart}).
 */
final class ChartsSection {
  private static final List<String> BUCKETS = List.of("0", "1", "2", "3–4", "5–16", "17–256", ">256");

  private ChartsSection() {}

  static void render(Html h, ReportModel m) {
    h.raw("<section id=\"charts\"><h2>Charts</h2>\n<div class=\"charts\">\n<div class=\"hists\">\n");
    for (String e : m.engines()) {
      histogram(h, m, e);
    }
    h.raw("</div>\n");
    PassRateChart.render(h, m);
    h.raw("</div>\n</section>\n");
  }

  private static int bucket(long ulp) {
    if (ulp <= 2) {
      return (int) ulp;
    }
    if (ulp <= 4) {
      return 3;
    }
    if (ulp <= 16) {
      return 4;
    }
    return ulp <= 256 ? 5 : 6;
  }

  private static void histogram(Html h, ReportModel m, String engine) {
    long[] n = new long[BUCKETS.size()];
    long withoutNumbers = 0;
    for (Entry en : m.entries()) {
      if (!en.fixture().engine().equals(engine) || !en.passed()) {
        continue;
      }
      if (!en.compared()) {
        withoutNumbers++;
        continue;
      }
      n[bucket(en.maxUlp())]++;
    }
    long max = Arrays.stream(n).max().orElse(0);
    long top = niceCeil(max);
    int w = 440;
    int ht = 250;
    int left = 52;
    int right = 12;
    int topM = 34;
    int bottom = 56;
    double pw = w - left - right;
    double ph = ht - topM - bottom;
    String name = Format.engineName(engine);
    String title = name + ": max ULP error of passed cases against the golden";
    h.svgOpen("histogram", engine, w, ht, title);
    h.raw("<text class=\"ct\" x=\"").raw(Integer.toString(left)).raw("\" y=\"18\">").text(name
        + ": max ULP error, passed cases").raw("</text>\n");
    for (int t = 0; t <= 4; t++) {
      long v = top * t / 4;
      if (t > 0 && v == top * (t - 1) / 4) {
        continue;
      }
      double y = topM + ph - ph * v / top;
      h.svgLine("grid", left, left + pw, y, y).svgText("tick", left - 6, y + 4, "end", Long.toString(v)).raw("\n");
    }
    double slot = pw / n.length;
    for (int b = 0; b < n.length; b++) {
      double bh = ph * n[b] / top;
      double x = left + b * slot + slot * 0.15;
      double bw = slot * 0.7;
      h.raw("<rect class=\"bar b").raw(Integer.toString(b)).raw("\" x=\"").num(x).raw("\" y=\"").num(topM + ph - bh)
          .raw("\" width=\"").num(bw).raw("\" height=\"").num(bh).raw("\"><title>").text(n[b] + " cases with max ULP "
              + BUCKETS.get(b)).raw("</title></rect>");
      h.svgText("val", x + bw / 2, topM + ph - bh - 4, "middle", Long.toString(n[b]));
      h.svgText("tick", x + bw / 2, topM + ph + 15, "middle", BUCKETS.get(b)).raw("\n");
    }
    h.svgLine("axis", left, left + pw, topM + ph, topM + ph).raw("\n");
    h.svgText("al", left + pw / 2, ht - 22, "middle", "max ULP distance from the golden (per case)").raw("\n");
    h.raw("<text class=\"al\" x=\"14\" y=\"").num(topM + ph / 2).raw("\" text-anchor=\"middle\" transform=\"rotate(-90 14 ")
        .num(topM + ph / 2).raw(")\">cases</text>\n");
    h.svgText("note", left, ht - 5, null, withoutNumbers + " passed cases with no numbers compared (both raise) not counted")
        .raw("\n");
    h.raw("</svg></figure>\n");
  }

  private static long niceCeil(long v) {
    if (v <= 4) {
      return 4;
    }
    long p = 1;
    while (p * 10 < v) {
      p *= 10;
    }
    for (long m : new long[] {1, 2, 4, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }
}
