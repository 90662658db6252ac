package dev.lossconformance.report;

import java.util.Locale;

/**
 * The markup builder every section of {@code index.html} writes into: a string builder that escapes
 * text for XML and HTML alike, with the few SVG elements the charts draw. Renders no section itself.
 */
final class Html {
  private final StringBuilder sb = new StringBuilder(1 << 22);

  Html raw(String s) {
    sb.append(s);
    return this;
  }

  Html text(String s) {
    sb.append(escape(s));
    return this;
  }

  Html attr(String s) {
    sb.append(escape(s));
    return this;
  }

  Html num(double v) {
    sb.append(String.format(Locale.ROOT, "%.1f", v));
    return this;
  }

  /** {@code <span class="badge b-STATUS">STATUS</span>}: a verdict as a coloured badge. */
  Html badge(String status) {
    return raw("<span class=\"badge b-").raw(status).raw("\">").raw(status).raw("</span>");
  }

  /**
   * The opening of a chart: {@code <figure><svg class="chart KIND" [data-engine] width height viewBox
   * role="img"><title>}, the title being what a screen reader says.
   */
  Html svgOpen(String kind, String engine, int width, int height, String title) {
    raw("<figure><svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart ").raw(kind).raw("\"");
    if (engine != null) {
      raw(" data-engine=\"").attr(engine).raw("\"");
    }
    return raw(" width=\"" + width + "\" height=\"" + height + "\" viewBox=\"0 0 " + width + " " + height
        + "\" role=\"img\"><title>").text(title).raw("</title>\n");
  }

  /** {@code <line class="CLS" x1 x2 y1 y2 />}, coordinates to one decimal. */
  Html svgLine(String cls, double x1, double x2, double y1, double y2) {
    return raw("<line class=\"" + cls + "\" x1=\"").num(x1).raw("\" x2=\"").num(x2).raw("\" y1=\"").num(y1)
        .raw("\" y2=\"").num(y2).raw("\" />");
  }

  /** {@code <text class="CLS" x y [text-anchor]>content</text>}, the content escaped. */
  Html svgText(String cls, double x, double y, String anchor, String content) {
    raw("<text class=\"" + cls + "\" x=\"").num(x).raw("\" y=\"").num(y).raw("\"");
    if (anchor != null) {
      raw(" text-anchor=\"" + anchor + "\"");
    }
    return raw(">").text(content).raw("</text>");
  }

  /** {@code & < > "} as entities, line breaks kept, other characters XML 1.0 cannot hold dropped. */
  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\n', '\t' -> out.append(c);
        case '\r' -> { }
        default -> {
          if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
            continue;
          }
          if (Character.isHighSurrogate(c) && (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))) {
            continue;
          }
          if (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) {
            continue;
          }
          out.append(c);
        }
      }
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
