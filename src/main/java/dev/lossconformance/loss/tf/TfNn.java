package dev.lossconformance.loss.tf;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.Fibers;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.loss.keras.SoftmaxXent;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * The {@code tf.nn} cross-entropy functions of TensorFlow 2.16, in the input's dtype (float64 stays
 * float64, unlike Keras). Each returns the element- or row-wise loss (no reduction) and
 * d(sum of loss)/d(logits) as TF computes it.
 */
public final class TfNn {
  public static final String SOFTMAX = "tf.nn.softmax_cross_entropy_with_logits";
  public static final String SPARSE_SOFTMAX = "tf.nn.sparse_softmax_cross_entropy_with_logits";
  public static final String SIGMOID = "tf.nn.sigmoid_cross_entropy_with_logits";
  public static final String WEIGHTED = "tf.nn.weighted_cross_entropy_with_logits";
  public static final String LOG_POISSON = "tf.nn.log_poisson_loss";

  private TfNn() {}

  /**
   * {@code SoftmaxCrossEntropyWithLogits} along {@code axis}: {@code sum_c y_c (log s - (x_c - m))};
   * the gradient is the op's backprop {@code softmax - y} (the true derivative only when the labels sum
   * to 1). A {@code -inf} logit with label 0 gives {@code 0 * inf = NaN} (T-15). Labels are not checked.
   * nn_ops.py casts the labels to the logits' dtype first (a float32 subnormal label is read as 0 by
   * that Cast); the kernel (xent_op.h {@code XentEigenImpl}) computes in the logits' dtype, each Eigen
   * expression rounded: {@code d = x - m}, {@code s = sum exp(d)}, loss {@code sum y (log s - d)},
   * backprop {@code exp(d) / s - y}, with subnormals flushed (see {@link #r}) and the sums from the
   * left ({@link #leftSum}). Float32 rows of ordinary logits with the classes last take
   * {@link SoftmaxXent}'s fused rows (same ops and sums; its Javadoc says its domain and ulps).
   */
  public static LossAndGrad softmaxCrossEntropyWithLogits(Tensor labels, Tensor logits, long axis) {
    return softmaxCrossEntropyWithLogits(labels, logits, axis, true);
  }

  /** {@link #softmaxCrossEntropyWithLogits(Tensor, Tensor, long)}, on the exact path alone unless {@code fastRows}. */
  static LossAndGrad softmaxCrossEntropyWithLogits(Tensor labels, Tensor logits, long axis, boolean fastRows) {
    nonNull(SOFTMAX, labels, logits);
    Shapes.requireFloating("logits", logits);
    int[] shape = logits.shape();
    Shapes.requireSameShape(SOFTMAX, "labels", labels, "logits", logits);
    Fibers f = Fibers.of(shape, axis, SOFTMAX);
    int c = f.size();
    int inner = f.inner();
    int outer = f.outer();
    int[] outShape = f.reducedShape();
    boolean f32 = logits.dtype() == DType.FLOAT32;
    boolean labels32 = labels.dtype() == DType.FLOAT32;
    int fibers = outer * inner;
    LossAndGrad fast = fastRows && inner == 1 ? SoftmaxXent.dense(labels, logits, fibers, c, outShape) : null;
    if (fast != null) {
      return fast;
    }
    FloatingOut loss = new FloatingOut(logits.dtype(), fibers);
    FloatingOut g = new FloatingOut(logits.dtype(), logits.numel());
    chunked(logits.numel(), fibers, (from, to) -> {
      double[] d = new double[c];
      double[] t = new double[c];
      for (int fi = from; fi < to; fi++) {
        int o = fi / inner;
        int s = fi % inner;
        double m = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < c; k++) {
          m = Math.max(m, read(f32, logits.getDouble((o * c + k) * inner + s)));
        }
        for (int k = 0; k < c; k++) {
          d[k] = r(f32, read(f32, logits.getDouble((o * c + k) * inner + s)) - m);
          t[k] = r(f32, Math.exp(d[k]));
        }
        double sum = leftSum(f32, t, c);
        double logSum = r(f32, Math.log(sum));
        for (int k = 0; k < c; k++) {
          int at = (o * c + k) * inner + s;
          double yk = r(f32, read(labels32, labels.getDouble(at)));
          g.set(at, r(f32, r(f32, t[k] / sum) - yk));
          t[k] = r(f32, yk * r(f32, logSum - d[k]));
        }
        loss.set(fi, leftSum(f32, t, c));
      }
    });
    return new LossAndGrad(loss.tensor(outShape), g.tensor(shape));
  }

  /** A chunk's range of units: {@code [from, to)}. */
  interface Range {
    void run(int from, int to);
  }

  /**
   * Runs {@code body} over the units {@code [0, units)} of a kernel of {@code elements} elements, in
   * {@link Parallel}'s chunks (one below its threshold). Every kernel here writes each unit's outputs
   * from that unit alone, so the result does not depend on the chunking or the thread count.
   */
  static void chunked(long elements, int units, Range body) {
    int chunks = Parallel.chunks(elements, units);
    Runnable[] work = new Runnable[chunks];
    for (int k = 0; k < chunks; k++) {
      int from = Parallel.from(units, chunks, k);
      int to = Parallel.from(units, chunks, k + 1);
      work[k] = () -> body.run(from, to);
    }
    Parallel.run(work);
  }

  /**
   * The sum of {@code v[0, n)} from the left, each addition rounded to the dtype: what the dense kernel's
   * sums match (the sweep, seed 1: 0 of 632 tf.nn softmax cases fail, at most 2 ulps). Modelling Eigen's
   * packet lanes there ({@link #laneSum}) failed more cases (147 of 1959 against 108 from the left, an
   * early run on the cross_entropy counterparts), unlike the sparse kernel, whose sums need the lanes.
   */
  static double leftSum(boolean f32, double[] v, int n) {
    double s = 0;
    for (int j = 0; j < n; j++) {
      s = r(f32, s + v[j]);
    }
    return s;
  }

  /** Packet lanes of TF's CPU build (AVX: 8 floats or 4 doubles). */
  private static final int LANES_F32 = 8;

  private static final int LANES_F64 = 4;

  /**
   * The sum of {@code v[0, n)} in the order of Eigen's vectorised inner-most reduction
   * (TensorReduction.h {@code InnerMostDimReducer}): with {@code P} lanes, four packet accumulators over
   * blocks of {@code 4P} when {@code n >= 4P}, folded into the first, the remaining whole packets into
   * it, the tail summed by a scalar accumulator, and {@code tail + predux(packet)}, where {@code predux}
   * adds the upper half onto the lower half of the lanes until one is left (PacketMath.h of SSE/AVX).
   * Every addition rounded to the dtype. The sparse kernel's sums follow it (the sweep's rows of 4
   * doubles and 8 floats match only so: {@code (l0 + l2) + (l1 + l3)}).
   */
  static double laneSum(boolean f32, double[] v, int n) {
    int p = f32 ? LANES_F32 : LANES_F64;
    double[] acc = new double[p];
    int start = 0;
    if (n >= 4 * p) {
      double[] acc1 = new double[p];
      double[] acc2 = new double[p];
      double[] acc3 = new double[p];
      int vec4 = n / (4 * p) * (4 * p);
      for (int j = 0; j < vec4; j += 4 * p) {
        for (int l = 0; l < p; l++) {
          acc[l] = r(f32, acc[l] + v[j + l]);
          acc1[l] = r(f32, acc1[l] + v[j + p + l]);
          acc2[l] = r(f32, acc2[l] + v[j + 2 * p + l]);
          acc3[l] = r(f32, acc3[l] + v[j + 3 * p + l]);
        }
      }
      for (int l = 0; l < p; l++) {
        acc[l] = r(f32, r(f32, r(f32, acc[l] + acc1[l]) + acc2[l]) + acc3[l]);
      }
      start = vec4;
    }
    int vec = n / p * p;
    for (int j = start; j < vec; j += p) {
      for (int l = 0; l < p; l++) {
        acc[l] = r(f32, acc[l] + v[j + l]);
      }
    }
    double tail = 0;
    for (int j = Math.max(start, vec); j < n; j++) {
      tail = r(f32, tail + v[j]);
    }
    if (vec == 0) {
      return tail;
    }
    for (int w = p / 2; w >= 1; w /= 2) {
      for (int l = 0; l < w; l++) {
        acc[l] = r(f32, acc[l] + acc[l + w]);
      }
    }
    return r(f32, tail + acc[0]);
  }

  /**
   * {@code SparseSoftmaxCrossEntropyWithLogits}: {@code lse(x) - x_y} per row, classes last; gradient
   * {@code softmax - onehot}. A label outside {@code [0, C)} raises (the CPU kernel's check). Float32
   * rows of ordinary logits take {@link SoftmaxXent}'s fused rows.
   */
  public static LossAndGrad sparseSoftmaxCrossEntropyWithLogits(Tensor labels, Tensor logits) {
    return sparseSoftmaxCrossEntropyWithLogits(labels, logits, true);
  }

  /** {@link #sparseSoftmaxCrossEntropyWithLogits(Tensor, Tensor)}, on the exact path alone unless {@code fastRows}. */
  static LossAndGrad sparseSoftmaxCrossEntropyWithLogits(Tensor labels, Tensor logits, boolean fastRows) {
    nonNull(SPARSE_SOFTMAX, labels, logits);
    Shapes.requireFloating("logits", logits);
    Shapes.requireIntegral("labels", labels);
    int[] shape = logits.shape();
    if (shape.length == 0) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, SPARSE_SOFTMAX
          + ": logits: a 0-d tensor has no class axis (TF: Logits cannot be scalars)");
    }
    int c = shape[shape.length - 1];
    int[] outShape = Arrays.copyOf(shape, shape.length - 1);
    if (!Arrays.equals(labels.shape(), outShape)) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          SPARSE_SOFTMAX + ": labels: shape " + Arrays.toString(labels.shape())
          + " must be the logits' shape without the last axis, " + Arrays.toString(outShape));
    }
    int rows = labels.numel();
    for (int i = 0; i < rows; i++) {
      long y = labels.getLong(i);
      if (y < 0 || y >= c) {
        throw new LossArgumentException(ErrorKind.INDEX_OUT_OF_RANGE,
            SPARSE_SOFTMAX + ": labels: " + Shapes.element(labels.shape(), i, Long.toString(y))
            + " is outside the valid range of [0, " + c + ")");
      }
    }
    // sparse_xent_op.h SparseXentEigenImpl, in the logits' dtype as the dense kernel: d = x - m,
    // s = sum exp(d) in Eigen's lane order, loss log s - d_y, backprop exp(d) / s - onehot
    LossAndGrad fast = !fastRows ? null : SoftmaxXent.sparse(labels.backingLongs(), logits, rows, c, outShape);
    if (fast != null) {
      return fast;
    }
    boolean f32 = logits.dtype() == DType.FLOAT32;
    FloatingOut loss = new FloatingOut(logits.dtype(), rows);
    FloatingOut g = new FloatingOut(logits.dtype(), logits.numel());
    chunked(logits.numel(), rows, (from, to) -> {
      double[] d = new double[c];
      double[] t = new double[c];
      for (int i = from; i < to; i++) {
        double m = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < c; k++) {
          m = Math.max(m, read(f32, logits.getDouble(i * c + k)));
        }
        for (int k = 0; k < c; k++) {
          d[k] = r(f32, read(f32, logits.getDouble(i * c + k)) - m);
          t[k] = r(f32, Math.exp(d[k]));
        }
        double sum = laneSum(f32, t, c);
        int y = (int) labels.getLong(i);
        loss.set(i, r(f32, r(f32, Math.log(sum)) - d[y]));
        for (int k = 0; k < c; k++) {
          g.set(i * c + k, r(f32, r(f32, t[k] / sum) - (k == y ? 1 : 0)));
        }
      }
    });
    return new LossAndGrad(loss.tensor(outShape), g.tensor(shape));
  }

  /**
   * The {@code exp(neg_abs)} of one element of {@code tf.nn.sigmoid_cross_entropy_with_logits} in the
   * dtype ({@code f32}: float32, else float64), logit {@code x} as the caller holds it (read as the kernel
   * reads it: a subnormal is a zero of its sign), which {@link #sigmoidCrossEntropy} and
   * {@link #sigmoidCrossEntropyGrad} share.
   */
  public static double sigmoidExp(boolean f32, double x) {
    x = read(f32, x);
    return r(f32, Math.exp(x >= 0 ? -x : x));
  }

  /**
   * One element of {@code tf.nn.sigmoid_cross_entropy_with_logits} in the dtype, label {@code z}, logit
   * {@code x} (read with DAZ), {@code e} its {@link #sigmoidExp}. nn_impl.py: {@code cond = logits >= zeros;
   * relu = where(cond, x, 0); neg_abs = where(cond, -x, x); (relu - x z) + log1p(exp(neg_abs))}, every
   * op rounded to the dtype and flushed. Keras' {@code BinaryCrossentropy(from_logits=True)} runs the
   * same op in float32 and calls this too.
   */
  public static double sigmoidCrossEntropy(boolean f32, double z, double x, double e) {
    x = read(f32, x);
    z = read(f32, z);
    double relu = x >= 0 ? x : 0;
    return r(f32, r(f32, relu - r(f32, x * z)) + r(f32, Math.log1p(e)));
  }

  /**
   * d(loss)/d(x) of {@link #sigmoidCrossEntropy} from an upstream gradient of ones, as TF's registry
   * builds it: Log1pGrad {@code 1 * Reciprocal(1 + e)}, ExpGrad {@code * e}, then the AddN of x's four
   * incoming gradients in the order the builder's ready queue reaches x's consumers (gradients.cc
   * SumGradients): Select(relu)'s then-branch, Mul's {@code -z}, Select(neg_abs)'s else-branch, Neg's.
   * (float32 elements in whole AVX packets get Eigen's preciprocal, rcp plus one Newton step: not
   * reproduced, Tolerances allows it.)
   */
  public static double sigmoidCrossEntropyGrad(boolean f32, double z, double x, double e) {
    x = read(f32, x);
    z = read(f32, z);
    boolean cond = x >= 0;
    double gn = r(f32, r(f32, 1 / r(f32, 1 + e)) * e);
    return r(f32, r(f32, r(f32, (cond ? 1.0 : 0.0) + -z) + (cond ? 0.0 : gn)) + -(cond ? gn : 0.0));
  }

  /**
   * {@code tf.nn.sigmoid_cross_entropy_with_logits}: element-wise, same shapes. Runs the fast path
   * ({@link SigmoidFast}, streaming in the dtype; its domain and ulp distances in {@link VectorSigmoidRows});
   * {@link #sigmoidExact} is the op-by-op path it is tested against.
   */
  public static LossAndGrad sigmoidCrossEntropyWithLogits(Tensor labels, Tensor logits) {
    nonNull(SIGMOID, labels, logits);
    Shapes.requireFloating("logits", logits);
    int[] shape = logits.shape();
    Shapes.requireSameShape(SIGMOID, "labels", labels, "logits", logits);
    // logits * labels is the first op taking both: a raw Mul refuses another dtype (no promotion)
    requireSameDtype("Mul", logits, labels);
    return SigmoidFast.sigmoid(labels, logits, SigmoidRows.best());
  }

  /** The exact path of {@link #sigmoidCrossEntropyWithLogits}, after its checks (element by element, op by op). */
  static LossAndGrad sigmoidExact(Tensor labels, Tensor logits) {
    int[] shape = logits.shape();
    boolean f32 = logits.dtype() == DType.FLOAT32;
    int n = logits.numel();
    FloatingOut loss = new FloatingOut(logits.dtype(), n);
    FloatingOut g = new FloatingOut(logits.dtype(), n);
    chunked(n, n, (from, to) -> {
      for (int i = from; i < to; i++) {
        double x = logits.getDouble(i);
        double z = labels.getDouble(i);
        double e = sigmoidExp(f32, x);
        loss.set(i, sigmoidCrossEntropy(f32, z, x, e));
        g.set(i, sigmoidCrossEntropyGrad(f32, z, x, e));
      }
    });
    return new LossAndGrad(loss.tensor(shape), g.tensor(shape));
  }

  /**
   * {@code tf.nn.weighted_cross_entropy_with_logits}: {@code (1 - z) x + (1 + (q - 1) z)(log1p(exp(-|x|)) + max(-x, 0))}
   * with {@code q = pos_weight} broadcast to the logits' shape, op by op in the logits' dtype
   * (nn_impl.py {@code weighted_cross_entropy_with_logits_v2}; every op's result rounded to the dtype,
   * subnormal inputs and results flushed to zero as TF's CPU kernels run). The gradient is what TF's C++
   * gradient registry builds from upstream ones: {@code AddN((1 - z), -ReluGrad(l, -x), -(l / (1 + e)) e sign(x))}
   * with {@code e = exp(-|x|)}, each product rounded; {@code ReluGrad} is {@code l * [-x > 0]}, so an infinite
   * {@code l} gives {@code inf * 0 = NaN} where {@code x >= 0}. Runs the fast path ({@link SigmoidFast}) when
   * pos_weight has the logits' shape, one element, or a shape that is a suffix of theirs; else
   * {@link #weightedExact}.
   */
  public static LossAndGrad weightedCrossEntropyWithLogits(Tensor labels, Tensor logits, Tensor posWeight) {
    nonNull(WEIGHTED, labels, logits);
    Shapes.nonNull(WEIGHTED, "posWeight", posWeight);
    Shapes.requireFloating("logits", logits);
    int[] shape = logits.shape();
    Shapes.requireSameShape(WEIGHTED, "labels", labels, "logits", logits);
    // log_weight = 1 + (pos_weight - 1) * labels: Mul(q - 1, z) is the first op taking two inputs;
    // then (1 - labels) * logits: Mul(1 - z, x)
    requireSameDtype("Mul", posWeight, labels);
    requireSameDtype("Mul", labels, logits);
    LossAndGrad fast = SigmoidFast.weighted(labels, logits, posWeight, SigmoidRows.best());
    return fast != null ? fast : weightedExact(labels, logits, posWeight);
  }

  /**
   * The exact path of {@link #weightedCrossEntropyWithLogits}, after its checks: element by element
   * ({@link SigmoidRows#weighted(boolean, double, double, double, double[])}), op by op, any broadcast.
   */
  static LossAndGrad weightedExact(Tensor labels, Tensor logits, Tensor posWeight) {
    int[] shape = logits.shape();
    // pos_weight's element for each logit: itself when of the logits' shape, its one element when it has
    // one (and no more dimensions), else the broadcast's index (which refuses incompatible shapes)
    int[] pw = posWeight.shape();
    boolean sameShape = Arrays.equals(pw, shape);
    boolean single = !sameShape && posWeight.numel() == 1 && pw.length <= shape.length;
    int[] qAt = sameShape || single ? null : Shapes.broadcastIndex(WEIGHTED + ": pos_weight", pw, shape);
    boolean f32 = logits.dtype() == DType.FLOAT32;
    int n = logits.numel();
    FloatingOut loss = new FloatingOut(logits.dtype(), n);
    FloatingOut g = new FloatingOut(logits.dtype(), n);
    chunked(n, n, (from, to) -> {
      double[] out = new double[2];
      for (int i = from; i < to; i++) {
        SigmoidRows.weighted(f32, labels.getDouble(i), logits.getDouble(i),
            posWeight.getDouble(qAt != null ? qAt[i] : single ? 0 : i), out);
        loss.set(i, out[0]);
        g.set(i, out[1]);
      }
    });
    return new LossAndGrad(loss.tensor(shape), g.tensor(shape));
  }

  private static void nonNull(String api, Tensor labels, Tensor logits) {
    Shapes.nonNull(api, "labels", labels);
    Shapes.nonNull(api, "logits", logits);
  }

  /**
   * A raw TF op's inputs of one type attribute must share a dtype (no promotion): the op's construction
   * fails with {@code cannot compute Mul as input #1(zero-based) was expected to be a float tensor but
   * is a double tensor} (the message of an eager call; EngineErrors maps it to {@code DTYPE}).
   */
  private static void requireSameDtype(String op, Tensor first, Tensor second) {
    if (first.dtype() != second.dtype()) {
      throw new LossArgumentException(ErrorKind.DTYPE, "cannot compute " + op
          + " as input #1(zero-based) was expected to be a " + tfName(first.dtype()) + " tensor but is a "
          + tfName(second.dtype()) + " tensor");
    }
  }

  private static String tfName(DType dt) {
    return switch (dt) {
      case FLOAT32 -> "float";
      case FLOAT64 -> "double";
      default -> dt.jsonName();
    };
  }

  /**
   * One TF CPU op's result: rounded to the dtype ({@code f32}: float32, else float64), and a subnormal
   * result flushed to a zero of its sign (TF runs its kernels with the FTZ and DAZ bits set,
   * {@code port::ScopedFlushDenormal}).
   */
  static double r(boolean f32, double v) {
    if (f32) {
      float f = (float) v;
      return Math.abs(f) < Float.MIN_NORMAL ? Math.copySign(0.0, f) : f;
    }
    return Math.abs(v) < Double.MIN_NORMAL ? Math.copySign(0.0, v) : v;
  }

  /** An input as a TF kernel reads it (DAZ: a subnormal is a zero of its sign). */
  static double read(boolean f32, double v) {
    return r(f32, v);
  }

  /**
   * {@code tf.nn.log_poisson_loss}: {@code exp(c) - z c}, plus with {@code computeFullLoss} the Stirling
   * term {@code z log z - z + 0.5 log(2 pi z)} except where {@code 0 <= z <= 1} (so NaN for z < 0, T-22;
   * PyTorch zeroes every z <= 1). Element-wise, op by op in the input's dtype as nn_impl.py builds it
   * ({@code exp(log_input) - log_input * targets}, so {@code 3e38 * 2} overflows to inf in float32 and the
   * loss is {@code inf - inf = NaN}), subnormal inputs and results flushed to zero as TF's CPU kernels run;
   * {@code 0.5} and {@code 2 pi} are constants of the targets' dtype. Gradient: {@code AddN(exp(c), -z)}
   * (ExpGrad's {@code 1 * exp(c)}, then MulGrad's {@code -1 * z}), rounded once. The targets must have the
   * log input's dtype: {@code Mul(log_input, targets)} refuses another (a DTYPE error). Runs the fast path
   * ({@link SigmoidFast}); {@link #logPoissonExact} is the op-by-op path.
   */
  public static LossAndGrad logPoissonLoss(Tensor targets, Tensor logInput, boolean computeFullLoss) {
    Shapes.nonNull(LOG_POISSON, "targets", targets);
    Shapes.nonNull(LOG_POISSON, "logInput", logInput);
    Shapes.requireFloating("log_input", logInput);
    int[] shape = logInput.shape();
    Shapes.requireSameShape(LOG_POISSON, "targets", targets, "log_input", logInput);
    requireSameDtype("Mul", logInput, targets);
    return SigmoidFast.logPoisson(targets, logInput, computeFullLoss, SigmoidRows.best());
  }

  /**
   * The exact path of {@link #logPoissonLoss}, after its checks: element by element
   * ({@link SigmoidRows#logPoisson(boolean, double, double, boolean, double[])}), op by op.
   */
  static LossAndGrad logPoissonExact(Tensor targets, Tensor logInput, boolean computeFullLoss) {
    int[] shape = logInput.shape();
    boolean f32 = logInput.dtype() == DType.FLOAT32;
    int n = logInput.numel();
    FloatingOut loss = new FloatingOut(logInput.dtype(), n);
    FloatingOut g = new FloatingOut(logInput.dtype(), n);
    chunked(n, n, (from, to) -> {
      double[] out = new double[2];
      for (int i = from; i < to; i++) {
        SigmoidRows.logPoisson(f32, targets.getDouble(i), logInput.getDouble(i), computeFullLoss, out);
        loss.set(i, out[0]);
        g.set(i, out[1]);
      }
    });
    return new LossAndGrad(loss.tensor(shape), g.tensor(shape));
  }
}
