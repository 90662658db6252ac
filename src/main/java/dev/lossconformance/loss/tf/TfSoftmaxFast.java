package dev.lossconformance.loss.tf;

import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.loss.keras.SoftmaxRows;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;

/**
 * The fast rows of {@link TfNn}'s softmax cross-entropy kernels on float32 logits with the classes on
 * the last axis: the fused engine of Keras' float32 rows ({@link SoftmaxRows}, the Vector API's when
 * present), with {@link TfNn}'s rounding points and sum orders. Per row: {@code m = max x} (the row's
 * logits finite and 0 or of magnitude at least 2^-100, {@link SoftmaxRows#max}, so {@code x - m} is
 * never a subnormal), {@code e = exp(x - m)} flushed; the dense kernel ({@code xent_op.h}) sums
 * {@code e} and the loss terms {@code y (log s - (x - m))} (each flushed) from the left
 * ({@code TfNn.leftSum}), its backprop {@code e / s - y}; the sparse kernel ({@code sparse_xent_op.h})
 * sums {@code e} in Eigen's four-packet order ({@code TfNn.laneSum}), its loss {@code log s - (x_y - m)},
 * backprop {@code e / s - onehot}; each op rounded to float32 and a subnormal result flushed, as the
 * exact path. The scalar rows give the exact path's bits; the vector rows differ only by the
 * exponential ({@code loss/VectorMath.exp}, within an ulp of {@code (float) Math.exp}): measured in
 * {@code TfSoftmaxFastPathTest} on 4M random logits, at most 4 ulps of an element or of its larger term
 * (an ulp of {@code e / s} near 1 is many ulps of {@code e / s - 1}).
 *
 * <p>Domain: float32 logits of rank >= 1 with the classes last and at least one class, every row
 * ordinary as above; labels of the dense kernel of any float dtype and value (a NaN or infinite label
 * runs through the same float32 ops). Anything else (a row with a NaN, an infinity or a tiny nonzero
 * logit) returns {@code null}, and the caller runs the exact path on the whole call. Allocates the
 * outputs and O(classes) of scratch per chunk; the rows are split over {@link Parallel}'s chunks, each
 * row's result independent of them.
 */
final class TfSoftmaxFast {
  private TfSoftmaxFast() {}

  /** {@code SoftmaxCrossEntropyWithLogits} of {@code rows} rows of {@code c} classes, or {@code null}. */
  static LossAndGrad dense(Tensor labels, Tensor logits, int rows, int c, int[] outShape) {
    return run(labels, null, logits, rows, c, outShape, SoftmaxRows.best(), -1);
  }

  /** {@code SparseSoftmaxCrossEntropyWithLogits} (labels checked in {@code [0, c)}), or {@code null}. */
  static LossAndGrad sparse(long[] labels, Tensor logits, int rows, int c, int[] outShape) {
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
    int chunks = chunkCount > 0 ? Math.min(chunkCount, Math.max(rows, 1)) : Parallel.chunks(n, rows);
    boolean[] ok = new boolean[chunks];
    Runnable[] work = new Runnable[chunks];
    for (int k = 0; k < chunks; k++) {
      int chunk = k;
      int from = Parallel.from(rows, chunks, k);
      int to = Parallel.from(rows, chunks, k + 1);
      work[k] = () -> {
        float[] e = new float[c];
        float[] y = sparse == null ? new float[c] : null;
        float[] t = sparse == null ? new float[c] : null;
        for (int i = from; i < to; i++) {
          int base = i * c;
          float m = kernel.max(x, base, c);
          if (Float.isNaN(m)) {
            return;
          }
          kernel.exps(x, base, c, m, e);
          if (sparse == null) {
            float s = SoftmaxRows.leftSum(e, c);
            for (int j = 0; j < c; j++) { // nn_ops.py's Cast of the labels to float32, read with DAZ
              y[j] = SoftmaxRows.flush(y32 != null ? y32[base + j] : (float) y64[base + j]);
            }
            loss[i] = kernel.softRow(x, base, c, m, (float) Math.log(s), s, y, e, t, true);
            System.arraycopy(e, 0, g, base, c);
          } else {
            float s = kernel.sum4(e, c);
            int label = (int) sparse[i];
            loss[i] = SoftmaxRows.flush((float) Math.log(s) - (x[base + label] - m));
            kernel.gradRow(e, c, s, 1f, label, g, base);
          }
        }
        ok[chunk] = true;
      };
    }
    Parallel.run(work);
    for (boolean b : ok) {
      if (!b) {
        return null;
      }
    }
    return new LossAndGrad(Tensor.wrapFloats(loss, outShape), Tensor.wrapFloats(g, logits.shape()));
  }
}
