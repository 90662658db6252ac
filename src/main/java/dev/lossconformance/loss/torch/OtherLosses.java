package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.Gradients;
import dev.lossconformance.loss.LossAndGrads;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Precision;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * PyTorch 2.7's element-wise losses beyond the cross-entropy family, each the formula of its aten
 * kernel (or, for {@code gaussian_nll_loss}, of its Python function), reduced over every element, with
 * the gradient of {@code loss.sum()} with respect to every floating input. Computed in double and
 * rounded where PyTorch materialises a tensor (per-element losses, the sum).
 *
 * <p>Inputs of one dtype and of the input's shape (gaussian's var also one per row) take the fused,
 * parallel, vectorised engine ({@link FastPointwise}, {@link PointwiseKernels}), which repeats these
 * rounding points; everything else ({@link PointwiseLoss}'s broadcasting, mixed dtypes, 0-dim targets,
 * sums outside the engine's domain) takes the generic path here. The {@link Gradients} overloads compute
 * and return only the gradients asked for; the {@code gradInto} ones write grad_input into the caller's
 * array (float[] for float32, double[] for float64).
 */
public final class OtherLosses {
  public static final String KL_DIV = "torch.nn.functional.kl_div";
  public static final String POISSON_NLL = "torch.nn.functional.poisson_nll_loss";
  public static final String GAUSSIAN_NLL = "torch.nn.functional.gaussian_nll_loss";
  public static final String HINGE_EMBEDDING = "torch.nn.functional.hinge_embedding_loss";
  public static final String L1 = "torch.nn.functional.l1_loss";

  private OtherLosses() {}

  /**
   * {@code kl_div(input, target)}: input is log-probabilities; {@code xlogy(t, t) - t * input}, or
   * {@code exp(t) * (t - input)} with {@code logTarget}. {@code reduction} is none, mean (over N*C: the
   * trap T-6), sum or batchmean (sum / input.size(0), which is 0/0 = NaN for an empty batch; no division
   * for a 0-dim input, as F.kl_div). A zero target contributes 0 (NaN with a -inf input); a negative one
   * NaN.
   *
   * <p>As aten's composite {@code kl_div} (aten/src/ATen/native/Loss.cpp) and autograd's formulas for
   * it (tools/autograd/derivatives.yaml): {@code exp(target)} and {@code xlogy(target, target)} are
   * tensors of the target's dtype, {@code target - input} and {@code target * input} of the promoted
   * dtype, and the result is the promoted dtype (a float32 input with a float64 target gives float64).
   * The target gradient is {@code xlogy(t != 0, t) g + (g t) / t - g x} (so NaN at t = 0, and 0 where
   * {@code g t} underflows), or {@code (g (t - x)) exp(t) + g exp(t)}; each product is rounded in the
   * dtype autograd computes it in.
   */
  public static LossAndGrads klDiv(Tensor input, Tensor target, String reduction, boolean logTarget) {
    return klDiv(input, target, reduction, logTarget, Gradients.ALL, (Object) null);
  }

  /** {@link #klDiv(Tensor, Tensor, String, boolean)} computing only the gradients asked for ("grad_input", "grad_target"). */
  public static LossAndGrads klDiv(Tensor input, Tensor target, String reduction, boolean logTarget, Gradients gradients) {
    return klDiv(input, target, reduction, logTarget, gradients, (Object) null);
  }

  /**
   * {@link #klDiv(Tensor, Tensor, String, boolean, Gradients)} with {@code grad_input} (when asked for) written into
   * {@code gradInto}, of one element per input element, for a float32 input; every element is
   * overwritten and the returned gradient wraps the array.
   */
  public static LossAndGrads klDiv(Tensor input, Tensor target, String reduction, boolean logTarget, Gradients gradients, float[] gradInto) {
    return klDiv(input, target, reduction, logTarget, gradients, (Object) Shapes.nonNull(KL_DIV, "gradInto", gradInto));
  }

  /** {@link #klDiv(Tensor, Tensor, String, boolean, Gradients, float[])} for a float64 input. */
  public static LossAndGrads klDiv(Tensor input, Tensor target, String reduction, boolean logTarget, Gradients gradients, double[] gradInto) {
    return klDiv(input, target, reduction, logTarget, gradients, (Object) Shapes.nonNull(KL_DIV, "gradInto", gradInto));
  }

  private static LossAndGrads klDiv(Tensor input, Tensor target, String reduction, boolean logTarget,
      Gradients gradients, Object gradInto) {
    nonNull(KL_DIV, input, target, reduction);
    Shapes.nonNull(KL_DIV, "gradients", gradients).requireKnown(KL_DIV, "grad_input", "grad_target");
    // F.kl_div maps the reduction string before aten checks the tensors
    boolean batchmean = "batchmean".equals(reduction);
    Reduction r = batchmean ? Reduction.SUM : Reduction.fromTorchName(reduction);
    Shapes.requireFloating("input", input);
    Shapes.requireFloating("target", target);
    int[] shape = Shapes.broadcastShape(input.shape(), target.shape());
    int divisor = batchmean && input.rank() > 0 ? input.size(0) : PointwiseLoss.NO_BATCHMEAN;
    DType dx = input.dtype();
    DType dtt = target.dtype();
    DType dt = PointwiseLoss.promote(input, target);
    checkInto(KL_DIV, input, gradInto);
    LossAndGrads fast = PointwiseKernels.klDiv(input, target, r, divisor, logTarget, gradients, gradInto);
    if (fast != null) {
      return fast;
    }
    return FastPointwise.select(KL_DIV, PointwiseLoss.evaluate(KL_DIV, new String[] {"grad_input", "grad_target"}, new Tensor[] {input, target},
        dt, shape, r, divisor, new int[] {1, 2}, (in, g, out) -> {
          double x = in[0];
          double t = in[1];
          // operands of an op in the promoted dtype are cast to it first (a 0-dim float64 target
          // next to a float32 input is rounded to float32 there)
          double xq = rnd(dt, x);
          double tq = rnd(dt, t);
          if (logTarget) {
            double aq = rnd(dt, rnd(dtt, Math.exp(t)));
            double b = rnd(dt, tq - xq);
            out[0] = rnd(dt, aq * b);
            double gb = rnd(dt, g * aq);
            out[1] = -gb;
            out[2] = rnd(dt, g * b);
            out[3] = gb;
          } else {
            double a = xlogy(dtt, t, t);
            double c = rnd(dt, tq * xq);
            out[0] = rnd(dt, rnd(dt, a) - c);
            out[1] = rnd(dt, -g * tq);
            out[2] = g;
            out[3] = rnd(dt, -g * xq);
          }
        }, (j, sums, t) -> {
          if (j == 0) {
            return rnd(dx, sums[0]);
          }
          // the broadcast is at (target - input) or (xlogy - target * input): the target-shaped factor's
          // gradient is summed over the broadcast first, then multiplied by exp(t) or taken through xlogy
          double ga = rnd(dtt, rnd(dt, sums[0]));
          double rest = rnd(dtt, rnd(dt, sums[1]));
          if (logTarget) {
            return rnd(dtt, rnd(dtt, ga * rnd(dtt, Math.exp(t))) + rest);
          }
          // derivatives.yaml: xlogy(grad, other).masked_fill((self == 0) & (other <= 0), 0), so a zero
          // summed gradient gives 0 even at a negative target (whose log is NaN)
          double self = t == 0 ? 0 : xlogy(dtt, ga, t);
          double other = rnd(dtt, rnd(dtt, ga * t) / t);
          return rnd(dtt, rnd(dtt, self + other) + rest);
        }), gradients, gradInto);
  }

  /** Refuses a {@code gradInto} of the wrong type or length before anything is computed. */
  private static void checkInto(String api, Tensor input, Object gradInto) {
    if (gradInto != null) {
      FastPointwise.Buf.out(api, input.dtype(), input.numel(), gradInto);
    }
  }

  private static double rnd(DType dtype, double v) {
    return Precision.round(dtype, v);
  }

  /** The null checks every method here starts with: {@code input}, {@code target}, {@code reduction}. */
  private static void nonNull(String api, Tensor input, Tensor target, String reduction) {
    Shapes.nonNull(api, "input", input);
    Shapes.nonNull(api, "target", target);
    Shapes.nonNull(api, "reduction", reduction);
  }

  /**
   * aten's {@code xlogy(x, y)} in {@code dtype}: NaN where y is NaN, else 0 where x is 0 (a negative
   * y included), else {@code x * log(y)} with {@code log(y)} rounded in the dtype.
   */
  static double xlogy(DType dtype, double x, double y) {
    if (Double.isNaN(y)) {
      return Double.NaN;
    }
    return x == 0 ? 0 : rnd(dtype, x * rnd(dtype, Math.log(y)));
  }

  /**
   * {@code poisson_nll_loss}: {@code exp(x) - y x} (log_input) or {@code x - y log(x + eps)}; with
   * {@code full}, plus {@code y log y - y + 0.5 log(2 pi y)} where {@code y > 1}.
   *
   * <p>As aten's composite {@code poisson_nll_loss} (aten/src/ATen/native/Loss.cpp) and autograd through
   * it: {@code exp(input)}, {@code log(input + eps)} (eps rounded to the input's dtype) are tensors of
   * the input's dtype, {@code target * ...} and the difference of the promoted dtype (the result type;
   * a float32 {@code y x} that overflows is inf there, and {@code inf - inf} NaN), Stirling's term of the
   * target's dtype, masked with {@code masked_fill(target <= 1, 0)}. Gradients as autograd chains them:
   * input {@code g exp(x) - g y} or {@code g + (-g y) / (x + eps)}; target {@code -g x} or {@code -g log(x
   * + eps)}, plus, with {@code full}, {@code m log y + (m y) / y - m + ((0.5 m) / (2 pi y)) 2 pi} with the
   * masked {@code m} (0 where {@code y <= 1}): NaN where {@code y <= 0} ({@code 0 log 0}) and where
   * {@code y = inf} ({@code inf / inf}).
   */
  public static LossAndGrads poissonNll(Tensor input, Tensor target, boolean logInput, boolean full, double eps,
      String reduction) {
    return poissonNll(input, target, logInput, full, eps, reduction, Gradients.ALL, (Object) null);
  }

  /** {@link #poissonNll(Tensor, Tensor, boolean, boolean, double, String)} computing only the gradients asked for ("grad_input", "grad_target"). */
  public static LossAndGrads poissonNll(Tensor input, Tensor target, boolean logInput, boolean full, double eps,
      String reduction, Gradients gradients) {
    return poissonNll(input, target, logInput, full, eps, reduction, gradients, (Object) null);
  }

  /**
   * {@link #poissonNll(Tensor, Tensor, boolean, boolean, double, String, Gradients)} with {@code grad_input} (when asked for) written into
   * {@code gradInto}, of one element per input element, for a float32 input; every element is
   * overwritten and the returned gradient wraps the array.
   */
  public static LossAndGrads poissonNll(Tensor input, Tensor target, boolean logInput, boolean full, double eps,
      String reduction, Gradients gradients, float[] gradInto) {
    return poissonNll(input, target, logInput, full, eps, reduction, gradients, (Object) Shapes.nonNull(POISSON_NLL, "gradInto", gradInto));
  }

  /** {@link #poissonNll(Tensor, Tensor, boolean, boolean, double, String, Gradients, float[])} for a float64 input. */
  public static LossAndGrads poissonNll(Tensor input, Tensor target, boolean logInput, boolean full, double eps,
      String reduction, Gradients gradients, double[] gradInto) {
    return poissonNll(input, target, logInput, full, eps, reduction, gradients, (Object) Shapes.nonNull(POISSON_NLL, "gradInto", gradInto));
  }

  private static LossAndGrads poissonNll(Tensor input, Tensor target, boolean logInput, boolean full, double eps,
      String reduction, Gradients gradients, Object gradInto) {
    nonNull(POISSON_NLL, input, target, reduction);
    Shapes.nonNull(POISSON_NLL, "gradients", gradients).requireKnown(POISSON_NLL, "grad_input", "grad_target");
    // F.poisson_nll_loss checks the reduction string before it calls aten
    Reduction r = Reduction.fromTorchName(reduction);
    Shapes.requireFloating("input", input);
    Shapes.requireFloating("target", target);
    int[] shape = Shapes.broadcastShape(input.shape(), target.shape());
    DType dx = input.dtype();
    DType dtt = target.dtype();
    DType dt = PointwiseLoss.promote(input, target);
    double epsX = rnd(dx, eps);
    double twoPi = rnd(dtt, 2 * Math.PI);
    checkInto(POISSON_NLL, input, gradInto);
    LossAndGrads fast = PointwiseKernels.poissonNll(input, target, logInput, full, eps, r, gradients, gradInto);
    if (fast != null) {
      return fast;
    }
    return FastPointwise.select(POISSON_NLL, PointwiseLoss.evaluate(POISSON_NLL, new String[] {"grad_input", "grad_target"},
        new Tensor[] {input, target}, dt, shape, r, PointwiseLoss.NO_BATCHMEAN, new int[] {2, 2}, (in, g, out) -> {
          double x = in[0];
          double y = in[1];
          double xq = rnd(dt, x);
          double yq = rnd(dt, y);
          if (logInput) {
            double e = rnd(dx, Math.exp(x));
            out[0] = rnd(dt, rnd(dt, e) - rnd(dt, yq * xq));
            out[3] = rnd(dt, -g * xq);
          } else {
            double l = rnd(dx, Math.log(rnd(dx, x + epsX)));
            double lq = rnd(dt, l);
            out[0] = rnd(dt, xq - rnd(dt, yq * lq));
            out[3] = rnd(dt, -g * lq);
          }
          out[1] = g;
          out[2] = rnd(dt, -g * yq);
          out[4] = g;
          if (full && !(y <= 1)) {
            double ly = rnd(dtt, Math.log(y));
            double c = rnd(dtt, twoPi * y);
            double stirling = rnd(dtt, rnd(dtt, rnd(dtt, y * ly) - y) + rnd(dtt, 0.5 * rnd(dtt, Math.log(c))));
            out[0] = rnd(dt, out[0] + rnd(dt, stirling));
          }
        }, (j, sums, v) -> {
          // input: g into exp(x) (or straight to x) and -g y into y x (or y log(x + eps)), each summed
          // over the broadcast before the input-shaped factor; target: -g x (or -g log(x + eps)), and g
          // into the masked Stirling term
          if (j == 0) {
            double g0 = rnd(dx, rnd(dt, sums[0]));
            double g1 = rnd(dx, rnd(dt, sums[1]));
            if (logInput) {
              return rnd(dx, rnd(dx, g0 * rnd(dx, Math.exp(v))) + g1);
            }
            return rnd(dx, g0 + rnd(dx, g1 / rnd(dx, v + epsX)));
          }
          double gt = rnd(dtt, rnd(dt, sums[0]));
          if (full) {
            double m = v <= 1 ? 0 : rnd(dtt, rnd(dt, sums[1]));
            double ly = rnd(dtt, Math.log(v));
            double c = rnd(dtt, twoPi * v);
            double st = rnd(dtt, rnd(dtt, rnd(dtt, rnd(dtt, m * ly) + rnd(dtt, rnd(dtt, m * v) / v)) - m)
                + rnd(dtt, rnd(dtt, rnd(dtt, 0.5 * m) / c) * twoPi));
            gt = rnd(dtt, gt + st);
          }
          return gt;
        }), gradients, gradInto);
  }

  /**
   * {@code gaussian_nll_loss} (a Python function in PyTorch, torch/nn/functional.py): {@code 0.5 (log v +
   * (x - y)^2 / v)} with {@code v = max(var, eps)}, plus {@code 0.5 log(2 pi)} when {@code full}. {@code
   * var} has the input's shape, or {@code input.shape[:-1]} (unsqueezed), or the input's shape with last
   * dim 1; anything else is refused; then the reduction string; then a negative entry. The clamp is
   * invisible to autograd.
   *
   * <p>Each step is a tensor, rounded in its dtype: {@code d = x - y} and {@code d**2} of the promoted
   * dtype of input and target, {@code log v} of var's, {@code d**2 / v} and the rest of the promoted
   * dtype of all three (the result type). Gradients as autograd chains them, with {@code h = 0.5 g}:
   * input {@code (h / v) (2 d)} (pow's backward {@code grad * 2 d}, which overflows where {@code 2 d}
   * does), target its negation, var {@code h / v - h ((d^2 / v) / v)} (div's backward for the
   * denominator).
   */
  public static LossAndGrads gaussianNll(Tensor input, Tensor target, Tensor var, boolean full, double eps,
      String reduction) {
    return gaussianNll(input, target, var, full, eps, reduction, Gradients.ALL, (Object) null);
  }

  /** {@link #gaussianNll(Tensor, Tensor, Tensor, boolean, double, String)} computing only the gradients asked for ("grad_input", "grad_target", "grad_var"). */
  public static LossAndGrads gaussianNll(Tensor input, Tensor target, Tensor var, boolean full, double eps,
      String reduction, Gradients gradients) {
    return gaussianNll(input, target, var, full, eps, reduction, gradients, (Object) null);
  }

  /**
   * {@link #gaussianNll(Tensor, Tensor, Tensor, boolean, double, String, Gradients)} with {@code grad_input} (when asked for) written into
   * {@code gradInto}, of one element per input element, for a float32 input; every element is
   * overwritten and the returned gradient wraps the array.
   */
  public static LossAndGrads gaussianNll(Tensor input, Tensor target, Tensor var, boolean full, double eps,
      String reduction, Gradients gradients, float[] gradInto) {
    return gaussianNll(input, target, var, full, eps, reduction, gradients, (Object) Shapes.nonNull(GAUSSIAN_NLL, "gradInto", gradInto));
  }

  /** {@link #gaussianNll(Tensor, Tensor, Tensor, boolean, double, String, Gradients, float[])} for a float64 input. */
  public static LossAndGrads gaussianNll(Tensor input, Tensor target, Tensor var, boolean full, double eps,
      String reduction, Gradients gradients, double[] gradInto) {
    return gaussianNll(input, target, var, full, eps, reduction, gradients, (Object) Shapes.nonNull(GAUSSIAN_NLL, "gradInto", gradInto));
  }

  private static LossAndGrads gaussianNll(Tensor input, Tensor target, Tensor var, boolean full, double eps,
      String reduction, Gradients gradients, Object gradInto) {
    nonNull(GAUSSIAN_NLL, input, target, reduction);
    Shapes.nonNull(GAUSSIAN_NLL, "var", var);
    Shapes.nonNull(GAUSSIAN_NLL, "gradients", gradients).requireKnown(GAUSSIAN_NLL, "grad_input", "grad_target",
        "grad_var");
    Shapes.requireFloating("input", input);
    Shapes.requireFloating("var", var);
    int[] in = input.shape();
    int[] vs = var.shape();
    Tensor v = var;
    if (!Arrays.equals(vs, in)) {
      int[] lead = Arrays.copyOf(in, Math.max(in.length - 1, 0));
      if (in.length > 0 && Arrays.equals(lead, vs)) {
        int[] unsq = Arrays.copyOf(vs, vs.length + 1);
        unsq[vs.length] = 1;
        v = var.reshape(unsq);
      } else if (!(vs.length == in.length && in.length > 0 && vs[vs.length - 1] == 1
          && Arrays.equals(Arrays.copyOf(vs, vs.length - 1), lead))) {
        throw new LossArgumentException(ErrorKind.SHAPE_MISMATCH, GAUSSIAN_NLL + ": var: shape " + Arrays.toString(vs)
            + " is of incorrect size for input " + Arrays.toString(in));
      }
    }
    Reduction r = Reduction.fromTorchName(reduction);
    checkInto(GAUSSIAN_NLL, input, gradInto);
    LossAndGrads fast = PointwiseKernels.gaussianNll(input, target, v, full, eps, r, gradients, gradInto);
    if (fast != null) {
      return v == var ? fast : reshapeVarGrad(fast, vs);
    }
    for (int i = 0; i < var.numel(); i++) {
      if (var.getDouble(i) < 0) {
        throw new LossArgumentException(ErrorKind.INVALID_VALUE,
            GAUSSIAN_NLL + ": var: " + Shapes.element(vs, i, Double.toString(var.getDouble(i)))
            + " is negative; var has negative entry/entries");
      }
    }
    DType dx = input.dtype();
    DType dy = target.dtype().isFloating() ? target.dtype() : dx;
    DType dv = var.dtype();
    DType d1 = PointwiseLoss.promote(input, target);
    DType dt = PointwiseLoss.promote(input, target, var);
    double e = rnd(dv, eps);
    double half = rnd(dt, 0.5 * Math.log(2 * Math.PI));
    int[] shape = Shapes.broadcastShape(Shapes.broadcastShape(in, target.shape()), v.shape());
    LossAndGrads out = PointwiseLoss.evaluate(GAUSSIAN_NLL, new String[] {"grad_input", "grad_target", "grad_var"},
        new Tensor[] {input, target, v}, dt, shape, r, PointwiseLoss.NO_BATCHMEAN, new int[] {1, 1, 2}, (x, g, o) -> {
          double vv = x[2] < e ? e : x[2];
          double vq = rnd(dt, vv);
          double d = rnd(d1, rnd(d1, x[0]) - rnd(d1, x[1]));
          double d2 = rnd(d1, d * d);
          double q = rnd(dt, rnd(dt, d2) / vq);
          double loss = rnd(dt, 0.5 * rnd(dt, rnd(dt, rnd(dv, Math.log(vv))) + q));
          o[0] = full ? rnd(dt, loss + half) : loss;
          double h = rnd(dt, g * 0.5);
          double gd = rnd(d1, rnd(d1, rnd(dt, h / vq)) * rnd(d1, 2 * d));
          o[1] = gd;
          o[2] = -gd;
          o[3] = h;
          o[4] = rnd(dt, -h * rnd(dt, q / vq));
        }, (j, sums, value) -> {
          if (j == 0) {
            return rnd(dx, rnd(d1, sums[0]));
          }
          if (j == 1) {
            return rnd(dy, rnd(d1, sums[0]));
          }
          // log(v) is var-shaped: its gradient is the summed h, divided by v after the sum (NaN for a
          // 0-dim var next to an empty input: 0 / 0 when eps is 0, and log's 0 / v otherwise)
          double vv = value < e ? e : value;
          return rnd(dv, rnd(dv, rnd(dv, rnd(dt, sums[0])) / vv) + rnd(dv, rnd(dt, sums[1])));
        });
    out = FastPointwise.select(GAUSSIAN_NLL, out, gradients, gradInto);
    return v == var ? out : reshapeVarGrad(out, vs);
  }

  /** {@code grad_var} (when present) reshaped back to var's own shape, after the unsqueezed var's broadcast. */
  private static LossAndGrads reshapeVarGrad(LossAndGrads out, int[] vs) {
    java.util.Map<String, Tensor> g = new java.util.LinkedHashMap<>(out.grads());
    if (g.containsKey("grad_var")) {
      g.put("grad_var", g.get("grad_var").reshape(vs));
    }
    return new LossAndGrads(out.loss(), g);
  }

  /**
   * {@code hinge_embedding_loss}: {@code [y != 1] max(0, margin - x) + [y != -1] x}, so y = 1 gives x,
   * y = -1 gives the hinge, any other y both; in the input's dtype (the target only enters comparisons),
   * as aten's composite (aten/src/ATen/native/Loss.cpp): {@code (margin - x).clamp_min_(0)} is a tensor
   * of that dtype before {@code x} is added (float32 {@code (0.5 + 7.78) - 7.78} is 0.5000005).
   * Gradient {@code -[y != 1][margin - x >= 0] g + [y != -1] g}.
   */
  public static LossAndGrads hingeEmbedding(Tensor input, Tensor target, double margin, String reduction) {
    return hingeEmbedding(input, target, margin, reduction, Gradients.ALL, (Object) null);
  }

  /** {@link #hingeEmbedding(Tensor, Tensor, double, String)} with or without its one gradient, grad_input. */
  public static LossAndGrads hingeEmbedding(Tensor input, Tensor target, double margin, String reduction,
      Gradients gradients) {
    return hingeEmbedding(input, target, margin, reduction, gradients, (Object) null);
  }

  /**
   * {@link #hingeEmbedding(Tensor, Tensor, double, String)} with grad_input written into {@code gradInto},
   * of one element per input element, for a float32 input; every element is overwritten and the returned
   * gradient wraps the array.
   */
  public static LossAndGrads hingeEmbedding(Tensor input, Tensor target, double margin, String reduction,
      float[] gradInto) {
    return hingeEmbedding(input, target, margin, reduction, Gradients.ALL,
        (Object) Shapes.nonNull(HINGE_EMBEDDING, "gradInto", gradInto));
  }

  /** {@link #hingeEmbedding(Tensor, Tensor, double, String, float[])} for a float64 input. */
  public static LossAndGrads hingeEmbedding(Tensor input, Tensor target, double margin, String reduction,
      double[] gradInto) {
    return hingeEmbedding(input, target, margin, reduction, Gradients.ALL,
        (Object) Shapes.nonNull(HINGE_EMBEDDING, "gradInto", gradInto));
  }

  private static LossAndGrads hingeEmbedding(Tensor input, Tensor target, double margin, String reduction,
      Gradients gradients, Object gradInto) {
    nonNull(HINGE_EMBEDDING, input, target, reduction);
    Shapes.nonNull(HINGE_EMBEDDING, "gradients", gradients).requireKnown(HINGE_EMBEDDING, "grad_input");
    Reduction r = Reduction.fromTorchName(reduction);
    Shapes.requireFloating("input", input);
    int[] shape = Shapes.broadcastShape(input.shape(), target.shape());
    DType dt = input.dtype();
    double mg = rnd(dt, margin);
    checkInto(HINGE_EMBEDDING, input, gradInto);
    LossAndGrads fast = PointwiseKernels.hingeEmbedding(input, target, margin, r, gradients.wants("grad_input"),
        gradInto);
    if (fast != null) {
      return fast;
    }
    return FastPointwise.select(HINGE_EMBEDDING, PointwiseLoss.evaluate(HINGE_EMBEDDING, new String[] {"grad_input", null}, new Tensor[] {input, target},
        dt, shape, r, PointwiseLoss.NO_BATCHMEAN, (in, g, out) -> {
          double x = in[0];
          double y = in[1];
          double m = rnd(dt, mg - x);
          double clamped = m < 0 ? 0 : m;
          out[0] = rnd(dt, (y != 1 ? clamped : 0) + (y != -1 ? x : 0));
          out[1] = (y != 1 && m >= 0 ? -g : 0) + (y != -1 ? g : 0);
          out[2] = 0;
        }), gradients, gradInto);
  }

  /**
   * {@code l1_loss}: {@code |x - y|} over the broadcast of input and target (PyTorch warns when the sizes
   * differ), in their promoted dtype (aten's {@code (input - target).abs()}); gradients {@code +-g sgn(x -
   * y)}, 0 at equality and for NaN, summed over broadcast dims. The reduction string is checked first
   * (F.l1_loss maps it before calling aten).
   */
  public static LossAndGrads l1(Tensor input, Tensor target, String reduction) {
    return l1(input, target, reduction, Gradients.ALL, (Object) null);
  }

  /** {@link #l1(Tensor, Tensor, String)} computing only the gradients asked for ("grad_input", "grad_target"). */
  public static LossAndGrads l1(Tensor input, Tensor target, String reduction, Gradients gradients) {
    return l1(input, target, reduction, gradients, (Object) null);
  }

  /**
   * {@link #l1(Tensor, Tensor, String, Gradients)} with {@code grad_input} (when asked for) written into
   * {@code gradInto}, of one element per input element, for a float32 input; every element is
   * overwritten and the returned gradient wraps the array.
   */
  public static LossAndGrads l1(Tensor input, Tensor target, String reduction, Gradients gradients, float[] gradInto) {
    return l1(input, target, reduction, gradients, (Object) Shapes.nonNull(L1, "gradInto", gradInto));
  }

  /** {@link #l1(Tensor, Tensor, String, Gradients, float[])} for a float64 input. */
  public static LossAndGrads l1(Tensor input, Tensor target, String reduction, Gradients gradients, double[] gradInto) {
    return l1(input, target, reduction, gradients, (Object) Shapes.nonNull(L1, "gradInto", gradInto));
  }

  private static LossAndGrads l1(Tensor input, Tensor target, String reduction, Gradients gradients,
      Object gradInto) {
    nonNull(L1, input, target, reduction);
    Shapes.nonNull(L1, "gradients", gradients).requireKnown(L1, "grad_input", "grad_target");
    Reduction r = Reduction.fromTorchName(reduction);
    Shapes.requireFloating("input", input);
    Shapes.requireFloating("target", target);
    int[] shape;
    try {
      shape = Shapes.broadcastShape(input.shape(), target.shape());
    } catch (LossArgumentException e) {
      throw new LossArgumentException(e.kind(), L1 + ": target: " + e.getMessage(), e);
    }
    // F.l1_loss broadcasts first (torch.broadcast_tensors), so a 0-dim target next to a dimensioned input
    // is dimensioned by then and takes part in the promotion
    DType dt = shape.length > 0 ? PointwiseLoss.widest(input, target) : PointwiseLoss.promote(input, target);
    DType dx = input.dtype();
    DType dtt = target.dtype();
    checkInto(L1, input, gradInto);
    LossAndGrads fast = PointwiseKernels.l1(input, target, r, gradients, gradInto);
    if (fast != null) {
      return fast;
    }
    return FastPointwise.select(L1, PointwiseLoss.evaluate(L1, new String[] {"grad_input", "grad_target"}, new Tensor[] {input, target},
        dt, shape, r, PointwiseLoss.NO_BATCHMEAN, (in, g, out) -> {
          double d = rnd(dt, rnd(dt, in[0]) - rnd(dt, in[1]));
          out[0] = Math.abs(d);
          double sg = rnd(dt, g * PointwiseLoss.sign(d));
          out[1] = rnd(dx, sg);
          out[2] = rnd(dtt, -sg);
        }), gradients, gradInto);
  }
}
