package dev.lossconformance.sweep;

import dev.lossconformance.check.CaseResult;
import dev.lossconformance.check.Checker;
import dev.lossconformance.check.Tolerances;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the gate made of one sweep case, with the class of a failure: which output, which dtypes, and
 * what kind of difference (NaN against a value, an error against outputs, a value off by how many
 * ulps). Failures of one class are one finding; the sweep shrinks one case of each.
 *
 * @param status the gate's verdict
 * @param failure the class of a failure ({@code null} unless failed)
 * @param firstLine the first line of the gate's message ({@code null} for a plain pass)
 * @param diffs the per-output distances of the comparison (empty when nothing numeric was compared)
 * @param engineRaised true when the engine raised (whatever Java did)
 */
public record SweepOutcome(CaseResult.Status status, FailureClass failure, String firstLine,
    List<CaseResult.OutputDiff> diffs, boolean engineRaised) {

  /**
   * A class of failures.
   *
   * @param api the framework call
   * @param output the output that differs ({@code -} when outputs and an error are compared)
   * @param dtype the float dtype, with any input of another dtype ({@code f32 (target i32)})
   * @param kind what differs: {@code engine NaN, java value}, {@code value > 1024 ulps},
   *     {@code engine raised, java returned outputs}, ...
   */
  public record FailureClass(String api, String output, String dtype, String kind) implements Comparable<FailureClass> {
    @Override
    public int compareTo(FailureClass o) {
      return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
      return api + " | " + output + " | " + dtype + " | " + kind;
    }
  }

  private static final Pattern ERROR_KINDS =
      Pattern.compile("the engine raised an? ([a-z-]+) error .* but java raised an? ([a-z-]+) error", Pattern.DOTALL);
  private static final Pattern JAVA_RAISED = Pattern.compile("raised (?:[a-z]\\w*\\.)*([A-Z]\\w*)");
  private static final Pattern OUTPUT = Pattern.compile(", output \"([^\"]+)\"");

  /** The outcome of {@code run}, the gate's run of {@code c}. */
  public static SweepOutcome of(FixtureCase c, Checker.Run run) {
    CaseResult r = run.result();
    String first = r.message() == null ? null : r.message().lines().findFirst().orElse("");
    FailureClass cls = null;
    if (r.status() == CaseResult.Status.FAILED || r.status() == CaseResult.Status.ERROR) {
      cls = classify(c, run.actual(), r);
    }
    return new SweepOutcome(r.status(), cls, first, r.diffs(), c.expectsError());
  }

  /** The dtype label of a call: its float dtype, then every input of another dtype. */
  public static String dtypeLabel(Map<String, Tensor> inputs) {
    DType main = inputs.values().stream().map(Tensor::dtype).filter(DType::isFloating).findFirst().orElse(DType.FLOAT32);
    List<String> odd = new ArrayList<>();
    inputs.forEach((k, v) -> {
      if (v.dtype() != main && v.dtype() != DType.INT64) {
        odd.add(k + " " + v.dtype().shortName());
      } else if (v.dtype() == DType.INT64 && !isIndexInput(k)) {
        odd.add(k + " i64");
      }
    });
    return main.shortName() + (odd.isEmpty() ? "" : " (" + String.join(", ", odd) + ")");
  }

  /** Inputs whose natural dtype is int64: class indices, signs, lengths. */
  private static boolean isIndexInput(String name) {
    return name.equals("target") || name.equals("targets") || name.equals("y_true") || name.equals("labels")
        || name.endsWith("_lengths");
  }

  static FailureClass classify(FixtureCase c, Map<String, Tensor> actual, CaseResult r) {
    String dtype = dtypeLabel(c.inputs());
    String msg = r.message() == null ? "" : r.message();
    if (r.status() == CaseResult.Status.ERROR) {
      return new FailureClass(c.api(), "-", dtype, "malformed case");
    }
    Matcher m = OUTPUT.matcher(msg);
    if (m.find()) {
      String output = m.group(1);
      Tensor e = c.outputs().get(output);
      Tensor a = actual.get(output);
      return new FailureClass(c.api(), output, dtype, e == null || a == null ? "missing" : kind(c.api(), output, e, a, msg));
    }
    String kind;
    if (c.expectsError()) {
      Matcher k = ERROR_KINDS.matcher(msg);
      kind = msg.contains("\" but java returned") ? "engine raised, java returned outputs"
          : k.find() ? "engine " + k.group(1) + " error, java " + k.group(2) + " error"
          : msg.contains("crashed") ? "java crashed" : "error kinds differ";
    } else if (msg.contains("but the engine returned outputs")) {
      // a refusal with a kind (LossArgumentException) is another finding than a crash of Java's own
      // tensor code (IllegalArgumentException from Tensor), so the exception's type is in the class
      Matcher x = JAVA_RAISED.matcher(msg);
      kind = "java raised" + (x.find() ? " " + x.group(1) : "") + ", engine returned outputs";
    } else if (msg.contains("crashed")) {
      kind = "java crashed";
    } else {
      kind = "other";
    }
    return new FailureClass(c.api(), "-", dtype, kind);
  }

  /** The kind of difference between golden {@code e} and Java's {@code a}. */
  static String kind(String api, String output, Tensor e, Tensor a, String msg) {
    if (!java.util.Arrays.equals(e.shape(), a.shape())) {
      return "shape differs";
    }
    if (e.dtype() != a.dtype()) {
      return "dtype differs";
    }
    boolean engineNan = false;
    boolean javaNan = false;
    boolean engineInf = false;
    boolean javaInf = false;
    long worst = 0;
    DType units = Tolerances.of(api, output, e.dtype()).unitsFor(e.dtype());
    for (int i = 0; i < e.numel(); i++) {
      double x = e.getDouble(i);
      double y = a.getDouble(i);
      if (Double.isNaN(x) != Double.isNaN(y)) {
        engineNan |= Double.isNaN(x);
        javaNan |= Double.isNaN(y);
      } else if (!Double.isNaN(x) && (Double.isInfinite(x) || Double.isInfinite(y)) && x != y) {
        engineInf |= Double.isInfinite(x);
        javaInf |= Double.isInfinite(y);
      } else {
        worst = Math.max(worst, dev.lossconformance.check.Ulps.distance(units, x, y));
      }
    }
    if (engineNan) {
      return "engine NaN, java not";
    }
    if (javaNan) {
      return "java NaN, engine not";
    }
    if (engineInf && javaInf) {
      return "infinities differ";
    }
    if (engineInf) {
      return "engine inf, java finite";
    }
    if (javaInf) {
      return "java inf, engine finite";
    }
    return worst <= 16 ? "value <= 16 ulps" : worst <= 1024 ? "value <= 1024 ulps" : "value > 1024 ulps";
  }
}
