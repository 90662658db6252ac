package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Parallel;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.Tensor;

/**
 * The float32 class-index cross-entropy without label smoothing (the common case), fused and parallel:
 * per fiber one pass for the max and one that computes {@code e = exp(x - max)}, sums it and (with the
 * gradient) stores it, then the stored {@code e} is scaled into {@code w_y a (softmax - onehot)} (for
 * (N, C) rows inside the next row's exponential sweep). (N, C) rows are vectorised along the classes;
 * K-dim inputs (N, C, d...) along the contiguous spatial positions, so memory is streamed in order in
 * both layouts. Large inputs are split into a fixed number of chunks, claimed in order by the calling
 * thread and {@code threads() - 1} pool workers; chunk sums are combined in chunk order, so the result
 * does not depend on scheduling.
 *
 * <p>Exponentials are computed by {@link Exp}: {@link VectorExp}'s polynomial on FMAs when the
 * {@code jdk.incubator.vector} module is present, else {@code Math.exp}. Sums of exponentials go
 * through float lanes in blocks whose sums are added with compensation and finally in double, so a
 * 128k-class row keeps float32 accuracy. Semantics (weights, ignore_index, reductions, NaN and
 * infinities) are those of {@link ClassLoss}; {@link FastClassLoss} and ClassLoss's generic path take the
 * other cases.
 */
final class FastCrossEntropy {
  private FastCrossEntropy() {}

  static LossAndGrad apply(String api, Tensor input, Tensor target, int n, int c, int inner, int[] targetShape,
      double[] w, long ignore, Reduction reduction, boolean withGrad, float[] gradInto) {
    float[] x = input.backingFloats();
    long[] t = target.backingLongs();
    int rows = n * inner;
    // validate every target and total the weights first: mean's scale is needed inside the sweep
    double total = 0;
    for (int i = 0; i < rows; i++) {
      long y = t[i];
      if (y == ignore) {
        continue;
      }
      if (y < 0 || y >= c) {
        throw new LossArgumentException(ErrorKind.INDEX_OUT_OF_RANGE,
            api + ": target: " + Shapes.element(targetShape, i, Long.toString(y))
            + " is out of bounds for " + c + " classes [0, " + c + ") and is not ignore_index (" + ignore + ")");
      }
      total += w == null ? 1 : w[(int) y];
    }
    float d = (float) total;
    // aten's nll_loss backward takes -(1 / total_weight) in float32 before multiplying by w[y], so a
    // denormal total weight gives an infinite gradient (1 / 1e-40 overflows float32), as PyTorch does
    double a = reduction == Reduction.MEAN ? 1f / d : 1;
    float[] loss = reduction == Reduction.NONE ? new float[rows] : null;
    // every element of the gradient is written (ignored rows too), so a caller's array needs no clearing
    float[] grad = !withGrad ? null : gradInto != null ? gradInto : new float[x.length];
    Exp exp = Exp.best();
    int chunks = Parallel.chunks(x.length, inner == 1 ? rows : n);
    double[] partial = new double[chunks];
    Runnable[] work = new Runnable[chunks];
    for (int k = 0; k < chunks; k++) {
      int chunk = k;
      work[k] = () -> {
        if (inner == 1) {
          int from = (int) ((long) rows * chunk / chunks);
          int to = (int) ((long) rows * (chunk + 1) / chunks);
          partial[chunk] = exp.rows(x, t, c, w, ignore, a, from, to, loss, grad);
        } else {
          int from = (int) ((long) n * chunk / chunks);
          int to = (int) ((long) n * (chunk + 1) / chunks);
          partial[chunk] = spatialKernel(exp, x, t, c, inner, w, ignore, a, from, to, loss, grad);
        }
      };
    }
    Parallel.run(work);
    return result(reduction, loss, targetShape, partial, d, grad, input.shape());
  }

  /**
   * The loss tensor (the per-element float32 losses for none; else the chunk sums added in chunk order,
   * rounded to float32, divided by {@code meanDivisor} for mean) and the gradient, wrapped without copies.
   */
  private static LossAndGrad result(Reduction reduction, float[] loss, int[] lossShape, double[] partial,
      float meanDivisor, float[] grad, int[] gradShape) {
    Tensor lossT;
    if (reduction == Reduction.NONE) {
      lossT = Tensor.wrapFloats(loss, lossShape);
    } else {
      double sum = 0;
      for (double p : partial) {
        sum += p;
      }
      float s = (float) sum;
      lossT = Tensor.wrapFloats(new float[] {reduction == Reduction.MEAN ? s / meanDivisor : s});
    }
    return new LossAndGrad(lossT, grad == null ? null : Tensor.wrapFloats(grad, gradShape));
  }

  /** Spatial positions per tile: the tile's max, sum and compensation stay in L1, its rows in L2. */
  private static final int TILE = 1024;

  /**
   * Images {@code [from, to)} of an (N, C, d...) input, vectorised along the {@code inner} spatial
   * positions and processed a tile of positions at a time; returns the sum of their float32 losses.
   */
  private static double spatialKernel(Exp exp, float[] x, long[] t, int c, int inner, double[] w, long ignore,
      double a, int from, int to, float[] loss, float[] grad) {
    int tile = Math.min(TILE, inner);
    float[] m = new float[tile];
    float[] s = new float[tile];
    float[] comp = new float[tile];
    float[] logS = new float[tile];
    double sum = 0;
    for (int n = from; n < to; n++) {
      for (int p0 = 0; p0 < inner; p0 += tile) {
        int len = Math.min(tile, inner - p0);
        int base = n * c * inner + p0;
        int tBase = n * inner + p0;
        System.arraycopy(x, base, m, 0, len);
        for (int k = 1; k < c; k++) {
          exp.maxInto(m, x, base + k * inner, len);
        }
        java.util.Arrays.fill(s, 0, len, 0f);
        java.util.Arrays.fill(comp, 0, len, 0f);
        for (int k = 0; k < c; k++) {
          exp.addExp(s, comp, x, base + k * inner, m, len, grad);
        }
        exp.log(s, logS, len);
        for (int p = 0; p < len; p++) {
          long y = t[tBase + p];
          if (y == ignore) {
            continue;
          }
          double wy = w == null ? 1 : w[(int) y];
          float l = Exp.rowLoss(wy, x[base + (int) y * inner + p], m[p], logS[p]);
          sum += l;
          if (loss != null) {
            loss[tBase + p] = l;
          }
        }
        if (grad != null) {
          for (int p = 0; p < len; p++) {
            long y = t[tBase + p];
            // the scale per position, a w_y / s, reusing m's storage; where ignored 0, or NaN when the
            // position's max is not finite (a NaN or +inf logit, or all -inf): PyTorch's log_softmax
            // backward, 0 - exp(logp) * 0, is NaN at every class of a position whose logp is NaN
            m[p] = y == ignore ? (Float.isFinite(m[p]) ? 0f : Float.NaN)
                : (float) (a * (w == null ? 1 : w[(int) y]) / s[p]);
          }
          for (int k = 0; k < c; k++) {
            exp.multiply(grad, base + k * inner, m, len);
          }
          for (int p = 0; p < len; p++) {
            long y = t[tBase + p];
            if (y != ignore) {
              grad[base + (int) y * inner + p] -= (float) (a * (w == null ? 1 : w[(int) y]));
            }
          }
        }
      }
    }
    return sum;
  }
}
