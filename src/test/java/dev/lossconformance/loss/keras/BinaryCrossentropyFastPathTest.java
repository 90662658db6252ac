package dev.lossconformance.loss.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.loss.tf.SigmoidFastPathTest;
import dev.lossconformance.loss.tf.SigmoidRows;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Keras' {@code BinaryCrossentropy} fast path ({@link BinaryCrossentropy#rows} on
 * {@link SigmoidRows#best()}) against its exact path ({@link BinaryCrossentropy#exact}): from logits and
 * from probabilities, label smoothing 0 and 0.1, every reduction, without and with sample weights (of
 * shape (N,) and (N, 1)), float32 and float64, rows of 1000 (above {@link Parallel#THRESHOLD}: several
 * chunks) and of widths around the 8-lane packet, rare inputs (NaN, infinities, subnormals, 3e38) among
 * them, and the same bits at another thread count. The scalar rows give the exact path's bits; the
 * vector rows' row sums have the exact order and their gradients from probabilities are exact (no
 * approximate function in them); the losses (through the Vector API's LOG and LOG1P and
 * {@code VectorMath.exp}) and the from-logits gradients (through exp) are within 4 ulps, an
 * ulp of the larger of the value and, for the gradient, its sigmoid term {@code factor / last *
 * sigmoid(-|x|)} (which a label can cancel; {@link SigmoidFastPathTest#distance}). The measured maxima are printed.
 */
class BinaryCrossentropyFastPathTest {

  record Case(String name, BinaryCrossentropy loss, Tensor yTrue, Tensor yPred, Tensor w, int rows, int last,
      double[] logits) {}

  static List<Case> cases(boolean rare) {
    List<Case> out = new ArrayList<>();
    int[][] shapes = {{300, 1000}, {70000, 1}, {9000, 7}, {8200, 8}, {4000, 17}, {3, 30000}};
    int s = 0;
    for (int[] shape : shapes) {
      for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        for (boolean fromLogits : new boolean[] {true, false}) {
          s++;
          SplittableRandom r = new SplittableRandom(s);
          int rows = shape[0];
          int last = shape[1];
          int n = rows * last;
          double[] x = new double[n];
          double[] y = new double[n];
          for (int i = 0; i < n; i++) {
            double v = r.nextGaussian() * (i % 7 == 0 ? 40 : 4);
            x[i] = fromLogits ? v : (i % 13 == 0 ? r.nextInt(2) : 1 / (1 + Math.exp(-v)));
            y[i] = i % 3 == 0 ? r.nextDouble() : r.nextInt(2);
          }
          if (rare) {
            double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-40, -1e-40, 1e-310, 3e38,
                -0.0, 1e-7, 0.99999988};
            for (int k = 0; k < 100; k++) {
              x[r.nextInt(n)] = odd[k % odd.length];
              y[r.nextInt(n)] = odd[(k + 4) % odd.length];
            }
          }
          KerasReduction.Mode mode = KerasReduction.Mode.values()[s % 3];
          double smoothing = s % 2 == 0 ? 0 : 0.1;
          Tensor w = null;
          if (s % 4 != 0) {
            double[] wv = new double[rows];
            for (int i = 0; i < rows; i++) {
              wv[i] = i % 11 == 0 ? 0 : r.nextDouble() * 2 - 0.5;
            }
            w = s % 4 == 1 ? Tensor.ofFloating(DType.FLOAT32, wv, rows) : Tensor.ofFloating(DType.FLOAT32, wv, rows, 1);
          }
          String name = Arrays.toString(shape) + " " + dt + (fromLogits ? " from_logits" : " probabilities") + " "
              + mode.kerasName() + " smoothing " + smoothing + (w == null ? "" : " weights " + Arrays.toString(w.shape()))
              + (rare ? " rare" : "");
          out.add(new Case(name, new BinaryCrossentropy(fromLogits, smoothing, mode), Tensor.ofFloating(dt, y, shape),
              Tensor.ofFloating(dt, x, shape), w, rows, last, x));
        }
      }
    }
    return out;
  }

  private static LossAndGrad exact(Case c) {
    int[] shape = c.yPred().shape();
    return c.loss().exact(c.yTrue(), c.yPred(), c.w(), shape, Arrays.copyOf(shape, shape.length - 1));
  }

  private static LossAndGrad fast(Case c, SigmoidRows kernel) {
    int[] shape = c.yPred().shape();
    return c.loss().rows(c.yTrue(), c.yPred(), c.w(), shape, Arrays.copyOf(shape, shape.length - 1), kernel);
  }

  /** Keras computes in float32: the distances are float32 ulps whatever the gradient's dtype. */
  static long distance(String what, Tensor exact, Tensor fast, IntToDoubleFunction ref) {
    return SigmoidFastPathTest.distance(what, DType.FLOAT32, exact, fast, ref);
  }

  private static void compare(boolean rare) {
    for (Case c : cases(rare)) {
      LossAndGrad exact = exact(c);
      LossAndGrad fast = fast(c, SigmoidRows.best());
      KerasReduction.Mode mode = c.loss().reductionMode();
      int[] shape = c.yPred().shape();
      double[] w = KerasReduction.weights(c.rows(), Arrays.copyOf(shape, shape.length - 1), null, c.w(), mode);
      IntToDoubleFunction sig = i -> Math.abs(KerasReduction.factor(w, i / c.last(), c.rows(), mode)) / c.last()
          / (1 + Math.exp(Math.abs((float) c.logits()[i])));
      long l = distance(c.name() + " loss", exact.loss(), fast.loss(), i -> 0);
      long g = distance(c.name() + " grad", exact.gradInput(), fast.gradInput(), c.loss().fromLogits() ? sig : i -> 0);
      assertSameBits(c.name() + " (scalar rows)", exact, fast(c, SigmoidRows.scalar()));
      assertSameBits(c.name() + " (apply)", fast, c.loss().apply(c.yTrue(), c.yPred(), c.w()));
      System.out.println("BinaryCrossentropyFastPathTest " + SigmoidRows.best().name() + " " + c.name() + ": loss " + l
          + " ulps, grad " + g + " ulps");
    }
  }

  @Test
  void fastPathMatchesTheExactPath() {
    compare(false);
  }

  @Test
  void rareInputsMatchTheExactPath() {
    compare(true);
  }

  private static void assertSameBits(String what, LossAndGrad expected, LossAndGrad actual) {
    for (Tensor[] p : new Tensor[][] {{expected.loss(), actual.loss()}, {expected.gradInput(), actual.gradInput()}}) {
      assertArrayEquals(p[0].shape(), p[1].shape(), what);
      for (int i = 0; i < p[0].numel(); i++) {
        assertEquals(Double.doubleToLongBits(p[0].getDouble(i)), Double.doubleToLongBits(p[1].getDouble(i)),
            what + " at " + i);
      }
    }
  }

  static List<String> lines() {
    List<String> out = new ArrayList<>();
    for (boolean rare : new boolean[] {false, true}) {
      for (Case c : cases(rare)) {
        LossAndGrad f = c.loss().apply(c.yTrue(), c.yPred(), c.w());
        long h = 17;
        for (Tensor t : new Tensor[] {f.loss(), f.gradInput()}) {
          for (int i = 0; i < t.numel(); i++) {
            h = h * 31 + Double.doubleToLongBits(t.getDouble(i));
          }
        }
        out.add(c.name() + " " + Long.toHexString(h));
      }
    }
    return out;
  }

  public static void main(String[] args) {
    lines().forEach(System.out::println);
  }

  @Test
  void resultsDoNotDependOnTheThreadCount() throws IOException, InterruptedException {
    assertTrue(Parallel.threads() == 1 || Parallel.chunks(300 * 1000, 300) > 1, "split into chunks");
    List<String> here = lines();
    int other = Parallel.threads() == 1 ? 2 : 1;
    String stdout = SigmoidFastPathTest.otherJvm(BinaryCrossentropyFastPathTest.class, other);
    assertEquals(String.join("\n", here) + "\n", stdout,
        Parallel.threads() + " threads here (expected) vs " + other + " in the other JVM (actual)");
  }
}
