package dev.lossconformance.loss.tf;

import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * The fast paths of {@link TfNn}'s sigmoid-family kernels: they read the inputs' backing arrays in their
 * dtype, run {@link SigmoidRows}' loops (forward and gradient fused, one pass) over {@link TfNn#chunked}'s
 * chunks (in units of {@link #BLOCK} elements), and allocate only the two outputs (plus a chunk's {@link SigmoidRows.Scratch}, 0.8 or 1.5 kB). Each is called
 * after the kernel's argument checks, on float32 or float64 inputs of one dtype (the checks refuse
 * others), and returns the same shapes as the exact path.
 *
 * <p>Domain: every input. The scalar loops are the exact path's element functions (the same bits); the
 * vector loops ({@link VectorSigmoidRows}) hand each vector holding a non-finite input to them, and
 * flush every subnormal result as TF's FTZ does, so they differ from the exact path only by their exp,
 * log and log1p (the ulp distances are in {@link VectorSigmoidRows}).
 */
final class SigmoidFast {
  private SigmoidFast() {}

  /** Elements per unit of the chunking: the chunks start at multiples of it (see VectorSigmoidRows). */
  static final int BLOCK = SigmoidRows.TILE;

  /** {@link TfNn#chunked} over the {@code n} elements in units of {@link #BLOCK}. */
  private static void blocks(int n, TfNn.Range body) {
    TfNn.chunked(n, (n + BLOCK - 1) / BLOCK, (from, to) -> body.run(from * BLOCK, (int) Math.min(n, (long) to * BLOCK)));
  }

  /** {@code tf.nn.sigmoid_cross_entropy_with_logits} on {@code kernel}. */
  static LossAndGrad sigmoid(Tensor labels, Tensor logits, SigmoidRows kernel) {
    int[] shape = logits.shape();
    int n = logits.numel();
    if (logits.dtype() == DType.FLOAT32) {
      float[] z = labels.backingFloats();
      float[] x = logits.backingFloats();
      float[] loss = new float[n];
      float[] g = new float[n];
      blocks(n, (from, to) -> kernel.sigmoid(z, x, from, to, loss, g, new SigmoidRows.Scratch(true)));
      return new LossAndGrad(Tensor.wrapFloats(loss, shape), Tensor.wrapFloats(g, shape));
    }
    double[] z = labels.backingDoubles();
    double[] x = logits.backingDoubles();
    double[] loss = new double[n];
    double[] g = new double[n];
    blocks(n, (from, to) -> kernel.sigmoid(z, x, from, to, loss, g, new SigmoidRows.Scratch(false)));
    return new LossAndGrad(Tensor.wrapDoubles(loss, shape), Tensor.wrapDoubles(g, shape));
  }

  /** {@code tf.nn.log_poisson_loss} on {@code kernel}. */
  static LossAndGrad logPoisson(Tensor targets, Tensor logInput, boolean full, SigmoidRows kernel) {
    int[] shape = logInput.shape();
    int n = logInput.numel();
    if (logInput.dtype() == DType.FLOAT32) {
      float[] z = targets.backingFloats();
      float[] c = logInput.backingFloats();
      float[] loss = new float[n];
      float[] g = new float[n];
      blocks(n, (from, to) -> kernel.logPoisson(z, c, from, to, full, loss, g, new SigmoidRows.Scratch(true)));
      return new LossAndGrad(Tensor.wrapFloats(loss, shape), Tensor.wrapFloats(g, shape));
    }
    double[] z = targets.backingDoubles();
    double[] c = logInput.backingDoubles();
    double[] loss = new double[n];
    double[] g = new double[n];
    blocks(n, (from, to) -> kernel.logPoisson(z, c, from, to, full, loss, g, new SigmoidRows.Scratch(false)));
    return new LossAndGrad(Tensor.wrapDoubles(loss, shape), Tensor.wrapDoubles(g, shape));
  }

  /**
   * The period of pos_weight's elements along the flat logits: {@code n} when it has the logits' shape,
   * 1 for one element, {@code numel} when its shape (without leading 1s) is a suffix of the logits'
   * (e.g. {@code (C,)} for {@code (N, C)}); -1 for any other broadcast (the exact path's).
   */
  static int period(int[] pw, int[] shape, int numel) {
    if (Arrays.equals(pw, shape)) {
      return -2;
    }
    if (numel == 1 && pw.length <= shape.length) {
      return 1;
    }
    int lead = 0;
    while (lead < pw.length && pw[lead] == 1) {
      lead++;
    }
    int k = pw.length - lead;
    if (pw.length > shape.length || numel == 0) {
      return -1;
    }
    for (int d = 0; d < k; d++) {
      if (pw[lead + d] != shape[shape.length - k + d]) {
        return -1;
      }
    }
    return numel;
  }

  /**
   * {@code tf.nn.weighted_cross_entropy_with_logits} on {@code kernel}, or {@code null} when pos_weight's
   * broadcast is not one of {@link #period}'s (the caller's exact path then runs).
   */
  static LossAndGrad weighted(Tensor labels, Tensor logits, Tensor posWeight, SigmoidRows kernel) {
    int[] shape = logits.shape();
    int n = logits.numel();
    int p = period(posWeight.shape(), shape, posWeight.numel());
    if (p == -1) {
      return null;
    }
    boolean f32 = logits.dtype() == DType.FLOAT32;
    float[] z32 = f32 ? labels.backingFloats() : null;
    float[] x32 = f32 ? logits.backingFloats() : null;
    float[] q32 = f32 ? posWeight.backingFloats() : null;
    double[] z64 = f32 ? null : labels.backingDoubles();
    double[] x64 = f32 ? null : logits.backingDoubles();
    double[] q64 = f32 ? null : posWeight.backingDoubles();
    float[] l32 = f32 ? new float[n] : null;
    float[] g32 = f32 ? new float[n] : null;
    double[] l64 = f32 ? null : new double[n];
    double[] g64 = f32 ? null : new double[n];
    blocks(n, (from, to) -> {
      SigmoidRows.Scratch out = new SigmoidRows.Scratch(f32);
      // runs of elements sharing pos_weight's layout: the whole range (same shape, one element), else
      // the pieces between multiples of the period
      int step = p == 1 ? 0 : 1;
      int period = p == -2 ? n : p;
      for (int at = from; at < to; ) {
        int qAt = p == 1 ? 0 : at % period;
        int end = p == 1 ? to : Math.min(to, at - qAt + period);
        if (f32) {
          kernel.weighted(z32, x32, q32, qAt, step, at, end, l32, g32, out);
        } else {
          kernel.weighted(z64, x64, q64, qAt, step, at, end, l64, g64, out);
        }
        at = end;
      }
    });
    return f32 ? new LossAndGrad(Tensor.wrapFloats(l32, shape), Tensor.wrapFloats(g32, shape))
        : new LossAndGrad(Tensor.wrapDoubles(l64, shape), Tensor.wrapDoubles(g64, shape));
  }
}
