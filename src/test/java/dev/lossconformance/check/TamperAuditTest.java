package dev.lossconformance.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.CaseResult.Status;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The tamper audit: every committed case with outputs, with one golden element moved far beyond any
 * honest tolerance, must fail. Zero may escape.
 *
 * <p>Per floating output, up to {@value #SAMPLED} elements are tampered (the first, the last, the
 * largest and the smallest nonzero magnitude, and a sample seeded by the case id), each in four ways,
 * one copy per tamper:
 * <ul>
 *   <li>relative: moved by 1e-3 of {@code max(|v|, M)} (at least by 1e-30, 1e-300 in float64, a small
 *       normal value: subnormals compare as zero), where {@code M} is the element's term magnitude
 *       when its output has one: 1e-3 of it is about 8000 float32 ulps, beyond any engine's rounding of
 *       the terms, and for a cancelling element (a target-class {@code p - 1} of 1e-9) a relative move
 *       of {@code |v|} would be inside float32's resolution of the terms, which no engine resolves;
 *   <li>NaN (a NaN golden becomes 0);
 *   <li>a sign flip, where {@code 2|v|} is such a move (infinities flip too);
 *   <li>zero, where {@code |v|} is such a move (and {@code v} is not subnormal, which compares as zero).
 * </ul>
 */
class TamperAuditTest {
  private static final int SAMPLED = 8;

  private record Escape(String caseName, String output, int at, String tamper, double from, double to) {
    @Override
    public String toString() {
      return caseName + " " + output + Tensor.indexString(new int[] {Integer.MAX_VALUE}, at) + " " + tamper + ": "
          + from + " -> " + to;
    }
  }

  @Test
  void everyTamperedGoldenFails() throws Exception {
    List<Escape> escaped = new ArrayList<>();
    int copies = 0;
    int cases = 0;
    Map<String, Integer> byTamper = new java.util.TreeMap<>();
    for (FixtureFile f : FixtureReader.readAll(CheckerTest.fixtures())) {
      for (FixtureCase c : f.cases()) {
        if (c.outputs().isEmpty()) {
          continue;
        }
        Checker.Run honest = Checker.run(c);
        if (honest.result().status() != Status.PASSED) {
          continue; // the conformance suite fails such a case already
        }
        cases++;
        Checker.Memo memo = new Checker.Memo(c);
        for (Map.Entry<String, Tensor> o : c.outputs().entrySet()) {
          Tensor g = o.getValue();
          if (!g.dtype().isFloating() || g.numel() == 0) {
            continue;
          }
          double[] m = Checker.termMagnitudes(c, o.getKey(), memo.reference64, memo.terms);
          for (int at : sample(c.id() + "|" + o.getKey(), g)) {
            double v = g.getDouble(at);
            double mag = Math.max(Math.abs(v), m == null || !Double.isFinite(m[at]) ? 0 : m[at]);
            for (String tamper : new String[] {"relative", "nan", "sign", "zero"}) {
              // Keras' float64 outputs are float32 values: judged in float32 units
              DType units = Tolerances.of(c.api(), o.getKey(), g.dtype()).unitsFor(g.dtype());
              Double to = tampered(tamper, v, mag, units);
              if (to == null) {
                continue;
              }
              copies++;
              byTamper.merge(tamper, 1, Integer::sum);
              Map<String, Tensor> outputs = new LinkedHashMap<>(c.outputs());
              outputs.put(o.getKey(), CheckerTest.with(g, at, to));
              CaseResult r = Checker.judge(CheckerTest.withOutputs(c, outputs), honest.actual(), memo);
              if (r.status() != Status.FAILED) {
                escaped.add(new Escape(c.displayName(), o.getKey(), at, tamper, v, to));
              }
            }
          }
        }
      }
    }
    System.out.printf("tamper audit: %d tampered copies of %d cases (%s), %d escaped%n", copies, cases, byTamper,
        escaped.size());
    assertTrue(cases > 1000, "only " + cases + " committed cases with outputs found");
    assertEquals(List.of(), escaped.subList(0, Math.min(20, escaped.size())), escaped.size() + " tampered goldens passed");
  }

  /** The tampered value, or {@code null} where this tamper would not be beyond an honest tolerance. */
  static Double tampered(String tamper, double v, double mag, DType dt) {
    boolean f32 = dt == DType.FLOAT32;
    // never less than a small normal value: subnormals compare as zero
    double move = Math.max(1e-3 * mag, f32 ? 1e-30 : 1e-300);
    switch (tamper) {
      case "relative" -> {
        if (!Double.isFinite(v)) {
          return null;
        }
        double to = v >= 0 ? v + move : v - move;
        return f32 ? (double) (float) to : to;
      }
      case "nan" -> {
        return Double.isNaN(v) ? 0.0 : Double.NaN;
      }
      case "sign" -> {
        if (Double.isInfinite(v)) {
          return -v;
        }
        return Double.isFinite(v) && v != 0 && 2 * Math.abs(v) >= move && !Checker.subnormal(dt, v) ? -v : null;
      }
      case "zero" -> {
        if (Double.isNaN(v)) {
          return null; // covered by "nan"
        }
        return v != 0 && (Double.isInfinite(v) || Math.abs(v) >= move) && !Checker.subnormal(dt, v) ? 0.0 : null;
      }
      default -> throw new IllegalArgumentException(tamper);
    }
  }

  /** The elements to tamper: first, last, largest and smallest nonzero magnitude, and a seeded sample. */
  static int[] sample(String seed, Tensor g) {
    int n = g.numel();
    TreeSet<Integer> at = new TreeSet<>();
    at.add(0);
    at.add(n - 1);
    int big = 0;
    int small = -1;
    for (int i = 0; i < n; i++) {
      double a = Math.abs(g.getDouble(i));
      if (a > Math.abs(g.getDouble(big))) {
        big = i;
      }
      if (a > 0 && (small < 0 || a < Math.abs(g.getDouble(small)))) {
        small = i;
      }
    }
    at.add(big);
    if (small >= 0) {
      at.add(small);
    }
    SplittableRandom rng = new SplittableRandom(seed.hashCode());
    while (at.size() < Math.min(SAMPLED, n)) {
      at.add(rng.nextInt(n));
    }
    return at.stream().mapToInt(Integer::intValue).toArray();
  }

  @Test
  void theTampersAreFarFromTheGolden() {
    // each tamper moves an element by at least 1e-3 of its magnitude, or to NaN, or across zero
    assertEquals(1.001, tampered("relative", 1.0, 1.0, DType.FLOAT64), 1e-15);
    assertEquals(-1.001, tampered("relative", -1.0, 1.0, DType.FLOAT64), 1e-15);
    assertEquals((double) 1e-30f, tampered("relative", 0.0, 0.0, DType.FLOAT32));
    assertEquals(2e-3, tampered("relative", 0.0, 2.0, DType.FLOAT64), 1e-18);
    assertEquals(1e-300, tampered("relative", 0.0, 1e-310, DType.FLOAT64));
    assertTrue(Double.isNaN(tampered("nan", 3.0, 3.0, DType.FLOAT32)));
    assertEquals(0.0, tampered("nan", Double.NaN, 0, DType.FLOAT32));
    assertEquals(-5.0, tampered("sign", 5.0, 5.0, DType.FLOAT32));
    assertEquals(null, tampered("sign", 1e-9, 2.0, DType.FLOAT32)); // inside the terms' resolution
    assertEquals(0.0, tampered("zero", 5.0, 5.0, DType.FLOAT32));
    assertEquals(null, tampered("zero", 1e-40, 1e-40, DType.FLOAT32)); // subnormal: compares as zero
  }
}
