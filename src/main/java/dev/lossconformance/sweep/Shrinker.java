package dev.lossconformance.sweep;

import dev.lossconformance.api.Api;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reduces a failing call to a smaller one that still fails the same way: greedy, first accepted
 * candidate wins, until no candidate is accepted or the budget of judge calls is spent.
 *
 * <p>Candidates, in order: each param back to the api's default (reduction also to {@code none});
 * one slice fewer along a size shared by every tensor dimension of that size (rows, classes,
 * elements: the coupled dimensions of input, target and weight); one slice fewer along one dimension
 * of one tensor; each value replaced by a simpler one (0, 1, -1, 2, 0.5, or fewer significant
 * digits). Every candidate is strictly smaller by {@link #size}, so shrinking terminates.
 */
public final class Shrinker {
  private Shrinker() {}

  /** The smallest call found, and how many judge calls it took. */
  public record Result(Call call, int steps, int judged) {}

  /**
   * Shrinks {@code start}, which {@code stillFails} must accept.
   *
   * @param api the descriptor of the call's api (its params' defaults)
   * @param stillFails true when a candidate fails the same way (same failure class)
   * @param budget the most judge calls
   */
  public static Result shrink(Api api, Call start, Predicate<Call> stillFails, int budget) {
    Call current = start;
    int judged = 0;
    int steps = 0;
    boolean progress = true;
    Set<String> seen = new LinkedHashSet<>();
    while (progress && judged < budget) {
      progress = false;
      for (Call candidate : candidates(api, current)) {
        if (judged >= budget) {
          break;
        }
        if (compare(size(api, candidate), size(api, current)) >= 0 || !SweepDraws.engineSafe(candidate)
            || !seen.add(key(candidate))) {
          continue;
        }
        judged++;
        boolean fails;
        try {
          fails = stillFails.test(candidate);
        } catch (RuntimeException e) {
          fails = false;
        }
        if (fails) {
          current = candidate;
          steps++;
          progress = true;
          break;
        }
      }
    }
    return new Result(current, steps, judged);
  }

  /**
   * Size of a call: total elements, then the complexity of its values, then its params (0 at the
   * api's default, 1 for reduction none, which shows the failing element, 2 otherwise).
   */
  static long[] size(Api api, Call c) {
    long params = 0;
    for (Map.Entry<String, Object> p : c.params().entrySet()) {
      Object dflt = api.hasParam(p.getKey()) ? api.defaultOf(p.getKey()) : null;
      params += Objects.equals(p.getValue(), dflt) ? 0 : p.getKey().equals("reduction") && "none".equals(p.getValue()) ? 1 : 2;
    }
    long numel = 0;
    long complexity = 0;
    for (Tensor t : c.inputs().values()) {
      numel += t.numel();
      for (int i = 0; i < t.numel(); i++) {
        complexity += complexity(t.getDouble(i));
      }
    }
    return new long[] {numel, complexity, params};
  }

  private static int compare(long[] a, long[] b) {
    for (int i = 0; i < a.length; i++) {
      int c = Long.compare(a[i], b[i]);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** 0 for 0, 1 for +-1, 2 for other small integers and halves, then by significant digits. */
  static long complexity(double v) {
    if (v == 0) {
      return 0;
    }
    if (Math.abs(v) == 1) {
      return 1;
    }
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return 2;
    }
    if (Math.abs(v) <= 10 && (v == Math.rint(v) || v * 2 == Math.rint(v * 2))) {
      return 3;
    }
    String s = new java.math.BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros().unscaledValue().toString();
    return 3 + s.length();
  }

  private static String key(Call c) {
    StringBuilder sb = new StringBuilder(c.params().toString());
    c.inputs().forEach((k, v) -> sb.append(k).append(v.dtype()).append(java.util.Arrays.toString(v.shape()))
        .append(java.util.Arrays.toString(v.toDoubleArray())));
    return sb.toString();
  }

  static List<Call> candidates(Api api, Call c) {
    List<Call> out = new ArrayList<>();
    // params: back to the default, reduction to none
    for (Map.Entry<String, Object> p : c.params().entrySet()) {
      Object dflt = api.hasParam(p.getKey()) ? api.defaultOf(p.getKey()) : null;
      if (!Objects.equals(p.getValue(), dflt)) {
        out.add(withParam(c, p.getKey(), dflt, api.hasParam(p.getKey())));
      }
      if (p.getKey().equals("reduction") && !"none".equals(p.getValue())) {
        out.add(withParam(c, "reduction", "none", true));
      }
    }
    // coupled dimensions: one slice fewer along every dim of size s, last then first slice
    Set<Integer> sizes = new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
    for (Tensor t : c.inputs().values()) {
      for (int s : t.shape()) {
        if (s >= 1) {
          sizes.add(s);
        }
      }
    }
    for (int s : sizes) {
      for (boolean last : new boolean[] {true, false}) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        c.inputs().forEach((k, t) -> {
          Tensor r = t;
          for (int d = 0; d < r.rank(); d++) {
            if (r.size(d) == s) {
              r = remove(r, d, last ? s - 1 : 0);
            }
          }
          in.put(k, r);
        });
        out.add(with(c, in));
      }
    }
    // one tensor's dimension alone, when no other input has its shape (which would make a pair that
    // was equal a broadcast or a mismatch: another probe than the one that failed)
    for (Map.Entry<String, Tensor> e : c.inputs().entrySet()) {
      Tensor t = e.getValue();
      boolean shared = c.inputs().entrySet().stream()
          .anyMatch(o -> !o.getKey().equals(e.getKey()) && java.util.Arrays.equals(o.getValue().shape(), t.shape()));
      if (shared) {
        continue;
      }
      for (int d = 0; d < t.rank(); d++) {
        if (t.size(d) >= 1) {
          out.add(withInput(c, e.getKey(), remove(t, d, t.size(d) - 1)));
        }
      }
    }
    // simpler values
    for (Map.Entry<String, Tensor> e : c.inputs().entrySet()) {
      Tensor t = e.getValue();
      if (t.numel() > 256) {
        continue;
      }
      for (int i = 0; i < t.numel(); i++) {
        double v = t.getDouble(i);
        for (double s : simpler(v)) {
          out.add(withInput(c, e.getKey(), set(t, i, s)));
        }
      }
    }
    return out;
  }

  /** Simpler values to try in place of {@code v}, simplest first. */
  static List<Double> simpler(double v) {
    List<Double> out = new ArrayList<>();
    long cv = complexity(v);
    for (double s : new double[] {0, 1, -1, 2, 0.5, -0.5}) {
      if (complexity(s) < cv) {
        out.add(s);
      }
    }
    if (Double.isFinite(v) && v != 0) {
      for (int digits = 1; digits <= 3; digits++) {
        double r = new java.math.BigDecimal(v).round(new java.math.MathContext(digits)).doubleValue();
        if (complexity(r) < cv && !out.contains(r)) {
          out.add(r);
        }
      }
    }
    return out;
  }

  private static Call withParam(Call c, String name, Object value, boolean keep) {
    Map<String, Object> p = new LinkedHashMap<>(c.params());
    if (keep && value != null) {
      p.put(name, value);
    } else {
      p.remove(name);
    }
    return new Call(c.api(), p, c.inputs(), c.expectError(), c.unsupported());
  }

  private static Call withInput(Call c, String name, Tensor t) {
    Map<String, Tensor> in = new LinkedHashMap<>(c.inputs());
    in.put(name, t);
    return with(c, in);
  }

  private static Call with(Call c, Map<String, Tensor> inputs) {
    return new Call(c.api(), c.params(), inputs, c.expectError(), c.unsupported());
  }

  /** {@code t} without slice {@code k} along dimension {@code d}. */
  static Tensor remove(Tensor t, int d, int k) {
    int[] shape = t.shape();
    int outer = 1;
    for (int i = 0; i < d; i++) {
      outer *= shape[i];
    }
    int inner = 1;
    for (int i = d + 1; i < shape.length; i++) {
      inner *= shape[i];
    }
    int n = shape[d];
    int[] ns = shape.clone();
    ns[d] = n - 1;
    int total = Tensor.numel(ns);
    boolean floating = t.dtype().isFloating();
    double[] fv = floating ? new double[total] : null;
    long[] lv = floating ? null : new long[total];
    int j = 0;
    for (int o = 0; o < outer; o++) {
      for (int s = 0; s < n; s++) {
        if (s == k) {
          continue;
        }
        for (int i = 0; i < inner; i++) {
          int from = (o * n + s) * inner + i;
          if (floating) {
            fv[j++] = t.getDouble(from);
          } else {
            lv[j++] = t.getLong(from);
          }
        }
      }
    }
    return floating ? Tensor.ofFloating(t.dtype(), fv, ns) : Tensor.ofLongs(t.dtype(), lv, ns);
  }

  private static Tensor set(Tensor t, int i, double value) {
    if (t.dtype().isFloating()) {
      double[] v = t.toDoubleArray();
      v[i] = value;
      return Tensor.ofFloating(t.dtype(), v, t.shape());
    }
    long[] v = t.toLongArray();
    v[i] = (long) value;
    return Tensor.ofLongs(t.dtype(), v, t.shape());
  }

  /** True when {@code v} holds the value exactly in {@code dt} (a candidate value is kept only then). */
  static boolean representable(DType dt, double v) {
    return !dt.isFloating() ? v == Math.rint(v) : dt != DType.FLOAT32 || (double) (float) v == v || Double.isNaN(v);
  }
}
