package dev.lossconformance.loss.torch;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossAndGrads;
import dev.lossconformance.loss.LossArgumentException;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * PyTorch 2.7's element-wise losses beyond the cross-entropy family, each the formula of its aten
 * kernel (or, for {@code gaussian_nll_loss}, of its Python function), reduced over every element, with
 * the gradient of {@code loss.sum()} with respect to every floating input. Computed in double and
 * rounded where PyTorch materialises a tensor (per-element losses, the sum).
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
   * trap T-6), sum or batchmean (sum / input.size(0)). A zero target contributes 0 (NaN with a -inf
   * input); a negative one NaN. Gradients: {@code -t} (or {@code -exp t}) for the input; for the target
   * autograd's {@code [t != 0] log t + t / t - input} (NaN at t = 0) or {@code exp(t)(t - input + 1)}.
   */
  public static LossAndGrads klDiv(Tensor input, Tensor target, String reduction, boolean logTarget) {
    nonNull(KL_DIV, input, target, reduction);
    Shapes.requireFloating("input", input);
    Shapes.requireFloating("target", target);
    int[] shape = Shapes.broadcastShape(input.shape(), target.shape());
    boolean batchmean = "batchmean".equals(reduction);
    Reduction r = batchmean ? Reduction.SUM : Reduction.fromTorchName(reduction);
    int divisor = batchmean && input.rank() > 0 ? input.size(0) : 0;
    return PointwiseLoss.evaluate(KL_DIV, new String[] {"grad_input", "grad_target"}, new Tensor[] {input, target},
        shape, r, divisor, (in, out) -> {
          double x = in[0];
          double t = in[1];
          if (logTarget) {
            double e = Math.exp(t);
            out[0] = e * (t - x);
            out[1] = -e;
            out[2] = e * (t - x) + e;
          } else {
            out[0] = xlogy(t, t) - t * x;
            out[1] = -t;
            out[2] = (t != 0 ? Math.log(t) : 0) + t / t - x;
          }
        });
  }

  /** The null checks every method here starts with: {@code input}, {@code target}, {@code reduction}. */
  private static void nonNull(String api, Tensor input, Tensor target, String reduction) {
    Shapes.nonNull(api, "input", input);
    Shapes.nonNull(api, "target", target);
    Shapes.nonNull(api, "reduction", reduction);
  }

  /** {@code xlogy(x, y)}: 0 where x is 0 (unless y is NaN), else {@code x log y}. */
  static double xlogy(double x, double y) {
    if (Double.isNaN(y)) {
      return Double.NaN;
    }
    return x == 0 ? 0 : x * Math.log(y);
  }

  /**
   * {@code poisson_nll_loss}: {@code exp(x) - y x} (log_input) or {@code x - y log(x + eps)}; with
   * {@code full}, plus {@code y log y - y + 0.5 log(2 pi y)} where {@code y > 1}. Gradients:
   * {@code exp(x) - y} or {@code 1 - y / (x + eps)} for the input; {@code -x} or {@code -log(x + eps)},
   * plus {@code log y + 1/(2y)} where the Stirling term applies, for the target; with {@code full} the
   * target gradient is NaN where {@code y <= 0} (autograd multiplies the masked zero by {@code log y}).
   */
  public static LossAndGrads poissonNll(Tensor input, Tensor target, boolean logInput, boolean full, double eps,
      String reduction) {
    nonNull(POISSON_NLL, input, target, reduction);
    Shapes.requireFloating("input", input);
    Shapes.requireFloating("target", target);
    int[] shape = Shapes.broadcastShape(input.shape(), target.shape());
    double epsInDtype = dev.lossconformance.loss.Precision.round(input.dtype(), eps);
    return PointwiseLoss.evaluate(POISSON_NLL, new String[] {"grad_input", "grad_target"},
        new Tensor[] {input, target}, shape, Reduction.fromTorchName(reduction), 0, (in, out) -> {
          double x = in[0];
          double y = in[1];
          if (logInput) {
            double e = Math.exp(x);
            out[0] = e - y * x;
            out[1] = e - y;
            out[2] = -x;
          } else {
            double s = dev.lossconformance.loss.Precision.round(input.dtype(), x + epsInDtype);
            out[0] = x - y * Math.log(s);
            out[1] = 1 - y / s;
            out[2] = -Math.log(s);
          }
          if (full && y > 1) {
            out[0] += y * Math.log(y) - y + 0.5 * Math.log(2 * Math.PI * y);
            out[2] += Math.log(y) + 0.5 / y;
          } else if (full && !(y > 0)) {
            // masked_fill's backward sends 0 into the Stirling term, and 0 * log(0) (or of a
            // negative target) is NaN: the target gradient is NaN there, as PyTorch's goldens show
            out[2] = Double.NaN;
          }
        });
  }

  /**
   * {@code gaussian_nll_loss} (a Python function in PyTorch): {@code 0.5 (log v + (x - y)^2 / v)} with
   * {@code v = max(var, eps)}, plus {@code 0.5 log(2 pi)} when {@code full}. {@code var} has the input's
   * shape, or {@code input.shape[:-1]} (unsqueezed), or the input's shape with last dim 1; anything else
   * is refused, and so is a negative entry. The clamp is invisible to autograd: the var gradient is
   * {@code 0.5 (1/v - (x - y)^2 / v^2)} even where var was below eps.
   */
  public static LossAndGrads gaussianNll(Tensor input, Tensor target, Tensor var, boolean full, double eps,
      String reduction) {
    nonNull(GAUSSIAN_NLL, input, target, reduction);
    Shapes.nonNull(GAUSSIAN_NLL, "var", var);
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
    for (int i = 0; i < var.numel(); i++) {
      if (var.getDouble(i) < 0) {
        throw new LossArgumentException(ErrorKind.INVALID_VALUE,
            GAUSSIAN_NLL + ": var: " + Shapes.element(vs, i, Double.toString(var.getDouble(i)))
            + " is negative; var has negative entry/entries");
      }
    }
    double e = dev.lossconformance.loss.Precision.round(input.dtype(), eps);
    double half = 0.5 * Math.log(2 * Math.PI);
    int[] shape = Shapes.broadcastShape(Shapes.broadcastShape(in, target.shape()), v.shape());
    LossAndGrads out = PointwiseLoss.evaluate(GAUSSIAN_NLL, new String[] {"grad_input", "grad_target", "grad_var"},
        new Tensor[] {input, target, v}, shape, r, 0, (x, o) -> {
          double vv = x[2] < e ? e : x[2];
          double d = x[0] - x[1];
          o[0] = 0.5 * (Math.log(vv) + d * d / vv) + (full ? half : 0);
          o[1] = d / vv;
          o[2] = -d / vv;
          o[3] = 0.5 * (1 / vv - d * d / (vv * vv));
        });
    if (v == var) {
      return out;
    }
    java.util.Map<String, Tensor> g = new java.util.LinkedHashMap<>(out.grads());
    g.put("grad_var", g.get("grad_var").reshape(vs));
    return new LossAndGrads(out.loss(), g);
  }

  /**
   * {@code hinge_embedding_loss}: {@code [y != 1] max(0, margin - x) + [y != -1] x}, so y = 1 gives x,
   * y = -1 gives the hinge, any other y both. Gradient {@code -[y != 1][margin - x >= 0] + [y != -1]}.
   */
  public static LossAndGrads hingeEmbedding(Tensor input, Tensor target, double margin, String reduction) {
    nonNull(HINGE_EMBEDDING, input, target, reduction);
    Shapes.requireFloating("input", input);
    int[] shape = Shapes.broadcastShape(input.shape(), target.shape());
    return PointwiseLoss.evaluate(HINGE_EMBEDDING, new String[] {"grad_input", null}, new Tensor[] {input, target},
        shape, Reduction.fromTorchName(reduction), 0, (in, out) -> {
          double x = in[0];
          double y = in[1];
          double m = margin - x;
          out[0] = (y != 1 ? Math.max(m, 0) : 0) + (y != -1 ? x : 0);
          out[1] = (y != 1 && m >= 0 ? -1 : 0) + (y != -1 ? 1 : 0);
          out[2] = 0;
        });
  }

  /**
   * {@code l1_loss}: {@code |x - y|} over the broadcast of input and target (PyTorch warns when the sizes
   * differ); gradients {@code +-sgn(x - y)}, 0 at equality and for NaN, summed over broadcast dims.
   */
  public static LossAndGrads l1(Tensor input, Tensor target, String reduction) {
    nonNull(L1, input, target, reduction);
    Shapes.requireFloating("input", input);
    Shapes.requireFloating("target", target);
    int[] shape;
    try {
      shape = Shapes.broadcastShape(input.shape(), target.shape());
    } catch (LossArgumentException e) {
      throw new LossArgumentException(e.kind(), L1 + ": target: " + e.getMessage(), e);
    }
    return PointwiseLoss.evaluate(L1, new String[] {"grad_input", "grad_target"}, new Tensor[] {input, target},
        shape, Reduction.fromTorchName(reduction), 0, (in, out) -> {
          double d = in[0] - in[1];
          out[0] = Math.abs(d);
          out[1] = PointwiseLoss.sign(d);
          out[2] = -PointwiseLoss.sign(d);
        });
  }
}
