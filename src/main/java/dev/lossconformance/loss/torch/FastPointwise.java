package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.Gradients;
import dev.lossconformance.loss.LossAndGrads;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.loss.Precision;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fast engine of PyTorch's element-wise losses ({@link PointwiseLoss}'s generic path is the exact
 * one): inputs of one floating dtype and of the input's shape (a per-class weight of shape {@code (C)}
 * along the last dim where a loss takes one) are streamed in their own dtype from their backing arrays
 * ({@link Buf}), the work is split into {@link Parallel} chunks fixed by the size, and a loss's
 * {@link Chunk} computes each element's loss and the gradients asked for in one pass, each step rounded
 * in the dtype exactly where the generic path (and aten) rounds it, so every per-element output equals
 * the generic path's bit for bit when the kernel uses the same {@code Math} functions. Only the outputs
 * are allocated (or a caller's array is written).
 *
 * <p>The reduced loss: aten sums the rounded per-element losses with its cascade sum in the dtype
 * ({@link dev.lossconformance.loss.AtenSum}). Here each chunk adds them in double ({@link Sum}: blocks,
 * then Neumaier's compensation), the chunks in chunk order, and the total is rounded once: within an ulp of the exact
 * sum, where aten's cascade is within a few ulps of it. That equivalence holds in a domain this engine
 * checks: every loss finite and the sum of their magnitudes at most half the dtype's largest value (no
 * order of adding them can then overflow, nor reach the infinity aten's order reaches). A call outside
 * it (or a kernel that meets a value outside its own domain, such as an invalid probability, which the
 * generic path reports) gets {@code null} from {@link #run} and hands the whole call to the generic path.
 *
 * <p>The vectorised loops ({@link PointwiseLoops#best()}): float32 ones (float32 lanes; exp and log
 * within an ulp of {@code Math}'s) and float64 ones (double lanes, every step the scalar kernel's double
 * op, so the same rounding points; exp is {@link dev.lossconformance.loss.VectorMath}'s, within 2 ulps of
 * {@code Math.exp}, log and log1p the Vector API's; measured at most 2 ulps from the generic path per
 * element, see PointwiseFastPathTest). A float64 loop adds its losses per block of {@link Sum#BLOCK}
 * elements ({@link Sum#addBlock}), so its sum is within an ulp of the exact one as the scalar kernel's.
 * Their domain is the scalar kernel's; a loop leaves to the scalar kernel the vectors it cannot do as
 * that does (bce_with_logits' gradient at {@code x} below VectorMath's exp range, where its
 * {@code 1 / exp(-|x|)} would lose {@code exp(-x)}), and refuses, as the scalar kernel, an invalid
 * probability or a negative var.
 */
final class FastPointwise {
  private FastPointwise() {}

  /** A float32 or float64 array read (and, for outputs, written) in its own dtype. */
  static final class Buf {
    final float[] f;
    final double[] d;

    private Buf(float[] f, double[] d) {
      this.f = f;
      this.d = d;
    }

    /** The backing array of a floating tensor, not a copy. */
    static Buf of(Tensor t) {
      return t.dtype() == DType.FLOAT32 ? new Buf(t.backingFloats(), null) : new Buf(null, t.backingDoubles());
    }

    /**
     * An output of {@code n} elements of {@code dtype}: {@code into} (a {@code float[]} for float32, a
     * {@code double[]} for float64, of length {@code n}) when given, else a new array.
     */
    static Buf out(String api, DType dtype, int n, Object into) {
      if (into == null) {
        return dtype == DType.FLOAT32 ? new Buf(new float[n], null) : new Buf(null, new double[n]);
      }
      if (dtype == DType.FLOAT32 && into instanceof float[] a && a.length == n) {
        return new Buf(a, null);
      }
      if (dtype == DType.FLOAT64 && into instanceof double[] a && a.length == n) {
        return new Buf(null, a);
      }
      throw new IllegalArgumentException(api + ": gradInto: a " + (into instanceof float[] ? "float[" + ((float[]) into).length
          : into instanceof double[] ? "double[" + ((double[]) into).length : into.getClass().getSimpleName() + "[")
          + "] array does not hold the " + n + " elements of a " + dtype + " grad_input");
    }

    double get(int i) {
      return f != null ? f[i] : d[i];
    }

    void set(int i, double v) {
      if (f != null) {
        f[i] = (float) v;
      } else {
        d[i] = v;
      }
    }

    /** The array as a tensor of {@code shape}, without a copy. */
    Tensor wrap(int[] shape) {
      return f != null ? Tensor.wrapFloats(f, shape) : Tensor.wrapDoubles(d, shape);
    }
  }

  /**
   * One chunk's sum of its per-element losses and of their magnitudes: blocks of {@value #BLOCK} losses
   * are added in plain double (one add on the dependency chain per element; a block's rounding error is
   * below 2^-44 of its magnitude, far below a float32 ulp and a small fraction of a float64 one), the
   * block sums with Neumaier's compensation.
   */
  static final class Sum {
    static final int BLOCK = 256;
    private double s;
    private double c;
    private double block;
    private double abs;
    private int count;
    private boolean refused;

    /** Adds one per-element loss (already rounded to the dtype). */
    void add(double v) {
      block += v;
      abs += Math.abs(v);
      if (++count == BLOCK) {
        flush();
      }
    }

    /**
     * Adds a vector loop's partial sum {@code v} of losses whose magnitudes sum to at most
     * {@code absBound} (the loops pass the sum of the magnitudes; NaN if a loss was NaN).
     */
    void addBlock(double v, double absBound) {
      flush();
      block = v;
      flush();
      abs += absBound;
    }

    private void flush() {
      double t = s + block;
      c += Math.abs(s) >= Math.abs(block) ? (s - t) + block : (block - t) + s;
      s = t;
      block = 0;
      count = 0;
    }

    private double value() {
      flush();
      return s + c;
    }

    /** The kernel met a value outside its domain: the call goes to the generic path. */
    void refuse() {
      refused = true;
    }
  }

  /** One chunk of a loss: elements (or rows) {@code [from, to)}, their losses added to {@code sum}. */
  interface Chunk {
    void run(int from, int to, Sum sum);
  }

  /**
   * Runs {@code chunk} over {@code n} elements in {@link Parallel} chunks; returns the sum of the losses
   * rounded to {@code dtype}, or {@code null} when a chunk refused or (with {@code summed}) the sum left
   * the domain described above. Without {@code summed} (reduction none) the sum is not checked.
   */
  static Double run(int n, DType dtype, boolean summed, Chunk chunk) {
    return run(n, n, dtype, summed, chunk);
  }

  /** {@link #run(int, DType, boolean, Chunk)} over {@code units} rows of {@code elements} in all: the chunks are ranges of rows. */
  static Double run(long elements, int n, DType dtype, boolean summed, Chunk chunk) {
    int chunks = chunks(elements, n);
    Sum[] sums = new Sum[chunks];
    Runnable[] work = new Runnable[chunks];
    for (int k = 0; k < chunks; k++) {
      int from = Parallel.from(n, chunks, k);
      int to = Parallel.from(n, chunks, k + 1);
      Sum s = sums[k] = new Sum();
      work[k] = () -> chunk.run(from, to, s);
    }
    Parallel.run(work);
    Sum total = new Sum();
    double abs = 0;
    for (Sum s : sums) {
      if (s.refused) {
        return null;
      }
      total.block = s.value();
      total.flush();
      abs += s.abs;
    }
    double limit = (dtype == DType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE) / 2;
    if (summed && !(abs <= limit)) {
      return null;
    }
    double sum = total.value();
    if (summed && !Double.isFinite(sum)) {
      return null;
    }
    return Precision.round(dtype, sum);
  }

  /** Chunks of at least a quarter of {@link Parallel#THRESHOLD} elements, at most this many. */
  static final int MAX_CHUNKS = 16;

  /**
   * The chunk count of {@code elements} elements in {@code units} rows: 1 below
   * {@link Parallel#THRESHOLD}, else {@code min(16, units, elements / (THRESHOLD / 4))}. It depends on the
   * size only, not on {@link Parallel#threads()} (unlike {@link Parallel#chunks}), so the chunk sums, and
   * the block boundaries inside them, are the same for every thread count: so is the result.
   */
  static int chunks(long elements, int units) {
    if (elements < Parallel.THRESHOLD) {
      return 1;
    }
    return (int) Math.max(1, Math.min(Math.min(MAX_CHUNKS, units), elements / (Parallel.THRESHOLD / 4)));
  }

  /**
   * The upstream gradient of each element loss as autograd hands it down, rounded in the dtype:
   * {@code 1/numel} for mean, {@code 1/divisor} for kl_div's batchmean, else 1 (as {@link PointwiseLoss}).
   */
  static double upstream(DType dtype, Reduction reduction, int n, int batchmeanDivisor) {
    if (batchmeanDivisor != PointwiseLoss.NO_BATCHMEAN) {
      return Precision.round(dtype, 1.0 / batchmeanDivisor);
    }
    return reduction == Reduction.MEAN ? Precision.round(dtype, 1.0 / n) : 1;
  }

  /**
   * The reduced loss from the rounded sum, as {@link dev.lossconformance.loss.Elementwise#reduce} (mean:
   * the sum divided by numel, rounded) or kl_div's batchmean (the sum divided by the divisor); for none
   * the per-element losses {@code loss}.
   */
  static Tensor loss(DType dtype, Reduction reduction, int n, int batchmeanDivisor, double sum, Buf loss, int[] shape) {
    if (reduction == Reduction.NONE) {
      return loss.wrap(shape);
    }
    if (batchmeanDivisor != PointwiseLoss.NO_BATCHMEAN) {
      return Tensor.scalar(dtype, sum / batchmeanDivisor);
    }
    return Tensor.scalar(dtype, reduction == Reduction.SUM ? sum : Precision.round(dtype, sum / n));
  }

  /**
   * The generic path's result with only the gradients asked for, {@code grad_input} copied into
   * {@code into} when given (a call the fast path does not cover still honours both).
   */
  static LossAndGrads select(String api, LossAndGrads all, Gradients wanted, Object into) {
    Map<String, Tensor> grads = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : all.grads().entrySet()) {
      if (wanted.wants(e.getKey())) {
        grads.put(e.getKey(), e.getKey().equals("grad_input") ? copy(api, e.getValue(), into) : e.getValue());
      }
    }
    return new LossAndGrads(all.loss(), grads);
  }

  /** {@code grad} copied into {@code into} and wrapped, or {@code grad} itself when {@code into} is null. */
  static Tensor copy(String api, Tensor grad, Object into) {
    if (into == null || grad == null) {
      return grad;
    }
    Buf b = Buf.out(api, grad.dtype(), grad.numel(), into);
    for (int i = 0; i < grad.numel(); i++) {
      b.set(i, grad.getDouble(i));
    }
    return b.wrap(grad.shape());
  }

  /**
   * {@code log1p(z)} for a float32 {@code z} in [-1, 1], as {@code Math.log1p} before rounding to
   * float32: {@code log(1 + z)} where {@code 1 + z} is exact in double (every float32 {@code |z| >=
   * 2^-29}: the intrinsic {@code Math.log}, several times faster than {@code Math.log1p}), and below
   * that Goldberg's {@code log(u) z / (u - 1)}, {@code u = 1 + z}, within a few double ulps; {@code z}
   * itself where {@code u} rounds to 1. Either differs from the rounded {@code Math.log1p} only where the
   * value lies within a few 2^-53 (relative) of a float32 rounding boundary.
   */
  static double log1pOfFloat(double z) {
    double u = 1 + z;
    return u == 1 ? z : Math.log(u) * (z / (u - 1));
  }

  /** Rounds {@code v} to float32 when {@code f32}. */
  static double rnd(boolean f32, double v) {
    return f32 ? (float) v : v;
  }
}
