package dev.lossconformance.loss.keras;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.Fibers;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.loss.tf.FloatingOut;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * Keras 3.3.3's last-axis losses on the TensorFlow backend: {@code KLDivergence}, {@code Poisson},
 * {@code Hinge}, {@code MeanAbsoluteError} and {@code CosineSimilarity}. float32 throughout (T-19);
 * each reduces the last axis (a sum for KL and cosine, a mean for the others) to a per-sample loss,
 * then {@link KerasReduction}. The gradient is d(sum of loss)/d(y_pred), in y_pred's dtype.
 */
public final class KerasRegression {
  public static final String KLD = "keras.losses.KLDivergence";
  public static final String POISSON = "keras.losses.Poisson";
  public static final String HINGE = "keras.losses.Hinge";
  public static final String MAE = "keras.losses.MeanAbsoluteError";
  public static final String COSINE = "keras.losses.CosineSimilarity";

  private KerasRegression() {}

  /**
   * One element's loss term and its gradient, each op in float32 as TF's kernels round it (the
   * gradients follow TF's C++ gradient registry, {@code cc/gradients/math_grad.cc}, op by op).
   */
  private interface Term {
    /** The element's loss term from the float32 (flushed) y_true and y_pred. */
    double loss(double yTrue, double yPred);

    /** d(sum of loss)/d(y_pred) at the element, {@code up} being the gradient arriving at its term. */
    double grad(double yTrue, double yPred, double up);
  }

  /**
   * {@code sum_{-1} t^ log(t^ / p^)} with {@code t^ = clip(y_true, 1e-7, 1)}, {@code p^ = clip(y_pred, 1e-7, 1)}:
   * both are probabilities (torch's kl_div takes log-probabilities, T-6); a zero target still adds
   * {@code 1e-7 log(1e-7 / p)} (T-7). The gradient: Mul's {@code up * t^}, Log's {@code * 1/(t^/p^)},
   * RealDiv's {@code * (-t^/p^)/p^}, where y_pred is inside the clip (Minimum and Maximum pass ties).
   * Without a broadcast, {@link #fast}.
   */
  public static LossAndGrad klDivergence(Tensor yTrue, Tensor yPred, Tensor sampleWeight, KerasReduction.Mode mode) {
    return run(RegressionRows.Kind.KLD, yTrue, yPred, sampleWeight, mode, RegressionRows.best(), -1);
  }

  private static final Term KLD_TERM = new Term() {
    @Override public double loss(double y, double p) {
      double t = clip(y, 1);
      double q = clip(p, 1);
      return (float) (t * (float) Math.log(f((float) (t / q))));
    }

    @Override public double grad(double y, double p, double up) {
      if (!(p >= KerasReduction.EPSILON && p <= 1)) {
        return 0;
      }
      double t = clip(y, 1);
      double q = clip(p, 1);
      double gLog = f(up * t);
      double gDiv = f(gLog * f(1 / f(t / q)));
      return f(gDiv * f(f(-t / q) / q));
    }
  };

  /**
   * {@code mean_{-1}(p - y log(p + 1e-7))}: y_pred is a rate (T-8). Gradient as TF forms it: Sub's
   * {@code up}, plus Mul's {@code -up * y} times Log's {@code 1/(p + 1e-7)} (a reciprocal below
   * float32's normal range is flushed to 0, so p = 3e38 gives {@code up}, not {@code up (1 - y/p)}).
   * Without a broadcast, {@link #fast}.
   */
  public static LossAndGrad poisson(Tensor yTrue, Tensor yPred, Tensor sampleWeight, KerasReduction.Mode mode) {
    return run(RegressionRows.Kind.POISSON, yTrue, yPred, sampleWeight, mode, RegressionRows.best(), -1);
  }

  private static final Term POISSON_TERM = new Term() {
    @Override public double loss(double y, double p) {
      double s = f(p + KerasReduction.EPSILON);
      return f(p - f(y * (float) Math.log(s)));
    }

    @Override public double grad(double y, double p, double up) {
      double s = f(p + KerasReduction.EPSILON);
      return f(up + f(f(-up * y) * f(1 / s)));
    }
  };

  /**
   * {@code mean_{-1} max(1 - y p, 0)}, with labels mapped {0,1} → {-1,1} only when every label of the
   * batch is 0 or 1 (T-23); not PyTorch's hinge_embedding_loss (T-10). Gradient: Maximum's
   * {@code where(1 - y p >= 0, up, 0)} (ties pass to its first argument; NaN compares false), then
   * Sub's negation and Mul's {@code * y}: so {@code -0 * y} where the hinge is flat, which is NaN for a
   * NaN or infinite label (as TF gives), not 0. Without a broadcast, {@link #fast}.
   */
  public static LossAndGrad hinge(Tensor yTrue, Tensor yPred, Tensor sampleWeight, KerasReduction.Mode mode) {
    return run(RegressionRows.Kind.HINGE, yTrue, yPred, sampleWeight, mode, RegressionRows.best(), -1);
  }

  /** Hinge's term of the labels as they are ({@code binary}: mapped {0,1} → {-1,1}). */
  private static Term hingeTerm(boolean binary) {
    return new Term() {
      double label(double y) {
        return binary ? f(f(2 * y) - 1) : y;
      }

      @Override public double loss(double y, double p) {
        double m = f(1 - f(label(y) * p));
        return Double.isNaN(m) ? m : Math.max(m, 0);
      }

      @Override public double grad(double y, double p, double up) {
        double t = label(y);
        double m = f(1 - f(t * p));
        double gm = m >= 0 ? up : 0;
        return f(-gm * t);
      }
    };
  }

  private static final Term HINGE_TERM = hingeTerm(false);
  private static final Term HINGE_BINARY_TERM = hingeTerm(true);

  /** Whether every label, as Keras' float32 read flushed, is 0 or 1 (Hinge's {0,1} → {-1,1} map, T-23). */
  private static boolean binaryLabels(Tensor y) {
    float[] f32 = y.dtype() == DType.FLOAT32 ? y.backingFloats() : null;
    double[] f64 = y.dtype() == DType.FLOAT64 ? y.backingDoubles() : null;
    for (int i = 0, n = y.numel(); i < n; i++) {
      float v = SoftmaxRows.flush(f32 != null ? f32[i] : f64 != null ? (float) f64[i] : (float) y.getDouble(i));
      if (v != 0 && v != 1) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code mean_{-1}|y - p|}; gradient Abs's {@code up * sign(y - p)} negated by Sub: {@code -0} at
   * equality, NaN for NaN (TF's Sign). Without a broadcast, {@link #fast}.
   */
  public static LossAndGrad meanAbsoluteError(Tensor yTrue, Tensor yPred, Tensor sampleWeight, KerasReduction.Mode mode) {
    return run(RegressionRows.Kind.MAE, yTrue, yPred, sampleWeight, mode, RegressionRows.best(), -1);
  }

  private static final Term MAE_TERM = new Term() {
    @Override public double loss(double y, double p) {
      return Math.abs(f(y - p));
    }

    @Override public double grad(double y, double p, double up) {
      double d = f(y - p);
      double sign = d > 0 ? 1 : d < 0 ? -1 : d == 0 ? 0 : Double.NaN; // TF's Sign: NaN stays NaN
      return -f(up * sign);
    }
  };

  /**
   * The loss {@code kind} ({@code HINGE} or {@code HINGE_BINARY}: Hinge, the labels' map chosen here)
   * on the fast path's rows {@code kernel} in {@code chunkCount} chunks ({@code -1}: {@link Parallel#chunks}'s),
   * or, {@code kernel} null, on the exact path alone (for the tests).
   */
  static LossAndGrad run(RegressionRows.Kind kind, Tensor yTrue, Tensor yPred, Tensor sampleWeight,
      KerasReduction.Mode mode, RegressionRows kernel, int chunkCount) {
    String api = switch (kind) {
      case MAE -> MAE;
      case HINGE, HINGE_BINARY -> HINGE;
      case POISSON -> POISSON;
      case KLD -> KLD;
    };
    nonNull(api, yTrue, yPred, mode);
    if (kind == RegressionRows.Kind.HINGE || kind == RegressionRows.Kind.HINGE_BINARY) {
      kind = binaryLabels(yTrue) ? RegressionRows.Kind.HINGE_BINARY : RegressionRows.Kind.HINGE;
    }
    Term term = switch (kind) {
      case MAE -> MAE_TERM;
      case HINGE -> HINGE_TERM;
      case HINGE_BINARY -> HINGE_BINARY_TERM;
      case POISSON -> POISSON_TERM;
      case KLD -> KLD_TERM;
    };
    return lastAxis(api, yTrue, yPred, sampleWeight, mode, kind != RegressionRows.Kind.KLD, term, kind, kernel,
        chunkCount);
  }

  /** The null checks of every loss here ({@code sampleWeight} may be null: no weights). */
  private static void nonNull(String api, Tensor yTrue, Tensor yPred, KerasReduction.Mode mode) {
    Shapes.nonNull(api, "yTrue", yTrue);
    Shapes.nonNull(api, "yPred", yPred);
    Shapes.nonNull(api, "mode", mode);
  }

  private static double clip(double v, double hi) {
    return Math.max(Math.min(v, hi), KerasReduction.EPSILON);
  }

  /** A float32 op's result: rounded to float32, then flushed if subnormal ({@link KerasReduction#flush}). */
  private static double f(double v) {
    return KerasReduction.flush((float) v);
  }

  /**
   * The shared body: {@code squeeze_or_expand_to_same_rank} (LossFunctionWrapper.call), the loss
   * function's broadcast of y_true against y_pred, its reduction of the last axis (an empty last axis
   * gives TF's mean 0/0 = NaN, or the sum 0, per sample), then {@link KerasReduction}.
   */
  private static LossAndGrad lastAxis(String api, Tensor yTrue, Tensor yPred, Tensor sampleWeight,
      KerasReduction.Mode mode, boolean mean, Term term, RegressionRows.Kind kind, RegressionRows kernel,
      int chunkCount) {
    Shapes.requireFloating("y_pred", yPred);
    int[][] same = KerasReduction.squeezeOrExpandToSameRank(yTrue.shape(), yPred.shape());
    int[] shape = Shapes.broadcastShape(same[0], same[1]);
    if (shape.length == 0) {
      throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH,
          api + ": y_pred: a 0-d tensor has no last axis to reduce"
          + " (TF: Invalid reduction dimension (-1 for input with 0 dimension(s))");
    }
    if (Arrays.equals(same[0], same[1])) {
      if (kernel != null && isFloat(yTrue) && isFloat(yPred) && shape[shape.length - 1] > 0) {
        return fast(yTrue, yPred, sampleWeight, mode, mean, term, kind, shape, kernel, chunkCount);
      }
      return streamed(yTrue, yPred, sampleWeight, mode, mean, term, shape);
    }
    // squeezing or expanding a trailing 1 keeps the flat order: the indices are those of the data
    int[] tAt = Shapes.broadcastIndex(api + ": y_true", same[0], shape);
    int[] pAt = Shapes.broadcastIndex(api + ": y_pred", same[1], shape);
    int last = shape[shape.length - 1];
    int[] outShape = Arrays.copyOf(shape, shape.length - 1);
    int rows = Tensor.numel(outShape);
    int n = Tensor.numel(shape);
    double[] t = new double[n];
    double[] p = new double[n];
    double[] loss = new double[rows];
    double[] terms = new double[last];
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < last; k++) {
        int i = r * last + k;
        t[i] = KerasReduction.flush((float) yTrue.getDouble(tAt[i]));
        p[i] = KerasReduction.flush((float) yPred.getDouble(pAt[i]));
        terms[k] = term.loss(t[i], p[i]);
      }
      double s = KerasReduction.eigenSum(terms, 0, last);
      // tf.reduce_mean of an empty axis is 0/0 = NaN, tf.reduce_sum's is 0
      loss[r] = mean ? f((float) s / (float) last) : f(s);
    }
    KerasReduction.Reduced red = KerasReduction.reduce(loss, outShape, null, sampleWeight, mode);
    double[] g = new double[yPred.numel()];
    Arrays.fill(g, -0.0); // the neutral element of +, so an unbroadcast -0.0 stays -0.0 as in TF
    for (int i = 0; i < n; i++) {
      int r = i / last;
      double up = mean ? f((float) red.factor()[r] / (float) last) : f(red.factor()[r]);
      g[pAt[i]] += term.grad(t[i], p[i], up);
    }
    for (int i = 0; i < g.length; i++) {
      g[i] = (float) g[i];
    }
    return new LossAndGrad(red.loss(), Tensor.ofFloating(yPred.dtype(), g, yPred.shape()));
  }

  /**
   * {@link #lastAxis} without a broadcast (y_true and y_pred of one shape as Keras sees them), the same
   * arithmetic streamed: the inputs are read in their dtype (no copy), each row's terms, Eigen sum and
   * gradient computed in one pass over it (the reduction's weights and gradient scale do not depend on
   * the losses, so they come first), rows split over {@link Parallel}'s workers (each row's result does
   * not depend on the chunking; the per-sample losses are reduced in row order after), and nothing
   * allocated but the gradient, the per-sample losses and a row of scratch per chunk.
   */
  private static LossAndGrad streamed(Tensor yTrue, Tensor yPred, Tensor sampleWeight, KerasReduction.Mode mode,
      boolean mean, Term term, int[] shape) {
    int last = shape[shape.length - 1];
    int[] outShape = Arrays.copyOf(shape, shape.length - 1);
    int rows = Tensor.numel(outShape);
    int n = Tensor.numel(shape);
    double[] w = KerasReduction.weights(rows, outShape, null, sampleWeight, mode);
    FloatingOut g = new FloatingOut(yPred.dtype(), n);
    double[] loss = new double[rows];
    int chunks = Parallel.chunks(n, rows);
    Runnable[] work = new Runnable[chunks];
    for (int k = 0; k < chunks; k++) {
      int from = Parallel.from(rows, chunks, k);
      int to = Parallel.from(rows, chunks, k + 1);
      work[k] = () -> {
        double[][] scratch = new double[3][last];
        for (int r = from; r < to; r++) {
          exactRow(yTrue, yPred, r, last, mean, term, KerasReduction.factor(w, r, rows, mode), loss, g, scratch);
        }
      };
    }
    Parallel.run(work);
    return new LossAndGrad(KerasReduction.total(loss, outShape, w, mode), g.tensor(yPred.shape()));
  }

  /**
   * Row {@code r} of {@link #streamed} (of {@code last} elements): the flushed float32 inputs, the terms,
   * their {@link KerasReduction#eigenSum} into {@code loss[r]} (tf.reduce_mean of an empty axis is
   * 0/0 = NaN, tf.reduce_sum's is 0), and the gradient at the reduction's {@code factor} into {@code g};
   * {@code scratch} is three rows of {@code last}.
   */
  private static void exactRow(Tensor yTrue, Tensor yPred, int r, int last, boolean mean, Term term, double factor,
      double[] loss, FloatingOut g, double[][] scratch) {
    double[] tr = scratch[0];
    double[] pr = scratch[1];
    double[] terms = scratch[2];
    for (int j = 0; j < last; j++) {
      int i = r * last + j;
      tr[j] = KerasReduction.flush((float) yTrue.getDouble(i));
      pr[j] = KerasReduction.flush((float) yPred.getDouble(i));
      terms[j] = term.loss(tr[j], pr[j]);
    }
    double s = KerasReduction.eigenSum(terms, 0, last);
    loss[r] = mean ? f((float) s / (float) last) : f(s);
    double up = mean ? f((float) factor / (float) last) : f(factor);
    for (int j = 0; j < last; j++) {
      g.set(r * last + j, (float) (-0.0 + term.grad(tr[j], pr[j], up)));
    }
  }

  private static boolean isFloat(Tensor t) {
    return t.dtype() == DType.FLOAT32 || t.dtype() == DType.FLOAT64;
  }

  /**
   * {@link #streamed} on float32 rows ({@link RegressionRows} {@code kernel}): y_true and y_pred float32
   * or float64 (read in their dtype, a float64 row narrowed to float32 into a chunk's scratch as Keras'
   * cast does), each op in float, each row's terms summed as Eigen's 8-lane packet reduction, the
   * gradient written in y_pred's dtype; rows split over {@link Parallel} (in {@code chunkCount} chunks,
   * {@code -1}: its own count). Domain, per row: that of {@link RegressionRows} (no NaN term; for
   * Poisson, every term 0 or finite of magnitude at least 2^-100); a row outside it is the exact path's
   * ({@link #exactRow}). The scalar rows give the exact path's bits; the vector rows too, except the
   * per-sample losses of Poisson and KLDivergence, whose log is the Vector API's (see
   * {@link VectorRegressionRows}). Allocates the gradient, the per-sample losses and O(chunks) rows of
   * scratch.
   */
  private static LossAndGrad fast(Tensor yTrue, Tensor yPred, Tensor sampleWeight, KerasReduction.Mode mode,
      boolean mean, Term term, RegressionRows.Kind kind, int[] shape, RegressionRows kernel, int chunkCount) {
    int last = shape[shape.length - 1];
    int[] outShape = Arrays.copyOf(shape, shape.length - 1);
    int rows = Tensor.numel(outShape);
    double[] w = KerasReduction.weights(rows, outShape, null, sampleWeight, mode);
    double[] loss = new double[rows];
    FloatingOut g = new FloatingOut(yPred.dtype(), rows * last);
    forRows(yTrue, yPred, rows, last, chunkCount, g, (r, t, ti, p, pi, gr, gi, scratch) -> {
      double factor = KerasReduction.factor(w, r, rows, mode);
      float up = (float) (mean ? f((float) factor / (float) last) : f(factor));
      float s = kernel.row(kind, t, ti, p, pi, last, up, gr, gi, scratch.terms);
      if (Float.isNaN(s)) { // outside the domain: the exact path's row
        scratch.exact = scratch.exact != null ? scratch.exact : new double[3][last];
        exactRow(yTrue, yPred, r, last, mean, term, factor, loss, g, scratch.exact);
        return false;
      }
      loss[r] = mean ? f(s / (float) last) : f(s);
      return true;
    });
    return new LossAndGrad(KerasReduction.total(loss, outShape, w, mode), g.tensor(yPred.shape()));
  }

  /** A chunk's scratch rows for {@link #forRows}' bodies (allocated once per chunk, the exact rows' on first use). */
  private static final class Scratch {
    final float[] terms;
    final float[] second;
    final float[] packets = new float[4 * KerasReduction.PACKET];
    double[][] exact;

    Scratch(int last) {
      terms = new float[last];
      second = new float[last];
    }
  }

  /** One row of {@link #forRows}: returns whether it wrote its gradient to {@code g[gi, ...)} (else to the output itself). */
  private interface Row {
    boolean run(int r, float[] t, int ti, float[] p, int pi, float[] g, int gi, Scratch scratch);
  }

  /**
   * Runs {@code body} on each of {@code rows} rows of {@code last} elements of the float32 or float64
   * y_true and y_pred, split over {@link Parallel} ({@code chunkCount} chunks, {@code -1}: its own
   * count): a float32 input is passed as its backing array at the row's offset, a float64 one narrowed
   * to float32 into a chunk's row (Keras' cast, read flushed); the gradient goes into {@code out}'s
   * float32 array at the row's offset, or into a chunk's row that is then written to a float64 {@code out}.
   */
  private static void forRows(Tensor yTrue, Tensor yPred, int rows, int last, int chunkCount, FloatingOut out,
      Row body) {
    float[] g32 = out.floats();
    float[] t32 = yTrue.dtype() == DType.FLOAT32 ? yTrue.backingFloats() : null;
    double[] t64 = t32 == null ? yTrue.backingDoubles() : null;
    float[] p32 = yPred.dtype() == DType.FLOAT32 ? yPred.backingFloats() : null;
    double[] p64 = p32 == null ? yPred.backingDoubles() : null;
    SoftmaxRows narrow = SoftmaxRows.best();
    int chunks = chunkCount > 0 ? Math.min(chunkCount, Math.max(rows, 1)) : Parallel.chunks((long) rows * last, rows);
    Runnable[] work = new Runnable[chunks];
    for (int k = 0; k < chunks; k++) {
      int from = Parallel.from(rows, chunks, k);
      int to = Parallel.from(rows, chunks, k + 1);
      work[k] = () -> {
        float[] tr = t32 != null ? t32 : new float[last];
        float[] pr = p32 != null ? p32 : new float[last];
        float[] gr = g32 != null ? g32 : new float[last];
        Scratch scratch = new Scratch(last);
        for (int r = from; r < to; r++) {
          int at = r * last;
          if (t32 == null) {
            narrow.narrow(t64, at, last, tr);
          }
          if (p32 == null) {
            narrow.narrow(p64, at, last, pr);
          }
          int gi = g32 != null ? at : 0;
          if (body.run(r, tr, t32 != null ? at : 0, pr, p32 != null ? at : 0, gr, gi, scratch) && g32 == null) {
            out.set(at, gr, 0, last);
          }
        }
      };
    }
    Parallel.run(work);
  }

  /**
   * {@code -sum_axis n(y_true) n(y_pred)} with {@code n(v) = v / max(|v|, 1e-7)} (Keras 3.3.3's
   * l2-normalise): {@code -cos}, not PyTorch's {@code 1 - cos} (T-9); a zero vector gives 0.
   *
   * <p>Keras computes this op by op in float32 ({@code Loss.__call__} casts both inputs to floatx;
   * losses.py {@code cosine_similarity}; ops/nn.py {@code _normalize}: {@code sqrt(sum(x * x, axis,
   * keepdims))}, {@code maximum(norm, 1e-7)}, {@code divide(x, denom)}; then {@code -sum(y_true *
   * y_pred, axis)}), and every op's result is a float32 tensor: a squared norm that overflows is inf
   * (the normalised vector 0, or NaN for an infinite element), one that underflows is 0 (the vector
   * divided by 1e-7). The sums follow Eigen's reduction order ({@link #cosineSum}). The gradient is
   * TF's C++ gradient registry along that graph ({@code tensorflow/cc/gradients/math_grad.cc}): Neg,
   * Sum (broadcast), Mul ({@code y_true^ * grad}), RealDiv ({@code grad / denom} and
   * {@code Sum(grad * ((-x / denom) / denom))}), Maximum ({@code grad} where {@code norm >= 1e-7},
   * else 0), Sqrt ({@code SqrtGrad}, {@link #cosineSqrtGrad}), Sum, Mul ({@code grad * x} twice), and
   * the three contributions to y_pred added by AddN in the order the builder reached them:
   * {@code (grad / denom + grad_sq x) + grad_sq x}.
   */
  public static LossAndGrad cosineSimilarity(Tensor yTrue, Tensor yPred, Tensor sampleWeight, long axis,
      KerasReduction.Mode mode) {
    nonNull(COSINE, yTrue, yPred, mode);
    Shapes.requireFloating("y_pred", yPred);
    int[] shape = yPred.shape();
    Shapes.requireSameShape(COSINE, "y_true", yTrue, "y_pred", yPred);
    Fibers f = Fibers.of(shape, axis, COSINE);
    int c = f.size();
    int inner = f.inner();
    int outer = f.outer();
    int fibers = outer * inner;
    int[] outShape = f.reducedShape();
    if (inner == 1 && c > 0 && isFloat(yTrue) && isFloat(yPred)) {
      return cosineFast(yTrue, yPred, sampleWeight, mode, c, fibers, outShape, RegressionRows.best(), -1);
    }
    return cosineExact(yTrue, yPred, sampleWeight, mode, f);
  }

  /**
   * {@link #cosineSimilarity} over the last axis on {@link RegressionRows#cosineRow} ({@code kernel}),
   * streamed fiber by fiber (the norms in registers, two rows of scratch per chunk): the same ops, sums
   * and flushes as {@link #cosineExact}, so the same bits (NaN and infinities too: every op is an IEEE
   * float op either way); y_true and y_pred float32 or float64 read in their dtype; allocates only the
   * gradient and the per-sample losses.
   */
  static LossAndGrad cosineFast(Tensor yTrue, Tensor yPred, Tensor sampleWeight, KerasReduction.Mode mode, int c,
      int fibers, int[] outShape, RegressionRows kernel, int chunkCount) {
    double[] w = KerasReduction.weights(fibers, outShape, null, sampleWeight, mode);
    double[] loss = new double[fibers];
    int packed = fibers / COSINE_PACKET * COSINE_PACKET;
    FloatingOut g = new FloatingOut(yPred.dtype(), fibers * c);
    forRows(yTrue, yPred, fibers, c, chunkCount, g, (r, t, ti, p, pi, gr, gi, scratch) -> {
      float factor = (float) KerasReduction.factor(w, r, fibers, mode);
      loss[r] = kernel.cosineRow(t, ti, p, pi, c, factor, r < packed, gr, gi, scratch.terms, scratch.second,
          scratch.packets);
      return true;
    });
    return new LossAndGrad(KerasReduction.total(loss, outShape, w, mode), g.tensor(yPred.shape()));
  }

  /** {@link #cosineSimilarity} op by op on whole tensors (any axis): the reference of {@link #cosineFast}. */
  static LossAndGrad cosineExact(Tensor yTrue, Tensor yPred, Tensor sampleWeight, KerasReduction.Mode mode, Fibers f) {
    int[] shape = yPred.shape();
    int c = f.size();
    int inner = f.inner();
    int outer = f.outer();
    int fibers = outer * inner;
    int[] outShape = f.reducedShape();
    float eps = (float) KerasReduction.EPSILON;
    double[] p = new double[yPred.numel()];
    double[] t = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = cosineFtz(yPred.getDouble(i)); // Cast to float32 (flushed, as every op below)
      t[i] = cosineFtz(yTrue.getDouble(i));
    }
    double[] ph = new double[p.length];
    double[] th = new double[p.length];
    double[] normP = new double[fibers];
    double[] denP = new double[fibers];
    double[] loss = new double[fibers];
    double[] work = new double[c];
    double[] packets = new double[4 * COSINE_PACKET];
    for (int o = 0; o < outer; o++) {
      for (int s = 0; s < inner; s++) {
        int fi = o * inner + s;
        normP[fi] = cosineNormalise(p, ph, o, s, c, inner, eps, work, packets);
        denP[fi] = cosineMaximum(normP[fi], eps);
        cosineNormalise(t, th, o, s, c, inner, eps, work, packets);
        for (int k = 0; k < c; k++) {
          int at = (o * c + k) * inner + s;
          work[k] = cosineFtz(th[at] * ph[at]);
        }
        loss[fi] = -cosineSum(work, c, inner == 1, packets);
      }
    }
    KerasReduction.Reduced red = KerasReduction.reduce(loss, outShape, null, sampleWeight, mode);
    double[] g = new double[p.length];
    int packed = fibers / COSINE_PACKET * COSINE_PACKET;
    for (int o = 0; o < outer; o++) {
      for (int s = 0; s < inner; s++) {
        int fi = o * inner + s;
        double gs = -cosineFtz(red.factor()[fi]); // Neg's gradient, broadcast by Sum's
        double den = denP[fi];
        for (int k = 0; k < c; k++) {
          int at = (o * c + k) * inner + s;
          double gph = cosineFtz(th[at] * gs); // Mul: x_1 * grad
          g[at] = cosineFtz(gph / den); // RealDiv: grad / x_2
          work[k] = cosineFtz(gph * cosineFtz(cosineFtz(-p[at] / den) / den)); // grad * ((-x_1 / x_2) / x_2)
        }
        double gDen = cosineSum(work, c, inner == 1, packets); // summed over the broadcast axis
        double gNorm = normP[fi] >= eps ? gDen : 0; // Maximum: GreaterEqual(x, y) selects
        double gSq = cosineSqrtGrad(normP[fi], gNorm, fi < packed);
        for (int k = 0; k < c; k++) {
          int at = (o * c + k) * inner + s;
          double a = cosineFtz(gSq * p[at]); // Mul(x, x): grad * x, x * grad
          g[at] = cosineFtz(cosineFtz(g[at] + a) + a); // AddN: (RealDiv's + Mul's first) + Mul's second
        }
      }
    }
    return new LossAndGrad(red.loss(), Tensor.ofFloating(yPred.dtype(), g, shape));
  }

  /** Eigen's float packet width in TF's CPU kernels (AVX: 8 floats). */
  private static final int COSINE_PACKET = 8;

  /**
   * ops/nn.py {@code _normalize} of one fiber of {@code x} into {@code out}, in float32: returns the
   * norm {@code sqrt(sum(x * x))}; the fiber is divided by {@code maximum(norm, eps)}.
   */
  private static double cosineNormalise(double[] x, double[] out, int o, int s, int c, int inner, float eps,
      double[] work, double[] packets) {
    for (int k = 0; k < c; k++) {
      int at = (o * c + k) * inner + s;
      work[k] = cosineFtz(x[at] * x[at]);
    }
    double norm = cosineFtz(Math.sqrt(cosineSum(work, c, inner == 1, packets)));
    double den = cosineMaximum(norm, eps);
    for (int k = 0; k < c; k++) {
      int at = (o * c + k) * inner + s;
      out[at] = cosineFtz(x[at] / den);
    }
    return norm;
  }

  /** TF's Maximum, which propagates NaN (cwise_ops.h: {@code scalar_max_op<T, T, PropagateNaN>}). */
  private static double cosineMaximum(double x, float y) {
    return Double.isNaN(x) ? x : Math.max(x, y);
  }

  /**
   * TF's float32 {@code Sum} over one fiber of {@code n} values. Over the innermost axis it is Eigen's
   * {@code InnerMostDimReducer}: four packet accumulators over blocks of 4 packets (when there are at
   * least 4 packets), one over the remaining whole packets, the tail added to 0 in order, then
   * {@code tail + predux(packet)}, predux halving the 8 lanes ({@code (v_i + v_{i+4})}, then
   * {@code (b_0 + b_2) + (b_1 + b_3)}). Over an outer axis each output adds its values in order.
   */
  private static double cosineSum(double[] v, int n, boolean innermost, double[] packets) {
    if (!innermost) {
      double acc = 0;
      for (int k = 0; k < n; k++) {
        acc = cosineFtz(acc + v[k]);
      }
      return acc;
    }
    int w = COSINE_PACKET;
    Arrays.fill(packets, 0);
    int start = 0;
    if (n >= 4 * w) {
      int size4 = n / (4 * w) * (4 * w);
      for (int j = 0; j < size4; j += 4 * w) {
        for (int l = 0; l < 4 * w; l++) { // accumulator l / w takes packet j / w + l / w of each block
          packets[l] = cosineFtz(packets[l] + v[j + l]);
        }
      }
      for (int a = 1; a < 4; a++) {
        for (int l = 0; l < w; l++) {
          packets[l] = cosineFtz(packets[l] + packets[a * w + l]);
        }
      }
      start = size4;
    }
    if (start <= n - w) {
      int size = n / w * w;
      for (int j = start; j < size; j += w) {
        for (int l = 0; l < w; l++) {
          packets[l] = cosineFtz(packets[l] + v[j + l]);
        }
      }
      start = size;
    }
    double acc = 0;
    for (int j = start; j < n; j++) {
      acc = cosineFtz(acc + v[j]);
    }
    double b0 = cosineFtz(packets[0] + packets[4]);
    double b1 = cosineFtz(packets[1] + packets[5]);
    double b2 = cosineFtz(packets[2] + packets[6]);
    double b3 = cosineFtz(packets[3] + packets[7]);
    double packet = cosineFtz(cosineFtz(b0 + b2) + cosineFtz(b1 + b3));
    return cosineFtz(acc + packet);
  }

  /**
   * TF's {@code SqrtGrad(y, dy)} (cwise_ops_gradients.h {@code scalar_sqrt_gradient_op}): 0 where
   * {@code dy} is 0, else {@code (0.5 * dy) / y} element by element, or {@code (0.5 / y) * dy} on
   * the elements Eigen evaluates as whole packets ({@code mul_no_nan} of {@code pdiv(0.5, y)}).
   */
  private static double cosineSqrtGrad(double y, double dy, boolean packet) {
    if (dy == 0) {
      return 0;
    }
    return packet ? cosineFtz(cosineFtz(0.5 / y) * dy) : cosineFtz(cosineFtz(0.5 * dy) / y);
  }

  /**
   * {@code v} rounded to float32 as TF's CPU kernels leave it: TF runs every op with the denormals
   * flushed ({@code tensorflow/core/platform/denormal.cc}: FTZ and DAZ set on the executor's threads),
   * so a subnormal result is a zero of its sign and a subnormal input reads as one.
   */
  private static double cosineFtz(double v) {
    float f = (float) v;
    return f != 0 && Math.abs(f) < Float.MIN_NORMAL ? Math.copySign(0.0, f) : f;
  }
}
