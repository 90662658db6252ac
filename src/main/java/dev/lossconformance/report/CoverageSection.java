package dev.lossconformance.report;

import dev.lossconformance.fixture.FixtureCase;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parameter coverage ({@code #coverage}): per loss and API, the values the cases the engine ran pass
 * for each parameter and the dtype; where the API's set of values is known, the ones no case covers and
 * the ones outside it (which probe the error path).
 */
final class CoverageSection {
  private CoverageSection() {}

  static void render(Html h, ReportModel m) {
    h.raw("<section id=\"coverage\"><h2>Parameter coverage</h2>\n<p class=\"note\">For each loss and API: the values "
        + "the cases pass for each parameter (cases the engine ran; skipped ones not counted). Where the API's set is "
        + "known (reduction, booleans, the dtype) the values no case covers are listed "
        + "<span class=\"uncovered\">in red</span>; <span class=\"val outside\">struck-out</span> values lie outside "
        + "the API's set and probe its error path.</p>\n<div class=\"cov-grid\">\n");
    for (String op : m.ops()) {
      Map<String, List<FixtureCase>> byApi = new LinkedHashMap<>();
      for (String e : m.engines()) {
        for (FixtureCase c : m.cases()) {
          if (c.engine().equals(e) && ReportModel.opOf(c).equals(op) && c.unsupported() == null) {
            byApi.computeIfAbsent(e + "|" + c.api(), k -> new ArrayList<>()).add(c);
          }
        }
      }
      h.raw("<div class=\"cov\" data-loss=\"").attr(op).raw("\"><h3>").text(op).raw("</h3>\n");
      if (byApi.isEmpty()) {
        h.raw("<p class=\"note\">no case run</p></div>\n");
        continue;
      }
      h.raw("<table class=\"cov\"><tbody>\n");
      for (Map.Entry<String, List<FixtureCase>> a : byApi.entrySet()) {
        String engine = a.getKey().substring(0, a.getKey().indexOf('|'));
        String api = a.getKey().substring(a.getKey().indexOf('|') + 1);
        Map<String, List<Object>> values = new LinkedHashMap<>();
        Map<String, Set<String>> seen = new HashMap<>();
        for (FixtureCase c : a.getValue()) {
          for (Map.Entry<String, Object> p : c.params().entrySet()) {
            if (seen.computeIfAbsent(p.getKey(), k -> new HashSet<>()).add(rank(p.getValue()) + Format.paramText(p.getValue()))) {
              values.computeIfAbsent(p.getKey(), k -> new ArrayList<>()).add(p.getValue());
            }
          }
        }
        List<String> names = new ArrayList<>(values.keySet());
        Set<String> dtypes = new TreeSet<>();
        a.getValue().forEach(c -> dtypes.add(ReportModel.inputDtype(c).jsonName()));
        h.raw("<tr class=\"api\"><th colspan=\"3\"><span class=\"eng-tag\">").text(Format.engineShort(engine))
            .raw("</span> <code>").text(api).raw("</code> <span class=\"muted\">").text(a.getValue().size() + " cases")
            .raw("</span></th></tr>\n");
        List<Object> dt = new ArrayList<>(dtypes);
        covRow(h, api, "dtype", dt);
        for (String name : names) {
          List<Object> vs = new ArrayList<>(values.get(name));
          vs.sort(PARAM_ORDER);
          covRow(h, api, name, vs);
        }
      }
      h.raw("</tbody></table></div>\n");
    }
    h.raw("</div>\n</section>\n");
  }

  /** The values an API accepts for a parameter, when that set is known; {@code null} when open-ended. */
  private static List<String> allowed(String api, String param, List<Object> used) {
    if (param.equals("reduction")) {
      // the descriptor's closed domain (api/), in its order
      return dev.lossconformance.api.ApiIndex.find(api).filter(a -> a.hasParam("reduction"))
          .map(a -> a.param("reduction").values()).filter(v -> v != null && !v.isEmpty())
          .map(v -> v.stream().map(String::valueOf).toList()).orElse(null);
    }
    if (param.equals("dtype")) {
      return List.of("float32", "float64");
    }
    if (!used.isEmpty() && used.stream().allMatch(v -> v instanceof Boolean)) {
      return List.of("false", "true");
    }
    return null;
  }

  private static final Comparator<Object> PARAM_ORDER = (a, b) -> {
    int ra = rank(a);
    int rb = rank(b);
    if (ra != rb) {
      return Integer.compare(ra, rb);
    }
    if (a instanceof Number x && b instanceof Number y) {
      int c = Double.compare(x.doubleValue(), y.doubleValue());
      return c != 0 ? c : Format.paramText(a).compareTo(Format.paramText(b));
    }
    return ra == 0 ? 0 : Format.paramText(a).compareTo(Format.paramText(b));
  };

  private static int rank(Object v) {
    return v == null ? 0 : v instanceof Boolean ? 1 : v instanceof Number ? 2 : 3;
  }

  private static void covRow(Html h, String api, String name, List<Object> used) {
    List<String> known = allowed(api, name, used);
    List<String> usedText = used.stream().map(Format::paramText).toList();
    h.raw("<tr data-param=\"").attr(name).raw("\"><td class=\"pn\"><code>").text(name).raw("</code></td><td class=\"pv\">");
    for (int i = 0; i < used.size(); i++) {
      boolean outside = known != null && !known.contains(usedText.get(i));
      h.raw("<span class=\"val").raw(outside ? " outside\" title=\"not in the API's set: probes the error path" : "").raw("\">")
          .text(usedText.get(i)).raw("</span>");
    }
    h.raw("</td><td class=\"pu\">");
    if (known == null) {
      h.raw("<span class=\"muted\" title=\"open-ended: no fixed set of values\">—</span>");
    } else {
      List<String> missing = known.stream().filter(k -> !usedText.contains(k)).toList();
      if (missing.isEmpty()) {
        h.raw("<span class=\"allcov\">all covered</span>");
      } else {
        h.raw("<span class=\"uncovered\">not covered: ");
        for (int i = 0; i < missing.size(); i++) {
          h.raw(i == 0 ? "" : ", ").raw("<b>").text(missing.get(i)).raw("</b>");
        }
        h.raw("</span>");
      }
    }
    h.raw("</td></tr>\n");
  }
}
