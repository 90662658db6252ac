package dev.lossconformance.loss.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.Gradients;
import dev.lossconformance.loss.LossAndGrads;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link CosineEmbeddingLoss}'s fast path (same-dtype inputs, streamed, vectorised, split over the
 * workers) against its generic path (double arrays, every op rounded, AtenSum's order), which the
 * engines verified: the two must give the same bits, for every row length around aten's lane and
 * partial-sum boundaries, multi-chunk sizes, and specials (inf, NaN, overflowing squares, subnormals).
 */
class CosineEmbeddingFastPathTest {

  private static Tensor input(DType dt, SplittableRandom r, int n, int d, boolean specials) {
    double[] v = new double[n * d];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian() * (r.nextInt(8) == 0 ? 1e3 : 1);
      if (specials) {
        switch (r.nextInt(60)) {
          case 0 -> v[i] = Double.POSITIVE_INFINITY;
          case 1 -> v[i] = Double.NaN;
          case 2 -> v[i] = 3e30;
          case 3 -> v[i] = 1e-41;
          case 4 -> v[i] = 0;
          default -> { }
        }
      }
    }
    return Tensor.ofFloating(dt, v, n, d);
  }

  private static Tensor target(SplittableRandom r, int n) {
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      t[i] = r.nextInt(9) == 0 ? 0 : r.nextBoolean() ? 1 : -1;
    }
    return Tensor.ofLongs(t, n);
  }

  private static void assertSameBits(LossAndGrads want, LossAndGrads got, String what) {
    assertArrayEquals(want.loss().toDoubleArray(), got.loss().toDoubleArray(), what + " loss");
    assertEquals(want.loss().dtype(), got.loss().dtype(), what);
    for (String g : got.grads().keySet()) {
      assertEquals(want.grads().get(g).dtype(), got.grads().get(g).dtype(), what + " " + g);
      assertArrayEquals(want.grads().get(g).toDoubleArray(), got.grads().get(g).toDoubleArray(), what + " " + g);
    }
  }

  @Test
  void fastPathEqualsTheGenericPathBitForBit() {
    SplittableRandom r = new SplittableRandom(14);
    int[] lengths = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 129, 511, 512, 513, 1000, 2049, 8200};
    for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      for (int d : lengths) {
        for (String red : new String[] {"mean", "sum", "none"}) {
          int n = 1 + r.nextInt(12);
          boolean specials = r.nextBoolean();
          Tensor a = input(dt, r, n, d, specials);
          Tensor b = input(dt, r, n, d, specials);
          Tensor t = target(r, n);
          double margin = r.nextInt(3) == 0 ? 0 : r.nextDouble() - 0.5;
          assertSameBits(CosineEmbeddingLoss.generic(a, b, t, margin, red),
              CosineEmbeddingLoss.apply(a, b, t, margin, red), dt + " d=" + d + " " + red);
        }
      }
    }
  }

  @Test
  void largeMultiChunkInputsEqualTheGenericPath() {
    SplittableRandom r = new SplittableRandom(15);
    for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      int n = 300;
      int d = 1000;
      assert (long) n * d > Parallel.THRESHOLD;
      Tensor a = input(dt, r, n, d, false);
      Tensor b = input(dt, r, n, d, false);
      Tensor t = target(r, n);
      assertSameBits(CosineEmbeddingLoss.generic(a, b, t, 0, "mean"), CosineEmbeddingLoss.apply(a, b, t, 0, "mean"),
          dt + " large");
    }
  }

  @Test
  void vectorAndScalarRowsGiveTheSameBits() {
    SplittableRandom r = new SplittableRandom(16);
    CosineRows best = CosineRows.best();
    CosineRows scalar = CosineRows.scalar();
    for (int d = 1; d < 700; d += 1 + d / 16) {
      float[] x = new float[d + 3];
      float[] y = new float[d + 3];
      double[] xd = new double[d + 3];
      double[] yd = new double[d + 3];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
        y[i] = (float) r.nextGaussian();
        xd[i] = r.nextGaussian();
        yd[i] = r.nextGaussian();
      }
      float[] f1 = new float[3];
      float[] f2 = new float[3];
      best.dots(x, y, 3, d, f1);
      scalar.dots(x, y, 3, d, f2);
      assertArrayEquals(f2, f1, best.getClass().getSimpleName() + " d=" + d);
      double[] d1 = new double[3];
      double[] d2 = new double[3];
      best.dots(xd, yd, 3, d, d1);
      scalar.dots(xd, yd, 3, d, d2);
      assertArrayEquals(d2, d1, "f64 d=" + d);
      float[] g1 = new float[d + 3];
      float[] g2 = new float[d + 3];
      best.grad(x, y, 3, d, 0.3f, -1.7f, g1);
      scalar.grad(x, y, 3, d, 0.3f, -1.7f, g2);
      assertArrayEquals(g2, g1, "grad d=" + d);
    }
  }

  @Test
  void gradientsSubsetsEqualTheAllResult() {
    SplittableRandom r = new SplittableRandom(17);
    for (DType[] dts : new DType[][] {{DType.FLOAT32, DType.FLOAT32}, {DType.FLOAT64, DType.FLOAT64},
        {DType.FLOAT32, DType.FLOAT64}}) {
      Tensor a = input(dts[0], r, 5, 40, false);
      Tensor b = input(dts[1], r, 5, 40, false);
      Tensor t = target(r, 5);
      LossAndGrads all = CosineEmbeddingLoss.apply(a, b, t, 0.1, "mean");
      for (Gradients g : new Gradients[] {Gradients.NONE, Gradients.of("grad_input1"), Gradients.of("grad_input2"),
          Gradients.of("grad_input2", "grad_input1")}) {
        LossAndGrads sub = CosineEmbeddingLoss.apply(a, b, t, 0.1, "mean", g);
        assertEquals(all.grads().keySet().stream().filter(g::wants).toList(), sub.grads().keySet().stream().toList());
        assertSameBits(all, sub, g.toString());
      }
      LossArgumentException e = assertThrows(LossArgumentException.class,
          () -> CosineEmbeddingLoss.apply(a, b, t, 0.1, "mean", Gradients.of("grad_input")));
      assertEquals(ErrorKind.UNSUPPORTED_ARGUMENT, e.kind());
    }
  }

  @Test
  void gradIntoVariantsWriteAndWrapTheCallersArrays() {
    SplittableRandom r = new SplittableRandom(18);
    Tensor a = input(DType.FLOAT32, r, 6, 50, false);
    Tensor b = input(DType.FLOAT32, r, 6, 50, false);
    Tensor t = target(r, 6);
    LossAndGrads all = CosineEmbeddingLoss.apply(a, b, t, 0, "sum");
    float[] g1 = new float[300];
    java.util.Arrays.fill(g1, Float.NaN);
    float[] g1b = new float[300];
    LossAndGrads into = CosineEmbeddingLoss.apply(a, b, t, 0, "sum", g1, g1b);
    assertSame(g1, into.grads().get("grad_input1").backingFloats());
    assertSame(g1b, into.grads().get("grad_input2").backingFloats());
    assertSameBits(all, into, "into f32");
    Tensor ad = input(DType.FLOAT64, r, 6, 50, false);
    Tensor bd = input(DType.FLOAT64, r, 6, 50, false);
    double[] g2 = new double[300];
    LossAndGrads intoD = CosineEmbeddingLoss.apply(ad, bd, t, 0, "mean", new double[300], g2);
    assertSame(g2, intoD.grads().get("grad_input2").backingDoubles());
    assertSameBits(CosineEmbeddingLoss.apply(ad, bd, t, 0, "mean"), intoD, "into f64");
    assertEquals(ErrorKind.SHAPE_MISMATCH, assertThrows(LossArgumentException.class,
        () -> CosineEmbeddingLoss.apply(a, b, t, 0, "sum", new float[299], new float[300])).kind());
    assertEquals(ErrorKind.DTYPE, assertThrows(LossArgumentException.class,
        () -> CosineEmbeddingLoss.apply(ad, bd, t, 0, "sum", new float[300], new float[300])).kind());
  }
}
