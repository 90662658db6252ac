package dev.lossconformance.check;

import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.impl.LossCall;
import dev.lossconformance.impl.LossImplementation;
import dev.lossconformance.impl.UnsupportedCallException;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Checks the Java implementation against one fixture case: runs the case's api on its inputs and
 * compares every golden output element by element under {@link Tolerances}.
 *
 * <p>An engine error case passes only when Java raises a {@link dev.lossconformance.loss.LossArgumentException}
 * of the kind the engine's message names ({@link EngineErrors}). A failing
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

  /** The verdict on {@code c} for this project's kernels (the implementation {@code java}). */
  public static CaseResult check(FixtureCase c) {
    return run(c).result();
  }

  /** The verdict on {@code c} and the outputs of this project's kernels. */
  public static Run run(FixtureCase c) {
    return run(c, JAVA);
  }

  private static final LossImplementation JAVA = new dev.lossconformance.java.JavaImplementation();

  /**
   * The verdict on {@code c} for {@code impl}, and its outputs (for reports that show both sides).
   *
   * <p>The implementation gets the call only ({@link LossCall}: api, params, copies of the inputs),
   * never the goldens. An implementation that writes into its inputs fails the case: the golden is of
   * the inputs as given, and a caller's tensors must survive a loss call.
   */
  public static Run run(FixtureCase c, LossImplementation impl) {
    if (c.unsupported() != null) {
      return none(result(c, Status.SKIPPED, 0, 0, "the engine cannot express this case: " + c.unsupported()));
    }
    String cannot;
    try {
      cannot = impl.unsupported(c);
    } catch (RuntimeException | LinkageError e) {
      return none(result(c, Status.FAILED, 0, 0, header(c) + ": " + impl.name() + ".unsupported() crashed: " + e));
    }
    if (cannot != null) {
      return none(result(c, Status.UNSUPPORTED, 0, 0, cannot));
    }
    Map<String, Tensor> given = new LinkedHashMap<>();
    c.inputs().forEach((k, v) -> given.put(k, v.copy()));
    Map<String, Tensor> actual;
    try {
      actual = impl.run(new LossCall(c.api(), c.params(), given));
    } catch (UnsupportedCallException e) {
      return none(result(c, Status.UNSUPPORTED, 0, 0, e.getMessage()));
    } catch (MalformedCaseException e) {
      // the message starts with the JSON path inside the case, for check to name the file's path
      return none(result(c, Status.ERROR, 0, 0, e.where() + ": " + e.getMessage()));
    } catch (IllegalArgumentException e) {
      if (c.expectsError()) {
        // an error passes only when it is the engine's kind of error (index, shape, value, ...)
        String why = EngineErrors.mismatch(c.error(), e);
        if (why != null) {
          return none(result(c, Status.FAILED, 0, 0, header(c) + ": " + why));
        }
        return none(result(c, Status.PASSED, 0, 0, EngineErrors.accepted(c.error(), e)));
      }
      return none(result(c, Status.FAILED, 0, 0, header(c) + ": " + impl.name() + " raised " + e
          + " but the engine returned outputs"));
    } catch (Exception | LinkageError e) {
      // a checked exception, a RuntimeException, a native library that failed to link: the case fails
      return none(result(c, Status.FAILED, 0, 0, header(c) + ": " + impl.name() + " crashed: " + e));
    }
    for (Map.Entry<String, Tensor> in : c.inputs().entrySet()) {
      if (!in.getValue().equals(given.get(in.getKey()))) {
        return none(result(c, Status.FAILED, 0, 0, header(c) + ": " + impl.name() + " wrote into its input \""
            + in.getKey() + "\" (a loss call must leave its arguments as they were)"));
      }
    }
    if (actual == null) {
      return none(result(c, Status.FAILED, 0, 0, header(c) + ": " + impl.name() + " returned null instead of outputs"));
    }
    if (c.expectsError()) {
      return new Run(result(c, Status.FAILED, 0, 0, header(c) + ": the engine raised \"" + c.error()
          + "\" but " + impl.name() + " returned " + actual.get("loss")), actual);
    }
    return new Run(judge(c, actual, new Memo(c), impl.name()), actual);
  }

  /**
   * The verdict on Java's outputs {@code actual} against {@code c}'s goldens (every output compared).
   *
   * @param memo the float64 reference and the term magnitudes, computed once: they depend on the
   *     case's inputs and params only, so a caller judging many copies of one case with other goldens
   *     (the tamper audit) passes the same memo
   */
  static CaseResult judge(FixtureCase c, Map<String, Tensor> actual, Memo memo) {
    return judge(c, actual, memo, dev.lossconformance.java.JavaImplementation.NAME);
  }

  /** {@link #judge(FixtureCase, Map, Memo)} for the implementation called {@code who}. */
  static CaseResult judge(FixtureCase c, Map<String, Tensor> actual, Memo memo, String who) {
    long maxUlp = 0;
    double maxAbs = 0;
    java.util.List<CaseResult.OutputDiff> diffs = new java.util.ArrayList<>();
    StringBuilder failures = new StringBuilder();
    java.util.List<String> notComputed = new java.util.ArrayList<>();
    Supplier<Map<String, Tensor>> reference64 = memo.reference64;
    // every output is compared, whatever else happens: a golden Java does not compute never hides one
    // that it does and gets wrong
    for (Map.Entry<String, Tensor> e : c.outputs().entrySet()) {
      Tensor got = actual.get(e.getKey());
      if (got == null) {
        notComputed.add(e.getKey());
        continue;
      }
      Comparison cmp = compare(c, e.getKey(), e.getValue(), got, reference64, memo.terms);
      if (cmp.diff != null) {
        diffs.add(cmp.diff);
      }
      maxUlp = Math.max(maxUlp, cmp.maxUlp);
      maxAbs = Math.max(maxAbs, cmp.maxAbs);
      if (cmp.failure != null) {
        failures.append(failures.length() == 0 ? "" : "\n").append(cmp.failure);
      }
    }
    String missing = notComputed.isEmpty() ? null
        : who + " does not compute output" + (notComputed.size() > 1 ? "s " : " ")
            + String.join(", ", notComputed.stream().map(n -> "\"" + n + "\"").toList()) + " of " + c.api();
    if (failures.length() > 0) {
      if (missing != null) {
        failures.append("\n  (").append(missing).append(", not compared)");
      }
      return new CaseResult(c.engine(), c.id(), c.api(), Status.FAILED, maxUlp, maxAbs, failures.toString(), diffs);
    }
    if (missing != null) {
      return new CaseResult(c.engine(), c.id(), c.api(), Status.UNSUPPORTED, maxUlp, maxAbs,
          missing + " (the other outputs match)", diffs);
    }
    return new CaseResult(c.engine(), c.id(), c.api(), Status.PASSED, maxUlp, maxAbs, null, diffs);
  }

  private static <T> Supplier<T> memo(Supplier<T> s) {
    return new Supplier<>() {
      private T value;
      private boolean done;

      @Override
      public T get() {
        if (!done) {
          value = s.get();
          done = true;
        }
        return value;
      }
    };
  }

  /** {@code inputs} with every float32 tensor as float64: the float64 reference's inputs. */
  static Map<String, Tensor> float64(Map<String, Tensor> inputs) {
    Map<String, Tensor> up = new LinkedHashMap<>();
    inputs.forEach((k, v) -> up.put(k, v.dtype() == DType.FLOAT32
        ? Tensor.ofFloating(DType.FLOAT64, v.toDoubleArray(), v.shape()) : v));
    return up;
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

  private static Comparison compare(FixtureCase c, String output, Tensor expected, Tensor actual,
      Supplier<Map<String, Tensor>> reference64, Map<String, double[]> termCache) {
    String where = header(c) + ", output \"" + output + "\"";
    if (!Arrays.equals(expected.shape(), actual.shape())) {
      return new Comparison(Long.MAX_VALUE, 0, where + ": expected shape " + Arrays.toString(expected.shape())
          + " but was " + Arrays.toString(actual.shape()));
    }
    if (expected.dtype() != actual.dtype()) {
      return new Comparison(Long.MAX_VALUE, 0, where + ": expected dtype " + expected.dtype() + " but was " + actual.dtype());
    }
    Tensor in = c.inputs().get("input");
    Tolerance tol = Tolerances.of(c.api(), output, expected.dtype(), in == null ? null : in.dtype());
    DType dt = tol.unitsFor(expected.dtype());
    int n = expected.numel();
    double[] terms = tol.termUlps() > 0 ? termMagnitudes(c, output, reference64, termCache) : null;
    if (terms != null && terms.length != n) {
      terms = null;
    }
    long maxUlp = 0;
    double maxAbs = 0;
    int over = 0;
    double termsBeyond = 0;
    int worst = -1;
    long worstUlp = -1;
    double worstAllowed = 0;
    for (int i = 0; i < n; i++) {
      double e = expected.getDouble(i);
      double a = actual.getDouble(i);
      long u = Ulps.distance(dt, e, a);
      double abs = Math.abs(e - a);
      if (Double.isFinite(abs)) {
        maxAbs = Math.max(maxAbs, abs);
      }
      maxUlp = Math.max(maxUlp, u);
      if (u <= tol.ulps() || (subnormal(dt, e) && subnormal(dt, a)) || nearSubnormal(dt, abs)) {
        continue;
      }
      // the element's own term magnitude; none (or not finite) leaves only the relative allowance
      // a magnitude beyond the dtype's range (a model's product of huge terms: weights or an nll near the
      // maximum, found by the sweep) is the largest finite value, not "no model": the terms are that big
      double max = dt == DType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE;
      double unit = terms == null ? Double.NaN : Ulps.ulp(dt, terms[i] > max ? max : terms[i]);
      boolean hasFloor = Double.isFinite(unit) && unit > 0;
      double inUnits = hasFloor && Double.isFinite(abs) ? abs / unit : Double.POSITIVE_INFINITY;
      termsBeyond = Math.max(termsBeyond, inUnits);
      double allowed = hasFloor ? tol.termUlps() * unit : 0;
      if (hasFloor && Double.isFinite(abs) && abs <= allowed) {
        continue;
      }
      over++;
      if (u > worstUlp) {
        worstUlp = u;
        worst = i;
        worstAllowed = allowed;
      }
    }
    CaseResult.OutputDiff diff = new CaseResult.OutputDiff(output, dt, maxUlp, maxAbs, termsBeyond);
    if (over == 0) {
      return new Comparison(maxUlp, maxAbs, null, diff);
    }
    double e = expected.getDouble(worst);
    double a = actual.getDouble(worst);
    StringBuilder sb = new StringBuilder(where).append(" at ").append(Tensor.indexString(expected.shape(), worst))
        .append(": expected ").append(Ulps.describe(expected.dtype(), e)).append(" but was ")
        .append(Ulps.describe(expected.dtype(), a)).append(": ").append(Ulps.text(worstUlp)).append(" ulps > ")
        .append(tol.ulps()).append(tol.units() != null ? " ulps of " + tol.units() : " ulps").append(" allowed");
    if (worstAllowed > 0) {
      sb.append(String.format(Locale.ROOT, " and abs err %.3g > %.3g (%d ulps of the term magnitude %.3g)",
          Math.abs(e - a), worstAllowed, tol.termUlps(), terms[worst]));
    }
    sb.append('\n');
    String ref = float64Reference(reference64, output, worst, e, a, expected.dtype(), c.engine());
    if (ref != null) {
      sb.append("  ").append(ref).append('\n');
    }
    sb.append("  ").append(over).append(" of ").append(n).append(" elements over tolerance (").append(tol)
        .append(": ").append(tol.reason()).append(')');
    return new Comparison(maxUlp, maxAbs, sb.toString(), diff);
  }

  /** The term magnitudes of {@code output}, from the cache or computed ({@code null}: none). */
  static double[] termMagnitudes(FixtureCase c, String output, Supplier<Map<String, Tensor>> reference64,
      Map<String, double[]> termCache) {
    if (termCache.containsKey(output)) {
      return termCache.get(output);
    }
    double[] m = TermMagnitudes.of(c.api(), output, c.params(), c.inputs(), reference64);
    termCache.put(output, m);
    return m;
  }

  /** What judging a case computes from its inputs alone, computed once. */
  static final class Memo {
    /** Java's float64 result, for the term models and the reference line of a failure. */
    final Supplier<Map<String, Tensor>> reference64;
    /** Term magnitudes by output name ({@code null} values: no model). */
    final Map<String, double[]> terms = new java.util.HashMap<>();

    Memo(FixtureCase c) {
      reference64 = memo(() -> Apis.evaluate(c.api(), c.params(), float64(c.inputs())));
    }
  }

  /**
   * Below the dtype's smallest normal both sides compare as zero: the engines lose such values (SIMD
   * code flushes subnormals, and {@code sigmoid(-100) = 1/(1 + exp(100))} is {@code 1/inf = 0} in
   * float32), while Java keeps them.
   */
  static boolean subnormal(DType dt, double v) {
    return Math.abs(v) < (dt == DType.FLOAT32 ? Float.MIN_NORMAL : Double.MIN_NORMAL);
  }

  /**
   * True for an absolute difference of at most 8 of the dtype's smallest subnormals (1.1e-44 in float32):
   * an element computed through a subnormal intermediate carries that absolute error (the engine's
   * vectorised exp of -88.8 is one subnormal ulp off, and BCE-with-logits' weight 2 and pos_weight 3
   * multiply it by 6: 8.4e-45 at a loss of 1.6e-38, found by the sweep). It only decides elements below
   * 2^-125, where 4 ulps are less than that; 8 from the sweep's measured 6.
   */
  static boolean nearSubnormal(DType dt, double absDiff) {
    return absDiff <= 8 * (dt == DType.FLOAT32 ? Float.MIN_VALUE : Double.MIN_VALUE);
  }

  /** For float32: the float64 result and how far each side is from it. */
  private static String float64Reference(Supplier<Map<String, Tensor>> reference64, String output, int at,
      double e, double a, DType dt, String engine) {
    if (dt != DType.FLOAT32) {
      return null;
    }
    try {
      Tensor r = reference64.get().get(output);
      double ref = r.getDouble(at);
      double u = Ulps.ulp(DType.FLOAT32, ref);
      return String.format(Locale.ROOT, "float64 reference %s: %s is %.1f ulps away, java %.1f ulps",
          dev.lossconformance.fixture.FloatText.ofDouble(ref), engine, Math.abs(e - ref) / u, Math.abs(a - ref) / u);
    } catch (RuntimeException ex) {
      return null;
    }
  }
}
