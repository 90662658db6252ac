package dev.lossconformance.check;

import dev.lossconformance.fixture.FixtureCase;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Known deviations of an implementation, like array-api-tests' xfails file: cases it is known to fail,
 * each with the reason. A failing case a line matches is reported {@code deviation} with that reason
 * instead of failed; a listed case that passes is reported as no longer deviating, so the line can go.
 *
 * <p>Format (UTF-8 text, README "Known deviations"): one entry per line, {@code PATTERN REASON}; blank
 * lines and lines starting with {@code #} are ignored. {@code PATTERN} has no spaces: a case-id glob
 * ({@code *} any characters including {@code /}, {@code ?} one character), optionally prefixed by an
 * engine id and a colon to match that engine's goldens only. {@code REASON} is the rest of the line
 * and may not be empty.
 *
 * <pre>
 * # my-losses 1.2: known deviations
 * torch:cross_entropy/index/label_smoothing*   smoothing is applied before the class weights (MYLIB-41)
 * kl_div/*_log_target                          log_target=True is computed in float64
 * </pre>
 */
public final class Deviations {

  /**
   * One line of the file.
   *
   * @param source the file (or resource) it was read from
   * @param line its 1-based line number
   * @param engine the engine prefix, or {@code null} for every engine
   * @param glob the case-id pattern as written
   * @param reason why the case deviates
   */
  public record Entry(String source, int line, String engine, String glob, String reason) {
    /** {@code source:line}, for messages. */
    public String where() {
      return source + ":" + line;
    }

    /** The pattern as written, with its engine prefix. */
    public String pattern() {
      return engine == null ? glob : engine + ":" + glob;
    }

    boolean matches(FixtureCase c, Pattern regex) {
      return (engine == null || engine.equals(c.engine())) && regex.matcher(c.id()).matches();
    }
  }

  /** A deviations file that cannot be read as the format says, with the file and line. */
  public static final class FormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public FormatException(String message) {
      super(message);
    }
  }

  private static final Deviations NONE = new Deviations(List.of(), List.of());

  private final List<Entry> entries;
  private final List<Pattern> regexes;

  private Deviations(List<Entry> entries, List<Pattern> regexes) {
    this.entries = List.copyOf(entries);
    this.regexes = List.copyOf(regexes);
  }

  /** No known deviation. */
  public static Deviations none() {
    return NONE;
  }

  /** Reads a deviations file; a missing or unreadable file, or a malformed line, is refused. */
  public static Deviations read(Path file) throws IOException, FormatException {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (CharacterCodingException e) {
      throw new FormatException(file + ": not UTF-8 text");
    }
    return parse(file.toString(), text);
  }

  /** Parses the text of a deviations file; {@code source} names it in messages. */
  public static Deviations parse(String source, String text) throws FormatException {
    List<Entry> entries = new ArrayList<>();
    List<Pattern> regexes = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+", 2);
      String pattern = parts[0];
      String reason = parts.length > 1 ? parts[1].strip() : "";
      String where = source + ":" + (i + 1);
      if (reason.isEmpty()) {
        throw new FormatException(where + ": pattern \"" + pattern + "\" has no reason (the format is"
            + " PATTERN REASON, the reason being the rest of the line)");
      }
      String engine = null;
      String glob = pattern;
      int colon = pattern.indexOf(':');
      if (colon >= 0) {
        engine = pattern.substring(0, colon);
        glob = pattern.substring(colon + 1);
        if (!engine.matches("[a-z][a-z0-9_.-]*")) {
          throw new FormatException(where + ": \"" + engine + "\" before ':' in \"" + pattern + "\" is not an engine"
              + " id (such as torch or tensorflow)");
        }
      }
      if (glob.isEmpty()) {
        throw new FormatException(where + ": pattern \"" + pattern + "\" has no case-id glob");
      }
      entries.add(new Entry(source, i + 1, engine, glob, reason));
      regexes.add(globToRegex(glob));
    }
    return new Deviations(entries, regexes);
  }

  /** {@code *} any run of characters, {@code ?} one, everything else literally. */
  static Pattern globToRegex(String glob) {
    StringBuilder re = new StringBuilder();
    for (char ch : glob.toCharArray()) {
      re.append(ch == '*' ? ".*" : ch == '?' ? "." : Pattern.quote(String.valueOf(ch)));
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }

  /** Every entry, in file order. */
  public List<Entry> entries() {
    return entries;
  }

  /** The first entry matching {@code c}, or {@code null}. */
  public Entry match(FixtureCase c) {
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).matches(c, regexes.get(i))) {
        return entries.get(i);
      }
    }
    return null;
  }

  /**
   * {@code r} as a listed case reports it: a failure becomes a {@link CaseResult.Status#DEVIATION}
   * whose message starts with the reason; every other verdict is unchanged (a pass is then a
   * deviation that no longer fails, which {@link CheckRun} reports).
   */
  public static CaseResult apply(Entry e, CaseResult r) {
    if (e == null || r.status() != CaseResult.Status.FAILED) {
      return r;
    }
    return r.with(CaseResult.Status.DEVIATION, "known deviation (" + e.where() + "): " + e.reason() + "\n"
        + r.message());
  }
}
