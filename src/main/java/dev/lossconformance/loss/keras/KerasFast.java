package dev.lossconformance.loss.keras;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * The Keras losses' fast paths: they stream y_pred in its own dtype (float32, or float64 cast to
 * float32 element by element as Keras' {@code Loss.__call__} does), fuse the forward and the gradient in
 * one sweep per row, split the rows over {@link Parallel}'s workers above its threshold (each row's
 * result is independent of the chunking, and the per-sample losses are reduced by
 * {@link KerasReduction#total} in row order after the sweep, so nothing depends on the thread count),
 * and allocate the gradient (or write the caller's array) plus O(rows) of per-sample scratch. Each
 * returns {@code null} when its inputs are outside its domain, and the caller then runs its exact path
 * on the whole call.
 */
final class KerasFast {
  private KerasFast() {}

  /**
   * The row kernels' implementation: the Vector API class {@code vectorClass} (a subclass of
   * {@code type} with a no-argument constructor, loaded by reflection) when {@code jdk.incubator.vector}
   * is in the boot layer and {@code lossconformance.scalar} is not set, else {@code scalar}'s.
   */
  /** Refuses a caller's gradient array of the wrong kind or length for {@code yPred}. */
  static void requireGradInto(String api, Tensor yPred, float[] into32, double[] into64) {
    if (into32 != null && (yPred.dtype() != DType.FLOAT32 || into32.length != yPred.numel())) {
      throw new LossArgumentException(ErrorKind.INVALID_VALUE, api + ": gradInto: a float[" + into32.length
          + "] cannot hold the gradient of a " + yPred.dtype().jsonName() + " y_pred of " + yPred.numel() + " elements");
    }
    if (into64 != null && (yPred.dtype() != DType.FLOAT64 || into64.length != yPred.numel())) {
      throw new LossArgumentException(ErrorKind.INVALID_VALUE, api + ": gradInto: a double[" + into64.length
          + "] cannot hold the gradient of a " + yPred.dtype().jsonName() + " y_pred of " + yPred.numel() + " elements");
    }
  }

  /** The exact path's result with its gradient copied into the caller's array, if one was given. */
  static LossAndGrad into(LossAndGrad r, float[] into32, double[] into64) {
    Tensor g = r.gradInput();
    if (into32 != null) {
      g.floats().get(into32);
      return new LossAndGrad(r.loss(), Tensor.wrapFloats(into32, g.shape()));
    }
    if (into64 != null) {
      g.doubles().get(into64);
      return new LossAndGrad(r.loss(), Tensor.wrapDoubles(into64, g.shape()));
    }
    return r;
  }

  /**
   * {@code SparseCategoricalCrossentropy(from_logits=True)} without {@code ignore_class}: Keras' shapes
   * (squeeze_or_expand_to_same_rank, nn.py's squeeze of a trailing 1 of y_true), then per row TF's
   * sparse kernel in float32 ({@link SoftmaxRows}: {@code m = max x}, {@code e = exp(x - m)} flushed,
   * {@code s} = Eigen's 8-lane sum, loss {@code log s - (x_y - m)}, gradient
   * {@code up (e / s - onehot)} flushed, {@code up} the reduction's float32 factor). Domain: y_pred
   * float32 or float64 with classes on the last axis, labels in {@code [0, C)}, every logit (as float32)
   * finite and 0 or of magnitude at least 2^-100 ({@link SoftmaxRows#TINY}); anything else returns
   * {@code null} (the exact path raises the errors and handles the rest).
   */
  static LossAndGrad sparseSoftmax(Tensor yTrue, Tensor yPred, Tensor sampleWeight, KerasReduction.Mode mode,
      float[] into32, double[] into64) {
    return sparse(yTrue, yPred, sampleWeight, mode, true, into32, into64, SoftmaxRows.best(), -1);
  }

  /**
   * {@code SparseCategoricalCrossentropy(from_logits=False)} without {@code ignore_class}: the rows of
   * {@link #sparseSoftmax} on {@code z = log(clip(p, 1e-7, 1 - 1e-7))} (nn.py; the float32 log of a
   * clipped value is a normal float in [-16.2, -1.2e-7], so the logits are always ordinary), the
   * gradient then times Log's {@code 1 / clip(p)} (flushed) where clip_by_value passes it, else 0. The
   * log and the exponentials are float64 ones rounded to float32 as the exact path's: the scalar
   * {@code Math} ones, or in the vector rows {@code VectorMath}'s log and exp in double lanes (within an
   * ulp of Math's in float64, so their float32 roundings differ only where the two straddle a float32
   * rounding point, about one element in 10^8: KerasFastPathTest measures 0 in its inputs).
   * Domain: that of {@link #sparseSoftmax} for the shapes and labels, and no NaN probability (a NaN row
   * is the exact path's).
   */
  static LossAndGrad sparseProbabilities(Tensor yTrue, Tensor yPred, Tensor sampleWeight, KerasReduction.Mode mode,
      float[] into32, double[] into64) {
    return sparse(yTrue, yPred, sampleWeight, mode, false, into32, into64, SoftmaxRows.best(), -1);
  }

  /**
   * {@link #sparseSoftmax} ({@code fromLogits}) or {@link #sparseProbabilities} on the rows
   * implementation {@code kernel} in {@code chunkCount} chunks ({@code -1}: {@link Parallel#chunks}'s),
   * for the tests of chunk independence.
   */
  static LossAndGrad sparse(Tensor yTrue, Tensor yPred, Tensor sampleWeight, KerasReduction.Mode mode,
      boolean fromLogits, float[] into32, double[] into64, SoftmaxRows kernel, int chunkCount) {
    DType dt = yPred.dtype();
    if (dt != DType.FLOAT32 && dt != DType.FLOAT64) {
      return null;
    }
    int[][] same = KerasReduction.squeezeOrExpandToSameRank(yTrue.shape(), yPred.shape());
    int[] labelShape = same[0];
    int[] pShape = same[1];
    if (labelShape.length == pShape.length && labelShape.length > 0 && labelShape[labelShape.length - 1] == 1) {
      labelShape = Arrays.copyOf(labelShape, labelShape.length - 1);
    }
    if (pShape.length == 0 || pShape[pShape.length - 1] == 0) {
      return null;
    }
    int c = pShape[pShape.length - 1];
    int[] outShape = Arrays.copyOf(pShape, pShape.length - 1);
    if (!Arrays.equals(labelShape, outShape)) {
      return null;
    }
    int rows = Tensor.numel(outShape);
    int[] labels = new int[rows];
    for (int i = 0; i < rows; i++) {
      long y = (long) KerasReduction.flush((float) yTrue.getDouble(i)); // Keras' float32, then tf.cast int64
      if (y < 0 || y >= c) {
        return null;
      }
      labels[i] = (int) y;
    }
    double[] w = KerasReduction.weights(rows, outShape, null, sampleWeight, mode);
    boolean f32 = dt == DType.FLOAT32;
    float[] x32 = f32 ? yPred.backingFloats() : null;
    double[] x64 = f32 ? null : yPred.backingDoubles();
    int n = rows * c;
    float[] g32 = f32 ? (into32 != null ? into32 : new float[n]) : null;
    double[] g64 = f32 ? null : (into64 != null ? into64 : new double[n]);
    double[] res = new double[rows];
    // the probabilities' exponentials are float64 ones rounded to float32 (expSumWide), as the exact path's:
    // through Log's 1/clip(p) an ulp of the float lanes' exp became 5 ulps of the gradient (KerasFastPathTest)
    boolean ok = SoftmaxRows.inChunks(rows, n, chunkCount, (from, to) -> {
      float[] e = new float[c];
      float[] row = f32 ? x32 : new float[c];
      float[] z = fromLogits ? null : new float[c];
      for (int i = from; i < to; i++) {
        int base = f32 ? i * c : 0;
        if (!f32) {
          kernel.narrow(x64, i * c, c, row); // Keras' cast to float32, read with DAZ
        }
        float[] logits = row;
        int at = base;
        if (!fromLogits) {
          kernel.logClip(row, base, c, z);
          logits = z;
          at = 0;
        }
        float m = kernel.max(logits, at, c);
        if (Float.isNaN(m)) {
          return false;
        }
        float s = fromLogits ? kernel.expSum(logits, at, c, m, e) : kernel.expSumWide(logits, at, c, m, e);
        int y = labels[i];
        res[i] = (float) Math.log(s) - (logits[at + y] - m);
        float up = SoftmaxRows.flush((float) KerasReduction.factor(w, i, rows, mode));
        if (f32) {
          kernel.gradRow(e, c, s, up, y, g32, i * c);
          if (!fromLogits) {
            kernel.clipGradRow(row, base, c, g32, i * c);
          }
        } else {
          kernel.gradRow(e, c, s, up, y, g64, i * c);
          if (!fromLogits) {
            SoftmaxRows.clipGrad(row, base, c, g64, i * c);
          }
        }
      }
      return true;
    });
    if (!ok) {
      return null;
    }
    Tensor loss = KerasReduction.total(res, outShape, w, mode);
    return new LossAndGrad(loss, f32 ? Tensor.wrapFloats(g32, yPred.shape()) : Tensor.wrapDoubles(g64, yPred.shape()));
  }
}
