package dev.lossconformance.loss.torch;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CosineRows} on the Vector API, loaded by reflection only when {@code jdk.incubator.vector} is
 * present. aten's {@code vectorized_inner_sum} gives lane {@code l} the elements {@code l + 8 j}, and
 * each lane's {@code row_sum} keeps 4 interleaved partials over {@code j} (partial {@code k} takes
 * {@code j = 4 i + k}): so partial {@code k} of all 8 lanes is one 256-bit vector accumulating
 * {@code x[32 i + 8 k .. + 8)}, with {@code multi_row_sum}'s levels on whole vectors. The three dot
 * products of a row go in one sweep over it; each lane adds exactly what the scalar loop adds, in its
 * order (no FMA: a product is rounded before it is added), so both give the same bits.
 */
final class VectorCosineRows extends CosineRows {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;
  private static final VectorSpecies<Float> FP = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> DP = DoubleVector.SPECIES_PREFERRED;

  /** The registers' 12 vectors (sum s, partial k at {@code (s * 4 + k) * lanes}), then levels 1-3 likewise. */
  private final float[] accF = new float[4 * 12 * FLOAT_LANES];
  private final double[] accD = new double[4 * 12 * DOUBLE_LANES];

  @Override
  void dots(float[] x, float[] y, int off, int d, float[] out) {
    int w = FLOAT_LANES;
    if (d < w || F.length() != w) {
      super.dots(x, y, off, d, out);
      return;
    }
    int vectors = d / w;
    int sizeIlp = vectors / 4;
    int block = 12 * w;
    java.util.Arrays.fill(accF, 0);
    int levelPower = levelPower(sizeIlp);
    int levelStep = 1 << levelPower;
    int levelMask = levelStep - 1;
    int i = 0;
    while (i + levelStep <= sizeIlp) {
      groups(x, y, off + i * 4 * w, levelStep, accF);
      i += levelStep;
      // multi_row_sum's cascade: level 1 += level 0 (cleared by the next groups), then up while i's bits say so
      addInto(accF, block, 0, w);
      for (int j = 2; j < 4 && (i & (levelMask << ((j - 1) * levelPower))) == 0; j++) {
        addInto(accF, j * block, (j - 1) * block, w);
        java.util.Arrays.fill(accF, (j - 1) * block, j * block, 0);
      }
    }
    groups(x, y, off + i * 4 * w, sizeIlp - i, accF);
    for (int j = 1; j < 4; j++) {
      addInto(accF, 0, j * block, w);
    }
    // per sum: row_sum's remainder (vectors past the last group of 4) to partial 0, then partials 1-3 to it
    for (int s = 0; s < 3; s++) {
      float[] u = s == 2 ? y : x;
      float[] v = s == 0 ? y : u;
      FloatVector p = FloatVector.fromArray(F, accF, s * 4 * w);
      for (int r = sizeIlp * 4; r < vectors; r++) {
        p = p.add(FloatVector.fromArray(F, u, off + r * w).mul(FloatVector.fromArray(F, v, off + r * w)));
      }
      for (int k = 1; k < 4; k++) {
        p = p.add(FloatVector.fromArray(F, accF, (s * 4 + k) * w));
      }
      p.intoArray(accF, s * 4 * w);
      out[s] = tail(u, v, off, d, vectors * w, accF, s * 4 * w);
    }
  }

  /**
   * Level 0 of the three sums over {@code groups} groups of 4 vectors from {@code at}, from zero:
   * {@code acc[(s * 4 + k) * 8 ..]} = the sum over the groups of vector {@code k}'s products of sum {@code s}.
   */
  private static void groups(float[] x, float[] y, int at, int groups, float[] acc) {
    int w = FLOAT_LANES;
    FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0;
    FloatVector a0 = p0, a1 = p0, a2 = p0, a3 = p0;
    FloatVector b0 = p0, b1 = p0, b2 = p0, b3 = p0;
    for (int g = 0; g < groups; g++, at += 4 * w) {
      FloatVector x0 = FloatVector.fromArray(F, x, at);
      FloatVector x1 = FloatVector.fromArray(F, x, at + w);
      FloatVector x2 = FloatVector.fromArray(F, x, at + 2 * w);
      FloatVector x3 = FloatVector.fromArray(F, x, at + 3 * w);
      FloatVector y0 = FloatVector.fromArray(F, y, at);
      FloatVector y1 = FloatVector.fromArray(F, y, at + w);
      FloatVector y2 = FloatVector.fromArray(F, y, at + 2 * w);
      FloatVector y3 = FloatVector.fromArray(F, y, at + 3 * w);
      p0 = p0.add(x0.mul(y0));
      p1 = p1.add(x1.mul(y1));
      p2 = p2.add(x2.mul(y2));
      p3 = p3.add(x3.mul(y3));
      a0 = a0.add(x0.mul(x0));
      a1 = a1.add(x1.mul(x1));
      a2 = a2.add(x2.mul(x2));
      a3 = a3.add(x3.mul(x3));
      b0 = b0.add(y0.mul(y0));
      b1 = b1.add(y1.mul(y1));
      b2 = b2.add(y2.mul(y2));
      b3 = b3.add(y3.mul(y3));
    }
    p0.intoArray(acc, 0);
    p1.intoArray(acc, w);
    p2.intoArray(acc, 2 * w);
    p3.intoArray(acc, 3 * w);
    a0.intoArray(acc, 4 * w);
    a1.intoArray(acc, 5 * w);
    a2.intoArray(acc, 6 * w);
    a3.intoArray(acc, 7 * w);
    b0.intoArray(acc, 8 * w);
    b1.intoArray(acc, 9 * w);
    b2.intoArray(acc, 10 * w);
    b3.intoArray(acc, 11 * w);
  }

  /** {@code acc[to + i] += acc[from + i]} over one level's 12 vectors of {@code w} lanes. */
  private static void addInto(float[] acc, int to, int from, int w) {
    for (int i = 0; i < 12 * w; i++) {
      acc[to + i] += acc[from + i];
    }
  }

  @Override
  void dots(double[] x, double[] y, int off, int d, double[] out) {
    int w = DOUBLE_LANES;
    if (d < w || D.length() != w) {
      super.dots(x, y, off, d, out);
      return;
    }
    int vectors = d / w;
    int sizeIlp = vectors / 4;
    int block = 12 * w;
    java.util.Arrays.fill(accD, 0);
    int levelPower = levelPower(sizeIlp);
    int levelStep = 1 << levelPower;
    int levelMask = levelStep - 1;
    int i = 0;
    while (i + levelStep <= sizeIlp) {
      groups(x, y, off + i * 4 * w, levelStep, accD);
      i += levelStep;
      addInto(accD, block, 0, w);
      for (int j = 2; j < 4 && (i & (levelMask << ((j - 1) * levelPower))) == 0; j++) {
        addInto(accD, j * block, (j - 1) * block, w);
        java.util.Arrays.fill(accD, (j - 1) * block, j * block, 0);
      }
    }
    groups(x, y, off + i * 4 * w, sizeIlp - i, accD);
    for (int j = 1; j < 4; j++) {
      addInto(accD, 0, j * block, w);
    }
    for (int s = 0; s < 3; s++) {
      double[] u = s == 2 ? y : x;
      double[] v = s == 0 ? y : u;
      DoubleVector p = DoubleVector.fromArray(D, accD, s * 4 * w);
      for (int r = sizeIlp * 4; r < vectors; r++) {
        p = p.add(DoubleVector.fromArray(D, u, off + r * w).mul(DoubleVector.fromArray(D, v, off + r * w)));
      }
      for (int k = 1; k < 4; k++) {
        p = p.add(DoubleVector.fromArray(D, accD, (s * 4 + k) * w));
      }
      p.intoArray(accD, s * 4 * w);
      out[s] = tail(u, v, off, d, vectors * w, accD, s * 4 * w);
    }
  }

  /** {@link #groups(float[], float[], int, int, float[])} in float64. */
  private static void groups(double[] x, double[] y, int at, int groups, double[] acc) {
    int w = DOUBLE_LANES;
    DoubleVector p0 = DoubleVector.zero(D), p1 = p0, p2 = p0, p3 = p0;
    DoubleVector a0 = p0, a1 = p0, a2 = p0, a3 = p0;
    DoubleVector b0 = p0, b1 = p0, b2 = p0, b3 = p0;
    for (int g = 0; g < groups; g++, at += 4 * w) {
      DoubleVector x0 = DoubleVector.fromArray(D, x, at);
      DoubleVector x1 = DoubleVector.fromArray(D, x, at + w);
      DoubleVector x2 = DoubleVector.fromArray(D, x, at + 2 * w);
      DoubleVector x3 = DoubleVector.fromArray(D, x, at + 3 * w);
      DoubleVector y0 = DoubleVector.fromArray(D, y, at);
      DoubleVector y1 = DoubleVector.fromArray(D, y, at + w);
      DoubleVector y2 = DoubleVector.fromArray(D, y, at + 2 * w);
      DoubleVector y3 = DoubleVector.fromArray(D, y, at + 3 * w);
      p0 = p0.add(x0.mul(y0));
      p1 = p1.add(x1.mul(y1));
      p2 = p2.add(x2.mul(y2));
      p3 = p3.add(x3.mul(y3));
      a0 = a0.add(x0.mul(x0));
      a1 = a1.add(x1.mul(x1));
      a2 = a2.add(x2.mul(x2));
      a3 = a3.add(x3.mul(x3));
      b0 = b0.add(y0.mul(y0));
      b1 = b1.add(y1.mul(y1));
      b2 = b2.add(y2.mul(y2));
      b3 = b3.add(y3.mul(y3));
    }
    p0.intoArray(acc, 0);
    p1.intoArray(acc, w);
    p2.intoArray(acc, 2 * w);
    p3.intoArray(acc, 3 * w);
    a0.intoArray(acc, 4 * w);
    a1.intoArray(acc, 5 * w);
    a2.intoArray(acc, 6 * w);
    a3.intoArray(acc, 7 * w);
    b0.intoArray(acc, 8 * w);
    b1.intoArray(acc, 9 * w);
    b2.intoArray(acc, 10 * w);
    b3.intoArray(acc, 11 * w);
  }

  private static void addInto(double[] acc, int to, int from, int w) {
    for (int i = 0; i < 12 * w; i++) {
      acc[to + i] += acc[from + i];
    }
  }

  @Override
  void grad(float[] x, float[] y, int off, int d, float gm, float h, float[] g) {
    int k = off;
    int end = off + FP.loopBound(d);
    for (; k < end; k += FP.length()) {
      FloatVector s = FloatVector.fromArray(FP, x, k).mul(gm);
      s.add(s).add(FloatVector.fromArray(FP, y, k).mul(h)).intoArray(g, k);
    }
    super.grad(x, y, k, off + d - k, gm, h, g);
  }

  @Override
  void grad(double[] x, double[] y, int off, int d, double gm, double h, double[] g) {
    int k = off;
    int end = off + DP.loopBound(d);
    for (; k < end; k += DP.length()) {
      DoubleVector s = DoubleVector.fromArray(DP, x, k).mul(gm);
      s.add(s).add(DoubleVector.fromArray(DP, y, k).mul(h)).intoArray(g, k);
    }
    super.grad(x, y, k, off + d - k, gm, h, g);
  }
}
