package dev.lossconformance.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lossconformance.catalog.Catalog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code reports/implementations/index.html} and {@code summary.md}: the matrix implementation × loss
 * (passed, failed, deviation, unsupported) over every implementation's report, each cell linking to the
 * loss's rows in that implementation's {@code index.html}; an implementation whose run did not complete
 * (crashed, hung, out of memory) is a row saying so with its exit status.
 */
public final class ImplementationsOverview {

  /** One implementation's line of the overview. */
  public record Row(String name, String description, String folder, String problem, Map<String, int[]> perLoss,
      String summaryLine) {}

  /** The counts kept per loss, in this order. */
  static final List<String> STATUSES = List.of("passed", "failed", "deviation", "unsupported");

  private final List<Row> rows;
  private final List<String> losses;

  private ImplementationsOverview(List<Row> rows, List<String> losses) {
    this.rows = rows;
    this.losses = losses;
  }

  /**
   * The row of a completed run, from its {@code summary.json}: each case's loss is its id's first
   * segment (catalog ids start with the op: {@code cross_entropy/index/...}).
   */
  public static Row completed(String name, String description, String folder, Path summaryJson) throws IOException {
    JsonNode root = new ObjectMapper().readTree(summaryJson.toFile());
    Map<String, int[]> perLoss = new LinkedHashMap<>();
    for (JsonNode c : root.path("cases")) {
      String id = c.path("id").asText();
      String op = id.contains("/") ? id.substring(0, id.indexOf('/')) : id;
      int k = STATUSES.indexOf(c.path("status").asText());
      if (k >= 0) {
        perLoss.computeIfAbsent(op, x -> new int[STATUSES.size()])[k]++;
      }
    }
    long passed = root.path("passed").asLong();
    long failed = root.path("failed").asLong();
    long deviations = root.path("deviations").asLong();
    long unsupported = root.path("unsupported").asLong();
    String line = passed + " passed, " + failed + " failed, " + deviations + " deviations, " + unsupported
        + " unsupported";
    return new Row(name, description, folder, null, perLoss, line);
  }

  /** The row of a run that did not complete. */
  public static Row failedRun(String name, String description, String folder, String problem) {
    return new Row(name, description, folder, problem, Map.of(), null);
  }

  public static ImplementationsOverview of(List<Row> rows) {
    Set<String> seen = new LinkedHashSet<>();
    rows.forEach(r -> seen.addAll(r.perLoss().keySet()));
    List<String> losses = new ArrayList<>();
    for (String op : Catalog.ops()) {
      if (seen.contains(op)) {
        losses.add(op);
      }
    }
    seen.stream().filter(op -> !losses.contains(op)).sorted().forEach(losses::add);
    return new ImplementationsOverview(List.copyOf(rows), losses);
  }

  /**
   * The report set of a run that did not complete ({@code index.html}, {@code summary.md}, {@code
   * summary.json} with {@code "error"}), replacing an earlier run's that would otherwise pass for it.
   */
  public static LinkedHashMap<String, String> errorReport(String name, String problem) {
    String text = name + ": the check did not complete: " + problem + "\n";
    Html h = new Html();
    h.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").text(name)
        .raw(": error</title></head><body><h1>").text(name).raw("</h1><pre id=\"error\">").text(text)
        .raw("</pre></body></html>\n");
    LinkedHashMap<String, String> files = new LinkedHashMap<>();
    files.put("index.html", h.toString());
    files.put("summary.md", "## loss-conformance: " + name + " did not complete\n\n```\n" + text + "```\n");
    files.put("summary.json", "{\n  \"implementation\": " + dev.lossconformance.fixture.FixtureWriter.quote(name)
        + ",\n  \"error\": " + dev.lossconformance.fixture.FixtureWriter.quote(problem) + "\n}\n");
    return files;
  }

  /** The page. */
  public String html() {
    Html h = new Html();
    h.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>loss-conformance: implementations"
        + "</title>\n<style>\n" + CSS + "</style>\n</head><body>\n");
    h.raw("<h1>loss-conformance: the Java loss implementations</h1>\n");
    h.raw("<p class=\"note\">Each implementation checked against the PyTorch 2.7.1 and TensorFlow 2.16.1 goldens in a"
        + " JVM of its own. A cell counts the loss's cases: <span class=\"c-passed\">passed</span> / <span "
        + "class=\"c-failed\">failed</span> / <span class=\"c-deviation\">deviation</span> (a documented convention,"
        + " listed with its reason) / <span class=\"c-unsupported\">unsupported</span>; it links to the loss's rows in"
        + " that implementation's report. Derived mean cases are counted under their loss.</p>\n");
    h.raw("<table id=\"matrix\"><thead><tr><th>implementation</th>");
    for (String op : losses) {
      h.raw("<th class=\"loss\">").text(op).raw("</th>");
    }
    h.raw("<th>all cases</th></tr></thead><tbody>\n");
    for (Row r : rows) {
      h.raw("<tr data-impl=\"").attr(r.name()).raw("\"><th><a href=\"").attr(r.folder() + "/index.html").raw("\">")
          .text(r.name()).raw("</a><div class=\"desc\">").text(r.description()).raw("</div></th>");
      if (r.problem() != null) {
        h.raw("<td class=\"error\" colspan=\"").raw(Integer.toString(losses.size() + 1)).raw("\">")
            .text("error: " + r.problem()).raw("</td></tr>\n");
        continue;
      }
      for (String op : losses) {
        int[] n = r.perLoss().get(op);
        if (n == null || n[0] + n[1] + n[2] == 0) {
          h.raw("<td class=\"none\" data-loss=\"").attr(op).raw("\">").text(n == null ? "" : "unsupported " + n[3])
              .raw("</td>");
          continue;
        }
        String worst = n[1] > 0 ? "failed" : n[2] > 0 ? "deviation" : "passed";
        h.raw("<td class=\"cell w-").raw(worst).raw("\" data-loss=\"").attr(op).raw("\"><a href=\"")
            .attr(r.folder() + "/index.html#loss-" + op).raw("\">");
        for (int k = 0; k < STATUSES.size(); k++) {
          h.raw(k == 0 ? "" : " / ").raw("<span class=\"c-").raw(STATUSES.get(k)).raw("\" title=\"")
              .raw(STATUSES.get(k)).raw("\">").text(Integer.toString(n[k])).raw("</span>");
        }
        h.raw("</a></td>");
      }
      h.raw("<td class=\"total\">").text(r.summaryLine()).raw("</td></tr>\n");
    }
    h.raw("</tbody></table>\n</body></html>\n");
    return h.toString();
  }

  /** The same matrix in Markdown, for README and a CI job summary. */
  public String markdown() {
    StringBuilder md = new StringBuilder("| implementation |");
    losses.forEach(op -> md.append(' ').append(op).append(" |"));
    md.append(" all cases |\n|---|");
    md.append("---|".repeat(losses.size())).append("---|\n");
    for (Row r : rows) {
      md.append("| [").append(r.name()).append("](").append(r.folder()).append("/index.html) |");
      if (r.problem() != null) {
        md.append(" error: ").append(r.problem().lines().findFirst().orElse("").replace("|", "\\|")).append(" |");
        md.append(" |".repeat(losses.size())).append('\n');
        continue;
      }
      for (String op : losses) {
        int[] n = r.perLoss().get(op);
        if (n == null) {
          md.append(" |");
        } else if (n[0] + n[1] + n[2] == 0) {
          md.append(" unsupported ").append(n[3]).append(" |");
        } else {
          md.append(' ').append(n[0]).append(" / ").append(n[1]).append(" / ").append(n[2]).append(" / ").append(n[3])
              .append(" |");
        }
      }
      md.append(' ').append(r.summaryLine()).append(" |\n");
    }
    md.append("\nCells: passed / failed / deviation / unsupported cases of the loss.\n");
    return md.toString();
  }

  private static final String CSS = String.join("\n",
      "body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1d1d1f; }",
      "table { border-collapse: collapse; } th, td { border: 1px solid #ccd; padding: 4px 8px; vertical-align: top; }",
      "th.loss { writing-mode: vertical-rl; transform: rotate(180deg); font-weight: 500; }",
      ".desc { font-weight: normal; color: #555; font-size: 12px; max-width: 22em; }",
      "td.cell a { text-decoration: none; color: inherit; white-space: nowrap; }",
      ".w-passed { background: #e6f4ea; } .w-deviation { background: #fff4d6; } .w-failed { background: #fde7e9; }",
      "td.none { color: #999; font-size: 12px; } td.error { background: #fde7e9; white-space: pre-wrap; }",
      ".c-passed { color: #137333; } .c-failed { color: #b3261e; font-weight: 600; } .c-deviation { color: #8a5a00; }",
      ".c-unsupported { color: #777; } .note { max-width: 60em; color: #444; }", "");
}
