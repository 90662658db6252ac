package dev.lossconformance.loss.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.Ulps;
import dev.lossconformance.loss.LossAndGrad;
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
 * {@link FastClassLoss}'s float32 (N, C) rows under label smoothing and with probability targets, which
 * with the Vector API run in float lanes ({@link ClassRows#floatRows(int)}: exponentials by
 * {@code VectorMath.exp(FloatVector)}, sums in float lanes added in double, {@code lp = (x - m) - ls} in
 * float32), against the generic double path of {@link ClassLoss}. Without the module these rows run the
 * double loops and the same bounds hold with room to spare. Not bit-identical, so measured:
 *
 * <ul>
 *   <li>the loss (each element for none, the reduced value) within {@link #LOSS_ULPS} ulps;
 *   <li>each gradient element {@code g_k = gl_k - exp(lp_k) S} within {@link #GRAD_BOUND} units of
 *       {@code (1 + |lp_k|) ulp(|exp(lp_k) S|) + ulp(|g_k|)}: {@code lp_k} may differ from the generic
 *       path's by an ulp or two (the float sum of exponentials, the float subtraction), which
 *       {@code exp} turns into {@code |lp_k|} ulps of {@code exp(lp_k)}, and the subtraction from
 *       {@code gl_k} may cancel.
 * </ul>
 *
 * <p>How measured: {@link #theFloatRowsStayWithinTheMeasuredBounds} with
 * {@code -Dlossconformance.measureBounds=true} (4 seeds, and the shape (4096, 1000) added to its shapes (300, 1000), (2000, 37), (40, 20000), (1000, 17)), logits N(0, 1),
 * N(0, 3) and N(0, 10), with and without weights, every reduction, smoothing 0.1 and 0.25 (probability
 * targets: 0 and 0.2), printed the largest distances: the loss 2 ulps (class indices, (4096, 1000),
 * N(0, 3), none, smoothing 0.25, seed 1), the gradient 2.85 units (class indices, (4096, 1000), N(0, 3),
 * mean, smoothing 0.1, seed 2); the scalar loops (no module) 0 ulps and 0.30 units. The bounds are those
 * maxima with a margin of about 2; the test runs 2 seeds without (4096, 1000) to stay short on a loaded machine.
 */
class ClassLossFastPathTest {
  private static final String CE = CrossEntropy.API;
  /** Measured 2 (see the class doc). */
  static final long LOSS_ULPS = 4;
  /** Measured 2.85 (see the class doc). */
  static final double GRAD_BOUND = 6;

  /** The measurement's full set ({@code -Dlossconformance.measureBounds=true}): 4 seeds and (4096, 1000) too. */
  private static final boolean FULL = Boolean.getBoolean("lossconformance.measureBounds");
  private static final int SEEDS = FULL ? 4 : 2;

  private record Case(Tensor input, Tensor target, double[] w, double eps, Reduction r, ClassLoss fast,
      ClassLoss generic) {}

  private static Case build(boolean prob, int n, int c, double sigma, Reduction r, boolean weighted, double eps,
      long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[n * c];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextGaussian() * sigma);
    }
    Tensor input = Tensor.ofFloats(x, n, c);
    Tensor target;
    if (prob) {
      float[] p = new float[x.length];
      for (int i = 0; i < p.length; i++) {
        p[i] = (float) rng.nextDouble();
      }
      target = Tensor.ofFloats(p, n, c);
    } else {
      long[] t = new long[n];
      for (int i = 0; i < n; i++) {
        t[i] = i % 13 == 4 ? -100 : rng.nextInt(c);
      }
      target = Tensor.ofLongs(t, n);
    }
    double[] w = null;
    Tensor weight = null;
    if (weighted) {
      float[] wf = new float[c];
      w = new double[c];
      for (int j = 0; j < c; j++) {
        wf[j] = (float) (0.25 + 2 * rng.nextDouble());
        w[j] = wf[j];
      }
      weight = Tensor.ofFloats(wf, c);
    }
    return new Case(input, target, w, eps, r, new ClassLoss(CE, true, weight, -100, eps, r, true),
        new ClassLoss(CE, true, weight, -100, eps, r, false));
  }

  /** The largest loss distance in ulps and the largest gradient distance in the units of the class doc. */
  private static double[] distances(Case k) {
    LossAndGrad fast = k.fast.apply(k.input, k.target, true);
    LossAndGrad exact = k.generic.apply(k.input, k.target, true);
    assertEquals(Arrays.toString(fast.loss().toDoubleArray()),
        Arrays.toString(k.fast.apply(k.input, k.target, false).loss().toDoubleArray()), "loss alone");
    return distances(k, k.input, k.target, fast, exact);
  }

  /** {@link #distances(Case)} of the two results on {@code input} and {@code target} (with the case's options). */
  private static double[] distances(Case k, Tensor input, Tensor target, LossAndGrad fast, LossAndGrad exact) {
    assertEquals(exact.loss().dtype(), fast.loss().dtype());
    assertEquals(Arrays.toString(exact.loss().shape()), Arrays.toString(fast.loss().shape()));
    long lossUlps = 0;
    double[] le = exact.loss().toDoubleArray();
    double[] lf = fast.loss().toDoubleArray();
    for (int i = 0; i < le.length; i++) {
      if (Double.compare(le[i], lf[i]) != 0) {
        lossUlps = Math.max(lossUlps, Ulps.distance(DType.FLOAT32, le[i], lf[i]));
      }
    }
    int n = input.size(0);
    int c = input.size(1);
    float[] x = input.backingFloats();
    double[] ge = exact.gradInput().toDoubleArray();
    double[] gf = fast.gradInput().toDoubleArray();
    boolean prob = target.dtype() == DType.FLOAT32;
    long[] t = prob ? null : target.backingLongs();
    float[] p = prob ? target.backingFloats() : null;
    // the upstream scale of the generic path: mean divides by the rows (probabilities) or the target weights
    double d = 0;
    if (!prob) {
      for (long y : t) {
        d += y == -100 ? 0 : k.w == null ? 1 : k.w[(int) y];
      }
    }
    double scale = k.r == Reduction.MEAN ? (prob ? n : d) : 1;
    double worst = 0;
    double[] gl = new double[c];
    for (int i = 0; i < n; i++) {
      int o = i * c;
      double m = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < c; j++) {
        m = Math.max(m, x[o + j]);
      }
      double s = 0;
      for (int j = 0; j < c; j++) {
        s += Math.exp(x[o + j] - m);
      }
      double logS = Math.log(s);
      double sum = 0;
      boolean ignored = !prob && t[i] == -100;
      for (int j = 0; j < c; j++) {
        double wj = k.w == null ? 1 : k.w[j];
        gl[j] = ignored ? 0 : prob ? -wj * (p[o + j] * (1 - k.eps) + k.eps / c) / scale : -wj * k.eps / c / scale;
        if (!prob && j == t[i]) {
          gl[j] -= wj * (1 - k.eps) / scale;
        }
        sum += gl[j];
      }
      for (int j = 0; j < c; j++) {
        double lp = (x[o + j] - m) - logS;
        double q = Math.abs(Math.exp(lp) * sum);
        double unit = (1 + Math.abs(lp)) * Ulps.ulp(DType.FLOAT32, q) + Ulps.ulp(DType.FLOAT32, ge[o + j]);
        if (Double.compare(ge[o + j], gf[o + j]) != 0) {
          worst = Math.max(worst, Math.abs(ge[o + j] - gf[o + j]) / unit);
        }
      }
    }
    return new double[] {lossUlps, worst};
  }

  @Test
  void theFloatRowsStayWithinTheMeasuredBounds() {
    double lossWorst = 0;
    double gradWorst = 0;
    String lossAt = "";
    String gradAt = "";
    int[][] shapes = FULL ? new int[][] {{4096, 1000}, {300, 1000}, {2000, 37}, {40, 20000}, {1000, 17}}
        : new int[][] {{300, 1000}, {2000, 37}, {40, 20000}, {1000, 17}};
    for (int seed = 1; seed <= SEEDS; seed++) {
      for (int[] shape : shapes) {
        for (double sigma : new double[] {1, 3, 10}) {
          int at = 0;
          for (boolean prob : new boolean[] {false, true}) {
            for (Reduction r : Reduction.values()) {
              boolean weighted = (seed + at++) % 2 == 0;
              double eps = prob ? (seed % 2 == 0 ? 0 : 0.2) : (seed % 2 == 0 ? 0.1 : 0.25);
              Case k = build(prob, shape[0], shape[1], sigma, r, weighted, eps, seed * 1000L + shape[1] + at);
              double[] dd = distances(k);
              String what = (prob ? "prob " : "index ") + shape[0] + "x" + shape[1] + " sigma " + sigma + " " + r
                  + (weighted ? " weighted" : "") + " eps " + eps + " seed " + seed;
              assertTrue(dd[0] <= LOSS_ULPS, what + ": loss " + dd[0] + " ulps");
              assertTrue(dd[1] <= GRAD_BOUND, what + ": gradient " + dd[1]);
              if (dd[0] > lossWorst) {
                lossAt = what;
              }
              if (dd[1] > gradWorst) {
                gradAt = what;
              }
              lossWorst = Math.max(lossWorst, dd[0]);
              gradWorst = Math.max(gradWorst, dd[1]);
            }
          }
        }
      }
    }
    System.out.println(ClassRows.best().name() + " float rows " + ClassRows.best().floatRows(1000)
        + ": largest loss distance " + lossWorst + " ulps (" + lossAt + "), gradient " + gradWorst + " (" + gradAt + ")");
  }

  /** Large multi-chunk inputs of each kind, against the generic path within the bounds. */
  @ParameterizedTest(name = "{0} {1}x{2} {3} weighted {4} eps {5}")
  @CsvSource({"index, 4096, 1000, mean, false, 0.1", "index, 4096, 1000, sum, true, 0.1",
      "index, 300, 1000, none, true, 0.25", "index, 2000, 37, mean, true, 0.1", "prob, 4096, 1000, mean, false, 0",
      "prob, 300, 1000, none, true, 0.2", "prob, 2000, 37, sum, true, 0", "prob, 40, 20000, mean, false, 0.2"})
  void largeInputsMatchTheGenericPath(String kind, int n, int c, String reduction, boolean weighted, double eps) {
    Case k = build(kind.equals("prob"), n, c, 3, Reduction.fromTorchName(reduction), weighted, eps, n * 7L + c);
    assertTrue(k.input.numel() >= Parallel.THRESHOLD, "large enough for several chunks");
    double[] dd = distances(k);
    assertTrue(dd[0] <= LOSS_ULPS && dd[1] <= GRAD_BOUND, Arrays.toString(dd));
  }

  /** The float loops are the Vector API's, and there only where the double species has half the float lanes. */
  @Test
  void theFloatRowsAreTheVectorApisOnes() {
    boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
        && !Boolean.getBoolean("lossconformance.scalar");
    assertTrue(!ClassRows.scalar().floatRows(1000));
    if (!vector) {
      assertTrue(!ClassRows.best().floatRows(1000));
    }
  }

  /**
   * Rows outside the float loops' domain: a -inf logit (an infinite log-probability) and a finite logit
   * whose float32 log-probability overflows go through the double loops, row by row (the other rows
   * stay in float lanes); a NaN or +inf logit and a row of -inf only hand the whole call to the generic
   * path (the same bits).
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"index, -inf logit", "index, overflowing lp", "prob, -inf logit", "prob, overflowing lp",
      "index, NaN logit", "index, +inf logit", "index, all -inf row", "prob, NaN logit", "prob, +inf logit",
      "prob, all -inf row", "prob, inf target"})
  void rareInputs(String kind, String what) {
    boolean prob = kind.equals("prob");
    Case k = build(prob, 300, 1000, 3, Reduction.MEAN, true, prob ? 0 : 0.1, 5);
    float[] x = k.input.backingFloats().clone();
    float[] p = prob ? k.target.backingFloats().clone() : null;
    int row = 250 * 1000;
    switch (what) {
      case "-inf logit" -> x[row + 3] = Float.NEGATIVE_INFINITY;
      case "overflowing lp" -> {
        x[row + 1] = 3.0e38f;
        x[row + 7] = -1.7e38f;
      }
      case "NaN logit" -> x[row + 3] = Float.NaN;
      case "+inf logit" -> x[row + 3] = Float.POSITIVE_INFINITY;
      case "all -inf row" -> Arrays.fill(x, row, row + 1000, Float.NEGATIVE_INFINITY);
      case "inf target" -> p[row + 5] = Float.POSITIVE_INFINITY;
      default -> throw new IllegalArgumentException(what);
    }
    Tensor input = Tensor.ofFloats(x, 300, 1000);
    Tensor target = prob ? Tensor.ofFloats(p, 300, 1000) : k.target;
    LossAndGrad fast = k.fast.apply(input, target, true);
    LossAndGrad exact = k.generic.apply(input, target, true);
    if (!what.equals("-inf logit") && !what.equals("overflowing lp") && !what.equals("inf target")) {
      assertEquals(Arrays.toString(exact.loss().toDoubleArray()), Arrays.toString(fast.loss().toDoubleArray()));
      assertTrue(Arrays.equals(exact.gradInput().toDoubleArray(), fast.gradInput().toDoubleArray()));
      return;
    }
    // the special row through the double loops (FastClassLossTest's bounds there), the others in float
    // lanes: every element within the bounds (or equal: the -inf logit's and the non-finite ones)
    double[] dd = distances(k, input, target, fast, exact);
    assertTrue(dd[0] <= LOSS_ULPS && dd[1] <= GRAD_BOUND, Arrays.toString(dd));
  }

  /** A caller's NaN-filled array is overwritten everywhere and equals the allocating call, bit for bit. */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"index, mean", "index, none", "prob, sum", "prob, mean"})
  void gradientIntoACallersArray(String kind, String reduction) {
    Case k = build(kind.equals("prob"), 300, 1000, 3, Reduction.fromTorchName(reduction), true, 0.1, 9);
    LossAndGrad fresh = k.fast.apply(k.input, k.target, true);
    float[] g = new float[k.input.numel()];
    Arrays.fill(g, Float.NaN);
    LossAndGrad into = k.fast.applyInto(k.input, k.target, g);
    assertSame(g, into.gradInput().backingFloats());
    assertEquals(Arrays.toString(fresh.loss().toDoubleArray()), Arrays.toString(into.loss().toDoubleArray()));
    assertTrue(Arrays.equals(fresh.gradInput().toDoubleArray(), into.gradInput().toDoubleArray()));
  }

  /** The same bits with 1 and with 2 threads: {@link #main} in JVMs with {@code -Dlossconformance.threads}. */
  @Test
  void theResultDoesNotDependOnTheThreadCount() throws IOException, InterruptedException {
    assertEquals(run(1), run(2));
    assertEquals(String.join("\n", lines()) + "\n", run(1));
  }

  private static String run(int threads) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      command.add("--add-modules");
      command.add("jdk.incubator.vector");
    }
    command.add("-Dlossconformance.threads=" + threads);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ClassLossFastPathTest.class.getName());
    Process p = new ProcessBuilder(command).start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "the " + threads + "-thread run failed: " + stderr);
    return stdout;
  }

  public static void main(String[] args) {
    lines().forEach(System.out::println);
  }

  private static List<String> lines() {
    List<String> out = new ArrayList<>();
    for (String spec : new String[] {"index 1000 none", "index 1000 mean", "prob 1000 none", "prob 37 sum"}) {
      String[] s = spec.split(" ");
      Case k = build(s[0].equals("prob"), 2000, Integer.parseInt(s[1]), 3, Reduction.fromTorchName(s[2]), true, 0.1, 7);
      LossAndGrad r = k.fast.apply(k.input, k.target, true);
      out.add(spec + " loss " + Long.toHexString(FastClassLossTest.hash(r.loss())) + " grad " + Long.toHexString(FastClassLossTest.hash(r.gradInput())));
    }
    return out;
  }
}
