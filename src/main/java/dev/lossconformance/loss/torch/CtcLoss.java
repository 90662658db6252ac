package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.Gradients;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.loss.Precision;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.Scratch;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code torch.nn.functional.ctc_loss} with PyTorch 2.7 semantics (aten/src/ATen/native/LossCTC.cpp:
 * {@code ctc_loss_allocate_outputs}, {@code ctc_loss_cpu_template}, {@code
 * ctc_loss_backward_cpu_template}, {@code ctc_loss_impl}).
 *
 * <p>{@code log_probs} is {@code (T, N, C)}, or {@code (T, C)} unbatched, and is used as given: no
 * log_softmax is applied. Per sample, over the extended label {@code l'} (a blank before every label
 * and at the end, {@code U = 2L + 1} states), the forward variables are
 * {@code a[0][0] = lp[0][blank]}, {@code a[0][1] = lp[0][l1]} and
 * {@code a[t][s] = logsumexp(a[t-1][s], a[t-1][s-1], a[t-1][s-2] if l'[s] != l'[s-2]) + lp[t][l'[s]]};
 * {@code nll = -logsumexp(a[T-1][U-1], a[T-1][U-2])} ({@code -a[T-1][0]} for an empty target). An
 * input length of 0 gives {@code nll = 0} for an empty target, else {@code +inf}; an impossible
 * alignment gives {@code +inf}. {@code zero_infinity} replaces {@code +inf} losses by 0 and zeroes
 * their gradient. Reductions: {@code none} is the {@code (N)} vector (a 0-d tensor unbatched),
 * {@code sum} its sum, {@code mean} the mean of {@code nll_b / max(target_length_b, 1)} (T-12).
 *
 * <p>Gradients, of the summed result: {@link Result#gradLogProbs()} is what PyTorch's backward
 * returns for {@code log_probs}, {@code (exp(lp) - exp(log(alpha beta) + nll - lp)) * g}, i.e.
 * softmax minus occupancy as if a log_softmax had been applied inside (issue #52241, T-18): not the
 * derivative with respect to {@code log_probs}. {@link Result#gradLogits()} is the gradient of
 * {@code ctc_loss(log_softmax(z))} at {@code z = log_probs} (log_softmax rounded to the dtype, then
 * its backward {@code g - exp(lp') sum_c g}): the true derivative with respect to the logits. Rows at
 * {@code t >= input_length} are 0; a sample whose loss is {@code +inf} has NaN rows
 * ({@code -inf + inf}), or 0 with {@code zero_infinity}.
 *
 * <p>Numerics: float64 runs the recursions in double with PyTorch's max-shifted {@code log(exp + exp +
 * exp)} and the same accumulation order (vectorised along the states, the collected log-sums along
 * blocks of frames, the gradient along the classes, with SVML's exp and log, when the Vector API is
 * present and the sample's log-probabilities are finite); float32 runs every op in float as aten's
 * {@code scalar_t} kernel does ({@link CtcFloat}, vectorised in double lanes rounded to float per op,
 * the scalar float loops' bits). Per sample the forward and backward variables take
 * {@code T_b * U} doubles each, with no allocation inside the loops. Only the gradients asked for
 * ({@link Gradients}) are computed: {@code grad_logits} takes a second pass on log_softmax(log_probs). The loss is rounded to the
 * dtype where PyTorch materialises it (per-sample losses, their quotients for mean, the reduced
 * value). Targets are not range-checked by PyTorch; here a target outside {@code [0, C)} raises.
 *
 * <p>Errors ({@link dev.lossconformance.loss.LossArgumentException}) in the order of
 * {@code ctc_loss_allocate_outputs}. Lengths, labels and the blank are int64 values and are compared as
 * such, never cast to int first: a negative length, an input length above T or a blank outside
 * {@code [0, C)} is an invalid value; target lengths that the targets tensor cannot hold (a 2^32 of
 * them, or lengths summing beyond int64) a shape mismatch, as PyTorch's {@code checkSize} of the
 * targets says ("Expected tensor to have size at least 4294967296 at dimension 1"); a label outside
 * {@code [0, C)} out of range. Instances are immutable and thread-safe.
 */
public final class CtcLoss {
  public static final String API = "torch.nn.functional.ctc_loss";
  private static final double NEG_INF = Double.NEGATIVE_INFINITY;

  private final long blank;
  private final Reduction reduction;
  private final boolean zeroInfinity;
  private final CtcFloat floats;

  /** The gradients' output names. */
  public static final String GRAD_LOG_PROBS = "grad_log_probs";
  public static final String GRAD_LOGITS = "grad_logits";

  /**
   * The loss and the two gradients of its sum, each shaped like {@code log_probs}; a gradient not asked
   * for ({@link #apply(Tensor, Tensor, Tensor, Tensor, Gradients)}) is null.
   */
  public record Result(Tensor loss, Tensor gradLogProbs, Tensor gradLogits) {}

  private CtcLoss(Builder b) {
    this.blank = b.blank;
    this.reduction = b.reduction;
    this.zeroInfinity = b.zeroInfinity;
    this.floats = b.floats;
  }

  /** Options with PyTorch's defaults: blank 0, mean, zero_infinity false. */
  public static Builder options() {
    return new Builder();
  }

  /** The loss and both gradients. */
  public Result apply(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths) {
    return run(logProbs, targets, inputLengths, targetLengths, Gradients.ALL);
  }

  /**
   * The loss and only the gradients asked for ({@link #GRAD_LOG_PROBS}, what PyTorch's backward returns;
   * {@link #GRAD_LOGITS}, which takes a second lattice pass; another name is refused); the others are null.
   */
  public Result apply(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths,
      Gradients gradients) {
    Shapes.nonNull(API, "gradients", gradients).requireKnown(API, GRAD_LOG_PROBS, GRAD_LOGITS);
    return run(logProbs, targets, inputLengths, targetLengths, gradients);
  }

  /** The loss alone. */
  public Tensor loss(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths) {
    return run(logProbs, targets, inputLengths, targetLengths, Gradients.NONE).loss();
  }

  /** The arguments checked as ctc_loss_allocate_outputs checks them, in its order. */
  private record Problem(int t, int n, int c, boolean batched, int[] inputLengths, int[] targetLengths,
      int[] offsets, long[] targets, boolean f32) {}

  private Problem check(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths) {
    Shapes.requireFloating("log_probs", logProbs);
    if (logProbs.rank() != 2 && logProbs.rank() != 3) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": log_probs: expected a (T, N, C) or (T, C) tensor, got shape "
          + Arrays.toString(logProbs.shape()));
    }
    requireIntegral("input_lengths", inputLengths);
    requireIntegral("target_lengths", targetLengths);
    requireIntegral("targets", targets);
    boolean batched = logProbs.rank() == 3;
    int t = logProbs.size(0);
    int n = batched ? logProbs.size(1) : 1;
    int c = logProbs.size(-1);
    if (targets.rank() < 1 || targets.rank() > 2) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": targets: expected a 1-D (concatenated) or 2-D (N, S) tensor, got shape "
          + Arrays.toString(targets.shape()));
    }
    if (blank < 0 || blank >= c) {
      throw new LossArgumentException(ErrorKind.INVALID_VALUE,
          API + ": blank must be in label range: blank = " + blank + ", C = " + c);
    }
    if (inputLengths.numel() != n) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": input_lengths must be of size batch_size (" + n + "), got "
          + inputLengths.numel() + " values");
    }
    if (targetLengths.numel() != n) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          API + ": target_lengths must be of size batch_size (" + n + "), got "
          + targetLengths.numel() + " values");
    }
    // lengths are int64 values: compared as longs, so none is taken modulo 2^32 and none overflows an
    // int; once the targets tensor is checked to hold them, every length and offset fits an int
    long max = 0;
    long pos = 0;
    for (int b = 0; b < n; b++) {
      long v = targetLengths.getLong(b);
      if (v < 0) {
        throw new LossArgumentException(ErrorKind.INVALID_VALUE, API + ": target_lengths: element [" + b + "] = " + v
            + "; expected target_lengths to have value at least 0");
      }
      max = Math.max(max, v);
      pos = pos > Long.MAX_VALUE - v ? Long.MAX_VALUE : pos + v; // saturates: the check below fails for it
    }
    if (targets.rank() == 1) {
      if (targets.size(0) != pos) {
        throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, API + ": targets: concatenated targets hold "
            + targets.size(0) + " labels but target_lengths sum to " + (pos == Long.MAX_VALUE ? "at least " : "")
            + pos);
      }
    } else {
      if (targets.size(0) != n) {
        throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, API + ": targets: expected " + n
            + " rows (batch_size), got " + targets.size(0));
      }
      if (targets.size(1) < max) {
        throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, API + ": targets: expected at least " + max
            + " columns (the largest target length), got " + targets.size(1));
      }
    }
    int[] tl = new int[n];
    int[] offsets = new int[n];
    for (int b = 0, at = 0; b < n; b++) {
      tl[b] = (int) targetLengths.getLong(b); // at most targets.size(-1) or their sum, an int
      offsets[b] = targets.rank() == 1 ? at : b * targets.size(1);
      at += tl[b];
    }
    int[] il = new int[n];
    for (int b = 0; b < n; b++) {
      long v = inputLengths.getLong(b);
      if (v < 0 || v > t) {
        throw new LossArgumentException(ErrorKind.INVALID_VALUE, API + ": input_lengths: element [" + b + "] = " + v
            + "; expected input_lengths to have value " + (v < 0 ? "at least 0" : "at most " + t));
      }
      il[b] = (int) v;
    }
    long[] labels = targets.toLongArray();
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < tl[b]; i++) {
        long l = labels[offsets[b] + i];
        if (l < 0 || l >= c) {
          throw new LossArgumentException(ErrorKind.INDEX_OUT_OF_RANGE,
              API + ": targets: label " + l + " of sample " + b + " is outside [0, " + c
              + ") (PyTorch does not check it and reads out of bounds)");
        }
      }
    }
    if (t == 0) {
      // aten's ctc_loss_allocate_outputs fills log_alpha.narrow(1, 0, 1) after its checks: with no frames
      // that narrow fails, whatever N, C and the lengths (PyTorch 2.7.1 raises "start (0) + length (1)
      // exceeds dimension size (0)"); an empty batch (N = 0) with T > 0 is computed (an empty loss)
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, API + ": log_probs has T = 0 frames; PyTorch's "
          + "log_alpha.narrow(1, 0, 1) fails: start (0) + length (1) exceeds dimension size (0)");
    }
        return new Problem(t, n, c, batched, il, tl, offsets, labels, logProbs.dtype() == DType.FLOAT32);
  }

  private static void requireIntegral(String arg, Tensor t) {
    if (t.dtype().isFloating() || t.dtype() == DType.BOOL) {
      throw new LossArgumentException(ErrorKind.DTYPE, API + ": " + arg + " must be integral, got " + t.dtype());
    }
  }

  private Result run(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths, Gradients gradients) {
    Shapes.nonNull(API, "logProbs", logProbs);
    Shapes.nonNull(API, "targets", targets);
    Shapes.nonNull(API, "inputLengths", inputLengths);
    Shapes.nonNull(API, "targetLengths", targetLengths);
    Problem p = check(logProbs, targets, inputLengths, targetLengths);
    DType dt = logProbs.dtype();
    try (Scratch scratch = Scratch.open()) {
      return run(p, logProbs, dt, gradients, scratch);
    }
  }

  /**
   * {@link #run} past the checks. float64 log-probabilities are read in place and the float64 gradients
   * are the outputs' own arrays; float32 ones go through double copies from {@code scratch} (the lattice
   * and the gradient run on double arrays, each op rounded to float), so that a call allocates its
   * outputs and, once its threads have seen a problem this large, nothing else.
   */
  private Result run(Problem p, Tensor logProbs, DType dt, Gradients gradients, Scratch scratch) {
    int count = logProbs.numel();
    double[] lp;
    if (dt == DType.FLOAT64) {
      lp = logProbs.backingDoubles();
    } else {
      float[] x = logProbs.backingFloats();
      lp = scratch.doubles(count);
      for (int i = 0; i < count; i++) {
        lp[i] = x[i];
      }
    }
    int maxU = 1;
    for (int b = 0; b < p.n; b++) {
      maxU = Math.max(maxU, 2 * p.targetLengths[b] + 1);
    }
    int mu = maxU;
    // samples are independent and write disjoint gradient entries: split them over the workers,
    // each chunk with its own buffers; every per-sample result lands in its own slot, so the outcome
    // does not depend on scheduling
    int chunks = (long) p.t * maxU * p.n < 1 << 16 ? 1 : Math.min(p.n, Parallel.threads());
    // the upstream gradient of each sample's loss: 1, or d mean / d res_b = (1/N) / max(len_b, 1)
    double[] upstream = new double[p.n];
    for (int b = 0; b < p.n; b++) {
      upstream[b] = reduction == Reduction.MEAN
          ? Precision.round(dt, Precision.round(dt, 1.0 / p.n) / Math.max(p.targetLengths[b], 1)) : 1.0;
    }
    double[] nll = new double[p.n];
    boolean wantLogProbs = gradients.wants(GRAD_LOG_PROBS);
    boolean wantLogits = gradients.wants(GRAD_LOGITS);
    double[] gradLogProbs = wantLogProbs ? gradient(dt, count, scratch) : null;
    forEachSample(p, floats, chunks, mu, (w, b) -> nll[b] = w.pass(p, lp, b, blank, upstream[b], gradLogProbs, zeroInfinity));
    // the per-sample losses as PyTorch materialises them, zero_infinity applied
    double[] res = new double[p.n];
    for (int b = 0; b < p.n; b++) {
      res[b] = Precision.round(dt, nll[b]);
      if (zeroInfinity && res[b] == Double.POSITIVE_INFINITY) {
        res[b] = 0;
      }
    }
    Tensor loss = reduce(dt, p, res);
    int[] shape = logProbs.shape();
    Tensor gradLp = wantLogProbs ? output(dt, gradLogProbs, count, shape) : null;
    if (!wantLogits) {
      return new Result(loss, gradLp, null);
    }
    // the log_softmax path: lp' = log_softmax(z) in the dtype, its own CTC gradient, then log_softmax's backward
    int rows = count / Math.max(p.c, 1);
    double[] lp2 = scratch.doubles(count);
    forRowRanges(rows, chunks, (from, to) -> logSoftmaxRows(lp, p.c, dt, lp2, from, to));
    double[] g2 = scratch.doubles(count);
    Arrays.fill(g2, 0, count, 0); // rows past an input length stay 0
    forEachSample(p, floats, chunks, mu, (w, b) -> w.pass(p, lp2, b, blank, upstream[b], g2, zeroInfinity));
    double[] gradLogits = gradient(dt, count, scratch);
    forRowRanges(rows, chunks, (from, to) -> {
      for (int r = from; r < to; r++) {
        if (p.f32) {
          // log_softmax's backward in float, as aten's float kernel: g - exp(out) * sum(g)
          float fs = 0;
          for (int k = 0; k < p.c; k++) {
            fs += (float) g2[r * p.c + k];
          }
          for (int k = 0; k < p.c; k++) {
            int at = r * p.c + k;
            gradLogits[at] = (float) g2[at] - (float) Math.exp((float) lp2[at]) * fs;
          }
          continue;
        }
        double s = 0;
        for (int k = 0; k < p.c; k++) {
          s += g2[r * p.c + k];
        }
        for (int k = 0; k < p.c; k++) {
          int at = r * p.c + k;
          gradLogits[at] = g2[at] - Math.exp(lp2[at]) * s;
        }
      }
    });
    return new Result(loss, gradLp, output(dt, gradLogits, count, shape));
  }

  /**
   * A gradient's array of {@code count} zeros: float64's is the output's own (a new array), float32's a
   * double scratch array, rounded into the output by {@link #output}.
   */
  private static double[] gradient(DType dt, int count, Scratch scratch) {
    if (dt == DType.FLOAT64) {
      return new double[count];
    }
    double[] g = scratch.doubles(count);
    Arrays.fill(g, 0, count, 0);
    return g;
  }

  /** The output tensor of a {@link #gradient} array: float64's wrapped, float32's rounded into a new float array. */
  private static Tensor output(DType dt, double[] g, int count, int[] shape) {
    if (dt == DType.FLOAT64) {
      return Tensor.wrapDoubles(g, shape);
    }
    float[] f = new float[count];
    for (int i = 0; i < count; i++) {
      f[i] = (float) g[i];
    }
    return Tensor.wrapFloats(f, shape);
  }

  /** One sample's work with a chunk's buffers. */
  private interface SampleWork {
    void run(Work w, int b);
  }

  /** Runs {@code f} for every sample, in {@code chunks} contiguous ranges with one {@link Work} each. */
  private static void forEachSample(Problem p, CtcFloat floats, int chunks, int maxU, SampleWork f) {
    Runnable[] work = new Runnable[chunks];
    for (int k = 0; k < chunks; k++) {
      int from = (int) ((long) p.n * k / chunks);
      int to = (int) ((long) p.n * (k + 1) / chunks);
      work[k] = () -> {
        try (Scratch scratch = Scratch.open()) {
          Work w = new Work(scratch, Exp.best(), floats, p.t, maxU, p.c, p.f32);
          for (int b = from; b < to; b++) {
            f.run(w, b);
          }
        }
      };
    }
    Parallel.run(work);
  }

  private Tensor reduce(DType dt, Problem p, double[] res) {
    if (dt == DType.FLOAT32 && reduction != Reduction.NONE) {
      // PyTorch sums a float tensor with float accumulators (opmath_type<float> is float): per-sample
      // losses near the float maximum overflow to inf there, not in a double sum (found by the sweep)
      float s = 0;
      for (int b = 0; b < p.n; b++) {
        s += reduction == Reduction.SUM ? (float) res[b] : (float) res[b] / Math.max(p.targetLengths[b], 1);
      }
      return Tensor.scalar(dt, reduction == Reduction.SUM ? s : s / p.n);
    }
    switch (reduction) {
      case NONE:
        return p.batched ? Tensor.ofFloating(dt, res, p.n) : Tensor.ofFloating(dt, res);
      case SUM: {
        double s = 0;
        for (double v : res) {
          s += v;
        }
        return Tensor.scalar(dt, s);
      }
      default: {
        double s = 0;
        for (int b = 0; b < p.n; b++) {
          s += Precision.round(dt, res[b] / Math.max(p.targetLengths[b], 1));
        }
        return Tensor.scalar(dt, s / p.n);
      }
    }
  }

  /** Runs {@code body(from, to)} over {@code chunks} contiguous ranges of {@code rows} rows, in parallel. */
  private static void forRowRanges(int rows, int chunks, RowRange body) {
    Runnable[] work = new Runnable[chunks];
    for (int k = 0; k < chunks; k++) {
      int from = (int) ((long) rows * k / chunks);
      int to = (int) ((long) rows * (k + 1) / chunks);
      work[k] = () -> body.run(from, to);
    }
    Parallel.run(work);
  }

  /** The rows {@code [from, to)} of a row-wise computation. */
  private interface RowRange {
    void run(int from, int to);
  }

  /** log_softmax over rows {@code [from, to)} of {@code c} values, computed in double, rounded to {@code dt}. */
  private static void logSoftmaxRows(double[] x, int c, DType dt, double[] out, int from, int to) {
    for (int r = from; r < to; r++) {
      double m = NEG_INF;
      for (int k = 0; k < c; k++) {
        m = Math.max(m, x[r * c + k]);
      }
      double s = 0;
      for (int k = 0; k < c; k++) {
        s += Math.exp(x[r * c + k] - m);
      }
      double log = Math.log(s);
      for (int k = 0; k < c; k++) {
        out[r * c + k] = Precision.round(dt, x[r * c + k] - m - log);
      }
    }
  }

  /**
   * Buffers for one chunk of samples, sized for the longest input and target, reused by every sample.
   *
   * <p>The lattice runs in log space as PyTorch's CPU kernel does: {@code alpha[t][s] = lse(alpha[t-1][s],
   * alpha[t-1][s-1], alpha[t-1][s-2] where l'[s-2] != l'[s]) + lp[t][l'[s]]}, each step one call of
   * {@link Exp#ctcStep} (float32: {@link CtcFloat#step}) over the whole row of states (vectorised along the
   * states with the Vector API).
   * Beta is the same recursion run backwards in time over the reversed extended labels, so it uses the
   * same step. The gradient {@code exp(lp) - exp(lse_s(alpha + beta) + nll - lp)} takes its log-sums in
   * PyTorch's order over the states (its two terms nearly cancel, so their rounding shows), frame by frame,
   * or with the Vector API a block of frames in lanes ({@link CtcFloat#collectBlock}), each lane one
   * frame's chain in that order; the last frame (aten's seed assignments) always scalar. Rows are
   * padded with two leading -inf states so that every step reads {@code s-1, s-2}.
   */
  private static final class Work {
    private final Exp exp;
    private final int stride;
    private final double[] alpha;
    private final double[] betaReversed;
    private final double[] emit;
    private final double[] emitReversed;
    private final double[] collected;
    private final int[] labels;
    private final boolean[] skip;
    private final boolean[] skipReversed;
    /** float32's loops; the scalar ones for a sample with a NaN or infinite log-probability. */
    private final CtcFloat floats;
    /** float32, a block of frames in lanes: their alpha + beta per state, and their collected sums per class. */
    private final double[] blockLab;
    private final double[] blockCollected;
    /** float32: the lattice, the log-sums and the gradient in float arithmetic, as aten's scalar_t is. */
    private final boolean f32;
    /** This sample's float32 loops: {@link #floats}, or the scalar ones for a NaN or infinite log-probability. */
    private CtcFloat sampleFloats;
    /** This sample runs the scalar recursions (float32, or a NaN or infinite log-probability). */
    private boolean scalar;

    /** The buffers come from {@code scratch} (their contents are overwritten before they are read). */
    Work(Scratch scratch, Exp exp, CtcFloat floats, int t, int maxU, int c, boolean f32) {
      this.exp = exp;
      this.floats = floats;
      this.f32 = f32;
      int frames = Math.max(t, 1);
      stride = maxU + 2;
      alpha = scratch.doubles(frames * stride);
      betaReversed = scratch.doubles(frames * stride);
      emit = scratch.doubles(frames * maxU);
      emitReversed = scratch.doubles(frames * maxU);
      collected = scratch.doubles(c);
      labels = scratch.ints(maxU);
      skip = scratch.booleans(maxU);
      skipReversed = scratch.booleans(maxU);
      int lanes = floats.lanes();
      blockLab = lanes > 1 ? scratch.doubles(maxU * lanes) : null;
      blockCollected = lanes > 1 ? scratch.doubles(c * lanes) : null;
    }

    /**
     * Sample {@code b}: returns its nll; with {@code grad} non-null, also writes its gradient rows
     * (times {@code upstream}) into {@code grad}, 0 past its input length.
     */
    double pass(Problem p, double[] lp, int b, long blankIndex, double upstream, double[] grad, boolean zeroInfinity) {
      int blank = (int) blankIndex;
      int tb = p.inputLengths[b];
      int len = p.targetLengths[b];
      int u = 2 * len + 1;
      int n = p.n;
      int c = p.c;
      if (tb == 0) {
        return -(len == 0 ? 0.0 : NEG_INF); // every gradient row of this sample stays 0
      }
      for (int s = 0; s < u; s++) {
        labels[s] = s % 2 == 0 ? blank : (int) p.targets[p.offsets[b] + s / 2];
      }
      for (int s = 0; s < u; s++) {
        skip[s] = s > 1 && labels[s - 2] != labels[s];
        skipReversed[s] = s > 1 && labels[u - 1 - (s - 2)] != labels[u - 1 - s];
      }
      // a non-finite double has every exponent bit set: adding 1 to that field carries into the sign bit
      long nonFinite = 0;
      for (int t = 0; t < tb; t++) {
        int row = (t * n + b) * c;
        for (int k = 0; k < c; k++) {
          nonFinite |= (Double.doubleToRawLongBits(lp[row + k]) & 0x7ff0000000000000L) + 0x0010000000000000L;
        }
        for (int s = 0; s < u; s++) {
          double e = lp[row + labels[s]];
          emit[t * u + s] = e;
          emitReversed[t * u + u - 1 - s] = e;
        }
      }
      // float32 runs in float, as aten's CPU kernel does in scalar_t (log_alpha, log_beta, the collected
      // sums and the gradient are float tensors, each op rounded): in double an overflow to inf, a
      // -inf + inf or a rounding to 0 that PyTorch has would not happen (found by the differential sweep);
      // a NaN or infinite log-probability takes the scalar path too, whose exp and log are the JDK's
      boolean finite = nonFinite >= 0;
      scalar = f32 || !finite;
      sampleFloats = finite ? floats : CtcFloat.scalar();
      double nll = forward(tb, u, len);
      if (grad == null || (zeroInfinity && nll == Double.POSITIVE_INFINITY)) {
        return nll;
      }
      // a non-finite nll is not special-cased: exp(lse + nll - lp) makes every row NaN where no path
      // passes (lse = -inf), and -inf or inf where one does, as PyTorch's formula does
      // beta, reversed in states, from the last frame back (stored at each frame's own row)
      lattice(betaReversed, emitReversed, skipReversed, tb, u, len, true);
      CtcFloat fl = sampleFloats;
      float fn = (float) nll;
      float gr = (float) upstream;
      // float32, and float64 on the vector path: the frames before the last a block of frames in lanes,
      // the same log-adds per frame in the same order
      int lanes = f32 || !scalar ? fl.lanes() : 1;
      int t0 = 0;
      if (lanes > 1) {
        for (; t0 + lanes <= tb - 1; t0 += lanes) {
          for (int f = 0; f < lanes; f++) {
            int at = (t0 + f) * stride + 2;
            for (int s = 0; s < u; s++) {
              double lab = alpha[at + s] + betaReversed[at + u - 1 - s];
              blockLab[s * lanes + f] = f32 ? (float) lab : lab;
            }
          }
          Arrays.fill(blockCollected, NEG_INF);
          if (f32) {
            fl.collectBlock(blockLab, u, labels, blockCollected);
          } else {
            fl.collectBlock64(blockLab, u, labels, blockCollected);
          }
          for (int f = 0; f < lanes; f++) {
            for (int k = 0; k < c; k++) {
              collected[k] = blockCollected[k * lanes + f];
            }
            int row = ((t0 + f) * n + b) * c;
            if (f32) {
              fl.gradRow(lp, row, collected, c, fn, gr, grad);
            } else {
              exp.ctcGradRow(lp, row, collected, c, nll, upstream, grad);
            }
          }
        }
      }
      for (int t = t0; t < tb; t++) {
        // collected[l'[s]] "log+=" alpha[t][s] + beta[t][s] over s from the last state down, in PyTorch's
        // order: the gradient subtracts two nearly equal terms, so the rounding of this sum shows
        int at = t * stride + 2;
        Arrays.fill(collected, NEG_INF);
        for (int s = u - 1; s >= 0; s--) {
          if (t == tb - 1 && s < u - 2) {
            break; // aten's last frame has only its two seeds; a NaN alpha of another state is not read there
          }
          double lab = alpha[at + s] + betaReversed[at + u - 1 - s];
          double lcab = collected[labels[s]];
          if (t == tb - 1 && s == u - 2) {
            // aten seeds the last frame with two assignments, the final blank's state and then the last
            // label's ("a blank and a non-blank, so ... we don't need to do log+"): a target holding the
            // blank there overwrites the blank's sum instead of adding to it (PyTorch 2.7.1 gives 1/6 for
            // one-class log-probs of 0 where the log-add gives 0: found by the differential sweep)
            collected[labels[s]] = f32 ? (float) lab : lab;
          } else if (f32) {
            collected[labels[s]] = CtcFloat.logAdd((float) lcab, (float) lab);
          } else if (!scalar) {
            // PyTorch's log(exp(lcab - max) + exp(lab - max)) + max, whose larger term is exp(0) = 1 exactly
            collected[labels[s]] = CtcFloat.logAdd64(lcab, lab);
          } else if (lcab == NEG_INF) {
            collected[labels[s]] = lab;
          } else {
            double max = Math.max(lcab, lab);
            collected[labels[s]] = Math.log(Math.exp(lcab - max) + Math.exp(lab - max)) + max;
          }
        }
        int row = (t * n + b) * c;
        if (f32) {
          fl.gradRow(lp, row, collected, c, fn, gr, grad);
        } else if (scalar) {
          Exp.ctcGradClasses(lp, row, collected, 0, c, nll, upstream, grad);
        } else {
          exp.ctcGradRow(lp, row, collected, c, nll, upstream, grad);
        }
      }
      return nll;
    }

    /** Alpha over the first {@code tb} frames; returns the nll. */
    private double forward(int tb, int u, int len) {
      lattice(alpha, emit, skip, tb, u, len, false);
      int last = (tb - 1) * stride + 2;
      if (len == 0) {
        return -alpha[last];
      }
      double l1 = alpha[last + 2 * len];
      double l2 = alpha[last + 2 * len - 1];
      if (f32) {
        float f1 = (float) l1;
        float f2 = (float) l2;
        float fm = Math.max(f1, f2);
        fm = fm == Float.NEGATIVE_INFINITY ? 0 : fm;
        return -((float) Math.log(CtcFloat.fexp(f1 - fm) + CtcFloat.fexp(f2 - fm)) + fm);
      }
      double m = Math.max(l1, l2);
      m = m == NEG_INF ? 0 : m;
      return -(Math.log(Math.exp(l1 - m) + Math.exp(l2 - m)) + m);
    }

    /**
     * The recursion over frames (forward in time, or backward when {@code reverse}): the first frame's
     * row holds its first two states' emissions (the first blank and label, or in reverse the final
     * blank and last label), every other state -inf.
     */
    private void lattice(double[] v, double[] e, boolean[] sk, int tb, int u, int len, boolean reverse) {
      int first = reverse ? tb - 1 : 0;
      // the first frame's row whole, the other rows' two leading pads: each step writes all u states
      Arrays.fill(v, first * stride, first * stride + u + 2, NEG_INF);
      for (int t = 0; t < tb; t++) {
        v[t * stride] = NEG_INF;
        v[t * stride + 1] = NEG_INF;
      }
      v[first * stride + 2] = e[first * u];
      if (len > 0) {
        v[first * stride + 3] = e[first * u + 1];
      }
      for (int k = 1; k < tb; k++) {
        int t = reverse ? tb - 1 - k : k;
        int prev = reverse ? t + 1 : t - 1;
        if (f32) {
          sampleFloats.step(v, prev * stride, v, t * stride, sk, e, t * u, u);
        } else if (scalar) {
          Exp.ctcStates(v, prev * stride, v, t * stride, sk, e, t * u, 0, u);
        } else {
          exp.ctcStep(v, prev * stride, v, t * stride, sk, e, t * u, u);
        }
      }
    }

  }

  /** Options for {@link CtcLoss}. */
  public static final class Builder {
    private long blank;
    private Reduction reduction = Reduction.MEAN;
    private boolean zeroInfinity;
    private CtcFloat floats = CtcFloat.best();

    private Builder() {}

    /** The float32 loops (tests: the scalar ones against {@link CtcFloat#best()}). */
    Builder floats(CtcFloat floats) {
      this.floats = floats;
      return this;
    }

    public Builder blank(long blank) {
      this.blank = blank;
      return this;
    }

    public Builder reduction(Reduction reduction) {
      this.reduction = Shapes.nonNull(API, "reduction", reduction);
      return this;
    }

    public Builder zeroInfinity(boolean zeroInfinity) {
      this.zeroInfinity = zeroInfinity;
      return this;
    }

    public CtcLoss build() {
      return new CtcLoss(this);
    }
  }
}
