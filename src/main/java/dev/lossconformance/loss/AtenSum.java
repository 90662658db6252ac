package dev.lossconformance.loss;

import java.util.Arrays;

/**
 * aten's CPU {@code sum} of one contiguous row ({@code SumKernel.cpp} {@code cascade_sum}), in the
 * row's dtype (float32 accumulates in float32 on CPU: {@code acc_type<float, true>}). A row of at
 * least one vector (8 float32 or 4 float64 lanes: the AVX2 kernels DJL's libtorch runs, even on an
 * AVX-512 machine; 16 lanes put the sweep's float32 sums of 8 terms off by an ulp) is {@code vectorized_inner_sum}: each lane sums its elements with
 * {@code row_sum}, the tail past the last whole vector is added to 0 in order, then the lanes in
 * order. A shorter row is {@code scalar_inner_sum}: {@code row_sum} of the elements. {@code row_sum}
 * keeps 4 interleaved partial sums ({@code multi_row_sum}, with its 4 levels of 16-element chunks),
 * adds the remainder to the first, then the other three to it. The output starts at 0 and the sum is
 * added to it ({@code CastStoreAccumulate}), so a -0 sum is +0.
 */
public final class AtenSum {
  /** A summer with its own buffers: not thread-safe, one per sum or per thread. */
  public AtenSum() {}

  private static final int LEVELS = 4;
  private static final int ILP = 4;
  private final double[][] acc = new double[LEVELS][ILP];
  private final double[] lanes = new double[8];

  /** The sum of {@code v[off..off+n)}, rounded as aten rounds it in float32 ({@code f32}) or float64. */
  public double row(double[] v, int off, int n, boolean f32) {
    int width = f32 ? 8 : 4;
    if (n < width) {
      return round(f32, 0 + rowSum(v, off, 1, n, f32));
    }
    int vectors = n / width;
    for (int l = 0; l < width; l++) {
      lanes[l] = rowSum(v, off + l, width, vectors, f32);
    }
    double total = 0;
    for (int k = vectors * width; k < n; k++) {
      total = round(f32, total + v[off + k]);
    }
    for (int l = 0; l < width; l++) {
      total = round(f32, total + lanes[l]);
    }
    return round(f32, 0 + total);
  }

  /** {@code row_sum} of {@code size} elements {@code v[off + i * stride]}. */
  private double rowSum(double[] v, int off, int stride, int size, boolean f32) {
    int sizeIlp = size / ILP;
    multiRowSum(v, off, stride * ILP, stride, sizeIlp, f32);
    double s = acc[0][0];
    for (int i = sizeIlp * ILP; i < size; i++) {
      s = round(f32, s + v[off + i * stride]);
    }
    for (int k = 1; k < ILP; k++) {
      s = round(f32, s + acc[0][k]);
    }
    return s;
  }

  /** {@code multi_row_sum} with 4 rows: leaves the 4 sums in {@code acc[0]}. */
  private void multiRowSum(double[] v, int off, int rowStride, int colStride, int size, boolean f32) {
    for (double[] level : acc) {
      Arrays.fill(level, 0);
    }
    int levelPower = Math.max(4, ceilLog2(size) / LEVELS);
    int levelStep = 1 << levelPower;
    int levelMask = levelStep - 1;
    int i = 0;
    while (i + levelStep <= size) {
      for (int j = 0; j < levelStep; j++, i++) {
        for (int k = 0; k < ILP; k++) {
          acc[0][k] = round(f32, acc[0][k] + v[off + i * rowStride + k * colStride]);
        }
      }
      for (int j = 1; j < LEVELS; j++) {
        for (int k = 0; k < ILP; k++) {
          acc[j][k] = round(f32, acc[j][k] + acc[j - 1][k]);
          acc[j - 1][k] = 0;
        }
        if ((i & (levelMask << (j * levelPower))) != 0) {
          break;
        }
      }
    }
    for (; i < size; i++) {
      for (int k = 0; k < ILP; k++) {
        acc[0][k] = round(f32, acc[0][k] + v[off + i * rowStride + k * colStride]);
      }
    }
    for (int j = 1; j < LEVELS; j++) {
      for (int k = 0; k < ILP; k++) {
        acc[0][k] = round(f32, acc[0][k] + acc[j][k]);
      }
    }
  }

  /** aten's {@code utils::CeilLog2}: 1 up to 2, else the bit length of {@code x - 1}. */
  private static int ceilLog2(int x) {
    return x <= 2 ? 1 : 32 - Integer.numberOfLeadingZeros(x - 1);
  }

  private static double round(boolean f32, double v) {
    return f32 ? (float) v : v;
  }
}
