package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.VectorApi;

/**
 * The row loops of {@link CosineEmbeddingLoss}'s fast path, on the inputs' own arrays: a row's three
 * dot products {@code sum(x y)}, {@code sum(x x)}, {@code sum(y y)} in aten's {@code cascade_sum} order
 * (the order {@link dev.lossconformance.loss.AtenSum} documents and reproduces on rounded doubles; here
 * the products and sums are the dtype's own arithmetic, which rounds each op as AtenSum's
 * {@code round} does: one IEEE float op equals the double op rounded to float), and a row's gradient
 * {@code (g x + g x) + h y}. {@link #best()} is {@link VectorCosineRows} when {@code jdk.incubator.vector}
 * is in the boot layer, else this scalar implementation; both give the same bits (tested).
 *
 * <p>Not thread-safe: one instance per chunk of rows (it keeps 16 partial sums as scratch).
 */
class CosineRows {
  /** AVX2's lanes, which DJL's libtorch runs (see AtenSum): 8 float32, 4 float64. */
  static final int FLOAT_LANES = 8;
  static final int DOUBLE_LANES = 4;
  private static final int LEVELS = 4;
  private static final int ILP = 4;

  private final float[][] accF = new float[LEVELS][ILP];
  private final double[][] accD = new double[LEVELS][ILP];
  private final float[] lanesF = new float[FLOAT_LANES];
  private final double[] lanesD = new double[DOUBLE_LANES];

  /** A new instance of the vectorised implementation if the incubator module is present, else a scalar one. */
  static CosineRows best() {
    return VectorApi.best(CosineRows.class, "dev.lossconformance.loss.torch.VectorCosineRows", CosineRows::new);
  }

  /** A scalar instance, whatever the module. */
  static CosineRows scalar() {
    return new CosineRows();
  }

  /** {@code out[0..3) = } the sums of {@code x y}, {@code x x}, {@code y y} over {@code [off, off + d)}. */
  void dots(float[] x, float[] y, int off, int d, float[] out) {
    out[0] = sum(x, y, off, d);
    out[1] = sum(x, x, off, d);
    out[2] = sum(y, y, off, d);
  }

  /** {@link #dots(float[], float[], int, int, float[])} in float64 (4 lanes). */
  void dots(double[] x, double[] y, int off, int d, double[] out) {
    out[0] = sum(x, y, off, d);
    out[1] = sum(x, x, off, d);
    out[2] = sum(y, y, off, d);
  }

  /**
   * {@code g[off + k] = (s + s) + h y[off + k]} with {@code s = gm x[off + k]}: autograd's gradient of
   * {@code x * x} (its two contributions {@code grad * other}, accumulated first) plus that of
   * {@code x * y}, each rounded in the dtype.
   */
  void grad(float[] x, float[] y, int off, int d, float gm, float h, float[] g) {
    for (int k = off; k < off + d; k++) {
      float s = gm * x[k];
      g[k] = (s + s) + h * y[k];
    }
  }

  /** {@link #grad(float[], float[], int, int, float, float, float[])} in float64. */
  void grad(double[] x, double[] y, int off, int d, double gm, double h, double[] g) {
    for (int k = off; k < off + d; k++) {
      double s = gm * x[k];
      g[k] = (s + s) + h * y[k];
    }
  }

  /** aten's float32 {@code (x * y).sum()} of one row: {@code vectorized_inner_sum}, or {@code scalar_inner_sum} below 8. */
  final float sum(float[] x, float[] y, int off, int n) {
    int w = FLOAT_LANES;
    if (n < w) {
      return 0f + rowSum(x, y, off, 1, n);
    }
    int vectors = n / w;
    for (int l = 0; l < w; l++) {
      lanesF[l] = rowSum(x, y, off + l, w, vectors);
    }
    return tail(x, y, off, n, vectors * w, lanesF, 0);
  }

  /**
   * The products past the whole vectors added to 0 in order, then the 8 lanes {@code lanes[l0..)} in order,
   * then the total to the 0 output ({@code CastStoreAccumulate}: a -0 sum is +0).
   */
  static float tail(float[] x, float[] y, int off, int n, int from, float[] lanes, int l0) {
    float total = 0;
    for (int k = from; k < n; k++) {
      total += x[off + k] * y[off + k];
    }
    for (int l = l0; l < l0 + FLOAT_LANES; l++) {
      total += lanes[l];
    }
    return 0f + total;
  }

  /** {@code row_sum} of {@code size} products at {@code off + i * stride}. */
  private float rowSum(float[] x, float[] y, int off, int stride, int size) {
    int sizeIlp = size / ILP;
    for (float[] level : accF) {
      java.util.Arrays.fill(level, 0);
    }
    int rowStride = stride * ILP;
    int levelPower = levelPower(sizeIlp);
    int levelStep = 1 << levelPower;
    int levelMask = levelStep - 1;
    int i = 0;
    while (i + levelStep <= sizeIlp) {
      for (int j = 0; j < levelStep; j++, i++) {
        for (int k = 0; k < ILP; k++) {
          int p = off + i * rowStride + k * stride;
          accF[0][k] += x[p] * y[p];
        }
      }
      for (int j = 1; j < LEVELS; j++) {
        for (int k = 0; k < ILP; k++) {
          accF[j][k] += accF[j - 1][k];
          accF[j - 1][k] = 0;
        }
        if ((i & (levelMask << (j * levelPower))) != 0) {
          break;
        }
      }
    }
    for (; i < sizeIlp; i++) {
      for (int k = 0; k < ILP; k++) {
        int p = off + i * rowStride + k * stride;
        accF[0][k] += x[p] * y[p];
      }
    }
    for (int j = 1; j < LEVELS; j++) {
      for (int k = 0; k < ILP; k++) {
        accF[0][k] += accF[j][k];
      }
    }
    float s = accF[0][0];
    for (int r = sizeIlp * ILP; r < size; r++) {
      int p = off + r * stride;
      s += x[p] * y[p];
    }
    for (int k = 1; k < ILP; k++) {
      s += accF[0][k];
    }
    return s;
  }

  /** {@link #sum(float[], float[], int, int)} in float64 (4 lanes). */
  final double sum(double[] x, double[] y, int off, int n) {
    int w = DOUBLE_LANES;
    if (n < w) {
      return 0d + rowSum(x, y, off, 1, n);
    }
    int vectors = n / w;
    for (int l = 0; l < w; l++) {
      lanesD[l] = rowSum(x, y, off + l, w, vectors);
    }
    return tail(x, y, off, n, vectors * w, lanesD, 0);
  }

  /** {@link #tail(float[], float[], int, int, int, float[], int)} in float64. */
  static double tail(double[] x, double[] y, int off, int n, int from, double[] lanes, int l0) {
    double total = 0;
    for (int k = from; k < n; k++) {
      total += x[off + k] * y[off + k];
    }
    for (int l = l0; l < l0 + DOUBLE_LANES; l++) {
      total += lanes[l];
    }
    return 0d + total;
  }

  private double rowSum(double[] x, double[] y, int off, int stride, int size) {
    int sizeIlp = size / ILP;
    for (double[] level : accD) {
      java.util.Arrays.fill(level, 0);
    }
    int rowStride = stride * ILP;
    int levelPower = levelPower(sizeIlp);
    int levelStep = 1 << levelPower;
    int levelMask = levelStep - 1;
    int i = 0;
    while (i + levelStep <= sizeIlp) {
      for (int j = 0; j < levelStep; j++, i++) {
        for (int k = 0; k < ILP; k++) {
          int p = off + i * rowStride + k * stride;
          accD[0][k] += x[p] * y[p];
        }
      }
      for (int j = 1; j < LEVELS; j++) {
        for (int k = 0; k < ILP; k++) {
          accD[j][k] += accD[j - 1][k];
          accD[j - 1][k] = 0;
        }
        if ((i & (levelMask << (j * levelPower))) != 0) {
          break;
        }
      }
    }
    for (; i < sizeIlp; i++) {
      for (int k = 0; k < ILP; k++) {
        int p = off + i * rowStride + k * stride;
        accD[0][k] += x[p] * y[p];
      }
    }
    for (int j = 1; j < LEVELS; j++) {
      for (int k = 0; k < ILP; k++) {
        accD[0][k] += accD[j][k];
      }
    }
    double s = accD[0][0];
    for (int r = sizeIlp * ILP; r < size; r++) {
      int p = off + r * stride;
      s += x[p] * y[p];
    }
    for (int k = 1; k < ILP; k++) {
      s += accD[0][k];
    }
    return s;
  }

  /** {@code multi_row_sum}'s level power: {@code max(4, CeilLog2(size) / 4)}. */
  static int levelPower(int size) {
    int ceilLog2 = size <= 2 ? 1 : 32 - Integer.numberOfLeadingZeros(size - 1);
    return Math.max(4, ceilLog2 / LEVELS);
  }
}
