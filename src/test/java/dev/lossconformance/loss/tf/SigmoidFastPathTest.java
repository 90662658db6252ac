package dev.lossconformance.loss.tf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.check.Ulps;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The fast paths of {@code tf.nn.sigmoid_cross_entropy_with_logits}, {@code weighted_cross_entropy_with_logits}
 * and {@code log_poisson_loss} ({@link SigmoidFast} on {@link SigmoidRows#best()}) against their exact
 * paths ({@link TfNn#sigmoidExact} etc.) on 300 x 1000 inputs (above {@link Parallel#THRESHOLD}, several
 * chunks), float32 and float64, every pos_weight layout and compute_full_loss; rare inputs (NaN,
 * infinities, subnormals, overflowing products) among them; and the same bits at another thread count.
 * The scalar loops give the exact path's bits; the vector loops are within {@link #BOUND} ulps, an ulp
 * taken at the larger of the exact value and the op term that carries the approximate exp, log or log1p
 * (where a label cancels that term, e.g. {@code gn - z} in the gradient, the distance in the value's own
 * ulps is meaningless). The measured maxima are printed (and written in VectorSigmoidRows' Javadoc).
 */
public class SigmoidFastPathTest {
  private static final boolean SCALAR = SigmoidRows.best().name().equals("scalar");
  /** The vector loops' bound, in ulps of the dtype (see the class comment). */
  private static final long BOUND = 4;
  private static final int ROWS = 300;
  private static final int COLS = 1000;

  private static double[] logits(SplittableRandom r, int n, boolean rare) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextGaussian() * (i % 7 == 0 ? 40 : 5); // some beyond exp's flushed range
    }
    if (rare) {
      double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-40, -1e-40, 1e-310, -0.0,
          3e38, -3e38, 1e300, 100, -100, 700, -750};
      for (int k = 0; k < 200; k++) {
        x[r.nextInt(n)] = odd[k % odd.length];
      }
    }
    return x;
  }

  private static double[] labels(SplittableRandom r, int n, boolean rare) {
    double[] z = new double[n];
    for (int i = 0; i < n; i++) {
      z[i] = i % 3 == 0 ? r.nextInt(2) : r.nextDouble();
    }
    if (rare) {
      double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, 1e-40, -1e-40, 1e-310, 3e38, -0.0, 2, -1};
      for (int k = 0; k < 200; k++) {
        z[r.nextInt(n)] = odd[k % odd.length];
      }
    }
    return z;
  }

  /** One configuration: the exact path, the fast one, and each output's ulp reference (see the class comment). */
  record Case(String name, DType dt, Supplier<LossAndGrad> exact, Supplier<LossAndGrad> fast,
      IntToDoubleFunction lossRef, IntToDoubleFunction gradRef) {}

  static List<Case> cases(boolean rare) {
    List<Case> out = new ArrayList<>();
    for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      SplittableRandom r = new SplittableRandom(dt == DType.FLOAT32 ? 1 : 2);
      int n = ROWS * COLS;
      double[] xv = logits(r, n, rare);
      double[] zv = labels(r, n, rare);
      Tensor x = Tensor.ofFloating(dt, xv, ROWS, COLS);
      Tensor z = Tensor.ofFloating(dt, zv, ROWS, COLS);
      SigmoidRows k = SigmoidRows.best();
      // the approximate op's term: the sigmoid of -|x| (exp, log1p(e) is of its size or larger)
      IntToDoubleFunction sig = i -> 1 / (1 + Math.exp(Math.abs(xv[i])));
      IntToDoubleFunction soft = i -> Math.log1p(Math.exp(-Math.abs(xv[i])));
      out.add(new Case("sigmoid", dt, () -> TfNn.sigmoidExact(z, x), () -> SigmoidFast.sigmoid(z, x, k), soft, sig));
      double[] qv = new double[n];
      for (int i = 0; i < n; i++) {
        qv[i] = 0.5 + 2 * r.nextDouble();
      }
      Map<String, Tensor> layouts = new LinkedHashMap<>();
      layouts.put("same shape", Tensor.ofFloating(dt, qv, ROWS, COLS));
      layouts.put("(C,)", Tensor.ofFloating(dt, java.util.Arrays.copyOf(qv, COLS), COLS));
      layouts.put("(1, C)", Tensor.ofFloating(dt, java.util.Arrays.copyOf(qv, COLS), 1, COLS));
      layouts.put("()", Tensor.ofFloating(dt, new double[] {1.7}));
      layouts.put("(1,)", Tensor.ofFloating(dt, new double[] {0.3}, 1));
      for (Map.Entry<String, Tensor> e : layouts.entrySet()) {
        Tensor q = e.getValue();
        IntToDoubleFunction qAt = i -> q.numel() == 1 ? q.getDouble(0) : q.getDouble(i % q.numel());
        IntToDoubleFunction lw = i -> Math.abs(1 + (qAt.applyAsDouble(i) - 1) * zv[i]);
        // the loss' op terms: lw (log1p(e) + relu(-x)) and (1 - z) x, which can cancel
        out.add(new Case("weighted " + e.getKey(), dt, () -> TfNn.weightedExact(z, x, q),
            () -> SigmoidFast.weighted(z, x, q, k),
            i -> lw.applyAsDouble(i) * (soft.applyAsDouble(i) + Math.max(-xv[i], 0)) + Math.abs((1 - zv[i]) * xv[i]),
            i -> lw.applyAsDouble(i) * sig.applyAsDouble(i)));
      }
      double[] cv = new double[n];
      double[] tv = new double[n];
      for (int i = 0; i < n; i++) {
        cv[i] = r.nextGaussian() * (i % 11 == 0 ? 30 : 1);
        tv[i] = i % 2 == 0 ? r.nextInt(5) : 10 * r.nextDouble();
      }
      if (rare) {
        double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-40, 1e-310, 3e38, 100, -100, 800};
        for (int j = 0; j < 200; j++) {
          cv[r.nextInt(n)] = odd[j % odd.length];
          tv[r.nextInt(n)] = odd[(j + 3) % odd.length];
        }
        tv[5] = -1;
      }
      Tensor c = Tensor.ofFloating(dt, cv, ROWS, COLS);
      Tensor t = Tensor.ofFloating(dt, tv, ROWS, COLS);
      for (boolean full : new boolean[] {false, true}) {
        IntToDoubleFunction ex = i -> Math.exp(cv[i]);
        IntToDoubleFunction stir = i -> full && tv[i] > 1 ? Math.abs(tv[i] * Math.log(tv[i])) + Math.abs(Math.log(tv[i])) : 0;
        out.add(new Case("log_poisson full " + full, dt, () -> TfNn.logPoissonExact(t, c, full),
            () -> SigmoidFast.logPoisson(t, c, full, k), i -> ex.applyAsDouble(i) + stir.applyAsDouble(i), ex));
      }
    }
    return out;
  }

  /** The largest distance of {@code fast} from {@code exact} in ulps of max(|exact|, ref); asserts the same NaNs. */
  public static long distance(String what, DType dt, Tensor exact, Tensor fast, IntToDoubleFunction ref) {
    assertArrayEquals(exact.shape(), fast.shape(), what);
    assertEquals(exact.dtype(), fast.dtype(), what);
    long worst = 0;
    // the distance in dt's ulps (the dtype of the computation, which Keras' float64 gradients hold in float64)
    for (int i = 0; i < exact.numel(); i++) {
      double a = exact.getDouble(i);
      double b = fast.getDouble(i);
      long d = Ulps.distance(dt, a, b);
      if (d != 0 && d != Long.MAX_VALUE) {
        double scale = Math.max(Math.abs(a), ref.applyAsDouble(i));
        d = Math.min(d, (long) Math.ceil(Math.abs(a - b) / Ulps.ulp(dt, scale)));
      }
      if (d > worst) {
        worst = d;
        if (d > BOUND || SCALAR) {
          throw new AssertionError(what + " at " + i + ": exact " + Ulps.describe(dt, a) + ", fast "
              + Ulps.describe(dt, b) + " (" + Ulps.text(d) + " ulps)");
        }
      }
    }
    return worst;
  }

  private static void compare(boolean rare) {
    for (Case c : cases(rare)) {
      LossAndGrad exact = c.exact().get();
      LossAndGrad fast = c.fast().get();
      String what = c.name() + " " + c.dt() + (rare ? " rare" : "");
      long l = distance(what + " loss", c.dt(), exact.loss(), fast.loss(), c.lossRef());
      long g = distance(what + " grad", c.dt(), exact.gradInput(), fast.gradInput(), c.gradRef());
      System.out.println("SigmoidFastPathTest " + SigmoidRows.best().name() + " " + what + ": loss " + l
          + " ulps, grad " + g + " ulps");
    }
  }

  @Test
  void fastPathsMatchTheExactPaths() {
    compare(false);
  }

  /**
   * NaN, infinite, subnormal and overflowing inputs: a vector holding a non-finite one goes to the exact
   * element functions, subnormals are flushed in the lanes as TF's DAZ reads them.
   */
  @Test
  void rareInputsMatchTheExactPaths() {
    compare(true);
  }

  /** The public entry points take the fast path; a pos_weight of another broadcast is the exact path's. */
  @Test
  void entryPointsAndOtherBroadcasts() {
    SplittableRandom r = new SplittableRandom(9);
    for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Tensor x = Tensor.ofFloating(dt, logits(r, 70 * 1000, false), 70, 1000);
      Tensor z = Tensor.ofFloating(dt, labels(r, 70 * 1000, false), 70, 1000);
      assertSameBits(SigmoidFast.sigmoid(z, x, SigmoidRows.best()), TfNn.sigmoidCrossEntropyWithLogits(z, x));
      assertSameBits(SigmoidFast.logPoisson(z, x, true, SigmoidRows.best()), TfNn.logPoissonLoss(z, x, true));
      Tensor col = Tensor.ofFloating(dt, new double[70], 70, 1);
      assertNull(SigmoidFast.weighted(z, x, col, SigmoidRows.best()), "(N, 1) is the exact path's");
      assertSameBits(TfNn.weightedExact(z, x, col), TfNn.weightedCrossEntropyWithLogits(z, x, col));
      Tensor q = Tensor.ofFloating(dt, new double[1000], 1000);
      assertSameBits(SigmoidFast.weighted(z, x, q, SigmoidRows.best()), TfNn.weightedCrossEntropyWithLogits(z, x, q));
    }
  }

  private static void assertSameBits(LossAndGrad expected, LossAndGrad actual) {
    for (Tensor[] p : new Tensor[][] {{expected.loss(), actual.loss()}, {expected.gradInput(), actual.gradInput()}}) {
      assertArrayEquals(p[0].shape(), p[1].shape());
      for (int i = 0; i < p[0].numel(); i++) {
        assertEquals(Double.doubleToLongBits(p[0].getDouble(i)), Double.doubleToLongBits(p[1].getDouble(i)), "at " + i);
      }
    }
  }

  /** A hash of every fast result's bits, one line per case: what {@link #main} prints for the other JVM. */
  static List<String> lines() {
    List<String> out = new ArrayList<>();
    for (boolean rare : new boolean[] {false, true}) {
      for (Case c : cases(rare)) {
        LossAndGrad f = c.fast().get();
        long h = 17;
        for (Tensor t : new Tensor[] {f.loss(), f.gradInput()}) {
          for (int i = 0; i < t.numel(); i++) {
            h = h * 31 + Double.doubleToLongBits(t.getDouble(i));
          }
        }
        out.add(c.name() + " " + c.dt() + " " + rare + " " + Long.toHexString(h));
      }
    }
    return out;
  }

  public static void main(String[] args) {
    lines().forEach(System.out::println);
  }

  /** The fast results at 1 and 2 threads (this JVM's count and the other) have the same bits. */
  @Test
  void resultsDoNotDependOnTheThreadCount() throws IOException, InterruptedException {
    assertTrue(Parallel.threads() == 1 || Parallel.chunks((long) ROWS * COLS, ROWS * COLS) > 1, "split into chunks");
    List<String> here = lines();
    int other = Parallel.threads() == 1 ? 2 : 1;
    assertEquals(String.join("\n", here) + "\n", otherJvm(SigmoidFastPathTest.class, other),
        Parallel.threads() + " threads here (expected) vs " + other + " in the other JVM (actual)");
  }

  /** The standard output of {@code main}'s {@code main} in a JVM with {@code threads} threads (this JVM's modules). */
  public static String otherJvm(Class<?> main, int threads) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      command.add("--add-modules");
      command.add("jdk.incubator.vector");
    }
    command.add("-Dlossconformance.threads=" + threads);
    command.add("-Dlossconformance.scalar=" + Boolean.getBoolean("lossconformance.scalar"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "the other JVM failed");
    return stdout;
  }
}
