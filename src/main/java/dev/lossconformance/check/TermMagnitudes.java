package dev.lossconformance.check;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.ApiIndex;
import dev.lossconformance.api.KerasApis;
import dev.lossconformance.api.TfNnApis;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.loss.Fibers;
import dev.lossconformance.loss.Reduction;
import dev.lossconformance.loss.Shapes;
import dev.lossconformance.loss.keras.KerasReduction;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * For the outputs that are sums of terms which cancel (a gradient {@code softmax - onehot} at the
 * target class, a loss {@code logsumexp - x_target} of a confident row), the magnitude of the terms
 * combined at each element: {@code sum |term|}, in float64, from the case's inputs.
 *
 * <p>An engine that rounds each term in float32 is off by a few ulps of that magnitude, however small
 * the difference itself is, so {@link Checker} allows an element an absolute error of
 * {@link Tolerance#termUlps()} ulps of its own magnitude besides the relative allowance. Where
 * nothing cancels the magnitude is the element itself (a non-target softmax entry {@code p} has
 * magnitude {@code p}), so the allowance stays relative there: a 2x error in a tiny entry fails.
 *
 * <p>Each model below writes out the terms the framework's formula (or its autograd backward) adds,
 * each multiplied by the reduction's coefficient for that element (1/N for a mean, the class weight
 * over the summed weights for a weighted mean). A model reads the case's inputs and params only, except
 * CTC's, which takes the occupancy {@code gamma = p - grad / k} from the float64 reference (a wrong
 * reference moves the allowance by termUlps ulps of its own error, far less than the error). A model
 * that cannot evaluate a case (an input it does not expect) gives {@code null}: then the element
 * passes only within the relative allowance, which is stricter.
 */
public final class TermMagnitudes {
  /** The models by {@code api|output}. */
  private static final Map<String, Function<In, double[]>> MODELS = new HashMap<>();

  static {
    model(TorchApis.CROSS_ENTROPY, "loss", in -> crossEntropy(in, false));
    model(TorchApis.CROSS_ENTROPY, "grad_input", in -> crossEntropy(in, true));
    model(TorchApis.BINARY_CROSS_ENTROPY_WITH_LOGITS, "loss", in -> bceWithLogits(in, false));
    model(TorchApis.BINARY_CROSS_ENTROPY_WITH_LOGITS, "grad_input", in -> bceWithLogits(in, true));
    model(TorchApis.KL_DIV, "loss", in -> klDiv(in, false));
    model(TorchApis.KL_DIV, "grad_target", in -> klDiv(in, true));
    model(TorchApis.POISSON_NLL_LOSS, "loss", in -> poissonNll(in, false));
    model(TorchApis.POISSON_NLL_LOSS, "grad_input", in -> poissonNll(in, true));
    model(TorchApis.POISSON_NLL_LOSS, "grad_target", TermMagnitudes::poissonGradTarget);
    model(TorchApis.GAUSSIAN_NLL_LOSS, "grad_var", TermMagnitudes::gaussianGradVar);
    model(TorchApis.GAUSSIAN_NLL_LOSS, "loss", TermMagnitudes::gaussianLoss);
    model(TorchApis.HINGE_EMBEDDING_LOSS, "loss", TermMagnitudes::hingeEmbedding);
    model(TorchApis.L1_LOSS, "grad_input", in -> l1Grad(in, "input"));
    model(TorchApis.L1_LOSS, "grad_target", in -> l1Grad(in, "target"));
    model(TorchApis.COSINE_EMBEDDING_LOSS, "grad_input1", in -> cosineEmbedding(in, "input1", "input2"));
    model(TorchApis.COSINE_EMBEDDING_LOSS, "grad_input2", in -> cosineEmbedding(in, "input2", "input1"));
    model(TorchApis.COSINE_EMBEDDING_LOSS, "loss", TermMagnitudes::cosineEmbeddingLoss);
    model(TorchApis.CTC_LOSS, "grad_log_probs", in -> ctc(in, "log_probs", "grad_log_probs", true));
    model(TorchApis.CTC_LOSS, "grad_logits", in -> ctc(in, "log_probs", "grad_logits", true));
    model(KerasApis.SPARSE_CATEGORICAL_CROSSENTROPY, "grad_y_pred", TermMagnitudes::kerasSparse);
    model(KerasApis.SPARSE_CATEGORICAL_CROSSENTROPY, "loss", in -> kerasCrossEntropyLoss(in, true));
    model(KerasApis.CATEGORICAL_CROSSENTROPY, "loss", in -> kerasCrossEntropyLoss(in, false));
    model(KerasApis.CATEGORICAL_CROSSENTROPY, "grad_y_pred", TermMagnitudes::kerasCategorical);
    model(KerasApis.BINARY_CROSSENTROPY, "grad_y_pred", TermMagnitudes::kerasBinary);
    model(KerasApis.POISSON, "grad_y_pred", TermMagnitudes::kerasPoisson);
    model(KerasApis.BINARY_CROSSENTROPY, "loss", TermMagnitudes::kerasBinaryLoss);
    model(KerasApis.KL_DIVERGENCE, "loss", in -> kerasLastAxisLoss(in, false));
    model(KerasApis.POISSON, "loss", in -> kerasLastAxisLoss(in, true));
    model(KerasApis.COSINE_SIMILARITY, "loss", in -> kerasCosine(in, false));
    model(KerasApis.COSINE_SIMILARITY, "grad_y_pred", in -> kerasCosine(in, true));
    model(TfNnApis.SIGMOID_CROSS_ENTROPY_WITH_LOGITS, "loss", TermMagnitudes::tfSigmoidLoss);
    model(TfNnApis.SPARSE_SOFTMAX_CROSS_ENTROPY_WITH_LOGITS, "loss", in -> tfSparse(in, false));
    model(TfNnApis.SPARSE_SOFTMAX_CROSS_ENTROPY_WITH_LOGITS, "grad_logits", in -> tfSparse(in, true));
    model(TfNnApis.WEIGHTED_CROSS_ENTROPY_WITH_LOGITS, "grad_logits", TermMagnitudes::tfWeightedGrad);
    model(TfNnApis.SIGMOID_CROSS_ENTROPY_WITH_LOGITS, "grad_logits", TermMagnitudes::tfSigmoidGrad);
    model(TfNnApis.LOG_POISSON_LOSS, "loss", in -> tfLogPoisson(in, false));
    model(TfNnApis.LOG_POISSON_LOSS, "grad_log_input", in -> tfLogPoisson(in, true));
    model(TfNnApis.CTC_LOSS, "grad_logits", in -> ctc(in, "logits", "grad_logits", false));
    model(TfNnApis.CTC_LOSS, "loss", TermMagnitudes::tfCtcLoss);
  }

  private static void model(Api api, String output, Function<In, double[]> model) {
    MODELS.put(api.name() + "|" + output, model);
  }

  private TermMagnitudes() {}

  /** True when {@code (api, output)} has a model. */
  public static boolean has(String api, String output) {
    return MODELS.containsKey(api + "|" + output);
  }

  /**
   * The per-element magnitudes of {@code output} (flat, row-major, the output's element count), or
   * {@code null} when there is no model or it cannot evaluate these inputs.
   *
   * @param reference64 the Java float64 result of the same call, computed only if a model asks
   */
  public static double[] of(String api, String output, Map<String, Object> params, Map<String, Tensor> inputs,
      Supplier<Map<String, Tensor>> reference64) {
    if (!has(api, output)) {
      return null;
    }
    try {
      return evaluate(api + "|" + output, new In(api, params, inputs, reference64));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static double[] evaluate(String key, In in) {
    return MODELS.get(key).apply(in);
  }

  /** A case's params and inputs, read as the models need them. */
  private record In(String api, Map<String, Object> params, Map<String, Tensor> inputs,
      Supplier<Map<String, Tensor>> reference64) {
    Tensor t(String name) {
      Tensor t = inputs.get(name);
      if (t == null) {
        throw new IllegalArgumentException("no input " + name);
      }
      return t;
    }

    Tensor opt(String name) {
      return inputs.get(name);
    }

    Params p() {
      return new Params(api, params, inputs);
    }

    /** The framework's default of param {@code name}, from the api's descriptor. */
    private Object dflt(String name) {
      return ApiIndex.of(api).defaultOf(name);
    }

    String str(String name) {
      Object v = params.get(name);
      return v instanceof String s ? s : (String) dflt(name);
    }

    boolean flag(String name) {
      Object v = params.get(name);
      return v instanceof Boolean b ? b : (Boolean) dflt(name);
    }

    double real(String name) {
      Object v = params.get(name);
      return v instanceof Number n ? n.doubleValue() : ((Number) dflt(name)).doubleValue();
    }
  }

  // ---- PyTorch ----------------------------------------------------------------------------------

  /**
   * {@code cross_entropy}: row loss {@code (1-e) w_y (lse - x_y) + e/C sum_c w_c (lse - x_c)}
   * (class indices) or {@code -sum_c w_c y'_c (x_c - lse)} (probabilities, {@code y' = (1-e) y + e/C}),
   * computed as {@code (x - m) - log s}, so the terms are {@code |x - m| + |log s| + 1} (the 1: a sum
   * {@code s} rounded to a relative eps makes {@code log s} off by eps); gradient {@code p_c (sum of the target weights) - (target weight of
   * c)}, where {@code p_c = exp(x_c - m - log s)} is taken at a rounded exponent, so its term is
   * {@code p_c (1 + |x_c - m| + |log s|)}; both times the reduction's coefficient (1/sum of w_y over
   * the rows kept for a class-index mean, 1/rows for a probability mean).
   */
  private static double[] crossEntropy(In in, boolean grad) {
    Tensor input = in.t("input");
    Tensor target = in.t("target");
    Tensor weight = in.opt("weight");
    Params p = in.p();
    Reduction red = p.torchReduction();
    long ignore = p.integer("ignore_index");
    double eps = Math.max(0, p.real("label_smoothing"));
    int[] s = input.shape();
    int n = s.length == 1 ? 1 : s[0];
    int c = s.length == 1 ? s[0] : s[1];
    int inner = s.length <= 2 ? 1 : Tensor.numel(Arrays.copyOfRange(s, 2, s.length));
    int rows = n * inner;
    double[] x = input.toDoubleArray();
    double[] w = new double[c];
    for (int k = 0; k < c; k++) {
      w[k] = weight == null ? 1 : Math.abs(weight.getDouble(k));
    }
    boolean probs = Arrays.equals(s, target.shape());
    double[] coef = new double[rows];
    double denom = 0;
    for (int i = 0; i < rows; i++) {
      if (probs) {
        coef[i] = 1;
      } else {
        long y = target.getLong(i);
        coef[i] = y == ignore ? 0 : w[(int) y];
        denom += coef[i];
      }
    }
    double scale = red != Reduction.MEAN ? 1 : probs ? 1.0 / rows : denom == 0 ? 0 : 1 / denom;
    double wSum = 0;
    for (double v : w) {
      wSum += v;
    }
    double[] out = new double[grad ? x.length : rows];
    double[] lp = new double[c];
    for (int i = 0; i < rows; i++) {
      int b = i / inner;
      int pos = i % inner;
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < c; k++) {
        max = Math.max(max, x[(b * c + k) * inner + pos]);
      }
      double sum = 0;
      for (int k = 0; k < c; k++) {
        sum += Math.exp(x[(b * c + k) * inner + pos] - max);
      }
      double lse = max + Math.log(sum);
      for (int k = 0; k < c; k++) {
        double xk = x[(b * c + k) * inner + pos];
        // p = exp(x - m - log s): the exponent is rounded, so p carries a relative error of its terms
        lp[k] = Math.exp(xk - lse) * (1 + Math.abs(xk - max) + Math.abs(Math.log(sum)));
      }
      // the target weight of each class, and their sum
      double[] q = new double[c];
      double qSum = 0;
      if (probs) {
        for (int k = 0; k < c; k++) {
          double y = (1 - eps) * target.getDouble((b * c + k) * inner + pos) + eps / c;
          q[k] = Math.abs(w[k] * y);
          qSum += q[k];
        }
      } else {
        long y = target.getLong(i);
        if (y == ignore) {
          continue;
        }
        // without smoothing only w[y] enters the row: a NaN or inf weight of another class must not make
        // the row's magnitudes NaN (0 * NaN; found by the differential sweep, sweep/cross_entropy/488)
        for (int k = 0; k < c; k++) {
          q[k] = (eps > 0 ? eps / c * w[k] : 0) + (k == y ? (1 - eps) * w[(int) y] : 0);
        }
        qSum = (1 - eps) * w[(int) y] + (eps > 0 ? eps / c * wSum : 0);
      }
      if (grad) {
        for (int k = 0; k < c; k++) {
          out[(b * c + k) * inner + pos] = scale * (lp[k] * qSum + q[k]);
        }
      } else {
        double m = 0;
        for (int k = 0; k < c; k++) {
          if (q[k] != 0) {
            // log_softmax = (x - m) - log s: x - m is rounded once, and the log of a sum rounded to a
            // relative eps is off by eps absolute, the 1
            m += q[k] * (Math.abs(x[(b * c + k) * inner + pos] - max) + Math.abs(Math.log(sum)) + 1);
          }
        }
        out[i] = scale * m;
      }
    }
    return grad || red == Reduction.NONE ? out : new double[] {sum(out)};
  }

  /**
   * {@code binary_cross_entropy_with_logits}: {@code w [(1 - y) x + (1 + (pw - 1) y)(max(-x, 0) +
   * log(exp(-max) + exp(-x - max)))]}, gradient {@code w [sigmoid(x)(1 + (pw - 1) y) - pw y]}
   * (aten's {@code binary_cross_entropy_with_logits} and its backward).
   */
  private static double[] bceWithLogits(In in, boolean grad) {
    Tensor x = in.t("input");
    Tensor y = in.t("target");
    Tensor weight = in.opt("weight");
    Tensor posWeight = in.opt("pos_weight");
    Reduction red = in.p().torchReduction();
    int[] shape = x.shape();
    int n = x.numel();
    int[] wi = weight == null ? null : Shapes.broadcastIndex("weight", weight.shape(), shape);
    int[] pi = posWeight == null ? null : Shapes.broadcastIndex("pos_weight", posWeight.shape(), shape);
    double k = red == Reduction.MEAN ? 1.0 / n : 1;
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      double xi = x.getDouble(i);
      double yi = y.getDouble(i);
      double w = weight == null ? 1 : Math.abs(weight.getDouble(wi[i]));
      double pw = posWeight == null ? 1 : posWeight.getDouble(pi[i]);
      double lw = Math.abs(1 + (pw - 1) * yi);
      if (grad) {
        out[i] = k * w * (lw / (1 + Math.exp(-xi)) + Math.abs(pw * yi));
      } else {
        double m = Math.max(-xi, 0);
        // softplus(-x) = m + log(e^-m + e^(-x-m)) = max(-x, 0) + log1p(e^-|x|): the log1p form keeps a term
        // of 2.7e-39 at x = 88.8 that log(1 + 2.7e-39) rounds to 0 (found by the sweep's catalog case)
        out[i] = k * w * (Math.abs((1 - yi) * xi) + lw * (m + Math.log1p(Math.exp(-Math.abs(xi)))));
      }
    }
    return grad || red == Reduction.NONE ? out : new double[] {sum(out)};
  }

  /**
   * {@code kl_div}: {@code xlogy(t, t) - t x} (or {@code exp(t)(t - x)} with {@code log_target}), the
   * target gradient {@code log t + 1 - x} (or {@code exp(t)(t + 1 - x)}), over {@code numel} for
   * mean, {@code size(0)} for batchmean.
   */
  private static double[] klDiv(In in, boolean grad) {
    Tensor x = in.t("input");
    Tensor t = in.t("target");
    boolean logTarget = in.flag("log_target");
    String red = in.str("reduction");
    // input and target broadcast; the target gradient is summed back over the broadcast dims
    int[] shape = Shapes.broadcastShape(x.shape(), t.shape());
    int[] xi = Shapes.broadcastIndex("input", x.shape(), shape);
    int[] ti = Shapes.broadcastIndex("target", t.shape(), shape);
    int n = Tensor.numel(shape);
    double k = switch (red) {
      case "mean" -> 1.0 / n;
      case "batchmean" -> x.rank() == 0 ? 1 : 1.0 / x.size(0);
      default -> 1;
    };
    double[] out = new double[grad ? t.numel() : n];
    for (int i = 0; i < n; i++) {
      double xv = Math.abs(x.getDouble(xi[i]));
      double tv = t.getDouble(ti[i]);
      double m;
      if (logTarget) {
        m = k * Math.exp(tv) * (Math.abs(tv) + xv + (grad ? 1 : 0));
      } else if (grad) {
        m = k * (Math.abs(Math.log(tv)) + 1 + xv);
      } else {
        m = k * (tv == 0 ? 0 : Math.abs(tv * Math.log(tv)) + Math.abs(tv) * xv);
      }
      out[grad ? ti[i] : i] += m;
    }
    return grad || red.equals("none") ? out : new double[] {sum(out)};
  }

  /**
   * {@code poisson_nll_loss}: {@code exp(x) - y x} (or {@code x - y log(x + eps)}), plus Stirling's
   * {@code y log y - y + log(2 pi y)/2} for {@code y > 1} with {@code full}; the input gradient
   * {@code exp(x) - y} (or {@code 1 - y/(x + eps)}).
   */
  /** {@code poisson_nll_loss}'s arguments, broadcast: element {@code i} pairs {@code input[xi[i]]} with {@code target[yi[i]]}. */
  private record Poisson(Tensor x, Tensor y, boolean logInput, boolean full, double eps, Reduction red, int[] xi,
      int[] yi, int n, double k) {
    static Poisson of(In in) {
      Tensor x = in.t("input");
      Tensor y = in.t("target");
      Reduction red = in.p().torchReduction();
      int[] shape = Shapes.broadcastShape(x.shape(), y.shape());
      int n = Tensor.numel(shape);
      return new Poisson(x, y, in.flag("log_input"), in.flag("full"), in.real("eps"), red,
          Shapes.broadcastIndex("input", x.shape(), shape), Shapes.broadcastIndex("target", y.shape(), shape), n,
          red == Reduction.MEAN ? 1.0 / n : 1);
    }
  }

  private static double[] poissonNll(In in, boolean grad) {
    Poisson p = Poisson.of(in);
    boolean logInput = p.logInput();
    boolean full = p.full();
    double eps = p.eps();
    Reduction red = p.red();
    int n = p.n();
    double k = p.k();
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      double a = p.x().getDouble(p.xi()[i]);
      double b = p.y().getDouble(p.yi()[i]);
      if (grad) {
        out[i] = k * (logInput ? Math.exp(a) + Math.abs(b) : 1 + Math.abs(b / (a + eps)));
      } else {
        double m = logInput ? Math.exp(a) + Math.abs(b * a) : Math.abs(a) + Math.abs(b * Math.log(a + eps));
        if (full && b > 1) {
          m += Math.abs(b * Math.log(b)) + b + Math.abs(0.5 * Math.log(2 * Math.PI * b));
        }
        out[i] = k * m;
      }
    }
    return grad || red == Reduction.NONE ? out : new double[] {sum(out)};
  }

  /**
   * {@code poisson_nll_loss}'s target gradient {@code -x} (or {@code -log(x + eps)}), plus Stirling's
   * {@code log y + y/y - 1 + 1/(2y)} for {@code y > 1} with {@code full} (the 1s cancel exactly in value,
   * but autograd rounds each).
   */
  private static double[] poissonGradTarget(In in) {
    Poisson p = Poisson.of(in);
    double[] out = new double[p.y().numel()];
    for (int i = 0; i < p.n(); i++) {
      double a = p.x().getDouble(p.xi()[i]);
      double b = p.y().getDouble(p.yi()[i]);
      double m = p.logInput() ? Math.abs(a) : Math.abs(Math.log(a + p.eps()));
      if (p.full() && b > 1) {
        // autograd's Stirling terms m log y, (m y)/y, -m and 0.5 m/(2 pi y) 2 pi, each rounded
        m += Math.abs(Math.log(b)) + 2 + 0.5 / b;
      }
      out[p.yi()[i]] += p.k() * m;
    }
    return out;
  }

  /**
   * {@code gaussian_nll_loss}'s inputs: {@code var} of the input's shape without its last dim is read as
   * having a last dim of 1 (as the api unsqueezes it), then every input is broadcast to the input's shape.
   */
  private record Gaussian(Tensor x, Tensor y, Tensor v, double eps, boolean full, Reduction red, int[] vi,
      int[] yi, int n, double k) {
    static Gaussian of(In in) {
      Tensor x = in.t("input");
      Tensor y = in.t("target");
      Tensor v = in.t("var");
      Reduction red = in.p().torchReduction();
      int[] shape = x.shape();
      int[] vs = v.shape();
      if (!Arrays.equals(vs, shape) && shape.length > 0
          && Arrays.equals(vs, Arrays.copyOf(shape, shape.length - 1))) {
        vs = Arrays.copyOf(vs, vs.length + 1);
        vs[vs.length - 1] = 1;
      }
      int n = x.numel();
      return new Gaussian(x, y, v, in.real("eps"), in.flag("full"), red, Shapes.broadcastIndex("var", vs, shape),
          Shapes.broadcastIndex("target", y.shape(), shape), n, red == Reduction.MEAN ? 1.0 / n : 1);
    }

    /** {@code max(var, eps)} at element {@code i}. */
    double var(int i) {
      return Math.max(v.getDouble(vi[i]), eps);
    }

    /** {@code x - y} at element {@code i}. */
    double diff(int i) {
      return x.getDouble(i) - y.getDouble(yi[i]);
    }
  }

  /**
   * {@code gaussian_nll_loss}'s {@code var} gradient {@code (1/v - (x - y)^2/v^2)/2} at
   * {@code v = max(var, eps)}, summed over the elements a broadcast {@code var} element serves.
   */
  private static double[] gaussianGradVar(In in) {
    Gaussian g = Gaussian.of(in);
    double[] out = new double[g.v().numel()];
    for (int i = 0; i < g.n(); i++) {
      double var = g.var(i);
      double d = g.diff(i);
      out[g.vi()[i]] += g.k() * 0.5 * (1 / var + d * d / (var * var));
    }
    return out;
  }

  /**
   * {@code gaussian_nll_loss}: element {@code 0.5 (log v + (x - y)^2 / v)} at {@code v = max(var, eps)},
   * plus {@code 0.5 log(2 pi)} when {@code full}: terms {@code 0.5 |log v|}, {@code 0.5 (x - y)^2 / v} and
   * the constant, over the elements for mean and sum.
   */
  private static double[] gaussianLoss(In in) {
    Gaussian g = Gaussian.of(in);
    double[] out = new double[g.n()];
    for (int i = 0; i < g.n(); i++) {
      double var = g.var(i);
      double d = g.diff(i);
      out[i] = g.k() * (0.5 * (Math.abs(Math.log(var)) + d * d / var) + (g.full() ? 0.5 * Math.log(2 * Math.PI) : 0));
    }
    return g.red() == Reduction.NONE ? out : new double[] {sum(out)};
  }

  /**
   * {@code l1_loss}'s gradient of a broadcast input or target: the sum of {@code +-g} over the elements
   * it serves ({@code g} = 1/N for a mean), which aten adds in the dtype without compensation; the
   * terms are {@code g} each (0 where {@code x = y}).
   */
  private static double[] l1Grad(In in, String name) {
    Tensor x = in.t("input");
    Tensor y = in.t("target");
    Tensor self = in.t(name);
    Reduction red = in.p().torchReduction();
    int[] shape = Shapes.broadcastShape(x.shape(), y.shape());
    int[] xi = Shapes.broadcastIndex("input", x.shape(), shape);
    int[] yi = Shapes.broadcastIndex("target", y.shape(), shape);
    int[] si = name.equals("input") ? xi : yi;
    int n = Tensor.numel(shape);
    double k = red == Reduction.MEAN ? 1.0 / n : 1;
    double[] out = new double[self.numel()];
    for (int i = 0; i < n; i++) {
      out[si[i]] += x.getDouble(xi[i]) != y.getDouble(yi[i]) ? k : 0;
    }
    return out;
  }

  /**
   * {@code hinge_embedding_loss}: element {@code [y != 1] max(0, margin - x) + [y != -1] x}, so its terms
   * are {@code [y != 1] max(0, margin - x)} and {@code [y != -1] |x|}; the reduced loss sums them over
   * the elements (aten's float32 sum does not compensate, so a large x and a large -x cancel there and
   * the small terms between them are lost), times 1/N for a mean.
   */
  private static double[] hingeEmbedding(In in) {
    Tensor x = in.t("input");
    Tensor y = in.t("target");
    double margin = in.real("margin");
    Reduction red = in.p().torchReduction();
    int[] shape = Shapes.broadcastShape(x.shape(), y.shape());
    int[] xi = Shapes.broadcastIndex("input", x.shape(), shape);
    int[] yi = Shapes.broadcastIndex("target", y.shape(), shape);
    int n = Tensor.numel(shape);
    double k = red == Reduction.MEAN ? 1.0 / n : 1;
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      double a = x.getDouble(xi[i]);
      double b = y.getDouble(yi[i]);
      out[i] = k * ((b != 1 ? Math.max(0, margin - a) : 0) + (b != -1 ? Math.abs(a) : 0));
    }
    return red == Reduction.NONE ? out : new double[] {sum(out)};
  }

  /**
   * {@code cosine_embedding_loss}: with {@code m_i = |x_i|^2 + 1e-12}, {@code den = sqrt(m1 m2)} and
   * {@code cos = x1.x2/den}, the gradient for {@code x1} is {@code -+(x2/den - cos x1/m1)} on the rows
   * the loss is active on (target 1, or target -1 with {@code cos > margin}); {@code cos} is a sum
   * that cancels, so its term is {@code sum_j |x1_j x2_j| / den}.
   */
  private static double[] cosineEmbedding(In in, String self, String other) {
    Tensor a = in.t(self);
    Tensor b = in.t(other);
    Tensor target = in.t("target");
    double margin = in.real("margin");
    Reduction red = in.p().torchReduction();
    int d = a.rank() == 0 ? 1 : a.size(-1);
    int rows = d == 0 ? 0 : a.numel() / d;
    double k = red == Reduction.MEAN ? 1.0 / Math.max(rows, 1) : 1;
    double[] out = new double[a.numel()];
    for (int r = 0; r < rows; r++) {
      double dot = 0;
      double dotTerms = 0;
      double ma = 1e-12f;
      double mb = 1e-12f;
      for (int j = 0; j < d; j++) {
        double u = a.getDouble(r * d + j);
        double v = b.getDouble(r * d + j);
        dot += u * v;
        dotTerms += Math.abs(u * v);
        ma += u * u;
        mb += v * v;
      }
      double den = Math.sqrt(ma * mb);
      double cos = dot / den;
      double cosTerms = dotTerms / den;
      double y = target.getDouble(target.rank() == 0 ? 0 : r);
      boolean active = y == 1 || (y == -1 && cos > margin);
      if (!active) {
        continue;
      }
      for (int j = 0; j < d; j++) {
        out[r * d + j] = k * (Math.abs(b.getDouble(r * d + j)) / den + cosTerms * Math.abs(a.getDouble(r * d + j)) / ma);
      }
    }
    return out;
  }

  /**
   * {@code cosine_embedding_loss}'s loss: {@code 1 - cos} for target 1 and {@code cos - margin} for
   * target -1 with {@code cos > margin} (any other row is exactly 0, so it keeps the relative
   * allowance); both cancel as {@code cos} nears 1 or the margin, and aten's {@code cos} carries the
   * rounding of its {@code sqrt} (MKL's vdSqrt/vsSqrt, not correctly rounded next to a tie), so the
   * terms are {@code 1 + |cos|} and {@code |cos| + |margin|}, times the reduction's coefficient.
   */
  private static double[] cosineEmbeddingLoss(In in) {
    Tensor a = in.t("input1");
    Tensor b = in.t("input2");
    Tensor target = in.t("target");
    double margin = in.real("margin");
    Reduction red = in.p().torchReduction();
    int rows = target.rank() == 0 ? 1 : target.size(0);
    int d = a.rank() == 0 ? 1 : a.size(-1);
    if (a.numel() != rows * d || b.numel() != a.numel()) {
      return null;
    }
    double k = red == Reduction.MEAN ? 1.0 / Math.max(rows, 1) : 1;
    double[] out = new double[rows];
    for (int r = 0; r < rows; r++) {
      double dot = 0;
      double ma = 1e-12f;
      double mb = 1e-12f;
      for (int j = 0; j < d; j++) {
        double u = a.getDouble(r * d + j);
        double v = b.getDouble(r * d + j);
        dot += u * v;
        ma += u * u;
        mb += v * v;
      }
      double cos = dot / Math.sqrt(ma * mb);
      double y = target.getDouble(r);
      if (y == 1) {
        out[r] = k * (1 + Math.abs(cos));
      } else if (y == -1 && cos > margin) {
        out[r] = k * (Math.abs(cos) + Math.abs(margin));
      }
    }
    return red == Reduction.NONE ? out : new double[] {sum(out)};
  }

  /**
   * CTC's gradients {@code k (p - gamma)}: {@code p} the softmax of each frame ({@code exp(log_probs)}
   * for PyTorch's {@code grad_log_probs}), {@code gamma} the occupancy, {@code k} the reduction's
   * coefficient of the sample. The engines compute {@code gamma = exp(log alpha + log beta - lp + nll)}
   * in float32, so its error is relative, of the order of the exponent's terms times float32's epsilon:
   * the magnitude is {@code k (p + gamma (1 + 2 nll))}, {@code nll} the sample's negative log-likelihood.
   * PyTorch's {@code grad_logits} goes on through log_softmax's backward, {@code g - p sum(g)}, where
   * {@code sum(g) = sum(p - gamma)} is 0 up to gamma's error: {@code p (1 + 2 nll)} more.
   */
  private static double[] ctc(In in, String probsName, String output, boolean torch) {
    Tensor lp = in.t(probsName);
    Map<String, Tensor> ref = in.reference64().get();
    Tensor g = ref.get(output);
    Tensor loss = ref.get("loss");
    int[] s = lp.shape();
    boolean batched = s.length == 3;
    int t = s[0];
    int n = batched ? s[1] : 1;
    int c = s[s.length - 1];
    double[] k = new double[n];
    double[] nll = new double[n];
    if (torch) {
      Reduction red = in.p().torchReduction();
      Tensor tl = in.t("target_lengths");
      for (int b = 0; b < n; b++) {
        long len = tl.getLong(tl.rank() == 0 ? 0 : b);
        k[b] = red == Reduction.MEAN ? 1.0 / (n * Math.max(len, 1)) : 1;
      }
      // the per-sample loss again, unreduced, for nll
      Map<String, Object> none = new java.util.LinkedHashMap<>(in.params());
      none.put("reduction", "none");
      none.remove("size_average");
      none.remove("reduce");
      Tensor per = Apis.evaluate(in.api(), none, in.inputs()).get("loss");
      for (int b = 0; b < n; b++) {
        nll[b] = Math.abs(per.getDouble(per.rank() == 0 ? 0 : b));
      }
    } else {
      for (int b = 0; b < n; b++) {
        k[b] = 1;
        nll[b] = Math.abs(loss.getDouble(loss.rank() == 0 ? 0 : b));
      }
    }
    double[] out = new double[lp.numel()];
    for (int ti = 0; ti < t; ti++) {
      for (int b = 0; b < n; b++) {
        int base = (ti * n + b) * c;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
          max = Math.max(max, lp.getDouble(base + j));
        }
        double sum = 0;
        for (int j = 0; j < c; j++) {
          sum += Math.exp(lp.getDouble(base + j) - max);
        }
        for (int j = 0; j < c; j++) {
          double x = lp.getDouble(base + j);
          double p = output.equals("grad_log_probs") ? Math.exp(x) : Math.exp(x - max) / sum;
          double gamma = Math.abs(p - g.getDouble(base + j) / k[b]);
          double life = Double.isFinite(nll[b]) ? 1 + 2 * nll[b] : 1;
          // through log_softmax the frame's sum of (p - gamma), 0 up to gamma's error, comes back times p
          out[base + j] = k[b] * (output.equals("grad_logits") && torch ? p * (1 + life) + gamma * life : p + gamma * life);
        }
      }
    }
    return out;
  }

  // ---- TensorFlow / Keras -----------------------------------------------------------------------

  /** Keras' reduction coefficient of each per-sample loss ({@link KerasReduction.Reduced#factor}). */
  private static double[] kerasFactor(In in, int[] lossShape, boolean[] valid) {
    KerasReduction.Mode mode = KerasReduction.Mode.of(in.str("reduction"));
    double[] f = KerasReduction.reduce(new double[Tensor.numel(lossShape)], lossShape, valid,
        in.opt("sample_weight"), mode).factor();
    for (int i = 0; i < f.length; i++) {
      f[i] = Math.abs(f[i]);
    }
    return f;
  }

  /**
   * The softmax of a fiber, each entry times {@code 1 + |x - m| + |log s|}: the terms of its exponent,
   * which the engine rounds, so the entry carries a relative error of their size.
   */
  private static double[] softmax(Tensor x, Fibers f, int o, int s) {
    Shift sh = Shift.of(x, f, o, s);
    double[] p = new double[f.size()];
    for (int k = 0; k < f.size(); k++) {
      double z = x.getDouble(f.at(o, k, s)) - sh.max();
      // the exponent x - m is rounded: p carries a relative error of its size
      p[k] = Math.exp(z) / sh.sum() * (1 + Math.abs(z) + Math.abs(Math.log(sh.sum())));
    }
    return p;
  }

  /** A fiber's max {@code m} and {@code s = sum exp(x - m)}, as the engines' softmax computes them. */
  private record Shift(double max, double sum) {
    static Shift of(Tensor x, Fibers f, int o, int s) {
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < f.size(); k++) {
        max = Math.max(max, x.getDouble(f.at(o, k, s)));
      }
      double sum = 0;
      for (int k = 0; k < f.size(); k++) {
        sum += Math.exp(x.getDouble(f.at(o, k, s)) - max);
      }
      return new Shift(max, sum);
    }
  }


  /**
   * Keras {@code SparseCategoricalCrossentropy}: from logits, the gradient {@code p - onehot}; from
   * probabilities {@code o = clip(y/sum y)}, {@code d(-log o_t)/dy_c = -[c = t]/(o_t S) + 1/S} as
   * autograd differentiates the normalisation; times each sample's Keras factor.
   */
  private static double[] kerasSparse(In in) {
    Tensor yPred = in.t("y_pred");
    Tensor yTrue = in.t("y_true");
    boolean logits = in.flag("from_logits");
    Object ignore = in.params().get("ignore_class");
    // the shapes Keras' squeeze_or_expand_to_same_rank hands the loss (y_pred [1, 8, 1] beside y_true
    // [1, 1] is [1, 8]: classes on the 8 axis; found by the sweep, where the model had failed)
    int[] predShape = dev.lossconformance.loss.keras.KerasReduction.squeezeOrExpandToSameRank(yTrue.shape(),
        yPred.shape())[1];
    Fibers f = Fibers.of(predShape, -1, in.api());
    boolean[] valid = null;
    if (ignore instanceof Long ic) {
      valid = new boolean[f.count()];
      for (int i = 0; i < valid.length; i++) {
        valid[i] = yTrue.getLong(i) != ic;
      }
    }
    double[] fac = kerasFactor(in, f.reducedShape(), valid);
    double[] out = new double[yPred.numel()];
    for (int o = 0; o < f.outer(); o++) {
      long t = yTrue.getLong(o);
      if (logits) {
        double[] p = softmax(yPred, f, o, 0);
        for (int k = 0; k < f.size(); k++) {
          out[f.at(o, k, 0)] = fac[o] * (p[k] + (k == t ? 1 : 0));
        }
      } else {
        double sum = 0;
        for (int k = 0; k < f.size(); k++) {
          sum += yPred.getDouble(f.at(o, k, 0));
        }
        double ot = clip(yPred.getDouble(f.at(o, (int) Math.max(0, Math.min(t, f.size() - 1)), 0)) / sum);
        for (int k = 0; k < f.size(); k++) {
          out[f.at(o, k, 0)] = fac[o] * ((k == t ? 1 / ot : 0) + 1) / Math.abs(sum);
        }
      }
    }
    return out;
  }

  /**
   * The loss of Keras' {@code SparseCategoricalCrossentropy} and {@code CategoricalCrossentropy} along
   * the last axis: from logits TF's op computes {@code sum_k q_k (log s - (x_k - m))}, terms
   * {@code |q_k| (|x_k - m| + |log s| + 1)} (the 1: {@code log} of a rounded sum); from probabilities
   * {@code -sum_k q_k log(o_k)} of the clipped normalised {@code o}, terms {@code |q_k| (|log o_k| + 1)};
   * times each sample's Keras factor, summed unless the reduction is none.
   */
  private static double[] kerasCrossEntropyLoss(In in, boolean sparse) {
    Tensor yPred = in.t("y_pred");
    Tensor yTrue = in.t("y_true");
    boolean logits = in.flag("from_logits");
    double eps = sparse ? 0 : in.real("label_smoothing");
    Object axisParam = in.params().get("axis");
    long axis = !sparse && axisParam instanceof Long a ? a : -1;
    Fibers f = Fibers.of(yPred.shape(), axis, in.api());
    int last = yPred.size(-1);
    boolean[] valid = null;
    Object ignore = in.params().get("ignore_class");
    if (sparse && ignore instanceof Long ic) {
      valid = new boolean[f.count()];
      for (int i = 0; i < valid.length; i++) {
        valid[i] = yTrue.getLong(i) != ic;
      }
    }
    double[] fac = kerasFactor(in, f.reducedShape(), valid);
    double[] out = new double[f.count()];
    for (int o = 0; o < f.outer(); o++) {
      for (int s = 0; s < f.inner(); s++) {
        int row = o * f.inner() + s;
        Shift sh = logits ? Shift.of(yPred, f, o, s) : null;
        double sum = 0;
        for (int k = 0; k < f.size() && !logits; k++) {
          sum += yPred.getDouble(f.at(o, k, s));
        }
        double m = 0;
        for (int k = 0; k < f.size(); k++) {
          double q = sparse ? (yTrue.getLong(row) == k ? 1 : 0)
              : Math.abs((1 - eps) * yTrue.getDouble(f.at(o, k, s)) + eps / last);
          if (q == 0) {
            continue;
          }
          double x = yPred.getDouble(f.at(o, k, s));
          m += logits ? q * (Math.abs(x - sh.max()) + Math.abs(Math.log(sh.sum())) + 1)
              : q * (Math.abs(Math.log(clip(x / sum))) + 1);
        }
        out[row] = fac[row] * m;
      }
    }
    return in.str("reduction").equals("none") || out.length == 0 ? out : new double[] {sum(out)};
  }

  private static double clip(double p) {
    return Math.min(Math.max(p, KerasReduction.EPSILON), 1 - KerasReduction.EPSILON);
  }

  /**
   * Keras {@code CategoricalCrossentropy} with labels {@code q = (1 - e) y + e/C}: from logits the
   * gradient {@code p - q} (TF's {@code SoftmaxCrossEntropyWithLogits}), from probabilities
   * {@code -q_c/(o_c S) + sum_k q_k y_k/(o_k S^2)}; along {@code axis}.
   */
  private static double[] kerasCategorical(In in) {
    Tensor yPred = in.t("y_pred");
    Tensor yTrue = in.t("y_true");
    boolean logits = in.flag("from_logits");
    double eps = in.real("label_smoothing");
    Object axisParam = in.params().get("axis");
    long axis = axisParam instanceof Long a ? a : -1;
    Fibers f = Fibers.of(yPred.shape(), axis, in.api());
    int last = yPred.size(-1);
    double[] fac = kerasFactor(in, f.reducedShape(), null);
    double[] out = new double[yPred.numel()];
    for (int o = 0; o < f.outer(); o++) {
      for (int s = 0; s < f.inner(); s++) {
        double fo = fac[o * f.inner() + s];
        double[] q = new double[f.size()];
        for (int k = 0; k < f.size(); k++) {
          q[k] = Math.abs((1 - eps) * yTrue.getDouble(f.at(o, k, s)) + eps / last);
        }
        if (logits) {
          double[] p = softmax(yPred, f, o, s);
          for (int k = 0; k < f.size(); k++) {
            out[f.at(o, k, s)] = fo * (p[k] + q[k]);
          }
        } else {
          double sum = 0;
          for (int k = 0; k < f.size(); k++) {
            sum += yPred.getDouble(f.at(o, k, s));
          }
          double cross = 0;
          for (int k = 0; k < f.size(); k++) {
            double y = yPred.getDouble(f.at(o, k, s));
            cross += q[k] * Math.abs(y) / clip(y / sum);
          }
          for (int k = 0; k < f.size(); k++) {
            double ok = clip(yPred.getDouble(f.at(o, k, s)) / sum);
            out[f.at(o, k, s)] = fo * (q[k] / (ok * Math.abs(sum)) + cross / (sum * sum));
          }
        }
      }
    }
    return out;
  }

  /**
   * Keras {@code BinaryCrossentropy}, the mean over the last axis of {@code C} elements: from logits
   * {@code (sigmoid(x) - y)/C}, from probabilities {@code -(y/p - (1 - y)/(1 - p))/C} at the clipped
   * {@code p}; labels {@code (1 - e) y + e/2}.
   */
  private static double[] kerasBinary(In in) {
    Tensor yPred = in.t("y_pred");
    Tensor yTrue = in.t("y_true");
    boolean logits = in.flag("from_logits");
    double eps = in.real("label_smoothing");
    Fibers f = Fibers.of(yPred.shape(), -1, in.api());
    double[] fac = kerasFactor(in, f.reducedShape(), null);
    double[] out = new double[yPred.numel()];
    int c = f.size();
    for (int i = 0; i < out.length; i++) {
      double y = (1 - eps) * yTrue.getDouble(i) + eps / 2;
      double x = yPred.getDouble(i);
      double fo = fac[i / c] / c;
      if (logits) {
        out[i] = fo * (1 / (1 + Math.exp(-x)) + Math.abs(y));
      } else {
        double p = clip(x);
        out[i] = fo * (Math.abs(y) / p + Math.abs(1 - y) / (1 - p));
      }
    }
    return out;
  }

  /** Keras {@code Poisson}: the mean over the last axis of {@code p - y log(p + 1e-7)}; gradient {@code (1 - y/(p + 1e-7))/C}. */
  private static double[] kerasPoisson(In in) {
    Tensor yPred = in.t("y_pred");
    Tensor yTrue = in.t("y_true");
    Fibers f = Fibers.of(yPred.shape(), -1, in.api());
    double[] fac = kerasFactor(in, f.reducedShape(), null);
    double[] out = new double[yPred.numel()];
    int c = f.size();
    for (int i = 0; i < out.length; i++) {
      out[i] = fac[i / c] / c * (1 + Math.abs(yTrue.getDouble(i) / (yPred.getDouble(i) + KerasReduction.EPSILON)));
    }
    return out;
  }

  /**
   * Keras {@code BinaryCrossentropy}'s loss: the mean over the last axis of the terms' magnitudes, {@code
   * |y log p| + |(1 - y) log(1 - p)|} (p clipped) or, from logits, {@code max(x, 0) + |x y| + log1p(e^-|x|)};
   * labels outside [0, 1] (1e30) make the two terms cancel.
   */
  private static double[] kerasBinaryLoss(In in) {
    Tensor yPred = in.t("y_pred");
    Tensor yTrue = in.t("y_true");
    boolean logits = in.flag("from_logits");
    double eps = in.real("label_smoothing");
    int[][] same = KerasReduction.squeezeOrExpandToSameRank(yTrue.shape(), yPred.shape());
    int[] shape = same[1];
    int last = shape[shape.length - 1];
    double[] fac = kerasFactor(in, Arrays.copyOf(shape, shape.length - 1), null);
    double[] out = new double[fac.length];
    for (int i = 0; i < yPred.numel(); i++) {
      double y = (1 - eps) * yTrue.getDouble(i) + eps / 2;
      double x = yPred.getDouble(i);
      double m;
      if (logits) {
        m = Math.max(x, 0) + Math.abs(x * y) + Math.log1p(Math.exp(-Math.abs(x)));
      } else {
        double p = clip(x);
        m = Math.abs(y * Math.log(p)) + Math.abs((1 - y) * Math.log(1 - p));
      }
      out[i / last] += fac[i / last] * m / last;
    }
    return in.str("reduction").equals("none") || out.length <= 1 ? out : new double[] {sum(out)};
  }

  /**
   * The per-sample losses of Keras {@code KLDivergence} ({@code sum_{-1} t log(t/p)}, t and p clipped to
   * [1e-7, 1]) and {@code Poisson} ({@code mean_{-1} p - y log(p + 1e-7)}), each term's magnitude
   * {@code |t log(t/p)| + t} (the quotient's rounding moves the log by an ulp of 1) or {@code |p| +
   * |y log(p + 1e-7)|}, over y_true and y_pred as Keras broadcasts them (after its
   * squeeze_or_expand_to_same_rank), times the reduction's factor per sample; summed unless {@code none}.
   */
  private static double[] kerasLastAxisLoss(In in, boolean poisson) {
    Tensor yPred = in.t("y_pred");
    Tensor yTrue = in.t("y_true");
    int[][] same = KerasReduction.squeezeOrExpandToSameRank(yTrue.shape(), yPred.shape());
    int[] shape = Shapes.broadcastShape(same[0], same[1]);
    int[] tAt = Shapes.broadcastIndex("y_true", same[0], shape);
    int[] pAt = Shapes.broadcastIndex("y_pred", same[1], shape);
    int last = shape[shape.length - 1];
    int[] lossShape = Arrays.copyOf(shape, shape.length - 1);
    double[] fac = kerasFactor(in, lossShape, null);
    double[] out = new double[fac.length];
    for (int i = 0; i < tAt.length; i++) {
      double y = yTrue.getDouble(tAt[i]);
      double p = yPred.getDouble(pAt[i]);
      double m;
      if (poisson) {
        m = (Math.abs(p) + Math.abs(y * Math.log(p + KerasReduction.EPSILON))) / last;
      } else {
        double t = Math.max(Math.min(y, 1), KerasReduction.EPSILON);
        double q = Math.max(Math.min(p, 1), KerasReduction.EPSILON);
        m = Math.abs(t * Math.log(t / q)) + t;
      }
      out[i / last] += fac[i / last] * m;
    }
    return in.str("reduction").equals("none") || out.length <= 1 ? out : new double[] {sum(out)};
  }

  /**
   * Keras {@code CosineSimilarity}: {@code -sum a_j b_j} of the normalised {@code a = l2(y_true)},
   * {@code b = l2(y_pred)} ({@code x rsqrt(max(sum x^2, 1e-12))}), and its gradient
   * {@code -(a - (a.b) b)/|y_pred|}.
   */
  private static double[] kerasCosine(In in, boolean grad) {
    Tensor yPred = in.t("y_pred");
    Tensor yTrue = in.t("y_true");
    Object axisParam = in.params().get("axis");
    long axis = axisParam instanceof Long a ? a : -1;
    Fibers f = Fibers.of(yPred.shape(), axis, in.api());
    double[] fac = kerasFactor(in, f.reducedShape(), null);
    double[] out = new double[grad ? yPred.numel() : f.count()];
    for (int o = 0; o < f.outer(); o++) {
      for (int s = 0; s < f.inner(); s++) {
        double na = 0;
        double nb = 0;
        for (int k = 0; k < f.size(); k++) {
          na += sq(yTrue.getDouble(f.at(o, k, s)));
          nb += sq(yPred.getDouble(f.at(o, k, s)));
        }
        na = Math.sqrt(Math.max(na, 1e-12));
        nb = Math.sqrt(Math.max(nb, 1e-12));
        double cos = 0;
        double terms = 0;
        for (int k = 0; k < f.size(); k++) {
          double ab = yTrue.getDouble(f.at(o, k, s)) / na * yPred.getDouble(f.at(o, k, s)) / nb;
          cos += ab;
          terms += Math.abs(ab);
        }
        double fo = fac[o * f.inner() + s];
        if (!grad) {
          out[o * f.inner() + s] = fo * terms;
          continue;
        }
        for (int k = 0; k < f.size(); k++) {
          double a = yTrue.getDouble(f.at(o, k, s)) / na;
          double b = yPred.getDouble(f.at(o, k, s)) / nb;
          out[f.at(o, k, s)] = fo * (Math.abs(a) + Math.abs(cos * b)) / nb;
        }
      }
    }
    if (!grad && !in.str("reduction").equals("none") && f.count() > 0) {
      return new double[] {sum(out)};
    }
    return out;
  }

  /** {@code tf.nn.sigmoid_cross_entropy_with_logits}: {@code max(x, 0) - x z + log1p(exp(-|x|))} ({@code nn_impl.py}). */
  private static double[] tfSigmoidLoss(In in) {
    Tensor x = in.t("logits");
    Tensor z = in.t("labels");
    double[] out = new double[x.numel()];
    for (int i = 0; i < out.length; i++) {
      double a = x.getDouble(i);
      out[i] = Math.max(a, 0) + Math.abs(a * z.getDouble(i)) + Math.log1p(Math.exp(-Math.abs(a)));
    }
    return out;
  }

  /**
   * TF's CTC loss {@code -log p}, {@code log p} a log-space sum over the lattice whose every alpha and
   * beta is a sum of up to {@code T_b} frames' {@code log y}, each step rounded in the dtype (TF's float T,
   * its LogSumExp's {@code log1pf(expf(.))} in float whatever the dtype): a loss near 0 comes out of
   * terms as large as those sums. The magnitude of sample {@code b} is {@code sum_{t < T_b} max_k |log
   * y(t, k)|} over the finite log-softmax entries of its frames (logits time-major, as the counterpart
   * passes them), an upper bound of every partial sum of the lattice.
   */
  private static double[] tfCtcLoss(In in) {
    Tensor x = in.t("logits");
    Tensor ll = in.t("logit_length");
    if (x.rank() != 3) {
      return null;
    }
    int t = x.size(0);
    int n = x.size(1);
    int c = x.size(2);
    double[] out = new double[n];
    for (int b = 0; b < n; b++) {
      long tb = Math.min(ll.getLong(b), t);
      double sum = 0;
      for (int f = 0; f < tb; f++) {
        int base = (f * n + b) * c;
        double m = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < c; k++) {
          m = Math.max(m, x.getDouble(base + k));
        }
        double z = 0;
        for (int k = 0; k < c; k++) {
          z += Math.exp(x.getDouble(base + k) - m);
        }
        double worst = 0;
        for (int k = 0; k < c; k++) {
          double lp = x.getDouble(base + k) - m - Math.log(z);
          if (Double.isFinite(lp)) {
            worst = Math.max(worst, Math.abs(lp));
          }
        }
        sum += worst;
      }
      out[b] = sum;
    }
    return out;
  }

  /**
   * {@code tf.nn.sparse_softmax_cross_entropy_with_logits}: the op's loss {@code log(sum exp(x - m)) -
   * (x_y - m)} and backprop {@code p - onehot}, per row of the last axis.
   */
  private static double[] tfSparse(In in, boolean grad) {
    Tensor x = in.t("logits");
    Tensor labels = in.t("labels");
    Fibers f = Fibers.of(x.shape(), -1, in.api());
    double[] out = new double[grad ? x.numel() : f.count()];
    for (int o = 0; o < f.outer(); o++) {
      long y = labels.getLong(o);
      if (grad) {
        double[] p = softmax(x, f, o, 0);
        for (int k = 0; k < f.size(); k++) {
          out[f.at(o, k, 0)] = p[k] + (k == y ? 1 : 0);
        }
      } else {
        Shift sh = Shift.of(x, f, o, 0);
        // log s of a sum rounded to a relative eps is off by eps absolute: the 1
        out[o] = Math.abs(Math.log(sh.sum())) + 1 + Math.abs(x.getDouble(f.at(o, (int) y, 0)) - sh.max());
      }
    }
    return out;
  }

  /**
   * {@code tf.nn.weighted_cross_entropy_with_logits}'s gradient through {@code nn_impl.py}'s
   * {@code (1 - z) x + (1 + (q - 1) z)(log1p(exp(-|x|)) + max(-x, 0))}: {@code (1 - z) - (1 + (q - 1) z) sigmoid(-x)}.
   */
  private static double[] tfWeightedGrad(In in) {
    Tensor x = in.t("logits");
    Tensor z = in.t("labels");
    Tensor q = in.t("pos_weight");
    int[] qi = Shapes.broadcastIndex("pos_weight", q.shape(), x.shape());
    double[] out = new double[x.numel()];
    for (int i = 0; i < out.length; i++) {
      double zi = z.getDouble(i);
      double lw = Math.abs(1 + (q.getDouble(qi[i]) - 1) * zi);
      out[i] = Math.abs(1 - zi) + lw / (1 + Math.exp(x.getDouble(i)));
    }
    return out;
  }

  /**
   * {@code tf.nn.sigmoid_cross_entropy_with_logits}' gradient, the AddN of {@code [x >= 0]}, {@code -z} and
   * {@code -+sigmoid(-|x|)} (the registry's gradients of nn_impl.py's Select, Mul and Log1p(Exp)).
   */
  private static double[] tfSigmoidGrad(In in) {
    Tensor x = in.t("logits");
    Tensor z = in.t("labels");
    double[] out = new double[x.numel()];
    for (int i = 0; i < out.length; i++) {
      double a = x.getDouble(i);
      double e = Math.exp(-Math.abs(a));
      out[i] = (a >= 0 ? 1 : 0) + Math.abs(z.getDouble(i)) + e / (1 + e);
    }
    return out;
  }

  /**
   * {@code tf.nn.log_poisson_loss}: the loss {@code exp(c) - c z [+ z log z - z + 0.5 log(2 pi z)]} and its
   * gradient {@code exp(c) - z} (nn_impl.py).
   */
  private static double[] tfLogPoisson(In in, boolean grad) {
    Tensor c = in.t("log_input");
    Tensor z = in.t("targets");
    boolean full = in.flag("compute_full_loss");
    double[] out = new double[c.numel()];
    for (int i = 0; i < out.length; i++) {
      double ci = c.getDouble(i);
      double zi = z.getDouble(i);
      double e = Math.exp(ci);
      if (grad) {
        out[i] = e + Math.abs(zi);
      } else {
        out[i] = e + Math.abs(ci * zi);
        if (full && zi > 1) {
          out[i] += Math.abs(zi * Math.log(zi)) + zi + Math.abs(0.5 * Math.log(2 * Math.PI * zi));
        }
      }
    }
    return out;
  }

  private static double sq(double v) {
    return v * v;
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s;
  }
}
