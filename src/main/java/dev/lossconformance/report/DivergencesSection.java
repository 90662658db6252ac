package dev.lossconformance.report;

import dev.lossconformance.check.Divergences;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PyTorch against TensorFlow ({@code #divergences}): how many paired cases agree, a table per loss of
 * the differing pairs' reasons, then per loss every differing pair with both engines' losses (and
 * gradients where those differ) and the catalog's reason, expected or unexplained. Without paired
 * engines, a note on how to get them.
 */
final class DivergencesSection {
  private DivergencesSection() {}

  static void render(Html h, ReportModel m) {
    h.raw("<section id=\"divergences\"><h2>PyTorch vs TensorFlow</h2>\n");
    List<Divergences.Pair> pairs = m.pairs();
    if (pairs == null) {
      h.raw("<p class=\"note\" id=\"divergence-count\">Not available: pass a folder holding <code>torch/</code> and "
          + "<code>tensorflow/</code> (such as <code>fixtures/</code>) to pair the engines' goldens.</p>\n</section>\n");
      return;
    }
    long gradCompared = pairs.stream().filter(p -> p.gradAgree() != null).count();
    long gradDiffer = pairs.stream().filter(p -> Boolean.FALSE.equals(p.gradAgree())).count();
    h.raw("<p class=\"lead\" id=\"divergence-count\">").text(m.divergenceLine() + "; gradients compared on " + gradCompared
        + ", " + gradDiffer + " differ.").raw("</p>\n");
    h.raw("<p class=\"note\">Both engines run the same case (the same drawn numbers under each framework's names). They "
        + "agree when both raise, or when every element is within 8 ulps of the coarser dtype (or of the largest "
        + "magnitude). <span class=\"tag exp\">expected</span> rows carry the catalog's reason; an "
        + "<span class=\"tag unexp\">unexplained</span> one is a finding.</p>\n");
    Map<String, List<Divergences.Pair>> byOp = new LinkedHashMap<>();
    for (String op : m.ops()) {
      byOp.put(op, new ArrayList<>());
    }
    Map<String, Long> pairedByOp = new HashMap<>();
    for (Divergences.Pair p : pairs) {
      pairedByOp.merge(p.op(), 1L, Long::sum);
      if (ReportModel.differs(p)) {
        byOp.computeIfAbsent(p.op(), k -> new ArrayList<>()).add(p);
      }
    }
    h.raw("<table class=\"counts divsum\"><thead><tr><th>Loss</th><th class=\"num\">paired</th><th class=\"num\">differ</th>"
        + "<th>why (cases)</th></tr></thead><tbody>\n");
    for (Map.Entry<String, List<Divergences.Pair>> g : byOp.entrySet()) {
      long paired = pairedByOp.getOrDefault(g.getKey(), 0L);
      if (paired == 0) {
        continue;
      }
      h.raw("<tr><th>").raw(g.getValue().isEmpty() ? "" : "<a href=\"#div-loss-" + Html.escape(g.getKey()) + "\">")
          .text(g.getKey()).raw(g.getValue().isEmpty() ? "" : "</a>").raw("</th><td class=\"num\">").text(Long.toString(paired))
          .raw("</td><td class=\"num").raw(g.getValue().isEmpty() ? " zero" : "").raw("\">").text(Long.toString(g.getValue().size()))
          .raw("</td><td class=\"reasons\">");
      Map<String, Long> reasons = new LinkedHashMap<>();
      Map<String, String> full = new HashMap<>();
      for (Divergences.Pair p : g.getValue()) {
        reasons.merge(reasonCode(p), 1L, Long::sum);
        full.putIfAbsent(reasonCode(p), p.reason() == null ? "no catalog reason" : p.reason());
      }
      boolean firstR = true;
      for (Map.Entry<String, Long> r : reasons.entrySet()) {
        h.raw(firstR ? "" : " ").raw("<span class=\"tag ").raw(r.getKey().equals("unexplained") ? "unexp" : "exp")
            .raw("\" title=\"").attr(full.get(r.getKey())).raw("\">").text(r.getKey()).raw(" <b>")
            .text(Long.toString(r.getValue())).raw("</b></span>");
        firstR = false;
      }
      h.raw("</td></tr>\n");
    }
    h.raw("</tbody></table>\n");
    for (Map.Entry<String, List<Divergences.Pair>> g : byOp.entrySet()) {
      List<Divergences.Pair> list = g.getValue();
      if (list.isEmpty()) {
        continue;
      }
      h.raw("<h3 id=\"div-loss-").attr(g.getKey()).raw("\">").text(g.getKey()).raw(" <span class=\"muted\">")
          .text(list.size() + " of " + pairedByOp.getOrDefault(g.getKey(), 0L) + " paired cases differ").raw("</span></h3>\n");
      h.raw("<table class=\"div\" data-loss=\"").attr(g.getKey()).raw("\"><thead><tr><th>Case</th><th>Difference</th><th>PyTorch</th>"
          + "<th>TensorFlow</th><th>Why (catalog)</th></tr></thead><tbody>\n");
      for (int i = 0; i < list.size(); i++) {
        Divergences.Pair p = list.get(i);
        int span = 1;
        while (i + span < list.size() && Objects.equals(list.get(i + span).reason(), p.reason())) {
          span++;
        }
        for (int j = i; j < i + span; j++) {
          divRow(h, m, list.get(j), j == i ? span : 0);
        }
        i += span - 1;
      }
      h.raw("</tbody></table>\n");
    }
    h.raw("</section>\n");
  }

  /** {@code T-7} from a reason {@code T-7: ...}; the reason's start otherwise; "unexplained" without one. */
  private static String reasonCode(Divergences.Pair p) {
    if (p.reason() == null) {
      return "unexplained";
    }
    Matcher m = Pattern.compile("^(T-\\d+(?:[/,] ?T-\\d+)*)").matcher(p.reason());
    if (m.find()) {
      return m.group(1);
    }
    String r = p.reason();
    if (r.length() <= 36) {
      return r;
    }
    int cut = r.lastIndexOf(' ', 36);
    return r.substring(0, cut > 16 ? cut : 36) + " …";
  }

  private static void divRow(Html h, ReportModel m, Divergences.Pair p, int reasonSpan) {
    String anchor = m.divAnchor(p.op(), p.id());
    String cls = p.reason() == null ? "unexp" : "exp";
    h.raw("<tr id=\"").attr(anchor).raw("\" data-id=\"").attr(p.id()).raw("\" class=\"").raw(cls)
        .raw("\"><td class=\"id\"><code>").raw(breakable(p.id())).raw("</code></td><td class=\"what\">");
    if (!p.agree()) {
      h.raw("<span class=\"tag ").raw(cls).raw("\">loss</span> ");
      h.text(p.difference() != null ? p.difference() : "differ");
    }
    if (Boolean.FALSE.equals(p.gradAgree())) {
      h.raw(p.agree() ? "" : "<br />").raw("<span class=\"tag ").raw(cls).raw("\">grad</span> ")
          .text(p.agree() ? "losses agree, gradients differ" : "gradients differ too");
    }
    String counterpartGrad = p.counterpart().outputs().keySet().stream().skip(1).findFirst().orElse(null);
    boolean grads = Boolean.FALSE.equals(p.gradAgree());
    h.raw("</td><td class=\"vals\">");
    side(h, p.reference(), grads ? (counterpartGrad != null && p.reference().outputs().containsKey(counterpartGrad) ? counterpartGrad : "grad_input") : null);
    h.raw("</td><td class=\"vals\">");
    side(h, p.counterpart(), grads ? counterpartGrad : null);
    h.raw("</td>");
    if (reasonSpan > 0) {
      h.raw("<td class=\"why\"").raw(reasonSpan > 1 ? " rowspan=\"" + reasonSpan + "\"" : "").raw(">");
      if (p.reason() == null) {
        h.raw("<span class=\"tag unexp\">unexplained</span>");
      } else {
        h.text(p.reason());
      }
      h.raw("</td>");
    }
    h.raw("</tr>\n");
  }

  private static void side(Html h, FixtureCase c, String grad) {
    h.raw("<div class=\"api\" title=\"").attr(c.api()).raw("\">").text(c.api()).raw("</div>");
    if (c.expectsError()) {
      h.raw("<div class=\"err\">raises ").text(c.error()).raw("</div>");
      return;
    }
    Tensor loss = c.outputs().get("loss");
    if (loss != null) {
      h.raw("<div><span class=\"k\">loss</span> ").raw("<code>").text(Format.values(loss, 4)).raw("</code></div>");
    }
    if (grad != null && c.outputs().containsKey(grad)) {
      h.raw("<div><span class=\"k\">").text(grad).raw("</span> <code>").text(Format.values(c.outputs().get(grad), 4))
          .raw("</code></div>");
    }
  }

  /** Escaped text with a line-break opportunity after each {@code /} and {@code _}. */
  private static String breakable(String id) {
    return Html.escape(id).replace("/", "/<wbr />").replace("_", "_<wbr />");
  }
}
