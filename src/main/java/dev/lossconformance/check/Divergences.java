package dev.lossconformance.check;

import dev.lossconformance.api.ApiIndex;
import dev.lossconformance.catalog.Case;
import dev.lossconformance.catalog.Catalog;
import dev.lossconformance.engine.Engine;
import dev.lossconformance.engine.Engines;
import dev.lossconformance.fixture.FixtureCase;
import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureFormatException;
import dev.lossconformance.fixture.FixtureReader;
import dev.lossconformance.fixture.FixtureWriter;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The side-by-side map of the reference engine (PyTorch) and each counterpart engine (TensorFlow), as
 * {@link Engines} registers them: every catalog case that both run, both engines' losses from the fixtures, whether they agree, and the catalog's reason where they are
 * expected not to. Written as {@code fixtures/divergences.json}.
 *
 * <p>Agreement: both raise; or equal shapes and every element within {@value #AGREE_ULPS} ulps in the
 * coarser of the two dtypes, or within that many ulps of the pair's largest magnitude (for elements
 * that are differences of nearly equal terms); NaN only with NaN. A float64 case whose Keras loss is float32 (T-19) is
 * compared in float32 and marked by its dtypes.
 */
public final class Divergences {
  /**
   * Each engine is within 4 ulps of Java's correctly rounded reference on these ops (the base
   * tolerance), so two engines that compute the same thing can be 8 apart.
   */
  static final long AGREE_ULPS = 8;

  private Divergences() {}

  /**
   * One paired case: the reference engine's golden ({@link Engines#reference()}) and a counterpart
   * engine's, by their engine ids.
   */
  public record Pair(String id, String op, String referenceEngine, String counterpartEngine, FixtureCase reference,
      FixtureCase counterpart, boolean agree, long maxUlp, String difference, String reason, Boolean gradAgree) {}

  /**
   * Pairs every catalog case that the reference engine and a counterpart engine both ran, in catalog
   * order (and, per case, in the registry's order of the counterparts), reading {@code
   * fixtures/<engine folder>/OP.json} of each registered engine for each op of the catalog.
   */
  public static List<Pair> pairs(Path fixtures) throws FixtureFormatException {
    List<FixtureFile> files = new ArrayList<>();
    for (String op : Catalog.ops()) {
      for (Engine e : Engines.all()) {
        Path file = fixtureFile(fixtures, e, op);
        if (Files.isRegularFile(file)) {
          files.add(FixtureReader.read(file));
        }
      }
    }
    return pairs(fixtures, files, Catalog::cases);
  }

  /**
   * {@link #pairs(Path)} from fixture files already read: for each op of the catalog, the first of
   * {@code files} read from each engine's {@code fixtures/<folder>/OP.json}; other files are passed over.
   *
   * @param catalog each op's catalog cases ({@link Catalog#cases}, or a cache of it), asked only for
   *     ops with a file of the reference engine and of a counterpart
   */
  public static List<Pair> pairs(Path fixtures, List<FixtureFile> files, Function<String, List<Case>> catalog) {
    Map<Path, FixtureFile> byPath = new HashMap<>();
    for (FixtureFile f : files) {
      if (!f.cases().isEmpty() && f.cases().get(0).file() != null) {
        byPath.putIfAbsent(normal(f.cases().get(0).file()), f);
      }
    }
    Engine ref = Engines.reference();
    List<Pair> out = new ArrayList<>();
    for (String op : Catalog.ops()) {
      Map<String, FixtureCase> refs = byId(byPath.get(normal(fixtureFile(fixtures, ref, op))));
      Map<String, Map<String, FixtureCase>> others = new LinkedHashMap<>();
      for (Engine e : Engines.counterparts()) {
        Map<String, FixtureCase> m = byId(byPath.get(normal(fixtureFile(fixtures, e, op))));
        if (!m.isEmpty()) {
          others.put(e.id(), m);
        }
      }
      if (refs.isEmpty() || others.isEmpty()) {
        continue;
      }
      for (Case c : catalog.apply(op)) {
        for (Engine e : Engines.counterparts()) {
          if (!others.containsKey(e.id()) || !c.runsOn(ref.id()) || !c.runsOn(e.id())) {
            continue;
          }
          FixtureCase a = refs.get(c.id());
          FixtureCase b = others.get(e.id()).get(c.id());
          if (a == null || b == null || a.unsupported() != null || b.unsupported() != null) {
            continue;
          }
          out.add(compare(c, ref.id(), e.id(), a, b));
        }
      }
    }
    return out;
  }

  private static Path fixtureFile(Path fixtures, Engine engine, String op) {
    return fixtures.resolve(engine.folder()).resolve(op + ".json");
  }

  private static Path normal(Path p) {
    return p.toAbsolutePath().normalize();
  }

  /** The cases of a file by id (a later case of an id replacing an earlier); empty for no file. */
  private static Map<String, FixtureCase> byId(FixtureFile file) {
    Map<String, FixtureCase> m = new HashMap<>();
    if (file != null) {
      for (FixtureCase c : file.cases()) {
        m.put(c.id(), c);
      }
    }
    return m;
  }

  private static Pair compare(Case c, String ea, String eb, FixtureCase a, FixtureCase b) {
    if (a.expectsError() || b.expectsError()) {
      boolean both = a.expectsError() && b.expectsError();
      String diff = both ? null : (a.expectsError() ? ea + " raises, " + eb + " returns a value" : eb + " raises, " + ea + " returns a value");
      return new Pair(c.id(), c.op(), ea, eb, a, b, both, both ? 0 : Long.MAX_VALUE, diff, c.divergence(), null);
    }
    Tensor x = a.outputs().get("loss");
    Tensor y = b.outputs().get("loss");
    if (!Arrays.equals(x.shape(), y.shape())) {
      return new Pair(c.id(), c.op(), ea, eb, a, b, false, Long.MAX_VALUE,
          "loss shapes differ: " + ea + " " + Arrays.toString(x.shape()) + ", " + eb + " " + Arrays.toString(y.shape()),
          c.divergence(), gradAgree(a, b));
    }
    long max = maxUlps(x, y);
    boolean agree = agrees(x, y);
    String diff = agree ? null : "values differ by " + Ulps.text(max) + " ulps (" + coarse(x, y) + ")";
    return new Pair(c.id(), c.op(), ea, eb, a, b, agree, max, diff, c.divergence(), gradAgree(a, b));
  }

  /**
   * The gradient each engine returns, when both are taken with respect to the same numbers (torch's
   * {@code input} equals TF's prediction, e.g. {@code y_pred}); not for pairs such as
   * {@code nll_loss(log p)} against Keras on {@code p}, whose gradients are of different things.
   */
  private static Tensor[] grads(FixtureCase a, FixtureCase b) {
    Map.Entry<String, Tensor> gb = b.outputs().entrySet().stream().skip(1).findFirst().orElse(null);
    if (gb == null || !gb.getKey().startsWith("grad_")) {
      return null;
    }
    Tensor predTf = b.inputs().get(gb.getKey().substring("grad_".length()));
    // torch's gradient of TF's name where it has one (ctc_loss' grad_logits, taken at logits = log_probs),
    // at the torch input holding the same numbers; else grad_input, at input
    boolean sameName = a.outputs().containsKey(gb.getKey());
    Tensor ga = a.outputs().get(sameName ? gb.getKey() : "grad_input");
    Tensor predTorch = sameName && predTf != null
        ? a.inputs().values().stream().filter(t -> Arrays.equals(t.shape(), predTf.shape())
            && Arrays.equals(t.toDoubleArray(), predTf.toDoubleArray())).findFirst().orElse(null)
        : a.inputs().get("input");
    if (ga == null) {
      return null;
    }
    if (predTf == null || predTorch == null || !Arrays.equals(predTf.toDoubleArray(), predTorch.toDoubleArray())
        || !Arrays.equals(ga.shape(), gb.getValue().shape())) {
      return null;
    }
    return new Tensor[] {ga, gb.getValue()};
  }

  private static Boolean gradAgree(FixtureCase a, FixtureCase b) {
    Tensor[] g = grads(a, b);
    if (g == null) {
      return null;
    }
    // Keras' float64 gradients are float32 values cast up (T-19): compare them as float32
    boolean keras = ApiIndex.find(b.api()).map(api -> api.family().computesInFloat32()).orElse(false);
    return agrees(keras ? asFloat32(g[0]) : g[0], keras ? asFloat32(g[1]) : g[1]);
  }

  private static Tensor asFloat32(Tensor t) {
    return t.dtype() == DType.FLOAT32 ? t : Tensor.ofFloating(DType.FLOAT32, t.toDoubleArray(), t.shape());
  }

  private static DType coarse(Tensor x, Tensor y) {
    return x.dtype() == DType.FLOAT32 || y.dtype() == DType.FLOAT32 ? DType.FLOAT32 : DType.FLOAT64;
  }

  private static long maxUlps(Tensor x, Tensor y) {
    long max = 0;
    for (int i = 0; i < x.numel(); i++) {
      max = Math.max(max, Ulps.distance(coarse(x, y), x.getDouble(i), y.getDouble(i)));
    }
    return max;
  }

  private static boolean agrees(Tensor x, Tensor y) {
    DType coarse = coarse(x, y);
    double scale = 0;
    for (int i = 0; i < x.numel(); i++) {
      for (double v : new double[] {x.getDouble(i), y.getDouble(i)}) {
        if (Double.isFinite(v)) {
          scale = Math.max(scale, Math.abs(v));
        }
      }
    }
    double floor = AGREE_ULPS * Ulps.ulp(coarse, scale);
    boolean agree = true;
    for (int i = 0; i < x.numel(); i++) {
      long u = Ulps.distance(coarse, x.getDouble(i), y.getDouble(i));
      double abs = Math.abs(x.getDouble(i) - y.getDouble(i));
      agree &= u <= AGREE_ULPS || (Double.isFinite(abs) && abs <= floor);
    }
    return agree;
  }

  /** The JSON text of {@code fixtures/divergences.json}; deterministic. */
  public static String toJson(List<Pair> pairs) {
    long agree = pairs.stream().filter(Pair::agree).count();
    long explained = pairs.stream().filter(p -> !p.agree() && p.reason() != null).count();
    long unexplained = pairs.stream().filter(p -> !p.agree() && p.reason() == null).count();
    StringBuilder sb = new StringBuilder("{\n");
    sb.append("  \"source\": \"losses (and gradients, where both engines differentiate the same tensor) of fixtures/")
        .append(Engines.reference().folder()).append(" and ")
        .append(String.join(", ", Engines.counterparts().stream().map(e -> "fixtures/" + e.folder()).toList()))
        .append(", paired by case id; agree = both raise,"
        + " or same shape and every element within ").append(AGREE_ULPS).append(" ulps of the coarser dtype (or of the largest magnitude)\",\n");
    sb.append("  \"paired\": ").append(pairs.size()).append(",\n");
    sb.append("  \"grad_compared\": ").append(pairs.stream().filter(p -> p.gradAgree() != null).count()).append(",\n");
    sb.append("  \"grad_differ\": ").append(pairs.stream().filter(p -> Boolean.FALSE.equals(p.gradAgree())).count()).append(",\n");
    sb.append("  \"grad_differ_unexplained\": ").append(pairs.stream()
        .filter(p -> Boolean.FALSE.equals(p.gradAgree()) && p.reason() == null).count()).append(",\n");
    sb.append("  \"agree\": ").append(agree).append(",\n");
    sb.append("  \"differ_expected\": ").append(explained).append(",\n");
    sb.append("  \"differ_unexplained\": ").append(unexplained).append(",\n");
    sb.append("  \"pairs\": [");
    for (int i = 0; i < pairs.size(); i++) {
      Pair p = pairs.get(i);
      sb.append(i == 0 ? "\n" : ",\n").append("    {\"id\": ").append(FixtureWriter.quote(p.id()))
          .append(", \"agree\": ").append(p.agree())
          .append(", \"max_ulp\": ").append(p.maxUlp() == Long.MAX_VALUE ? "null" : Long.toString(p.maxUlp()));
      if (p.gradAgree() != null) {
        sb.append(", \"grad_agree\": ").append(p.gradAgree());
      }
      if (p.difference() != null) {
        sb.append(", \"difference\": ").append(FixtureWriter.quote(p.difference()));
      }
      if (p.reason() != null) {
        sb.append(", \"reason\": ").append(FixtureWriter.quote(p.reason()));
      }
      boolean showGrads = p.gradAgree() != null && !p.gradAgree();
      String grad = showGrads ? p.counterpart().outputs().keySet().stream().skip(1).findFirst().orElse(null) : null;
      sb.append(",\n      ").append(FixtureWriter.quote(p.referenceEngine())).append(": ").append(side(p.reference(), showGrads, grad));
      sb.append(",\n      ").append(FixtureWriter.quote(p.counterpartEngine())).append(": ")
          .append(side(p.counterpart(), showGrads, grad)).append("}");
    }
    sb.append(pairs.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
    return sb.toString();
  }

  /** One engine's result; with {@code withGrad}, its gradient named {@code grad} if it has one, else its first. */
  private static String side(FixtureCase c, boolean withGrad, String grad) {
    StringBuilder sb = new StringBuilder("{\"api\": ").append(FixtureWriter.quote(c.api()));
    if (c.expectsError()) {
      return sb.append(", \"error\": ").append(FixtureWriter.quote(c.error())).append("}").toString();
    }
    Tensor t = c.outputs().get("loss");
    sb.append(", \"dtype\": \"").append(t.dtype().jsonName()).append("\", \"shape\": ").append(Arrays.toString(t.shape()))
        .append(", \"loss\": ");
    values(sb, t);
    if (withGrad) {
      Map.Entry<String, Tensor> g = grad != null && c.outputs().containsKey(grad) ? Map.entry(grad, c.outputs().get(grad))
          : c.outputs().entrySet().stream().skip(1).findFirst().orElseThrow();
      sb.append(", \"").append(g.getKey()).append("\": ");
      values(sb, g.getValue());
    }
    return sb.append("}").toString();
  }

  /** A tensor's values as a JSON array, the first {@value #SHOWN} of a larger one followed by "...". */
  private static void values(StringBuilder sb, Tensor t) {
    sb.append('[');
    for (int i = 0; i < Math.min(t.numel(), SHOWN); i++) {
      sb.append(i == 0 ? "" : ", ").append(FixtureWriter.element(t, i));
    }
    sb.append(t.numel() > SHOWN ? ", \"...\"]" : "]");
  }

  private static final int SHOWN = 24;
}
