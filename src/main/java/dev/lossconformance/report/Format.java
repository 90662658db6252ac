package dev.lossconformance.report;

import dev.lossconformance.engine.Engine;
import dev.lossconformance.engine.Engines;
import dev.lossconformance.fixture.FixtureWriter;
import dev.lossconformance.fixture.FloatText;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * The plain-text formatting several sections share: engine names, tensor values, parameter values,
 * numbers and shortened messages. Renders no section itself.
 */
final class Format {
  /** Tensor values shown before "…". */
  private static final int SHOWN = 6;

  private Format() {}

  /** The registered engine's display name ({@code PyTorch}), else the id as given. */
  static String engineName(String engine) {
    return Engines.byId(engine).map(Engine::displayName).orElse(engine);
  }

  /** The registered engine's short name ({@code torch}, {@code TF}), else the id: for narrow columns. */
  static String engineShort(String engine) {
    return Engines.byId(engine).map(Engine::shortName).orElse(engine);
  }

  /** An engine name usable in an attribute name ({@code data-status-<engine>}). */
  static String attrName(String engine) {
    return engine.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "_");
  }

  /** {@code f32[4] [1.5, 2.0, …]} with at most {@value #SHOWN} values. */
  static String values(Tensor t) {
    return values(t, SHOWN);
  }

  /** {@code f32[4] [1.5, 2.0, …]} with at most {@code shown} values. */
  static String values(Tensor t, int shown) {
    StringBuilder sb = new StringBuilder();
    sb.append(t.dtype().shortName()).append(Arrays.toString(t.shape())).append(' ');
    if (t.numel() == 1 && t.rank() == 0) {
      return sb.append(element(t, 0)).toString();
    }
    sb.append('[');
    for (int i = 0; i < Math.min(t.numel(), shown); i++) {
      sb.append(i == 0 ? "" : ", ").append(element(t, i));
    }
    return sb.append(t.numel() > shown ? ", …]" : "]").toString();
  }

  private static String element(Tensor t, int i) {
    return FixtureWriter.element(t, i).replace("\"", "");
  }

  /** A parameter value as a fixture writes it: {@code null}, {@code true}, {@code 0.5}, {@code mean}. */
  static String paramText(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Double d) {
      return FloatText.ofDouble(d);
    }
    return v.toString();
  }

  /** Three significant digits; "0" for zero. */
  static String fmt(double v) {
    if (v == 0) {
      return "0";
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }

  /** {@code s} cut to {@code max} characters, "…" marking a cut. */
  static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }

  /** The first {@code lines} lines of {@code s}, cut to {@code max} characters. */
  static String firstLines(String s, int lines, int max) {
    return abbreviate(String.join("\n", s.lines().limit(lines).toList()), max);
  }
}
