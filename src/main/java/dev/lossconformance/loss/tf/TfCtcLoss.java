package dev.lossconformance.loss.tf;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code tf.nn.ctc_loss} of TensorFlow 2.16 on its SparseTensor-label CPU path (ctc_ops.py {@code
 * ctc_loss_v3} → {@code _ctc_loss_op_standard} → the {@code CTCLoss} kernel, ctc_loss_op.cc and
 * ctc_loss_calculator.h), with the labels given dense: {@code labels [B, S]} and {@code label_length
 * [B]}, the SparseTensor {@code ctc_ops.dense_labels_to_sparse} makes of them.
 *
 * <p>Python moves the blank column last ({@code blank_index} counts from the end when negative; the
 * slices clamp as Python's do, so {@code blank_index = C} leaves the columns as they are) and shifts
 * labels above it down by one; the kernel then takes class {@code C-1} as the blank, applies a
 * softmax to each frame's logits and runs Graves' forward-backward in log space: {@code
 * alpha(u, t) = log y(l'_u, t) + lse(alpha(u, t-1), alpha(u-1, t-1), alpha(u-2, t-1) if l'_u !=
 * blank and l'_u != l'_(u-2))}, {@code beta} over the frames after {@code t} ({@code beta(U-1, T-1)
 * = beta(U-2, T-1) = 0}), {@code loss = -lse_u(alpha(u, 0) + beta(u, 0))}. The gradient with
 * respect to the logits is {@code y - exp(lse_{u: l'_u = l}(alpha + beta) - log p)}, 0 from
 * {@code logit_length} on, and {@code y} itself when no alignment exists (loss {@code +inf}, the
 * kernel's "No valid path found"). Nothing is reduced (T-12).
 *
 * <p>Where TF raises, this throws {@link dev.lossconformance.loss.LossArgumentException} with TF's
 * message and the {@link dev.lossconformance.loss.ErrorKind} of it: logits not of
 * rank 3 (the slices), {@code logit_length > T}, an empty label sequence ("Labels length is zero in
 * batch b"), a label sequence longer than its input ("Not enough time for target transition
 * sequence", T-17; the kernel counts labels, not the blanks between repeated ones, so {@code [1, 1]}
 * in 2 frames passes the check and has no alignment). A label equal to TF's blank ends the sequence,
 * and a label after it raises, as in the kernel.
 *
 * <p>int64 values: labels are compared at their full value (a negative one raises, one at or above
 * TF's blank ends the sequence), {@code label_length} is clamped to {@code [0, S]} and {@code
 * logit_length} is checked against {@code T} as a long. This is what the goldens' generator feeds
 * TF. TF's Python itself casts labels and, in {@code sequence_mask}, the label lengths to int32 (a
 * {@code label_length} of 2^32 becomes 0 there); those wrapped values are not reproduced.
 *
 * <p>Numerics: double accumulation, with the softmax matrix {@code y} rounded to the dtype where the
 * kernel materialises it. The kernel calls float functions whatever the dtype, and so does this
 * kernel at the same places: {@code LogSumExp} is {@code hi + log1pf(expf(lo - hi))}
 * (ctc_loss_util.h) and the occupancy is {@code expf(prob_sum - log p)}, so TF's float64 CTC is
 * float32-accurate in those terms (its float64 goldens are compared in float32 ulps). TF's float32
 * kernel also rounds every log-space step to float32, which this does not: on long sequences, where
 * {@code |log alpha|} reaches ~100 (float32 ulp 7.6e-6), that rounding is the difference. Per sample
 * the forward and backward variables take {@code T_b * U} doubles each (the kernel's own matrices);
 * no allocation inside the loops.
 */
public final class TfCtcLoss {
  public static final String API = "tf.nn.ctc_loss";
  private static final double NEG_INF = Double.NEGATIVE_INFINITY;

  private TfCtcLoss() {}

  /**
   * The per-sample loss {@code [B]} and the gradient of its sum with respect to {@code logits}
   * ({@code [T, B, C]}, or {@code [B, T, C]} when not time-major).
   */
  public static LossAndGrad ctcLoss(Tensor labels, Tensor logits, Tensor labelLength, Tensor logitLength,
      long blankIndex, boolean logitsTimeMajor) {
    Shapes.nonNull(API, "labels", labels);
    Shapes.nonNull(API, "logits", logits);
    Shapes.nonNull(API, "labelLength", labelLength);
    Shapes.nonNull(API, "logitLength", logitLength);
    Shapes.requireFloating("logits", logits);
    Shapes.requireIntegral("labels", labels);
    Shapes.requireIntegral("label_length", labelLength);
    Shapes.requireIntegral("logit_length", logitLength);
    if (logits.rank() != 3) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": Index out of range using input dim 2; input has only "
          + logits.rank() + " dims (logits[:, :, :blank_index] needs [T, B, C] logits, got shape "
          + Arrays.toString(logits.shape()) + ")");
    }
    int classes = logits.size(2);
    long blank = blankIndex < 0 ? blankIndex + classes : blankIndex;
    // the columns of concat([logits[..., :b], logits[..., b+1:], logits[..., b:b+1]]) in original indices
    int[] cols = movedColumns(classes, blank);
    int c = cols.length;
    boolean tm = logitsTimeMajor;
    int t = tm ? logits.size(0) : logits.size(1);
    int n = tm ? logits.size(1) : logits.size(0);
    if (labels.rank() != 2 || labels.size(0) != n || labelLength.numel() != n) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": labels: expected [" + n + ", S] dense labels with a [" + n
          + "] label_length, got shapes " + Arrays.toString(labels.shape()) + " and " + Arrays.toString(labelLength.shape()));
    }
    if (t == 0) {
      // CTCLossOp checks the time dimension first (ctc_loss_op.cc; found by the differential sweep)
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": Max time or first dimension of input cannot be 0.");
    }
    if (n == 0) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, API + ": batch_size must not be 0");
    }
    if (logitLength.numel() != n) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": len(sequence_length) != batch_size.  len(sequence_length):  "
          + logitLength.numel() + " batch_size: " + n);
    }
    int[] seqLen = new int[n];
    for (int b = 0; b < n; b++) {
      long v = logitLength.getLong(b);
      if (v > t) {
        throw new LossArgumentException(ErrorKind.INVALID_VALUE, API + ": sequence_length(" + b + ") <= " + t);
      }
      if (v < 0) {
        throw new LossArgumentException(ErrorKind.INVALID_VALUE, API + ": seq_len(" + b + ") < 0");
      }
      seqLen[b] = (int) v;
    }
    int[][] seqs = labelSequences(labels, labelLength, blank, c, seqLen);

    DType dt = logits.dtype();
    double[] x = logits.toDoubleArray();
    double[] loss = new double[n];
    double[] grad = new double[x.length];
    int maxU = 1;
    for (int[] l : seqs) {
      maxU = Math.max(maxU, 2 * l.length + 1);
    }
    Work w = new Work(dt == DType.FLOAT32, t, maxU, c);
    for (int b = 0; b < n; b++) {
      loss[b] = w.sample(x, tm, t, n, classes, cols, b, seqLen[b], seqs[b], grad);
    }
    return new LossAndGrad(Tensor.ofFloating(dt, loss, n), Tensor.ofFloating(dt, grad, logits.shape()));
  }

  /** Original column of each column after the blank moves last (Python slices, clamped). */
  static int[] movedColumns(int classes, long blank) {
    long b0 = clampStart(blank, classes);
    long b1 = clampStart(blank + 1, classes);
    int[] before = range(0, b0);
    int[] after = range(b1, classes);
    int[] blankCol = range(b0, b1);
    int[] out = new int[before.length + after.length + blankCol.length];
    System.arraycopy(before, 0, out, 0, before.length);
    System.arraycopy(after, 0, out, before.length, after.length);
    System.arraycopy(blankCol, 0, out, before.length + after.length, blankCol.length);
    return out;
  }

  private static long clampStart(long i, int size) {
    long v = i < 0 ? i + size : i;
    return Math.min(Math.max(v, 0), size);
  }

  private static int[] range(long from, long to) {
    int[] r = new int[(int) Math.max(to - from, 0)];
    for (int i = 0; i < r.length; i++) {
      r[i] = (int) (from + i);
    }
    return r;
  }

  /**
   * The kernel's label sequences (ctc_loss_calculator.h {@code PopulateLPrimes}) from the dense
   * labels, after Python's shift of labels {@code >= blank}: a label {@code >= C-1} ends the sequence,
   * checked per batch item in order.
   */
  private static int[][] labelSequences(Tensor labels, Tensor labelLength, long blank, int c, int[] seqLen) {
    int n = labels.size(0);
    int s = labels.size(1);
    int[][] out = new int[n][];
    for (int b = 0; b < n; b++) {
      int len = (int) Math.min(Math.max(labelLength.getLong(b), 0), s);
      if (len == 0) {
        throw new LossArgumentException(ErrorKind.INVALID_VALUE, API + ": Labels length is zero in batch " + b);
      }
      long[] l = new long[len]; // int64 labels as they are: a negative one is never wrapped into range
      int kept = 0;
      boolean finished = false;
      for (int i = 0; i < len; i++) {
        long v = labels.getLong(b * s + i);
        long shifted = v < blank ? v : v - 1;
        if (shifted >= c - 1) {
          finished = true;
        } else if (finished) {
          throw new LossArgumentException(ErrorKind.INVALID_VALUE,
              API + ": Saw a non-null label (index >= num_classes - 1) following a null"
              + " label, batch: " + b + " num_classes: " + c);
        } else {
          l[kept++] = shifted;
        }
      }
      for (int i = 0; i < kept; i++) {
        if (l[i] < 0) {
          throw new LossArgumentException(ErrorKind.INDEX_OUT_OF_RANGE,
              API + ": All labels must be nonnegative integers, batch: " + b);
        }
      }
      if (len > seqLen[b]) {
        throw new LossArgumentException(ErrorKind.INVALID_VALUE,
            API + ": Not enough time for target transition sequence (required: " + len
            + ", available: " + seqLen[b] + ")" + b);
      }
      int[] seq = new int[kept];
      for (int i = 0; i < kept; i++) {
        seq[i] = (int) l[i]; // in [0, c - 1) here
      }
      out[b] = seq;
    }
    return out;
  }

  /** Buffers for one call, reused by every sample. */
  private static final class Work {
    private final boolean f32;
    private final double[] logY;
    private final double[] y;
    private final double[] alpha;
    private final double[] beta;
    private final double[] probSum;
    private final int[] lp;

    Work(boolean f32, int t, int maxU, int c) {
      this.f32 = f32;
      logY = new double[Math.max(t, 1) * c];
      y = new double[Math.max(t, 1) * c];
      alpha = new double[Math.max(t, 1) * maxU];
      beta = new double[Math.max(t, 1) * maxU];
      probSum = new double[c];
      lp = new int[maxU];
    }

    /** A value of the softmax matrix {@code y}, which the kernel materialises in the logits' dtype. */
    /** A subnormal of the dtype flushed to (signed) zero, as TF's CPU kernels do. */
    private double ftz(double v) {
      double min = f32 ? Float.MIN_NORMAL : Double.MIN_NORMAL;
      return Math.abs(v) < min ? 0.0 * Math.signum(v) : v;
    }

    private double ry(double v) {
      return f32 ? (float) v : v;
    }

    /**
     * ctc_loss_util.h {@code LogSumExp}: {@code hi + log1pf(expf(lo - hi))}, the float functions
     * whatever the dtype, so the increment is a float32 value.
     */
    private double lse(double a, double b) {
      if (a == NEG_INF) {
        return b;
      }
      if (b == NEG_INF) {
        return a;
      }
      double hi = a > b ? a : b;
      double lo = a > b ? b : a;
      float e = (float) Math.exp((float) (lo - hi));
      return ry(hi + (float) Math.log1p(e));
    }

    /** Sample {@code b}: its loss; its gradient rows (original column order) go into {@code grad}. */
    double sample(double[] x, boolean tm, int t, int n, int classes, int[] cols, int b, int tb, int[] labels,
        double[] grad) {
      int c = cols.length;
      int u = 2 * labels.length + 1;
      int blank = c - 1;
      for (int s = 0; s < u; s++) {
        lp[s] = s % 2 == 0 ? blank : labels[s / 2];
      }
      if (tb == 0) {
        return 0;
      }
      // softmax of each frame as the kernel takes it: exp(x - max), then / sum
      for (int f = 0; f < tb; f++) {
        int row = tm ? (f * n + b) * classes : (b * t + f) * classes;
        double m = NEG_INF;
        for (int k = 0; k < c; k++) {
          m = Math.max(m, ftz(x[row + cols[k]]));
        }
        double sum = 0;
        for (int k = 0; k < c; k++) {
          // TF's CPU kernels run with denormals flushed to zero (FTZ/DAZ): exp(-90) in float32 is 0 there,
          // so a class that far below the frame's maximum has y = 0 and log y = -inf (found by the sweep)
          double e = ftz(ry(Math.exp(ry(ftz(x[row + cols[k]]) - m))));
          y[f * c + k] = e;
          sum = ry(sum + e);
        }
        for (int k = 0; k < c; k++) {
          double v = ftz(ry(y[f * c + k] / sum));
          y[f * c + k] = v;
          logY[f * c + k] = ry(Math.log(v));
        }
      }
      // forward variables (GravesTh 7.5, 7.6, 7.9); states that cannot reach the end stay log 0
      Arrays.fill(alpha, 0, tb * u, NEG_INF);
      alpha[0] = logY[blank];
      if (u > 1) { // a sequence of nothing but TF blanks has one state (the kernel would write past it)
        alpha[1] = logY[lp[1]];
      }
      for (int f = 1; f < tb; f++) {
        int lo = Math.max(0, u - 2 * (tb - f));
        int hi = Math.min(u, 2 * (f + 1));
        int prev = (f - 1) * u;
        for (int s = lo; s < hi; s++) {
          double sum = alpha[prev + s];
          if (s > 0) {
            sum = lse(sum, alpha[prev + s - 1]);
          }
          if (s > 1 && lp[s] != blank && lp[s] != lp[s - 2]) {
            sum = lse(sum, alpha[prev + s - 2]);
          }
          alpha[f * u + s] = ry(logY[f * c + lp[s]] + sum);
        }
      }
      // backward variables (GravesTh 7.13, 7.15): beta(t) covers the frames after t
      Arrays.fill(beta, 0, tb * u, NEG_INF);
      for (int s = Math.max(u - 2, 0); s < u; s++) {
        beta[(tb - 1) * u + s] = 0;
      }
      for (int f = tb - 2; f >= 0; f--) {
        int lo = Math.max(0, u - 2 * (tb - f));
        int hi = Math.min(u, 2 * (f + 1));
        int next = (f + 1) * u;
        int nextY = (f + 1) * c;
        for (int s = lo; s < hi; s++) {
          double v = lse(NEG_INF, ry(beta[next + s] + logY[nextY + lp[s]]));
          if (s + 1 < u) {
            v = lse(v, ry(beta[next + s + 1] + logY[nextY + lp[s + 1]]));
          }
          if (s + 2 < u && lp[s] != blank && lp[s] != lp[s + 2]) {
            v = lse(v, ry(beta[next + s + 2] + logY[nextY + lp[s + 2]]));
          }
          beta[f * u + s] = v;
        }
      }
      double logP = NEG_INF;
      for (int s = 0; s < u; s++) {
        logP = lse(logP, ry(alpha[s] + beta[s]));
      }
      for (int f = 0; f < tb; f++) {
        int row = tm ? (f * n + b) * classes : (b * t + f) * classes;
        if (logP == NEG_INF) { // "No valid path found": the gradient is y
          for (int k = 0; k < c; k++) {
            grad[row + cols[k]] = y[f * c + k];
          }
          continue;
        }
        Arrays.fill(probSum, NEG_INF);
        for (int s = 0; s < u; s++) {
          probSum[lp[s]] = lse(probSum[lp[s]], ry(alpha[f * u + s] + beta[f * u + s]));
        }
        for (int k = 0; k < c; k++) {
          float occupancy = (float) Math.exp((float) (probSum[k] - logP)); // expf, whatever the dtype
          grad[row + cols[k]] = ry(y[f * c + k] - occupancy);
        }
      }
      return -logP;
    }
  }
}
