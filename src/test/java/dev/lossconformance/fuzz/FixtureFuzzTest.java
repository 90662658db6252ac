package dev.lossconformance.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded fuzz test of the fixture reader and the {@code check} command, in process: committed
 * fixture files mutated at random (bytes flipped, deleted, duplicated; JSON tokens swapped for others;
 * keys duplicated; digits changed; numbers replaced by huge, negative, fractional or non-numeric ones) must never give
 * a stack trace or an exit code other than 0, 1 or 2; and a file whose golden outputs were moved beyond
 * the tolerance must never give exit 0. The seed is fixed, so a failure reproduces; {@code
 * -Dfuzz.iterations=N} runs longer (default {@value #DEFAULT_ITERATIONS} per property).
 */
class FixtureFuzzTest {
  private static final int DEFAULT_ITERATIONS = 400;
  private static final String[] TOKENS = {"{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "-0.0",
      "1e309", "-1", "2147483648", "9223372036854775808", "\"NaN\"", "\"abc\"", "[]", "{}", "\"shape\": [1]",
      "\"dtype\": \"uint8\"", "\"data\": [256]", "\"error\": \"x\"", "\"outputs\": {}", "1484310", "0.5", "\u00e9",
      "\\u0000", "\"id\": \"dup\""};

  @TempDir
  Path dir;

  static List<Path> seeds() throws Exception {
    Path fixtures = Path.of(System.getProperty("conformance.fixtures", "fixtures"));
    List<Path> small = new ArrayList<>();
    for (String f : new String[] {"torch/nll_loss.json", "torch/l1_loss.json", "tensorflow/kl_div.json",
        "torch/hinge_embedding_loss.json", "tensorflow/cosine_embedding_loss.json"}) {
      small.add(fixtures.resolve(f));
    }
    return small;
  }

  static int iterations() {
    return Integer.getInteger("fuzz.iterations", DEFAULT_ITERATIONS);
  }

  private record Outcome(int exit, String out, String err) {}

  private Outcome check(Path file) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "check", file.toString());
    return new Outcome(exit, out.toString(), err.toString());
  }

  /** The first case object of a fixture's text, so a mutation lands where a case is judged. */
  private static String firstCases(String text, int cases) {
    int start = text.indexOf("\"cases\": [");
    int at = start;
    for (int i = 0; i < cases && at >= 0; i++) {
      at = text.indexOf("\n    {", at + 1);
    }
    int end = text.indexOf("\n    {", at + 1);
    if (at < 0 || end < 0) {
      return text;
    }
    return text.substring(0, end).replaceAll(",\\s*$", "") + "\n  ]\n}\n";
  }

  @Test
  void randomlyMutatedFilesNeverCrashTheGate() throws Exception {
    SplittableRandom rng = new SplittableRandom(20261201);
    List<Path> seeds = seeds();
    int[] exits = new int[3];
    for (int i = 0; i < iterations(); i++) {
      String text = firstCases(Files.readString(seeds.get(i % seeds.size())), 4);
      String mutated = mutate(text, rng, 1 + rng.nextInt(4));
      Path f = dir.resolve("m" + i + ".json");
      Files.writeString(f, mutated, StandardCharsets.UTF_8);
      Outcome o = check(f);
      String where = "iteration " + i + " (" + f + ", kept for a rerun):\n" + o.out + o.err;
      assertTrue(o.exit >= 0 && o.exit <= 2, "exit " + o.exit + " at " + where);
      assertFalse(o.err.contains("\tat ") || o.out.contains("\tat "), "a stack trace at " + where);
      assertFalse(o.err.contains("Exception:") && !o.err.startsWith("error: "), "a raw exception at " + where);
      exits[o.exit]++;
      Files.delete(f);
    }
    System.out.printf("fuzz: %d mutated files, exit 0/1/2: %d/%d/%d%n", iterations(), exits[0], exits[1], exits[2]);
    if (iterations() >= 200) {
      assertTrue(exits[2] > 0 && exits[0] + exits[1] > 0, "the mutations should give both readable and malformed files");
    }
  }

  private static final Pattern OUTPUT_NUMBER = Pattern.compile("(?<=[\\[ ])-?\\d+\\.\\d+(?:E-?\\d+)?(?=[,\\]])");

  /** Any golden number of an {@code outputs} block moved by a factor of 1.01 to 1000: never exit 0. */
  @Test
  void alteredOutputsNeverPass() throws Exception {
    SplittableRandom rng = new SplittableRandom(7);
    List<Path> seeds = seeds();
    int altered = 0;
    for (int i = 0; i < iterations(); i++) {
      String text = firstCases(Files.readString(seeds.get(i % seeds.size())), 1 + rng.nextInt(3));
      int outputs = text.lastIndexOf("\"outputs\"");
      if (outputs < 0) {
        continue;
      }
      List<int[]> spans = new ArrayList<>();
      Matcher m = OUTPUT_NUMBER.matcher(text);
      m.region(outputs, text.length());
      while (m.find()) {
        spans.add(new int[] {m.start(), m.end()});
      }
      if (spans.isEmpty()) {
        continue;
      }
      int[] s = spans.get(rng.nextInt(spans.size()));
      double v = Double.parseDouble(text.substring(s[0], s[1]));
      if (Math.abs(v) < 1e-30) {
        continue;
      }
      double factor = rng.nextBoolean() ? 1.01 + rng.nextDouble() * 10 : -1;
      if (rng.nextInt(4) == 0) {
        factor = 1000;
      }
      String number = Float.toString((float) (v * factor));
      Path f = dir.resolve("a" + i + ".json");
      Files.writeString(f, text.substring(0, s[0]) + number + text.substring(s[1]), StandardCharsets.UTF_8);
      Outcome o = check(f);
      assertEquals(1, o.exit, "iteration " + i + ": " + v + " -> " + number + " in " + f + ":\n" + o.out + o.err);
      altered++;
      Files.delete(f);
    }
    System.out.printf("fuzz: %d files with one golden output altered, all failed%n", altered);
    assertTrue(altered > iterations() / 2, "only " + altered + " files were altered");
  }

  /** {@code count} random edits of {@code text}. */
  static String mutate(String text, SplittableRandom rng, int count) {
    StringBuilder sb = new StringBuilder(text);
    for (int k = 0; k < count && sb.length() > 0; k++) {
      int at = rng.nextInt(sb.length());
      switch (rng.nextInt(9)) {
        case 7, 8 -> {
          // a digit changed: the file stays JSON, an input or golden number moves
          for (int j = at; j < sb.length(); j++) {
            if (Character.isDigit(sb.charAt(j))) {
              sb.setCharAt(j, (char) ('0' + rng.nextInt(10)));
              break;
            }
          }
        }
        case 0 -> sb.setCharAt(at, (char) (sb.charAt(at) ^ (1 << rng.nextInt(7))));
        case 1 -> sb.delete(at, Math.min(sb.length(), at + 1 + rng.nextInt(16)));
        case 2 -> {
          int end = Math.min(sb.length(), at + 1 + rng.nextInt(64));
          sb.insert(at, sb.substring(at, end));
        }
        case 3 -> sb.insert(at, TOKENS[rng.nextInt(TOKENS.length)]);
        case 4 -> {
          // replace a number
          Matcher m = Pattern.compile("-?\\d+(\\.\\d+)?(E-?\\d+)?").matcher(sb);
          if (m.find(at)) {
            sb.replace(m.start(), m.end(), TOKENS[rng.nextInt(TOKENS.length)]);
          }
        }
        case 5 -> {
          // duplicate a key: "name": value -> "name": value, "name": value
          int q = sb.indexOf("\": ", at);
          int open = q < 0 ? -1 : sb.lastIndexOf("\"", q - 1);
          int comma = q < 0 ? -1 : sb.indexOf(",", q);
          if (open >= 0 && comma > q && comma - open < 200) {
            sb.insert(comma, ", " + sb.substring(open, comma));
          }
        }
        default -> sb.setLength(at);
      }
    }
    return sb.toString();
  }
}
