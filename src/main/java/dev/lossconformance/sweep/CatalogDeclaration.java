package dev.lossconformance.sweep;

import dev.lossconformance.catalog.Call;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A shrunk sweep case as a catalog declaration, ready to paste into {@code catalog/<Op>Cases.java}
 * (in the style of the cases there: {@code values(...)} and {@code longs(...)} draws, the call's
 * params), named by what it probes.
 */
public final class CatalogDeclaration {
  private CatalogDeclaration() {}

  /**
   * The name of a catalog case for {@code cls}: {@code sweep_<kind>_<output>}, lower case, words
   * joined by underscores ({@code sweep_engine_nan_java_not_grad_input1}).
   */
  public static String name(SweepOutcome.FailureClass cls) {
    String kind = cls.kind().replace("<=", "le").replace(">", "gt");
    String out = cls.output().equals("-") ? "" : "_" + cls.output();
    String dt = cls.dtype().contains("(") ? "_" + cls.dtype().substring(cls.dtype().indexOf('(') + 1, cls.dtype().length() - 1) : "";
    return ("sweep_" + kind + out + dt).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("_+$", "");
  }

  /** The declaration: a {@code Stream.of(new CaseBuilder(...)...)} element of the op's case list. */
  public static String of(String name, Call c, String comment) {
    StringBuilder sb = new StringBuilder();
    sb.append("// ").append(comment).append('\n');
    sb.append("Stream.of(new CaseBuilder(OP, API, \"").append(name).append("\")");
    for (Map.Entry<String, Object> p : c.params().entrySet()) {
      sb.append(".param(\"").append(p.getKey()).append("\", ").append(literal(p.getValue())).append(')');
    }
    for (Map.Entry<String, Tensor> e : c.inputs().entrySet()) {
      sb.append("\n    .input(\"").append(e.getKey()).append("\", ").append(draw(e.getValue(), c.dtype())).append(')');
    }
    sb.append("),");
    return sb.toString();
  }

  static String draw(Tensor t, DType caseDtype) {
    String shape = "new int[] {" + String.join(", ", java.util.Arrays.stream(t.shape()).mapToObj(Integer::toString).toList()) + "}";
    List<String> vals = new ArrayList<>();
    for (int i = 0; i < t.numel(); i++) {
      vals.add(t.dtype().isFloating() ? real(t.dtype(), t.getDouble(i)) : Long.toString(t.getLong(i)));
    }
    String list = vals.isEmpty() ? "" : ", " + String.join(", ", vals);
    if (t.dtype() == DType.INT64) {
      return "longs(" + shape + list + ")";
    }
    if (!t.dtype().isFloating()) {
      return "(rng, dt) -> Tensor.ofLongs(DType." + t.dtype().name() + ", new long[] {" + String.join(", ", vals)
          + "}, " + shape + ")";
    }
    if (t.dtype() != caseDtype) {
      return "(rng, dt) -> Tensor.ofFloating(DType." + t.dtype().name() + ", new double[] {" + String.join(", ", vals)
          + "}, " + shape + ")";
    }
    return "values(" + shape + list + ")";
  }

  static String real(DType dt, double v) {
    if (Double.isNaN(v)) {
      return "Double.NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
    }
    if (v == 0) {
      return 1 / v < 0 ? "-0.0" : "0";
    }
    // Java's own text of the value: a valid double literal that reads back as the same float32 or
    // float64 (FloatText writes 1e20 as 100000000000000000000, which is no Java literal)
    String s = dt == DType.FLOAT32 ? Float.toString((float) v) : Double.toString(v);
    if (s.endsWith(".0")) {
      s = s.substring(0, s.length() - 2);
    }
    return s;
  }

  static String literal(Object v) {
    if (v instanceof String s) {
      return "\"" + s + "\"";
    }
    if (v instanceof Long l) {
      return l + "L";
    }
    if (v instanceof Double d) {
      return Double.toString(d);
    }
    return String.valueOf(v);
  }
}
