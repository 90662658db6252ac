package dev.lossconformance.loss.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.Gradients;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossAndGrads;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link FastPointwise}'s kernels ({@link PointwiseKernels}, {@link PointwiseLoops}) against the generic
 * path ({@link PointwiseKernels#enabled} off) on large multi-chunk inputs, their independence of the
 * thread count, the {@link Gradients} subsets and the {@code gradInto} variants.
 */
class PointwiseFastPathTest {
  /** Rows of the large inputs: 100 x 1000 elements, above {@link Parallel#THRESHOLD}, in several chunks. */
  private static final int ROWS = 100;
  private static final int COLS = 1000;

  /** One configuration: a name and the call, on inputs of the given dtype and shape. */
  record Call(String name, Function<Object[], LossAndGrads> f) {}

  private static Tensor t(DType dt, double[] v, int... shape) {
    return Tensor.ofFloating(dt, v, shape);
  }

  private static double[] values(SplittableRandom r, int n, double lo, double hi) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = lo + (hi - lo) * r.nextDouble();
    }
    return v;
  }

  private static LossAndGrads wrap(LossAndGrad r) {
    return new LossAndGrads(r.loss(), r.gradInput() == null ? Map.of() : Map.of("grad_input", r.gradInput()));
  }

  /** Every covered configuration, on inputs of {@code dt} and shape (rows, cols), reduction {@code red}. */
  static List<Call> calls(DType dt, int rows, int cols, String red, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = rows * cols;
    Tensor x = t(dt, values(r, n, -3, 3), rows, cols);
    Tensor x2 = t(dt, values(r, n, -3, 3), rows, cols);
    Tensor p = t(dt, values(r, n, 0.001, 0.999), rows, cols);
    Tensor y = t(dt, values(r, n, 0, 1), rows, cols);
    Tensor logp = t(dt, values(r, n, -6, -0.01), rows, cols);
    Tensor logy = t(dt, values(r, n, -6, -0.01), rows, cols);
    double[] yb = new double[n];
    double[] counts = new double[n];
    for (int i = 0; i < n; i++) {
      yb[i] = i % 3 == 0 ? 1 : i % 3 == 1 ? -1 : 0.5;
      counts[i] = r.nextInt(6);
    }
    Tensor pm = t(dt, yb, rows, cols);
    Tensor cnt = t(dt, counts, rows, cols);
    Tensor var = t(dt, values(r, n, 0.1, 2), rows, cols);
    Tensor var1 = t(dt, values(r, rows, 0.1, 2), rows, 1);
    Tensor varLead = t(dt, values(r, rows, 0.1, 2), rows);
    Tensor w = t(dt, values(r, cols, 0.5, 1.5), cols);
    Tensor wFull = t(dt, values(r, n, 0.5, 1.5), rows, cols);
    Tensor pw = t(dt, values(r, cols, 0.5, 3), cols);
    Reduction rd = Reduction.fromTorchName(red);
    List<Call> out = new ArrayList<>();
    out.add(new Call("l1", a -> OtherLosses.l1(x, x2, red)));
    out.add(new Call("kl_div", a -> OtherLosses.klDiv(logp, y, red, false)));
    out.add(new Call("kl_div batchmean", a -> OtherLosses.klDiv(logp, y, "none".equals(red) ? red : "batchmean", false)));
    out.add(new Call("kl_div log_target", a -> OtherLosses.klDiv(logp, logy, red, true)));
    out.add(new Call("poisson log_input", a -> OtherLosses.poissonNll(x, cnt, true, false, 1e-8, red)));
    out.add(new Call("poisson log_input full", a -> OtherLosses.poissonNll(x, cnt, true, true, 1e-8, red)));
    out.add(new Call("poisson rate", a -> OtherLosses.poissonNll(var, cnt, false, false, 1e-8, red)));
    out.add(new Call("gaussian", a -> OtherLosses.gaussianNll(x, x2, var, false, 1e-6, red)));
    out.add(new Call("gaussian full", a -> OtherLosses.gaussianNll(x, x2, var, true, 1e-6, red)));
    out.add(new Call("gaussian var (N, 1)", a -> OtherLosses.gaussianNll(x, x2, var1, false, 1e-6, red)));
    out.add(new Call("gaussian var (N)", a -> OtherLosses.gaussianNll(x, x2, varLead, false, 1e-6, red)));
    out.add(new Call("hinge", a -> OtherLosses.hingeEmbedding(x, pm, 1.0, red)));
    out.add(new Call("bce", a -> wrap(BinaryCrossEntropy.options().reduction(rd).build().apply(p, y))));
    out.add(new Call("bce weight (C)", a -> wrap(BinaryCrossEntropy.options().weight(w).reduction(rd).build().apply(p, y))));
    out.add(new Call("bce weight full", a -> wrap(BinaryCrossEntropy.options().weight(wFull).reduction(rd).build()
        .apply(p, y))));
    out.add(new Call("bce_logits", a -> wrap(BinaryCrossEntropyWithLogits.options().reduction(rd).build().apply(x, y))));
    out.add(new Call("bce_logits weight+pos_weight (C)", a -> wrap(BinaryCrossEntropyWithLogits.options().weight(w)
        .posWeight(pw).reduction(rd).build().apply(x, y))));
    out.add(new Call("bce_logits pos_weight (C)", a -> wrap(BinaryCrossEntropyWithLogits.options().posWeight(pw)
        .reduction(rd).build().apply(x, y))));
    out.add(new Call("bce_logits weight full", a -> wrap(BinaryCrossEntropyWithLogits.options().weight(wFull)
        .reduction(rd).build().apply(x, y))));
    return out;
  }

  /** {@code a} within 4 ulps of {@code b} in {@code dt} (NaN matching NaN, infinities exactly). */
  private static boolean close(DType dt, double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b) || Double.isInfinite(a) || Double.isInfinite(b)) {
      return Double.compare(a, b) == 0 || (Double.isNaN(a) && Double.isNaN(b));
    }
    double ulp = dt == DType.FLOAT32 ? Math.ulp((float) Math.max(Math.abs(a), Math.abs(b))) : Math.ulp(Math.max(Math.abs(a),
        Math.abs(b)));
    return Math.abs(a - b) <= 4 * ulp;
  }

  private static void assertClose(String what, Tensor fast, Tensor slow, double termScale) {
    assertArrayEquals(slow.shape(), fast.shape(), what + ": shape");
    assertEquals(slow.dtype(), fast.dtype(), what + ": dtype");
    DType dt = slow.dtype();
    double termUlp = dt == DType.FLOAT32 ? Math.ulp((float) termScale) : Math.ulp(termScale);
    for (int i = 0; i < slow.numel(); i++) {
      double a = fast.getDouble(i);
      double b = slow.getDouble(i);
      assertTrue(close(dt, a, b) || Math.abs(a - b) <= 4 * termUlp,
          what + " at " + i + ": fast " + a + " vs generic " + b);
    }
  }

  @Test
  void largeInputsMatchTheGenericPath() {
    for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      for (String red : new String[] {"none", "mean", "sum"}) {
        List<Call> calls = calls(dt, ROWS, COLS, red, 7);
        for (Call c : calls) {
          LossAndGrads fast = c.f().apply(null);
          LossAndGrads slow;
          PointwiseKernels.enabled = false;
          try {
            slow = c.f().apply(null);
          } finally {
            PointwiseKernels.enabled = true;
          }
          String what = c.name() + " " + dt + " " + red;
          // the losses' terms are O(1): a cancelling element is judged in ulps of 1 (the gate's term
          // allowance), a sum in ulps of itself; the gradients' terms are O(g)
          // (kl_div's batchmean divides by the rows, not the element count)
          double g = "none".equals(red) || "sum".equals(red) ? 1 : c.name().endsWith("batchmean") ? 1.0 / ROWS
              : 1.0 / (ROWS * COLS);
          assertClose(what + " loss", fast.loss(), slow.loss(), "none".equals(red) ? 8 : 0);
          assertEquals(slow.grads().keySet(), fast.grads().keySet(), what + ": gradients");
          for (String k : slow.grads().keySet()) {
            assertClose(what + " " + k, fast.grads().get(k), slow.grads().get(k), 8 * g);
          }
        }
      }
    }
  }

  /** The bits of every configuration's outputs on a multi-chunk input, one line each. */
  static List<String> lines() {
    boolean vector = PointwiseLoops.best().getClass() != PointwiseLoops.class;
    List<String> out = new ArrayList<>();
    for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      for (String red : new String[] {"mean", "none"}) {
        for (Call c : calls(dt, ROWS, COLS, red, 11)) {
          // the Vector API's LOG and LOG1P (SVML once C2 compiles them) are not the interpreter's bits, and
          // this JVM and the other may run them in different tiers: their loops are compared in scalar mode
          // (in float64 every loop taking a log: kl_div, poisson rate, gaussian, bce, bce_logits)
          if (vector && dt == DType.FLOAT32 && (c.name().startsWith("kl_div") && !c.name().contains("log_target")
              || c.name().startsWith("gaussian") || c.name().startsWith("bce_logits"))) {
            continue;
          }
          if (vector && dt == DType.FLOAT64 && (c.name().startsWith("kl_div") && !c.name().contains("log_target")
              || c.name().equals("poisson rate") || c.name().startsWith("gaussian") || c.name().startsWith("bce"))) {
            continue;
          }
          LossAndGrads r = c.f().apply(null);
          long hash = 17;
          for (Tensor t : r.grads().values()) {
            for (int i = 0; i < t.numel(); i++) {
              hash = hash * 31 + Double.doubleToRawLongBits(t.getDouble(i));
            }
          }
          long lossHash = 17;
          for (int i = 0; i < r.loss().numel(); i++) {
            lossHash = lossHash * 31 + Double.doubleToRawLongBits(r.loss().getDouble(i));
          }
          out.add(c.name() + " " + dt + " " + red + " loss " + Long.toHexString(lossHash) + " grads "
              + Long.toHexString(hash));
        }
      }
    }
    return out;
  }

  /** Prints {@link #lines()}: the other JVM of {@link #resultsDoNotDependOnTheThreadCount}. */
  public static void main(String[] args) {
    lines().forEach(System.out::println);
  }

  @Test
  void resultsDoNotDependOnTheThreadCount() throws IOException, InterruptedException {
    assertTrue(FastPointwise.chunks((long) ROWS * COLS, ROWS * COLS) > 1, "the input is split into chunks");
    List<String> here = lines();
    int other = Parallel.threads() == 1 ? 3 : 1;
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      command.add("--add-modules");
      command.add("jdk.incubator.vector");
    }
    command.add("-Dlossconformance.threads=" + other);
    command.add("-Dlossconformance.scalar=" + Boolean.getBoolean("lossconformance.scalar"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(PointwiseFastPathTest.class.getName());
    Process p = new ProcessBuilder(command).start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "the other JVM failed: " + stderr);
    assertEquals(String.join("\n", here) + "\n", stdout,
        Parallel.threads() + " threads here (expected) vs " + other + " in the other JVM (actual)");
  }

  private static void assertSameBits(String what, Tensor expected, Tensor actual) {
    assertArrayEquals(expected.shape(), actual.shape(), what);
    for (int i = 0; i < expected.numel(); i++) {
      assertEquals(Double.doubleToRawLongBits(expected.getDouble(i)), Double.doubleToRawLongBits(actual.getDouble(i)),
          what + " at " + i);
    }
  }

  /** A subset of the gradients equals the {@link Gradients#ALL} result's entries bit for bit; others are absent. */
  @Test
  void gradientSubsetsAreTheAllResultsEntries() {
    for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      SplittableRandom r = new SplittableRandom(3);
      int n = 7 * 13;
      Tensor x = t(dt, values(r, n, -3, 3), 7, 13);
      Tensor x2 = t(dt, values(r, n, -3, 3), 7, 13);
      Tensor logp = t(dt, values(r, n, -6, -0.01), 7, 13);
      Tensor y = t(dt, values(r, n, 0, 1), 7, 13);
      Tensor var = t(dt, values(r, n, 0.1, 2), 7, 13);
      Tensor var1 = t(dt, values(r, 7, 0.1, 2), 7, 1);
      Tensor yBroadcast = t(dt, values(r, 13, 0, 1), 13);
      Map<String, Function<Gradients, LossAndGrads>> losses = new java.util.LinkedHashMap<>();
      losses.put("l1", gr -> OtherLosses.l1(x, x2, "mean", gr));
      losses.put("l1 broadcast (generic)", gr -> OtherLosses.l1(x, yBroadcast, "mean", gr));
      losses.put("kl_div", gr -> OtherLosses.klDiv(logp, y, "batchmean", false, gr));
      losses.put("kl_div log_target", gr -> OtherLosses.klDiv(logp, x2, "mean", true, gr));
      losses.put("poisson", gr -> OtherLosses.poissonNll(x, y, true, true, 1e-8, "sum", gr));
      losses.put("gaussian", gr -> OtherLosses.gaussianNll(x, x2, var, false, 1e-6, "mean", gr));
      losses.put("gaussian var (N, 1)", gr -> OtherLosses.gaussianNll(x, x2, var1, true, 1e-6, "none", gr));
      losses.put("hinge", gr -> OtherLosses.hingeEmbedding(x, x2, 0.5, "mean", gr));
      for (Map.Entry<String, Function<Gradients, LossAndGrads>> e : losses.entrySet()) {
        LossAndGrads all = e.getValue().apply(Gradients.ALL);
        List<String> names = new ArrayList<>(all.grads().keySet());
        assertTrue(names.size() >= 1, e.getKey());
        for (int mask = 0; mask < 1 << names.size(); mask++) {
          List<String> asked = new ArrayList<>();
          for (int j = 0; j < names.size(); j++) {
            if ((mask & 1 << j) != 0) {
              asked.add(names.get(j));
            }
          }
          LossAndGrads some = e.getValue().apply(Gradients.of(asked.toArray(String[]::new)));
          String what = e.getKey() + " " + dt + " " + asked;
          assertSameBits(what + " loss", all.loss(), some.loss());
          assertEquals(new java.util.HashSet<>(asked), some.grads().keySet(), what);
          for (String k : asked) {
            assertSameBits(what + " " + k, all.grads().get(k), some.grads().get(k));
          }
        }
        LossArgumentException ex = assertThrows(LossArgumentException.class,
            () -> e.getValue().apply(Gradients.of("grad_input", "grad_targt")), e.getKey());
        assertEquals(ErrorKind.UNSUPPORTED_ARGUMENT, ex.kind());
        assertTrue(ex.getMessage().contains("grad_targt"), ex.getMessage());
      }
    }
  }

  /** {@code gradInto}: the same bits as the allocating call, in the caller's array, fast path and generic. */
  @Test
  void gradIntoWritesTheCallersArray() {
    SplittableRandom r = new SplittableRandom(5);
    int n = 9 * 17;
    for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Tensor x = t(dt, values(r, n, -3, 3), 9, 17);
      Tensor x2 = t(dt, values(r, n, -3, 3), 9, 17);
      Tensor p = t(dt, values(r, n, 0.01, 0.99), 9, 17);
      Tensor y = t(dt, values(r, n, 0, 1), 9, 17);
      Tensor yRow = t(dt, values(r, 17, 0, 1), 17);
      Tensor w = t(dt, values(r, 17, 0.5, 1.5), 17);
      Tensor var = t(dt, values(r, n, 0.1, 2), 9, 17);
      Map<String, Function<Object, Tensor[]>> calls = new java.util.LinkedHashMap<>();
      Gradients gi = Gradients.of("grad_input");
      calls.put("l1", a -> pair(a == null ? OtherLosses.l1(x, x2, "mean", gi) : a instanceof float[] f
          ? OtherLosses.l1(x, x2, "mean", gi, f) : OtherLosses.l1(x, x2, "mean", gi, (double[]) a)));
      calls.put("l1 broadcast (generic)", a -> pair(a == null ? OtherLosses.l1(x, yRow, "mean", gi) : a instanceof float[] f
          ? OtherLosses.l1(x, yRow, "mean", gi, f) : OtherLosses.l1(x, yRow, "mean", gi, (double[]) a)));
      calls.put("kl_div", a -> pair(a == null ? OtherLosses.klDiv(x, y, "batchmean", false, gi) : a instanceof float[] f
          ? OtherLosses.klDiv(x, y, "batchmean", false, gi, f) : OtherLosses.klDiv(x, y, "batchmean", false, gi, (double[]) a)));
      calls.put("poisson", a -> pair(a == null ? OtherLosses.poissonNll(x, y, true, false, 1e-8, "mean", gi)
          : a instanceof float[] f ? OtherLosses.poissonNll(x, y, true, false, 1e-8, "mean", gi, f)
          : OtherLosses.poissonNll(x, y, true, false, 1e-8, "mean", gi, (double[]) a)));
      calls.put("gaussian", a -> pair(a == null ? OtherLosses.gaussianNll(x, x2, var, false, 1e-6, "mean", gi)
          : a instanceof float[] f ? OtherLosses.gaussianNll(x, x2, var, false, 1e-6, "mean", gi, f)
          : OtherLosses.gaussianNll(x, x2, var, false, 1e-6, "mean", gi, (double[]) a)));
      calls.put("hinge", a -> pair(a == null ? OtherLosses.hingeEmbedding(x, x2, 1, "sum") : a instanceof float[] f
          ? OtherLosses.hingeEmbedding(x, x2, 1, "sum", f) : OtherLosses.hingeEmbedding(x, x2, 1, "sum", (double[]) a)));
      BinaryCrossEntropy bce = BinaryCrossEntropy.options().weight(w).build();
      calls.put("bce", a -> pair(a == null ? bce.apply(p, y) : a instanceof float[] f ? bce.apply(p, y, f)
          : bce.apply(p, y, (double[]) a)));
      BinaryCrossEntropyWithLogits plain = BinaryCrossEntropyWithLogits.options().build();
      calls.put("bce_logits", a -> pair(a == null ? plain.apply(x, y) : a instanceof float[] f ? plain.apply(x, y, f)
          : plain.apply(x, y, (double[]) a)));
      BinaryCrossEntropyWithLogits weighted = BinaryCrossEntropyWithLogits.options().weight(w).posWeight(w).build();
      calls.put("bce_logits weighted", a -> pair(a == null ? weighted.apply(x, y) : a instanceof float[] f
          ? weighted.apply(x, y, f) : weighted.apply(x, y, (double[]) a)));
      for (Map.Entry<String, Function<Object, Tensor[]>> e : calls.entrySet()) {
        Tensor[] plainCall = e.getValue().apply(null);
        Object into = dt == DType.FLOAT32 ? new float[n] : new double[n];
        java.util.Arrays.fill(into instanceof float[] f ? f : new float[0], Float.NaN);
        java.util.Arrays.fill(into instanceof double[] d ? d : new double[0], Double.NaN);
        Tensor[] intoCall = e.getValue().apply(into);
        String what = e.getKey() + " " + dt;
        assertSameBits(what + " loss", plainCall[0], intoCall[0]);
        assertSameBits(what + " grad_input", plainCall[1], intoCall[1]);
        if (dt == DType.FLOAT32) {
          assertSame(into, intoCall[1].backingFloats(), what + ": the gradient wraps the caller's array");
        } else {
          assertSame(into, intoCall[1].backingDoubles(), what + ": the gradient wraps the caller's array");
        }
        Object wrong = dt == DType.FLOAT32 ? new float[n - 1] : new float[n];
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> e.getValue().apply(wrong), what);
        assertNotNull(ex.getMessage());
      }
    }
  }

  private static Tensor[] pair(LossAndGrads r) {
    return new Tensor[] {r.loss(), r.grads().get("grad_input")};
  }

  private static Tensor[] pair(LossAndGrad r) {
    return new Tensor[] {r.loss(), r.gradInput()};
  }

  /** The generic path's result of {@code c} ({@link PointwiseKernels#enabled} off). */
  private static LossAndGrads generic(Call c) {
    PointwiseKernels.enabled = false;
    try {
      return c.f().apply(null);
    } finally {
      PointwiseKernels.enabled = true;
    }
  }

  /**
   * The distance of {@code a} from {@code b} in ulps of the larger magnitude, or in ulps of
   * {@code termScale} where that is smaller (a value that cancels between O(termScale) terms); 0 for
   * matching NaNs and infinities, +inf for a mismatch of those.
   */
  static double ulps(double a, double b, double termScale) {
    if (!Double.isFinite(a) || !Double.isFinite(b)) {
      return Double.compare(a, b) == 0 || (Double.isNaN(a) && Double.isNaN(b)) ? 0 : Double.POSITIVE_INFINITY;
    }
    double d = Math.abs(a - b);
    return d == 0 ? 0 : Math.min(d / Math.ulp(Math.max(Math.abs(a), Math.abs(b))), termScale == 0 ? Double.POSITIVE_INFINITY
        : d / Math.ulp(termScale));
  }

  /**
   * The float64 loops' distance from the generic (scalar, {@code Math}) path, measured on the large
   * inputs of {@link #calls} with reduction none, element by element, in ulps of the value or, where
   * smaller, of the term scale 8 (a value that cancels between terms of up to 8, as the allowance of
   * {@link #largeInputsMatchTheGenericPath}; g = 1). In
   * scalar mode the fast path uses the same {@code Math} functions: 0 ulps. In vector mode only exp
   * ({@link dev.lossconformance.loss.VectorMath}, within 2 ulps), log and log1p (the Vector API's,
   * within 1) and bce_with_logits' {@code 1 / exp(-|x|)} for {@code exp(-x)} differ; the measured
   * maxima (printed) were at most 2 ulps on this machine, and the bound asserted is 4 (the
   * float32 loops' allowance in {@link #close}).
   */
  @Test
  void float64LoopsStayWithinMeasuredUlpsOfTheGenericPath() {
    boolean vector = PointwiseLoops.best().getClass() != PointwiseLoops.class;
    for (Call c : calls(DType.FLOAT64, ROWS, COLS, "none", 13)) {
      // a few calls first, so that C2 has compiled the loops (the Vector API's LOG is Math.log per lane
      // before that, which would measure 0)
      for (int k = 0; k < 5; k++) {
        c.f().apply(null);
      }
      LossAndGrads fast = c.f().apply(null);
      LossAndGrads slow = generic(c);
      double worst = 0;
      for (int i = 0; i < slow.loss().numel(); i++) {
        worst = Math.max(worst, ulps(fast.loss().getDouble(i), slow.loss().getDouble(i), 8));
      }
      for (String k : slow.grads().keySet()) {
        Tensor a = fast.grads().get(k);
        Tensor b = slow.grads().get(k);
        for (int i = 0; i < b.numel(); i++) {
          worst = Math.max(worst, ulps(a.getDouble(i), b.getDouble(i), 8));
        }
      }
      System.out.printf("float64 %s: %.3g ulps from the generic path (%s)%n", c.name(), worst, vector ? "vector" : "scalar");
      assertTrue(worst <= (vector ? 4 : 0), c.name() + ": " + worst + " ulps");
    }
  }

  /** A large float64 tensor of {@code base}'s values with {@code rare} written at a few spread indices. */
  private static Tensor withRare(Tensor base, double... rare) {
    double[] v = base.toDoubleArray();
    for (int j = 0; j < rare.length; j++) {
      v[(int) ((long) (j + 1) * v.length / (rare.length + 1)) + j] = rare[j];
    }
    return Tensor.ofFloating(base.dtype(), v, base.shape());
  }

  /**
   * Rare float64 inputs inside large multi-chunk inputs: non-finite values, exp's overflow and
   * underflow, bce_with_logits' x below -708 (left to the scalar kernel), a sum that overflows (the
   * call goes to the generic path), an invalid probability and a negative var (the generic path reports
   * them): the same results as the generic path, or its error.
   */
  @Test
  void rareFloat64InputsTakeTheExactPath() {
    DType dt = DType.FLOAT64;
    SplittableRandom r = new SplittableRandom(17);
    int n = ROWS * COLS;
    Tensor x = t(dt, values(r, n, -3, 3), ROWS, COLS);
    Tensor x2 = t(dt, values(r, n, -3, 3), ROWS, COLS);
    Tensor p = t(dt, values(r, n, 0.001, 0.999), ROWS, COLS);
    Tensor y = t(dt, values(r, n, 0, 1), ROWS, COLS);
    Tensor var = t(dt, values(r, n, 0.1, 2), ROWS, COLS);
    double inf = Double.POSITIVE_INFINITY;
    double nan = Double.NaN;
    Tensor xr = withRare(x, nan, inf, -inf, 710, -710, -800, 1e-310, -0.0);
    Tensor xBig = t(dt, new double[n], ROWS, COLS);
    java.util.Arrays.fill(xBig.backingDoubles(), 709);
    Tensor pr = withRare(p, 0, 1, 1e-320, 1 - 0x1p-53);
    Tensor yr = withRare(y, nan, 0, 1, inf);
    Tensor varr = withRare(var, 0, 1e-310, inf, nan);
    List<Call> calls = new ArrayList<>();
    for (String red : new String[] {"none", "mean", "sum"}) {
      Reduction rd = Reduction.fromTorchName(red);
      calls.add(new Call("l1 " + red, a -> OtherLosses.l1(xr, x2, red)));
      calls.add(new Call("kl_div " + red, a -> OtherLosses.klDiv(x, yr, red, false)));
      calls.add(new Call("kl_div log_target " + red, a -> OtherLosses.klDiv(x2, xr, red, true)));
      calls.add(new Call("poisson log_input " + red, a -> OtherLosses.poissonNll(xr, yr, true, false, 1e-8, red)));
      calls.add(new Call("poisson log_input overflowing sum " + red, a -> OtherLosses.poissonNll(xBig, y, true, false,
          1e-8, red)));
      calls.add(new Call("poisson rate " + red, a -> OtherLosses.poissonNll(varr, yr, false, false, 1e-8, red)));
      calls.add(new Call("gaussian " + red, a -> OtherLosses.gaussianNll(xr, x2, varr, false, 1e-6, red)));
      calls.add(new Call("bce " + red, a -> wrap(BinaryCrossEntropy.options().reduction(rd).build().apply(pr, y))));
      calls.add(new Call("bce_logits " + red, a -> wrap(BinaryCrossEntropyWithLogits.options().reduction(rd).build()
          .apply(xr, yr))));
      calls.add(new Call("bce_logits weight+pos_weight " + red, a -> wrap(BinaryCrossEntropyWithLogits.options()
          .weight(var).posWeight(var).reduction(rd).build().apply(xr, y))));
    }
    for (Call c : calls) {
      LossAndGrads fast = c.f().apply(null);
      LossAndGrads slow = generic(c);
      assertClose(c.name() + " loss", fast.loss(), slow.loss(), c.name().endsWith("none") ? 8 : 0);
      assertEquals(slow.grads().keySet(), fast.grads().keySet(), c.name());
      for (String k : slow.grads().keySet()) {
        assertClose(c.name() + " " + k, fast.grads().get(k), slow.grads().get(k), 8);
      }
    }
    Tensor pBad = withRare(p, 1.5);
    LossArgumentException bad = assertThrows(LossArgumentException.class,
        () -> BinaryCrossEntropy.options().build().apply(pBad, y));
    assertEquals(ErrorKind.INVALID_VALUE, bad.kind());
    Tensor pNan = withRare(p, nan);
    assertEquals(ErrorKind.INVALID_VALUE, assertThrows(LossArgumentException.class,
        () -> BinaryCrossEntropy.options().build().apply(pNan, y)).kind());
    Tensor varNeg = withRare(var, -1e-300);
    LossArgumentException neg = assertThrows(LossArgumentException.class,
        () -> OtherLosses.gaussianNll(x, x2, varNeg, false, 1e-6, "mean"));
    assertEquals(ErrorKind.INVALID_VALUE, neg.kind());
  }
}
