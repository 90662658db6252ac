package dev.lossconformance.report;

import dev.lossconformance.check.EngineVersions;
import dev.lossconformance.check.EngineVersions.ChangedCase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Version drift ({@code #versions}): from {@code fixtures/drift.json}, a version x loss matrix per
 * engine (how many cases of each loss changed beyond the gate's tolerance on each version, against the
 * primary) and every changed case with its versions, first change and reason. With {@code check
 * --engine-version} it first says which version's goldens were checked and lists the cases whose
 * outcome on that version differs from the primary's with their verdict in this run (the Java kernels
 * keep the primary's semantics). Nothing when the run has no drift.json.
 */
final class VersionsSection {
  private VersionsSection() {}

  static void render(Html h, ReportModel m) {
    EngineVersions.Selection s = m.versions();
    if (s == null) {
      return;
    }
    EngineVersions.Index ix = s.index();
    h.raw("<section id=\"versions\"><h2>Versions</h2>\n<p>");
    List<String> prim = new ArrayList<>();
    ix.primary().forEach((e, v) -> prim.add(e + " " + v));
    h.text("The catalog's cases were also run on other releases (drift.json): " + ix.describeOthers()
        + ". Primary goldens: " + String.join(", ", prim) + ". A case counts as changed on a version when that"
        + " version's golden would fail the gate against the primary's (beyond tolerance, another error kind, or"
        + " error \u2194 outputs).").raw("</p>\n");
    if (!s.chosen().isEmpty()) {
      renderChosen(h, m, s);
    }
    for (Map.Entry<String, List<String>> e : ix.versions().entrySet()) {
      renderMatrix(h, m, ix, e.getKey(), e.getValue());
    }
    renderChanges(h, m, ix);
    h.raw("</section>\n");
  }

  /** The chosen versions and the verdicts of this run on their changed cases. */
  private static void renderChosen(Html h, ReportModel m, EngineVersions.Selection s) {
    List<String> chosen = new ArrayList<>();
    s.chosen().forEach((e, v) -> chosen.add(e + " " + v));
    h.raw("<p class=\"note\" id=\"versions-chosen\">").text("Checked against the goldens of " + String.join(", ", chosen)
        + " (check --engine-version): " + s.replaced().size() + " cases' goldens are that version's, "
        + s.changed().size() + " of them beyond the gate's tolerance of the primary. The Java kernels follow the"
        + " primary version, so these cases may fail here:").raw("</p>\n");
    h.raw("<table class=\"versions-chosen\"><thead><tr><th>Engine</th><th>Case</th><th>Verdict here</th><th>Why the"
        + " version differs</th></tr></thead><tbody>\n");
    for (ChangedCase c : s.changed().values()) {
      ReportModel.Entry en = m.entry(c.engine(), c.id());
      h.raw("<tr class=\"version-changed\"><td>").text(c.engine()).raw("</td><td>");
      caseLink(h, m, c);
      h.raw("</td><td>");
      if (en == null) {
        h.text("not in this run");
      } else {
        h.badge(en.status());
      }
      h.raw("</td><td>").text(c.reason()).raw("</td></tr>\n");
    }
    h.raw("</tbody></table>\n");
  }

  /** One engine's version x loss matrix: changed cases per loss and version, and the loss's case count. */
  private static void renderMatrix(Html h, ReportModel m, EngineVersions.Index ix, String engine, List<String> versions) {
    Map<String, Map<String, Integer>> byOp = new LinkedHashMap<>();
    TreeSet<String> ops = new TreeSet<>();
    for (ChangedCase c : ix.changes()) {
      if (!c.engine().equals(engine)) {
        continue;
      }
      ops.add(c.op());
      for (String v : c.changedOn()) {
        byOp.computeIfAbsent(c.op(), k -> new LinkedHashMap<>()).merge(v, 1, Integer::sum);
      }
    }
    h.raw("<h3>").text(engine).raw("</h3>\n");
    if (ops.isEmpty()) {
      h.raw("<p>").text("No case changed on any version of " + engine + ".").raw("</p>\n");
      return;
    }
    h.raw("<table class=\"versions-matrix\" data-engine=\"").attr(engine).raw("\"><thead><tr><th>Loss</th>");
    for (String v : versions) {
      h.raw("<th>").text(v + (v.equals(ix.primary().get(engine)) ? " (primary)" : "")).raw("</th>");
    }
    h.raw("</tr></thead><tbody>\n");
    Map<String, Integer> total = new LinkedHashMap<>();
    for (String op : ops) {
      h.raw("<tr><td><code>").text(op).raw("</code></td>");
      for (String v : versions) {
        int n = byOp.getOrDefault(op, Map.of()).getOrDefault(v, 0);
        total.merge(v, n, Integer::sum);
        cell(h, v.equals(ix.primary().get(engine)), n);
      }
      h.raw("</tr>\n");
    }
    h.raw("<tr class=\"total\"><td>all losses</td>");
    for (String v : versions) {
      cell(h, v.equals(ix.primary().get(engine)), total.getOrDefault(v, 0));
    }
    h.raw("</tr>\n</tbody></table>\n");
  }

  private static void cell(Html h, boolean primary, int n) {
    if (primary) {
      h.raw("<td class=\"primary\">\u2014</td>");
    } else {
      h.raw(n > 0 ? "<td class=\"changed\">" : "<td>").text(Integer.toString(n)).raw("</td>");
    }
  }

  /** Every changed case: engine, id, the versions it changed on, the first change, the reason. */
  private static void renderChanges(Html h, ReportModel m, EngineVersions.Index ix) {
    if (ix.changes().isEmpty()) {
      return;
    }
    h.raw("<table class=\"versions-changes\"><thead><tr><th>Engine</th><th>Case</th><th>Changed on</th><th>First"
        + " changed</th><th>Reason</th></tr></thead><tbody>\n");
    for (ChangedCase c : ix.changes()) {
      h.raw("<tr><td>").text(c.engine()).raw("</td><td>");
      caseLink(h, m, c);
      h.raw("</td><td>").text(String.join(", ", c.changedOn())).raw("</td><td>")
          .text(c.firstChanged() == null ? "" : c.firstChanged()).raw("</td><td>").text(c.reason()).raw("</td></tr>\n");
    }
    h.raw("</tbody></table>\n");
  }

  private static void caseLink(Html h, ReportModel m, ChangedCase c) {
    String anchor = m.rowAnchor(c.op(), c.id());
    if (anchor == null) {
      h.raw("<code>").text(c.id()).raw("</code>");
    } else {
      h.raw("<a href=\"#").attr(anchor).raw("\"><code>").text(c.id()).raw("</code></a>");
    }
  }
}
