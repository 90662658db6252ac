package dev.lossconformance.report;

import dev.lossconformance.catalog.Case;
import dev.lossconformance.check.CaseResult;
import dev.lossconformance.check.Tolerance;
import dev.lossconformance.check.Tolerances;
import dev.lossconformance.check.Ulps;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.report.ReportModel.Entry;
import dev.lossconformance.report.ReportModel.Row;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * The folded details panel of a case-matrix row: what the case probes (from the catalog), then per
 * engine its API, params, inputs, the golden and Java's loss, each output's distances and the
 * tolerance applied, and the failure message.
 */
final class CaseDetails {
  private CaseDetails() {}

  static void render(Html h, ReportModel m, Row r) {
    Case declared = m.declared(r.op, r.id);
    if (declared != null && declared.why() != null) {
      h.raw("<p class=\"why\"><b>Probes:</b> ").text(declared.why()).raw("</p>");
    }
    if (declared != null && declared.divergence() != null) {
      h.raw("<p class=\"why\"><b>PyTorch vs TensorFlow:</b> ").text(declared.divergence()).raw("</p>");
    }
    h.raw("<div class=\"sides\">");
    for (String e : m.engines()) {
      Entry en = r.byEngine.get(e);
      if (en != null) {
        side(h, e, en);
      }
    }
    h.raw("</div>");
  }

  private static void side(Html h, String engine, Entry en) {
    FixtureCase c = en.fixture();
    h.raw("<div class=\"side\"><h4>").text(Format.engineName(engine)).raw(" <code>").text(c.api())
        .raw("</code> ").badge(en.status()).raw("</h4><dl>");
    h.raw("<dt>params</dt><dd>");
    if (c.params().isEmpty()) {
      h.raw("<span class=\"muted\">none</span>");
    } else {
      boolean first = true;
      for (Map.Entry<String, Object> p : c.params().entrySet()) {
        h.raw(first ? "" : ", ").raw("<code>").text(p.getKey() + "=" + Format.paramText(p.getValue())).raw("</code>");
        first = false;
      }
    }
    h.raw("</dd><dt>inputs</dt><dd>");
    boolean first = true;
    for (Map.Entry<String, Tensor> in : c.inputs().entrySet()) {
      Tensor t = in.getValue();
      h.raw(first ? "" : "<br />").raw("<code>").text(in.getKey()).raw("</code> ").text(t.dtype().jsonName()
          + Arrays.toString(t.shape()));
      if (t.numel() <= 4 && t.numel() > 0) {
        String v = Format.values(t);
        h.raw(" <code class=\"v\">").text(v.substring(v.indexOf(' ') + 1)).raw("</code>");
      }
      first = false;
    }
    h.raw("</dd>");
    if (c.unsupported() != null) {
      h.raw("<dt>skipped</dt><dd>").text(c.unsupported()).raw("</dd>");
    }
    if (c.expectsError()) {
      h.raw("<dt>engine raised</dt><dd class=\"err\">").text(c.error()).raw("</dd>");
      if (en.passed() && en.message() != null) {
        h.raw("<dt>java raised</dt><dd>")
            .text(Format.abbreviate(en.message().replaceFirst("^raised as the engine did: ", ""), 400)).raw("</dd>");
      }
    }
    Tensor expected = c.outputs().get("loss");
    if (expected != null) {
      Tensor actual = en.actual("loss");
      h.raw("<dt>loss</dt><dd><span class=\"k\">golden</span> <code>").text(Format.values(expected)).raw("</code><br />")
          .raw("<span class=\"k\">java</span> <code>").text(actual == null ? "—" : Format.values(actual)).raw("</code></dd>");
    }
    h.raw("</dl>");
    if (!c.outputs().isEmpty()) {
      h.raw("<table class=\"outs\"><thead><tr><th>output</th><th class=\"num\">max ulp</th><th class=\"num\">max abs</th>"
          + "<th>tolerance</th></tr></thead><tbody>");
      for (Map.Entry<String, Tensor> o : c.outputs().entrySet()) {
        DType dt = o.getValue().dtype();
        Tolerance tol = dt.isFloating() ? Tolerances.of(c.api(), o.getKey(), dt) : null;
        CaseResult.OutputDiff d = en.diff(o.getKey());
        h.raw("<tr><td class=\"o\"><code>").text(o.getKey()).raw("</code> ").text(dt.shortName() + Arrays.toString(o.getValue().shape()))
            .raw("</td><td class=\"num\">").text(d == null ? "—" : Ulps.text(d.maxUlp())).raw("</td><td class=\"num\">")
            .text(d == null ? "—" : Format.fmt(d.maxAbs())).raw("</td><td>");
        if (tol != null) {
          h.raw("<b>").text(tol.toString()).raw("</b> <span class=\"muted\">").text(tol.reason()).raw("</span>");
        }
        h.raw("</td></tr>");
      }
      h.raw("</tbody></table>");
    }
    if (en.message() != null && !en.passed() && !en.skipped()) {
      h.raw("<pre class=\"msg\">").text(Format.abbreviate(en.message(), 4000)).raw("</pre>");
    }
    h.raw("</div>");
  }
}
