package dev.lossconformance.loss.keras;

import dev.lossconformance.loss.Accumulator;
import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * Keras 3.3.3's {@code Loss.__call__} reduction ({@code keras/src/losses/loss.py}: {@code apply_mask},
 * {@code reduce_weighted_values}, {@code reduce_values}), in float32.
 *
 * <ul>
 *   <li>A mask (from {@code ignore_class}) becomes a weight: under {@code sum_over_batch_size} valid
 *       entries weigh {@code total / (valid + 1e-7)}, ignored ones 0; otherwise 1 and 0.
 *   <li>{@code sample_weight} multiplies the per-sample losses after
 *       {@code squeeze_or_expand_to_same_rank}, then broadcasts.
 *   <li>{@code none}, or a loss of shape {@code ()} or {@code (0,)}, is returned as it is; otherwise the
 *       sum, divided for {@code sum_over_batch_size} by the loss tensor's element count (plain
 *       division: 0/0 is NaN in 3.3.3).
 * </ul>
 */
public final class KerasReduction {
  /** Keras' {@code backend.epsilon()}, 1e-7, as the float32 it becomes inside a float32 graph. */
  public static final float EPSILON = 1e-7f;

  private KerasReduction() {}

  /** Keras' reduction names. */
  public enum Mode {
    SUM_OVER_BATCH_SIZE, SUM, NONE;

    /** {@code "sum_over_batch_size"}, {@code "sum"}, {@code "none"} (or null, which is none). */
    public static Mode of(String name) {
      if (name == null) {
        return NONE;
      }
      return switch (name) {
        case "sum_over_batch_size" -> SUM_OVER_BATCH_SIZE;
        case "sum" -> SUM;
        case "none" -> NONE;
        default -> throw new LossArgumentException(ErrorKind.INVALID_VALUE, "reduction: \"" + name
            + "\" is not a valid value; expected \"sum_over_batch_size\", \"sum\" or \"none\"");
      };
    }

    public String kerasName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The reduced loss and d(sum of it)/d(per-sample loss) for each per-sample loss. */
  public record Reduced(Tensor loss, double[] factor) {}

  /**
   * Reduces per-sample float32 losses {@code values} of shape {@code shape}.
   *
   * @param valid the mask, one flag per value, or {@code null}
   * @param sampleWeight or {@code null}
   */
  public static Reduced reduce(double[] values, int[] shape, boolean[] valid, Tensor sampleWeight, Mode mode) {
    Shapes.nonNull("KerasReduction.reduce", "values", values);
    Shapes.nonNull("KerasReduction.reduce", "shape", shape);
    Shapes.nonNull("KerasReduction.reduce", "mode", mode);
    int n = values.length;
    double[] w = weights(n, shape, valid, sampleWeight, mode);
    double[] factor = new double[n];
    for (int i = 0; i < n; i++) {
      factor[i] = factor(w, i, n, mode);
    }
    return new Reduced(total(values, shape, w, mode), factor);
  }

  /**
   * The weight of each of {@code n} per-sample losses of shape {@code shape}: the mask's (see the class
   * comment) times {@code sample_weight}'s, each product rounded to float32; {@code null} when there is
   * neither (every weight 1). It does not depend on the losses, so a kernel can take the gradient's
   * scale ({@link #factor}) before it computes them.
   */
  static double[] weights(int n, int[] shape, boolean[] valid, Tensor sampleWeight, Mode mode) {
    if (valid == null && sampleWeight == null) {
      return null;
    }
    double[] w = new double[n];
    Arrays.fill(w, 1);
    if (valid != null) {
      float scale = 1;
      if (mode == Mode.SUM_OVER_BATCH_SIZE) {
        int count = 0;
        for (boolean b : valid) {
          count += b ? 1 : 0;
        }
        scale = (float) n / ((float) count + EPSILON);
      }
      for (int i = 0; i < n; i++) {
        w[i] = valid[i] ? scale : 0;
      }
    }
    if (sampleWeight != null) {
      int[] map = sampleWeightIndex(sampleWeight.shape(), shape);
      for (int i = 0; i < n; i++) {
        w[i] = (float) (w[i] * (float) sampleWeight.getDouble(map[i]));
      }
    }
    return w;
  }

  /** d(reduced loss)/d(per-sample loss {@code i} of {@code n}) for the {@link #weights} {@code w}. */
  static double factor(double[] w, int i, int n, Mode mode) {
    double wi = w == null ? 1 : w[i];
    return mode == Mode.SUM_OVER_BATCH_SIZE ? wi / n : wi;
  }

  /**
   * The reduced float32 loss of the per-sample losses {@code values} weighted by {@link #weights}
   * {@code w}: {@code none}, or a loss of shape {@code ()} or {@code (0,)}, is the weighted losses; else
   * their sum (in double with compensation, {@link Accumulator}, then rounded), divided by the count for
   * {@code sum_over_batch_size}.
   */
  static Tensor total(double[] values, int[] shape, double[] w, Mode mode) {
    int n = values.length;
    double[] v = values;
    if (w != null) {
      v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = (float) (values[i] * w[i]);
      }
    }
    if (mode == Mode.NONE || shape.length == 0 || (shape.length == 1 && shape[0] == 0)) {
      return Tensor.ofFloating(DType.FLOAT32, v, shape);
    }
    Accumulator sum = new Accumulator();
    for (double x : v) {
      sum.add(x);
    }
    float total = (float) sum.value();
    return Tensor.scalar(DType.FLOAT32, mode == Mode.SUM_OVER_BATCH_SIZE ? total / (float) n : total);
  }

  /**
   * loss.py {@code squeeze_or_expand_to_same_rank(y_true, y_pred, expand_rank_1=True)}, which
   * {@code LossFunctionWrapper.call} applies before every Keras loss function: when the ranks differ by
   * one and the longer shape ends in 1, a rank-1 partner gets a trailing 1 (expand_dims), else the
   * longer one loses its trailing 1 (squeeze). Only shapes change (the data's order is the same), so
   * this returns the two shapes {@code {yTrueShape, yPredShape}} as the loss function sees them.
   */
  public static int[][] squeezeOrExpandToSameRank(int[] yTrue, int[] yPred) {
    int[] x1 = dev.lossconformance.loss.Shapes.nonNull("squeeze_or_expand_to_same_rank", "yTrue", yTrue);
    int[] x2 = dev.lossconformance.loss.Shapes.nonNull("squeeze_or_expand_to_same_rank", "yPred", yPred);
    int r1 = x1.length;
    int r2 = x2.length;
    if (r1 == r2 + 1 && x1[r1 - 1] == 1) {
      if (r2 == 1) {
        x2 = Arrays.copyOf(x2, r2 + 1);
        x2[r2] = 1;
      } else {
        x1 = Arrays.copyOf(x1, r1 - 1);
      }
    }
    if (r2 == r1 + 1 && yPred[r2 - 1] == 1) {
      if (r1 == 1) {
        x1 = Arrays.copyOf(x1, r1 + 1);
        x1[r1] = 1;
      } else {
        x2 = Arrays.copyOf(x2, r2 - 1);
      }
    }
    return new int[][] {x1, x2};
  }

  /**
   * A float32 value as TensorFlow's CPU kernels see and write it: they run with the FPU's
   * flush-to-zero and denormals-are-zero modes set ({@code port::ScopedFlushDenormal} around every
   * kernel in {@code common_runtime/executor.cc}), so a subnormal input or result is a zero of its sign.
   * The sweep found it: {@code |y_true - y_pred|} is 0 for 0 and -1.4e-45, and a label of 1.4e-45
   * counts as a binary 0 for Hinge.
   */
  public static double flush(double v) {
    return Math.abs(v) < Float.MIN_NORMAL ? Math.copySign(0.0, v) : v;
  }

  /** The float32 lanes of Eigen's packet on the x86-64 CPUs TF 2.16's wheels target (AVX: 8). */
  static final int PACKET = 8;

  /**
   * {@code v[from..from+n)} summed as Eigen's inner-most-dimension reduction sums float32 (what TF's
   * {@code Sum} and {@code Mean} over the last axis, and the xent kernels' sums over classes, run):
   * whole packets of {@link #PACKET} lanes accumulated lane by lane, the remainder sequentially, then
   * {@code remainder + predux(lanes)}, predux adding the upper half of the lanes to the lower half until
   * one is left ({@code InnerMostDimReducer::reduce}, {@code SumReducer::finalizeBoth}). Every addition
   * is rounded to float32 and flushed. Rows shorter than a packet are summed left to right.
   */
  static double eigenSum(double[] v, int from, int n) {
    int vectorized = n / PACKET * PACKET;
    double accum = 0;
    for (int j = vectorized; j < n; j++) {
      accum = flush((float) (accum + v[from + j]));
    }
    if (vectorized == 0) {
      return accum;
    }
    double[] lanes = new double[PACKET];
    for (int j = 0; j < vectorized; j += PACKET) {
      for (int l = 0; l < PACKET; l++) {
        lanes[l] = flush((float) (lanes[l] + v[from + j + l]));
      }
    }
    for (int width = PACKET / 2; width >= 1; width /= 2) {
      for (int l = 0; l < width; l++) {
        lanes[l] = flush((float) (lanes[l] + lanes[l + width]));
      }
    }
    return flush((float) (accum + lanes[0]));
  }

  /**
   * For each per-sample loss, the element of {@code sample_weight} it is multiplied by, after Keras'
   * {@code squeeze_or_expand_to_same_rank} (a trailing 1 is squeezed, a rank-1 weight is expanded)
   * and broadcasting.
   */
  static int[] sampleWeightIndex(int[] weightShape, int[] lossShape) {
    int[] ws = weightShape;
    if (ws.length == lossShape.length + 1 && ws[ws.length - 1] == 1) {
      ws = Arrays.copyOf(ws, ws.length - 1);
    }
    return Shapes.broadcastIndex("sample_weight", ws, lossShape);
  }
}
