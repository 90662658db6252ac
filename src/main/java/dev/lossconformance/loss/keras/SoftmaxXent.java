package dev.lossconformance.loss.keras;

import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;

/**
 * The fast rows of {@code loss/tf/TfNn}'s softmax cross-entropy kernels on float32 logits with the classes on
 * the last axis: the fused engine of Keras' float32 rows ({@link SoftmaxRows}, the Vector API's when
 * present), with {@code TfNn}'s rounding points and sum orders. Per row: {@code m = max x} (the row's
 * logits finite and 0 or of magnitude at least 2^-100, {@link SoftmaxRows#max}, so {@code x - m} is
 * never a subnormal), {@code e = exp(x - m)} flushed; the dense kernel ({@code xent_op.h}) sums
 * {@code e} and the loss terms {@code y (log s - (x - m))} (each flushed) from the left
 * ({@code TfNn.leftSum}), its backprop {@code e / s - y}; the sparse kernel ({@code sparse_xent_op.h})
 * sums {@code e} in Eigen's four-packet order ({@code TfNn.laneSum}), its loss {@code log s - (x_y - m)},
 * backprop {@code e / s - onehot}; each op rounded to float32 and a subnormal result flushed, as the
 * exact path. The scalar rows give the exact path's bits; the vector rows differ only by the
 * exponential: the sparse kernel's {@code loss/VectorMath.exp} in float lanes (within an ulp of
 * {@code (float) Math.exp}; measured in {@code loss/tf/TfSoftmaxFastPathTest} on 4M random logits, at most 3
 * ulps of an element or of its larger term, an ulp of {@code e / s} near 1 being many ulps of
 * {@code e / s - 1}); the dense kernel's in double lanes rounded to float32
 * ({@link SoftmaxRows#expsWide}), as its gradient {@code e / s - y} cancels against a soft label near
 * {@code e / s} (a float lane's ulp was 64 ulps there, the sweep's case 2169 of seed 2), which
 * round as the scalar's but where the two float64 values straddle a float32 rounding point (measured:
 * 0 of 4M differ).
 *
 * <p>Domain: float32 logits of rank >= 1 with the classes last and at least one class, every row
 * ordinary as above; labels of the dense kernel of any float dtype and value (a NaN or infinite label
 * runs through the same float32 ops). Anything else (a row with a NaN, an infinity or a tiny nonzero
 * logit) returns {@code null}, and the caller runs the exact path on the whole call. Allocates the
 * outputs and O(classes) of scratch per chunk; the rows are split over {@link Parallel}'s chunks, each
 * row's result independent of them.
 */
public final class SoftmaxXent {
  private static final String API = "SoftmaxXent";
  private SoftmaxXent() {}

  /** Which rows implementation runs ({@code "scalar"} or the vector species), for tests and reports. */
  public static String implementation() {
    return SoftmaxRows.best().name();
  }

  /**
   * {@code SoftmaxCrossEntropyWithLogits} of {@code rows} rows of {@code c} classes (labels of the logits'
   * shape), the loss of shape {@code outShape}, or {@code null} outside the domain.
   */
  public static LossAndGrad dense(Tensor labels, Tensor logits, int rows, int c, int[] outShape) {
    Shapes.nonNull(API, "labels", labels);
    Shapes.nonNull(API, "logits", logits);
    Shapes.nonNull(API, "outShape", outShape);
    return run(labels, null, logits, rows, c, outShape, SoftmaxRows.best(), -1);
  }

  /** {@code SparseSoftmaxCrossEntropyWithLogits} (labels already checked in {@code [0, c)}), or {@code null}. */
  public static LossAndGrad sparse(long[] labels, Tensor logits, int rows, int c, int[] outShape) {
    Shapes.nonNull(API, "labels", labels);
    Shapes.nonNull(API, "logits", logits);
    Shapes.nonNull(API, "outShape", outShape);
    return run(null, labels, logits, rows, c, outShape, SoftmaxRows.best(), -1);
  }

  /**
   * The dense ({@code sparse == null}) or sparse kernel on the rows implementation {@code kernel} in
   * {@code chunkCount} chunks ({@code -1}: {@link Parallel#chunks}'s), for the tests.
   */
  static LossAndGrad run(Tensor labels, long[] sparse, Tensor logits, int rows, int c, int[] outShape,
      SoftmaxRows kernel, int chunkCount) {
    if (logits.dtype() != DType.FLOAT32 || c == 0) {
      return null;
    }
    float[] x = logits.backingFloats();
    float[] y32 = labels != null && labels.dtype() == DType.FLOAT32 ? labels.backingFloats() : null;
    double[] y64 = labels != null && labels.dtype() == DType.FLOAT64 ? labels.backingDoubles() : null;
    if (labels != null && y32 == null && y64 == null) {
      return null;
    }
    int n = rows * c;
    float[] loss = new float[rows];
    float[] g = new float[n];
    boolean ok = SoftmaxRows.inChunks(rows, n, chunkCount, (from, to) -> sparse == null
        ? denseRows(kernel, x, y32, y64, c, from, to, loss, g) : sparseRows(kernel, x, sparse, c, from, to, loss, g));
    if (!ok) {
      return null;
    }
    return new LossAndGrad(Tensor.wrapFloats(loss, outShape), Tensor.wrapFloats(g, logits.shape()));
  }

  /**
   * Rows that the dense kernel's serial sums interleave, four chains of additions at once (a row with a
   * negative or NaN label sums its terms again with every addition flushed).
   */
  private static final int GROUP = 4;

  /** The dense kernel's rows {@code [from, to)}; false at the first row that is not ordinary. */
  private static boolean denseRows(SoftmaxRows kernel, float[] x, float[] y32, double[] y64, int c, int from, int to,
      float[] loss, float[] g) {
    float[][] e = new float[GROUP][c];
    float[][] t = new float[GROUP][c];
    float[] y = new float[c];
    float[] m = new float[GROUP];
    float[] s = new float[GROUP];
    boolean[] negative = new boolean[GROUP];
    for (int i = from; i < to; i += GROUP) {
      int rows = Math.min(GROUP, to - i);
      for (int r = 0; r < rows; r++) {
        m[r] = kernel.max(x, (i + r) * c, c);
        if (Float.isNaN(m[r])) {
          return false;
        }
        kernel.expsWide(x, (i + r) * c, c, m[r], e[r]);
      }
      SoftmaxRows.leftSums(e, rows, c, s);
      for (int r = 0; r < rows; r++) {
        int base = (i + r) * c;
        // nn_ops.py's Cast of the labels to float32, read with DAZ
        negative[r] = !(y32 != null ? kernel.labels(y32, base, c, y) : kernel.labels(y64, base, c, y));
        kernel.softRow(x, base, c, m[r], (float) Math.log(s[r]), s[r], y, e[r], t[r], true);
        System.arraycopy(e[r], 0, g, base, c);
      }
      // the terms y (log s - d) of labels >= 0 are >= 0 (d <= 0 <= log s), flushed: normal or zero
      SoftmaxRows.leftSums(t, rows, c, s);
      for (int r = 0; r < rows; r++) {
        loss[i + r] = negative[r] ? SoftmaxRows.leftSum(t[r], c) : s[r];
      }
    }
    return true;
  }

  /** The sparse kernel's rows {@code [from, to)}; false at the first row that is not ordinary. */
  private static boolean sparseRows(SoftmaxRows kernel, float[] x, long[] labels, int c, int from, int to,
      float[] loss, float[] g) {
    float[] e = new float[c];
    for (int i = from; i < to; i++) {
      int base = i * c;
      float m = kernel.max(x, base, c);
      if (Float.isNaN(m)) {
        return false;
      }
      kernel.exps(x, base, c, m, e);
      float s = kernel.sum4(e, c);
      int label = (int) labels[i];
      loss[i] = SoftmaxRows.flush((float) Math.log(s) - (x[base + label] - m));
      kernel.gradRow(e, c, s, 1f, label, g, base);
    }
    return true;
  }
}
