package dev.lossconformance.sweep;

import dev.lossconformance.check.Tolerance;
import dev.lossconformance.check.Tolerances;
import dev.lossconformance.tensor.DType;

import dev.lossconformance.check.CaseResult;
import dev.lossconformance.check.Tolerances;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects a sweep's outcomes and writes {@code reports/sweep.md}: cases per api and engine, the
 * failure classes with their counts, first case and shrunk case, and the error distribution per
 * api, output and dtype (p50, p99, max in ulps, and the largest term ulps where the gate uses them).
 *
 * <p>Deterministic: the same outcomes in the same order give the same text (no times, sorted keys).
 */
public final class SweepReport {

  /** Counts of one engine and api. */
  static final class Counts {
    int cases;
    int passed;
    int passedErrors;
    int failed;
    int unsupported;
    int skipped;
  }

  /** One failure class: its count and the first case that showed it. */
  static final class ClassEntry {
    int count;
    String firstId;
    String firstLine;
    String shrunk;
    String shrunkLine;
  }

  private final Map<String, Counts> counts = new TreeMap<>();
  private final Map<String, ClassEntry> classes = new TreeMap<>();
  private final Map<String, List<Long>> ulps = new TreeMap<>();
  private final Map<String, Double> termUlps = new TreeMap<>();
  private final Map<String, Boolean> usesTerms = new TreeMap<>();

  /** Records the outcome of case {@code id} of {@code api} on {@code engine}. */
  public void add(String engine, String api, String id, SweepOutcome o) {
    Counts c = counts.computeIfAbsent(engine + " | " + api, k -> new Counts());
    c.cases++;
    switch (o.status()) {
      case PASSED -> {
        c.passed++;
        if (o.engineRaised()) {
          c.passedErrors++;
        }
      }
      case FAILED, ERROR, DEVIATION -> c.failed++;
      case UNSUPPORTED -> c.unsupported++;
      case SKIPPED -> c.skipped++;
    }
    if (o.failure() != null) {
      ClassEntry e = classes.computeIfAbsent(engine + " | " + o.failure(), k -> new ClassEntry());
      if (e.count++ == 0) {
        e.firstId = id;
        e.firstLine = o.firstLine();
      }
    }
    for (CaseResult.OutputDiff d : o.diffs()) {
      String key = engine + " | " + api + " | " + d.output() + " | " + d.dtype().name().toLowerCase(Locale.ROOT);
      ulps.computeIfAbsent(key, k -> new ArrayList<>()).add(d.maxUlp());
      boolean terms = Tolerances.of(api, d.output(), d.dtype()).termUlps() > 0;
      usesTerms.put(key, terms);
      if (terms && Double.isFinite(d.scaledBeyondUlps())) {
        termUlps.merge(key, d.scaledBeyondUlps(), Math::max);
      }
    }
  }

  /** Records the shrunk case of a failure class (as {@code add} keyed it) and its gate line. */
  public void shrunk(String engine, SweepOutcome.FailureClass cls, String declaration, String line) {
    ClassEntry e = classes.get(engine + " | " + cls);
    if (e != null) {
      e.shrunk = declaration;
      e.shrunkLine = line;
    }
  }

  /** The failure classes in report order, each as {@code engine | api | output | dtype | kind}. */
  public List<String> classKeys() {
    return List.copyOf(classes.keySet());
  }

  /** The number of failing cases over every engine and api. */
  public int failures() {
    return counts.values().stream().mapToInt(c -> c.failed).sum();
  }

  /** The report text; {@code header} lines (seed, options) go under the title. */
  public String markdown(List<String> header) {
    StringBuilder sb = new StringBuilder("# Differential sweep\n\n");
    header.forEach(h -> sb.append(h).append('\n'));
    sb.append('\n');
    sb.append("## Cases per api and engine\n\n");
    sb.append("`passed` includes the cases where the engine raised and Java raised the same kind of error"
        + " (`of which errors`); `unsupported`: Java does not implement a param, input or dtype of the case.\n\n");
    sb.append("| engine | api | cases | passed | of which errors | failed | unsupported | skipped |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
    Counts total = new Counts();
    counts.forEach((k, c) -> {
      String[] p = k.split(" \\| ");
      sb.append(String.format(Locale.ROOT, "| %s | `%s` | %d | %d | %d | %d | %d | %d |%n", p[0], shortApi(p[1]), c.cases,
          c.passed, c.passedErrors, c.failed, c.unsupported, c.skipped));
      total.cases += c.cases;
      total.passed += c.passed;
      total.passedErrors += c.passedErrors;
      total.failed += c.failed;
      total.unsupported += c.unsupported;
      total.skipped += c.skipped;
    });
    sb.append(String.format(Locale.ROOT, "| all | | %d | %d | %d | %d | %d | %d |%n%n", total.cases, total.passed,
        total.passedErrors, total.failed, total.unsupported, total.skipped));

    sb.append("## Failure classes\n\n");
    if (classes.isEmpty()) {
      sb.append("None.\n\n");
    } else {
      sb.append("A case is counted once, under the first output the gate names (its other outputs often fail"
          + " with it). dtype: the float dtype, then any input of another dtype.\n\n");
      sb.append("| engine | api | output | dtype | kind | cases | first case |\n");
      sb.append("|---|---|---|---|---|---:|---|\n");
      classes.forEach((k, e) -> {
        String[] p = k.split(" \\| ");
        sb.append(String.format(Locale.ROOT, "| %s | `%s` | %s | %s | %s | %d | `%s` |%n", p[0], shortApi(p[1]), p[2],
            p[3], p[4], e.count, e.firstId));
      });
      sb.append('\n');
      sb.append("### Smallest case of each class\n\n");
      classes.forEach((k, e) -> {
        String[] p = k.split(" \\| ");
        sb.append("#### ").append(p[0]).append(" `").append(shortApi(p[1])).append("` ").append(p[2]).append(", ")
            .append(p[3]).append(": ").append(p[4]).append(" (").append(e.count).append(" cases)\n\n");
        sb.append("First: `").append(oneLine(e.firstLine)).append("`\n\n");
        if (e.shrunk != null) {
          sb.append("Shrunk: `").append(oneLine(e.shrunkLine)).append("`\n\n");
          sb.append("```java\n").append(e.shrunk).append("\n```\n\n");
        } else {
          sb.append("(not shrunk)\n\n");
        }
      });
    }

    sb.append("## Error distribution\n\n");
    sb.append("Per case, the largest distance of an output's elements from the golden, in ulps of the golden's"
        + " dtype (of float32 where the gate counts Keras' float64 in float32); p50, p99 and max over the cases"
        + " that compared the output. `term ulps`: for outputs judged also in ulps of each element's term"
        + " magnitude, the largest such error over the elements beyond the ulp allowance (`-` where the gate"
        + " does not use term magnitudes).\n\n");
    sb.append("| engine | api | output | dtype | cases | p50 ulps | p99 ulps | max ulps | max term ulps | allowed |\n");
    sb.append("|---|---|---|---|---:|---:|---:|---:|---:|---|\n");
    StringBuilder loose = new StringBuilder();
    ulps.forEach((k, list) -> {
      String row = distributionRow(k, list);
      sb.append(row);
      String[] p = k.split(" \\| ");
      Tolerance t = Tolerances.of(p[1], p[2], DType.valueOf(p[3].toUpperCase(Locale.ROOT)));
      if (t.ulps() > 4 || t.termUlps() > 0 || t.units() != null) {
        loose.append(row);
      }
    });
    sb.append("\n## Tolerances beyond the 4-ulp base\n\n");
    sb.append("The rows above whose allowance is looser than 4 ulps of the golden's dtype (term magnitudes, or"
        + " float32 units for a float64 output): README's tolerance table is these rows (`ReadmeTolerancesTest`"
        + " checks it), each allowance's reason is next to it in `check/Tolerances.java`.\n\n");
    sb.append("| engine | api | output | dtype | cases | p50 ulps | p99 ulps | max ulps | max term ulps | allowed |\n");
    sb.append("|---|---|---|---|---:|---:|---:|---:|---:|---|\n");
    sb.append(loose);
    return sb.toString();
  }

  /** One row of the error distribution: the measured percentiles and the gate's allowance. */
  private String distributionRow(String k, List<Long> list) {
    String[] p = k.split(" \\| ");
    List<Long> sorted = new ArrayList<>(list);
    Collections.sort(sorted);
    String terms = Boolean.TRUE.equals(usesTerms.get(k))
        ? String.format(Locale.ROOT, "%.2f", termUlps.getOrDefault(k, 0.0)) : "-";
    Tolerance t = Tolerances.of(p[1], p[2], DType.valueOf(p[3].toUpperCase(Locale.ROOT)));
    String allowed = t.ulps() + " ulps" + (t.units() != null ? " of " + t.units().name().toLowerCase(Locale.ROOT) : "")
        + (t.termUlps() > 0 ? " or " + t.termUlps() + " term ulps" : "");
    return String.format(Locale.ROOT, "| %s | `%s` | %s | %s | %d | %s | %s | %s | %s | %s |%n", p[0], shortApi(p[1]),
        p[2], p[3], sorted.size(), ulpText(percentile(sorted, 0.50)), ulpText(percentile(sorted, 0.99)),
        ulpText(sorted.get(sorted.size() - 1)), terms, allowed);
  }

  /** The nearest-rank percentile of sorted values ({@code q} in (0, 1]). */
  static long percentile(List<Long> sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  private static String ulpText(long u) {
    return u == Long.MAX_VALUE ? "inf" : Long.toString(u);
  }

  static String shortApi(String api) {
    return api.startsWith("torch.nn.functional.") ? api.substring("torch.nn.functional.".length()) : api;
  }

  private static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    String t = s.replace('`', '\'').replace('|', '/');
    return t.length() > 400 ? t.substring(0, 400) + "..." : t;
  }
}
