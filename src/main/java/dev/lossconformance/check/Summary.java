package dev.lossconformance.check;

import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.fixture.FixtureWriter;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Counts of a check run and its JSON form (the {@code check --json} schema).
 *
 * @param implementation the name of the implementation judged ({@code java}, ...)
 * @param cases every verdict, in run order
 */
public record Summary(String implementation, List<CaseResult> cases) {

  public Summary {
    java.util.Objects.requireNonNull(implementation, "implementation");
    cases = List.copyOf(cases);
  }

  /** The summary of a run of this project's kernels (the implementation {@code java}). */
  public Summary(List<CaseResult> cases) {
    this(dev.lossconformance.java.JavaImplementation.NAME, cases);
  }

  /**
   * How many cases of {@code status} gave each reason (the message's first line), most frequent
   * first: for unsupported cases, what an implementation declines and how broadly.
   */
  public Map<String, Long> reasons(Status status) {
    Map<String, Long> counts = new java.util.HashMap<>();
    for (CaseResult c : cases) {
      if (c.status() == status) {
        String m = c.message() == null ? "" : c.message().lines().findFirst().orElse("");
        counts.merge(m, 1L, Long::sum);
      }
    }
    Map<String, Long> sorted = new java.util.LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  public long count(Status s) {
    return cases.stream().filter(c -> c.status() == s).count();
  }

  /** {@code N passed, N failed}, then {@code , N unsupported}, {@code , N skipped}, {@code , N errors} when non-zero. */
  public String line() {
    StringBuilder sb = new StringBuilder();
    sb.append(count(Status.PASSED)).append(" passed, ").append(count(Status.FAILED)).append(" failed");
    Map<Status, String> extra = new EnumMap<>(Status.class);
    extra.put(Status.DEVIATION, "deviations");
    extra.put(Status.UNSUPPORTED, "unsupported");
    extra.put(Status.SKIPPED, "skipped");
    extra.put(Status.ERROR, "errors");
    extra.forEach((s, word) -> {
      long n = count(s);
      if (n > 0) {
        sb.append(", ").append(n).append(' ').append(word);
      }
    });
    return sb.toString();
  }

  /**
   * {@code {"implementation","passed","failed","unsupported","skipped","errors","deviations",
   * "unsupported_reasons":{reason:count},"cases":[{"id","engine","status","max_ulp","max_abs_err",
   * "message"}]}}; {@code max_ulp} is {@code null} for a NaN or infinity mismatch.
   */
  public String toJson() {
    StringBuilder sb = new StringBuilder("{\n");
    sb.append("  \"implementation\": ").append(FixtureWriter.quote(implementation)).append(",\n");
    sb.append("  \"passed\": ").append(count(Status.PASSED)).append(",\n");
    sb.append("  \"failed\": ").append(count(Status.FAILED)).append(",\n");
    sb.append("  \"unsupported\": ").append(count(Status.UNSUPPORTED)).append(",\n");
    sb.append("  \"skipped\": ").append(count(Status.SKIPPED)).append(",\n");
    sb.append("  \"errors\": ").append(count(Status.ERROR)).append(",\n");
    sb.append("  \"deviations\": ").append(count(Status.DEVIATION)).append(",\n");
    sb.append("  \"unsupported_reasons\": {");
    Map<String, Long> reasons = reasons(Status.UNSUPPORTED);
    sb.append(String.join(",", reasons.entrySet().stream()
        .map(e -> "\n    " + FixtureWriter.quote(e.getKey()) + ": " + e.getValue()).toList()));
    sb.append(reasons.isEmpty() ? "},\n" : "\n  },\n");
    sb.append("  \"cases\": [");
    for (int i = 0; i < cases.size(); i++) {
      CaseResult c = cases.get(i);
      sb.append(i == 0 ? "\n" : ",\n");
      sb.append("    {\"id\": ").append(FixtureWriter.quote(c.id()))
          .append(", \"engine\": ").append(FixtureWriter.quote(c.engine()))
          .append(", \"status\": \"").append(c.status().jsonName()).append('"')
          .append(", \"max_ulp\": ").append(c.maxUlp() == Long.MAX_VALUE ? "null" : Long.toString(c.maxUlp()))
          .append(", \"max_abs_err\": ").append(String.format(Locale.ROOT, "%.9g", c.maxAbsErr()));
      if (c.message() != null && c.status() != Status.PASSED) {
        sb.append(", \"message\": ").append(FixtureWriter.quote(c.message()));
      }
      sb.append('}');
    }
    sb.append(cases.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
    return sb.toString();
  }
}
