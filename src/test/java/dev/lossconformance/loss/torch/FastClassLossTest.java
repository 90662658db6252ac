package dev.lossconformance.loss.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.Ulps;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link FastClassLoss} (cross-entropy in float64, with label smoothing, with probability targets, and
 * nll_loss) against the generic double path of {@link ClassLoss} (which the fixtures and the sweep check
 * against PyTorch), on inputs large enough to be split into chunks, (N, C) and K-dim; the hand-over of
 * inputs outside its domain; the caller's-array variants; and the thread count's independence. Runs
 * in both surefire executions (scalar and Vector API loops).
 */
class FastClassLossTest {
  private static final String CE = CrossEntropy.API;
  private static final String NLL = NllLoss.API;

  /** A case: its input, target and the two kernels (streaming, and the generic reference). */
  private record Case(Tensor input, Tensor target, ClassLoss fast, ClassLoss generic) {}

  private static Case build(String kind, DType dt, String shapeText, String reduction, boolean weighted,
      double smoothing, long seed) {
    int[] shape = Arrays.stream(shapeText.split("x")).mapToInt(Integer::parseInt).toArray();
    int c = shape[1];
    SplittableRandom rng = new SplittableRandom(seed);
    double[] x = new double[Tensor.numel(shape)];
    for (int i = 0; i < x.length; i++) {
      x[i] = kind.equals("nll") ? -Math.abs(rng.nextGaussian()) * 3 : rng.nextGaussian() * 3;
    }
    Tensor input = Tensor.ofFloating(dt, x, shape);
    Tensor target;
    long ignore = -100;
    if (kind.equals("prob")) {
      double[] p = new double[x.length];
      for (int i = 0; i < p.length; i++) {
        p[i] = rng.nextDouble();
      }
      target = Tensor.ofFloating(dt, p, shape);
    } else {
      int[] tshape = new int[shape.length - 1];
      tshape[0] = shape[0];
      System.arraycopy(shape, 2, tshape, 1, shape.length - 2);
      long[] t = new long[Tensor.numel(tshape)];
      for (int i = 0; i < t.length; i++) {
        t[i] = i % 17 == 5 ? ignore : rng.nextInt(c);
      }
      target = Tensor.ofLongs(t, tshape);
    }
    Tensor weight = null;
    if (weighted) {
      double[] w = new double[c];
      for (int i = 0; i < c; i++) {
        w[i] = 0.5 + rng.nextDouble();
      }
      weight = Tensor.ofFloating(dt, w, c);
    }
    boolean ce = !kind.equals("nll");
    Reduction r = Reduction.fromTorchName(reduction);
    return new Case(input, target, new ClassLoss(ce ? CE : NLL, ce, weight, ignore, smoothing, r, true),
        new ClassLoss(ce ? CE : NLL, ce, weight, ignore, smoothing, r, false));
  }

  @ParameterizedTest(name = "{0} {1} {2} {3} weighted {4} smoothing {5}")
  @CsvSource({
      "index, float64, 300x1000, mean, false, 0", "index, float64, 300x1000, none, true, 0",
      "index, float64, 300x1000, sum, true, 0", "index, float64, 70x3x40x30, mean, true, 0",
      "index, float32, 300x1000, mean, false, 0.1", "index, float32, 300x1000, none, true, 0.1",
      "index, float32, 300x1000, sum, true, 0.25", "index, float64, 300x1000, mean, true, 0.1",
      "index, float64, 300x1000, none, false, 0.1", "index, float32, 8x21x32x32, mean, true, 0.1",
      "index, float64, 8x21x32x32, none, false, 0.1", "index, float32, 2000x37, mean, true, 0.1",
      "prob, float32, 300x1000, mean, false, 0", "prob, float32, 300x1000, none, true, 0.1",
      "prob, float64, 300x1000, sum, true, 0", "prob, float64, 300x1000, mean, false, 0.2",
      "prob, float32, 8x21x32x32, mean, true, 0.1", "prob, float64, 8x21x32x32, none, false, 0",
      "nll, float32, 300x1000, mean, false, 0", "nll, float32, 300x1000, none, true, 0",
      "nll, float64, 300x1000, sum, true, 0", "nll, float64, 300x1000, mean, true, 0",
      "nll, float32, 8x21x32x32, mean, true, 0", "nll, float64, 8x21x32x32, none, false, 0"})
  void matchesTheGenericPathOnLargeInputs(String kind, String dtype, String shape, String reduction,
      boolean weighted, double smoothing) {
    DType dt = DType.fromJsonName(dtype);
    Case k = build(kind, dt, shape, reduction, weighted, smoothing, shape.hashCode() * 31L + kind.hashCode());
    assertTrue(k.input.numel() >= Parallel.THRESHOLD, "large enough for several chunks");
    LossAndGrad fast = k.fast.apply(k.input, k.target, true);
    LossAndGrad exact = k.generic.apply(k.input, k.target, true);
    assertClose("loss", exact.loss(), fast.loss());
    assertClose("grad_input", exact.gradInput(), fast.gradInput());
    assertClose("loss alone", exact.loss(), k.fast.apply(k.input, k.target, false).loss());
    if (kind.equals("nll")) {
      // no exponential: the generic path's formulas on the same values, to the bit
      assertEquals(Arrays.toString(exact.loss().toDoubleArray()), Arrays.toString(fast.loss().toDoubleArray()));
      assertTrue(Arrays.equals(exact.gradInput().toDoubleArray(), fast.gradInput().toDoubleArray()));
    }
  }

  /** Outside the fast path's domain the generic path computes the whole call: the same bits. */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"index, NaN logit", "index, +inf logit", "index, all -inf fiber", "index, inf weight",
      "prob, NaN logit", "prob, inf weight", "index, NaN logit in an ignored fiber"})
  void inputsOutsideTheDomainTakeTheGenericPath(String kind, String what) {
    Case k = build(kind, DType.FLOAT64, "300x1000", "mean", what.contains("weight"), 0.1, 5);
    double[] x = k.input.toDoubleArray();
    long[] t = kind.equals("index") ? k.target.toLongArray() : null;
    switch (what) {
      case "NaN logit" -> x[250 * 1000 + 3] = Double.NaN;
      case "+inf logit" -> x[250 * 1000 + 3] = Double.POSITIVE_INFINITY;
      case "all -inf fiber" -> Arrays.fill(x, 250 * 1000, 251 * 1000, Double.NEGATIVE_INFINITY);
      case "NaN logit in an ignored fiber" -> {
        t[250] = -100;
        x[250 * 1000 + 3] = Double.NaN;
      }
      default -> { }
    }
    Tensor weight = null;
    if (what.contains("weight")) {
      double[] w = new double[1000];
      Arrays.fill(w, 1);
      w[7] = Double.POSITIVE_INFINITY;
      weight = Tensor.ofDoubles(w, 1000);
    }
    Tensor input = Tensor.ofDoubles(x, 300, 1000);
    Tensor target = t == null ? k.target : Tensor.ofLongs(t, 300);
    LossAndGrad fast = new ClassLoss(CE, true, weight, -100, 0.1, Reduction.MEAN, true).apply(input, target, true);
    LossAndGrad exact = new ClassLoss(CE, true, weight, -100, 0.1, Reduction.MEAN, false).apply(input, target, true);
    assertEquals(Arrays.toString(exact.loss().toDoubleArray()), Arrays.toString(fast.loss().toDoubleArray()));
    assertTrue(Arrays.equals(exact.gradInput().toDoubleArray(), fast.gradInput().toDoubleArray()));
  }

  /**
   * Finite logits whose terms overflow (log-probabilities of -inf in float32 under label smoothing) and
   * infinite probability targets: the sums become infinite inside the fibers, where the vector lanes'
   * compensation would be NaN; the same values as the generic path (found by the differential sweep,
   * sweep/cross_entropy/1990 and 6150).
   */
  @Test
  void infiniteTermsInsideAFiberGiveTheGenericPathsValues() {
    Tensor x = Tensor.ofFloats(new float[] {0, 3.0e38f, 0, 0, 0, 0, 0, -1.7e38f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 18);
    Tensor t = Tensor.ofLongs(new long[] {0});
    for (Reduction r : Reduction.values()) {
      LossAndGrad fast = new ClassLoss(CE, true, null, -100, 0.5, r, true).apply(x, t, true);
      LossAndGrad exact = new ClassLoss(CE, true, null, -100, 0.5, r, false).apply(x, t, true);
      assertEquals(Arrays.toString(exact.loss().toDoubleArray()), Arrays.toString(fast.loss().toDoubleArray()), "" + r);
      assertClose("grad_input " + r, exact.gradInput(), fast.gradInput());
    }
    float[] p = new float[3 * 20];
    p[4] = Float.NEGATIVE_INFINITY;
    p[40] = Float.POSITIVE_INFINITY;
    Tensor input = Tensor.ofFloats(new float[60], 3, 20);
    Tensor probs = Tensor.ofFloats(p, 3, 20);
    for (Reduction r : Reduction.values()) {
      LossAndGrad fast = new ClassLoss(CE, true, null, -100, 0, r, true).apply(input, probs, true);
      LossAndGrad exact = new ClassLoss(CE, true, null, -100, 0, r, false).apply(input, probs, true);
      assertEquals(Arrays.toString(exact.loss().toDoubleArray()), Arrays.toString(fast.loss().toDoubleArray()), "" + r);
      assertEquals(Arrays.toString(exact.gradInput().toDoubleArray()), Arrays.toString(fast.gradInput().toDoubleArray()));
    }
  }

  /** The first out-of-range target is reported as the generic path reports it, in order. */
  @Test
  void anOutOfRangeTargetIsRefusedAsByTheGenericPath() {
    Tensor x = Tensor.ofDoubles(new double[12], 4, 3);
    Tensor t = Tensor.ofLongs(new long[] {0, -100, 3, 7}, 4);
    for (boolean ce : new boolean[] {true, false}) {
      String api = ce ? CE : NLL;
      var fast = assertThrows(LossArgumentException.class,
          () -> new ClassLoss(api, ce, null, -100, 0.1, Reduction.MEAN, true).apply(x, t, true));
      var generic = assertThrows(LossArgumentException.class,
          () -> new ClassLoss(api, ce, null, -100, 0.1, Reduction.MEAN, false).apply(x, t, true));
      assertEquals(generic.getMessage(), fast.getMessage());
      assertEquals(generic.kind(), fast.kind());
    }
  }

  /**
   * A caller's array holding NaN from a "previous call" is overwritten everywhere and wrapped by the
   * result, which equals the allocating call's bit for bit: float32 and float64, cross-entropy (fast
   * and generic paths) and nll_loss.
   */
  @ParameterizedTest(name = "{0} {1} {2} smoothing {3}")
  @CsvSource({"index, float64, 300x1000, 0", "index, float32, 300x1000, 0.1", "index, float64, 4x21x64x64, 0.1",
      "prob, float32, 300x1000, 0.1", "prob, float64, 40x30, 0", "nll, float32, 300x1000, 0",
      "nll, float64, 4x21x64x64, 0", "index, float32, 300x1000, 0"})
  void gradientIntoACallersArrayOverwritesEveryElement(String kind, String dtype, String shape, double smoothing) {
    DType dt = DType.fromJsonName(dtype);
    Case k = build(kind, dt, shape, "mean", true, smoothing, 11);
    LossAndGrad fresh = k.fast.apply(k.input, k.target, true);
    LossAndGrad into;
    if (dt == DType.FLOAT32) {
      float[] g = new float[k.input.numel()];
      Arrays.fill(g, Float.NaN);
      into = k.fast.applyInto(k.input, k.target, g);
      assertSame(g, into.gradInput().backingFloats());
    } else {
      double[] g = new double[k.input.numel()];
      Arrays.fill(g, Double.NaN);
      into = k.fast.applyInto(k.input, k.target, g);
      assertSame(g, into.gradInput().backingDoubles());
    }
    assertEquals(Arrays.toString(fresh.loss().toDoubleArray()), Arrays.toString(into.loss().toDoubleArray()));
    assertTrue(Arrays.equals(fresh.gradInput().toDoubleArray(), into.gradInput().toDoubleArray()));
    // a NaN logit hands the cross-entropy to the generic path, whose gradient is copied in
    if (!kind.equals("nll") && dt == DType.FLOAT64) {
      double[] x = k.input.toDoubleArray();
      x[3] = Double.NaN;
      Tensor nan = Tensor.ofDoubles(x, k.input.shape());
      double[] g = new double[x.length];
      LossAndGrad r = k.fast.applyInto(nan, k.target, g);
      assertSame(g, r.gradInput().backingDoubles());
      assertTrue(Arrays.equals(k.generic.apply(nan, k.target, true).gradInput().toDoubleArray(), g));
    }
  }

  @Test
  void aGradientArrayOfTheWrongLengthOrDtypeIsRefusedNamingTheArgument() {
    Tensor target = Tensor.ofLongs(new long[] {0, 2}, 2);
    CrossEntropy ce = CrossEntropy.options().build();
    NllLoss nll = NllLoss.options().build();
    Tensor x64 = Tensor.ofDoubles(new double[6], 2, 3);
    Tensor x32 = Tensor.ofFloats(new float[6], 2, 3);
    assertEquals(CE + ": gradInto: expected length 6 (input shape [2, 3]), got 7",
        assertThrows(LossArgumentException.class, () -> ce.apply(x64, target, new double[7])).getMessage());
    assertEquals(CE + ": gradInto: a double[] gradient needs a float64 input, got input of dtype float32",
        assertThrows(LossArgumentException.class, () -> ce.apply(x32, target, new double[6])).getMessage());
    assertEquals(NLL + ": gradInto: expected length 6 (input shape [2, 3]), got 5",
        assertThrows(LossArgumentException.class, () -> nll.apply(x32, target, new float[5])).getMessage());
    assertEquals(NLL + ": gradInto: a float[] gradient needs a float32 input, got input of dtype float64",
        assertThrows(LossArgumentException.class, () -> nll.apply(x64, target, new float[6])).getMessage());
    assertEquals(NLL + ": gradInto: a double[] gradient needs a float64 input, got input of dtype float32",
        assertThrows(LossArgumentException.class, () -> nll.apply(x32, target, new double[6])).getMessage());
  }

  /** The vector exponential against {@code Math.exp} (the scalar loops' exponential). */
  @Test
  void theVectorExponentialIsWithinTwoUlpsOfMathExp() {
    ClassRows ops = ClassRows.best();
    SplittableRandom rng = new SplittableRandom(3);
    int c = 4099;
    double[] x = new double[c];
    double[] out = new double[c];
    for (int round = 0; round < 50; round++) {
      for (int i = 0; i < c; i++) {
        x[i] = round == 0 ? -745.5 + i * 0.18 : -rng.nextDouble() * (round < 25 ? 40 : 720);
      }
      // sumExp with m = 0 stores exp(x) as the fast path takes it
      ops.sumExp(x, 0, c, 0, out, 0);
      for (int i = 0; i < c; i++) {
        long u = Ulps.distance(DType.FLOAT64, Math.exp(x[i]), out[i]);
        assertTrue(u <= 2, ops.name() + ": exp(" + x[i] + ") = " + out[i] + ", Math.exp " + Math.exp(x[i]));
      }
    }
  }

  /**
   * The same bits with one thread as with this JVM's thread count: {@link #main} run here and in a
   * JVM with {@code -Dlossconformance.threads=1} (one chunk), with the Vector API module when this JVM
   * has it.
   */
  @Test
  void theResultDoesNotDependOnTheThreadCount() throws IOException, InterruptedException {
    List<String> here = lines();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      command.add("--add-modules");
      command.add("jdk.incubator.vector");
    }
    command.add("-Dlossconformance.threads=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(FastClassLossTest.class.getName());
    Process p = new ProcessBuilder(command).start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "the one-thread run failed: " + stderr);
    assertEquals(String.join("\n", here) + "\n", stdout, "threads " + Parallel.threads() + " (expected) vs 1 (actual)");
  }

  public static void main(String[] args) {
    lines().forEach(System.out::println);
  }

  private static List<String> lines() {
    List<String> out = new ArrayList<>();
    for (String spec : new String[] {"index float64 300x1000 0", "index float32 300x1000 0.1",
        "index float64 8x21x32x32 0.1", "prob float32 300x1000 0.1", "prob float64 8x21x32x32 0",
        "nll float32 300x1000 0"}) {
      String[] s = spec.split(" ");
      Case k = build(s[0], DType.fromJsonName(s[1]), s[2], "none", true, Double.parseDouble(s[3]), 7);
      LossAndGrad r = k.fast.apply(k.input, k.target, true);
      out.add(spec + " loss " + Long.toHexString(hash(r.loss())) + " grad " + Long.toHexString(hash(r.gradInput())));
    }
    return out;
  }

  /** A tensor's values hashed bit by bit (also {@link ClassLossFastPathTest}'s). */
  static long hash(Tensor t) {
    long h = 17;
    for (double v : t.toDoubleArray()) {
      h = h * 31 + Double.doubleToRawLongBits(v);
    }
    return h;
  }

  /**
   * Within 4 ulps of the generic path's element, or 8 ulps of the tensor's largest magnitude (softmax
   * minus the target cancels at the target entry), or 8 ulps of the element times {@code 1 + |log p|}
   * with {@code p} the element relative to the largest ({@link dev.lossconformance.check.TermMagnitudes}'
   * model: {@code p = exp(lp)} at a rounded exponent {@code lp}, and the fast path's sum of exponentials
   * is not the generic path's to the last bit, so {@code lp} may round the other way).
   */
  private static void assertClose(String what, Tensor exact, Tensor actual) {
    assertEquals(exact.dtype(), actual.dtype(), what + " dtype");
    assertEquals(Arrays.toString(exact.shape()), Arrays.toString(actual.shape()), what + " shape");
    DType dt = exact.dtype();
    double max = 0;
    for (int i = 0; i < exact.numel(); i++) {
      double v = Math.abs(exact.getDouble(i));
      if (Double.isFinite(v)) {
        max = Math.max(max, v);
      }
    }
    double floor = 8 * Ulps.ulp(dt, max);
    for (int i = 0; i < exact.numel(); i++) {
      double e = exact.getDouble(i);
      double a = actual.getDouble(i);
      long u = Ulps.distance(dt, e, a);
      double term = Math.abs(e) * (1 + Math.abs(Math.log(Math.abs(e) / max)));
      assertTrue(u <= 4 || Math.abs(e - a) <= floor || Math.abs(e - a) <= 8 * Ulps.ulp(dt, term), what + " at " + i + ": generic path " + e + ", fast path " + a
          + " (" + u + " ulps)");
    }
  }
}
