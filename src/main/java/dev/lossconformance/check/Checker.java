package dev.lossconformance.check;

import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Checks the Java implementation against one fixture case: runs the case's api on its inputs and
 * compares every golden output element by element under {@link Tolerances}.
 *
 * <p>An engine error case passes only when Java raises {@link IllegalArgumentException}. A failing
 * float32 comparison is re-run in float64 to say whether the engine or Java is closer to the truth.
 */
public final class Checker {
  private Checker() {}

  /**
   * The verdict on one case together with what Java computed.
   *
   * @param result the verdict
   * @param actual Java's outputs by name; empty when Java returned none (skipped, unsupported, raised)
   */
  public record Run(CaseResult result, Map<String, Tensor> actual) {
    public Run {
      actual = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(actual));
    }
  }

  /** The verdict on {@code c}. */
  public static CaseResult check(FixtureCase c) {
    return run(c).result();
  }

  /** The verdict on {@code c} and Java's outputs, for reports that show both sides. */
  public static Run run(FixtureCase c) {
    if (c.unsupported() != null) {
      return none(result(c, Status.SKIPPED, 0, 0, "the engine cannot express this case: " + c.unsupported()));
    }
    Map<String, Tensor> actual;
    try {
      actual = Apis.evaluate(c.api(), c.params(), c.inputs());
    } catch (UnsupportedCaseException e) {
      return none(result(c, Status.UNSUPPORTED, 0, 0, e.getMessage()));
    } catch (MalformedCaseException e) {
      return none(result(c, Status.ERROR, 0, 0, e.getMessage()));
    } catch (IllegalArgumentException e) {
      if (c.expectsError()) {
        return none(result(c, Status.PASSED, 0, 0, "raised as the engine did: " + e.getMessage()));
      }
      return none(result(c, Status.FAILED, 0, 0, header(c) + ": java raised " + e + " but the engine returned outputs"));
    } catch (RuntimeException e) {
      return none(result(c, Status.FAILED, 0, 0, header(c) + ": java crashed: " + e));
    }
    if (c.expectsError()) {
      return new Run(result(c, Status.FAILED, 0, 0, header(c) + ": the engine raised \"" + c.error()
          + "\" but java returned " + actual.get("loss")), actual);
    }
    long maxUlp = 0;
    double maxAbs = 0;
    java.util.List<CaseResult.OutputDiff> diffs = new java.util.ArrayList<>();
    StringBuilder failures = new StringBuilder();
    for (Map.Entry<String, Tensor> e : c.outputs().entrySet()) {
      Tensor got = actual.get(e.getKey());
      if (got == null) {
        return none(result(c, Status.UNSUPPORTED, 0, 0, "java does not compute output \"" + e.getKey() + "\" of " + c.api()));
      }
      Comparison cmp = compare(c, e.getKey(), e.getValue(), got);
      if (cmp.diff != null) {
        diffs.add(cmp.diff);
      }
      maxUlp = Math.max(maxUlp, cmp.maxUlp);
      maxAbs = Math.max(maxAbs, cmp.maxAbs);
      if (cmp.failure != null) {
        failures.append(failures.length() == 0 ? "" : "\n").append(cmp.failure);
      }
    }
    Status s = failures.length() > 0 ? Status.FAILED : Status.PASSED;
    return new Run(new CaseResult(c.engine(), c.id(), c.api(), s, maxUlp, maxAbs,
        failures.length() > 0 ? failures.toString() : null, diffs), actual);
  }

  private static Run none(CaseResult r) {
    return new Run(r, Map.of());
  }

  private static CaseResult result(FixtureCase c, Status s, long ulp, double abs, String message) {
    return new CaseResult(c.engine(), c.id(), c.api(), s, ulp, abs, message, java.util.List.of());
  }

  private static String header(FixtureCase c) {
    return c.id() + " vs " + c.engine();
  }

  private record Comparison(long maxUlp, double maxAbs, String failure, CaseResult.OutputDiff diff) {
    Comparison(long maxUlp, double maxAbs, String failure) {
      this(maxUlp, maxAbs, failure, null);
    }
  }

  private static Comparison compare(FixtureCase c, String output, Tensor expected, Tensor actual) {
    String where = header(c) + ", output \"" + output + "\"";
    if (!Arrays.equals(expected.shape(), actual.shape())) {
      return new Comparison(Long.MAX_VALUE, 0, where + ": expected shape " + Arrays.toString(expected.shape())
          + " but was " + Arrays.toString(actual.shape()));
    }
    if (expected.dtype() != actual.dtype()) {
      return new Comparison(Long.MAX_VALUE, 0, where + ": expected dtype " + expected.dtype() + " but was " + actual.dtype());
    }
    Tolerance tol = Tolerances.of(c.api(), output, expected.dtype());
    DType dt = tol.unitsFor(expected.dtype());
    double scale = 0;
    for (int i = 0; i < expected.numel(); i++) {
      double v = Math.abs(expected.getDouble(i));
      if (Double.isFinite(v)) {
        scale = Math.max(scale, v);
      }
    }
    double absFloor = tol.scaleUlps() * Ulps.ulp(dt, scale);
    long maxUlp = 0;
    double maxAbs = 0;
    int over = 0;
    double scaledBeyond = 0;
    double unit = Ulps.ulp(dt, scale);
    int worst = -1;
    long worstUlp = -1;
    for (int i = 0; i < expected.numel(); i++) {
      double e = expected.getDouble(i);
      double a = actual.getDouble(i);
      long u = Ulps.distance(dt, e, a);
      double abs = Math.abs(e - a);
      if (Double.isFinite(abs)) {
        maxAbs = Math.max(maxAbs, abs);
      }
      maxUlp = Math.max(maxUlp, u);
      if (u > tol.ulps()) {
        scaledBeyond = Math.max(scaledBeyond, Double.isFinite(abs) ? abs / unit : Double.POSITIVE_INFINITY);
      }
      boolean ok = u <= tol.ulps() || (Double.isFinite(abs) && abs <= absFloor);
      if (!ok) {
        over++;
        if (u > worstUlp) {
          worstUlp = u;
          worst = i;
        }
      }
    }
    CaseResult.OutputDiff diff = new CaseResult.OutputDiff(output, dt, maxUlp, maxAbs, scaledBeyond);
    if (over == 0) {
      return new Comparison(maxUlp, maxAbs, null, diff);
    }
    double e = expected.getDouble(worst);
    double a = actual.getDouble(worst);
    StringBuilder sb = new StringBuilder(where).append(" at ").append(Tensor.indexString(expected.shape(), worst)).append(":\n");
    sb.append("  expected ").append(Ulps.describe(expected.dtype(), e)).append(" but was ").append(Ulps.describe(expected.dtype(), a))
        .append(": ").append(Ulps.text(worstUlp)).append(" ulps > ").append(tol).append(" allowed");
    if (absFloor > 0) {
      sb.append(String.format(Locale.ROOT, " (abs err %.3g > %.3g)", Math.abs(e - a), absFloor));
    }
    sb.append('\n');
    String ref = float64Reference(c, output, worst, e, a, expected.dtype());
    if (ref != null) {
      sb.append("  ").append(ref).append('\n');
    }
    sb.append("  ").append(over).append(" of ").append(expected.numel()).append(" elements over tolerance");
    return new Comparison(maxUlp, maxAbs, sb.toString(), diff);
  }

  /** For float32: recompute in float64 and say how far each side is from that reference. */
  private static String float64Reference(FixtureCase c, String output, int at, double e, double a, DType dt) {
    if (dt != DType.FLOAT32) {
      return null;
    }
    try {
      Map<String, Tensor> up = new LinkedHashMap<>();
      c.inputs().forEach((k, v) -> up.put(k, v.dtype() == DType.FLOAT32
          ? Tensor.ofFloating(DType.FLOAT64, v.toDoubleArray(), v.shape()) : v));
      Tensor r = Apis.evaluate(c.api(), c.params(), up).get(output);
      double ref = r.getDouble(at);
      double u = Ulps.ulp(DType.FLOAT32, ref);
      return String.format(Locale.ROOT, "float64 reference %s: %s is %.1f ulps away, java %.1f ulps",
          dev.lossconformance.fixture.FloatText.ofDouble(ref), c.engine(), Math.abs(e - ref) / u, Math.abs(a - ref) / u);
    } catch (RuntimeException ex) {
      return null;
    }
  }
}
