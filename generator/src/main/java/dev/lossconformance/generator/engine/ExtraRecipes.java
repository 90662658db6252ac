package dev.lossconformance.generator.engine;

import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.generator.engine.TorchScripts.PythonLevelError;
import dev.lossconformance.generator.engine.TorchScripts.UnsupportedCase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TorchScript recipes of the losses beyond the cross-entropy family. Each is the aten call that
 * {@code torch.nn.functional} makes, with the Python-level argument handling of
 * {@code torch/nn/functional.py} (PyTorch 2.7) reproduced in the script where there is any;
 * {@link #provenance} says which is which. The input is bound to {@code x} (see
 * {@code TorchScripts.module}); other differentiated tensors keep their names.
 */
final class ExtraRecipes {
  static final String KL_DIV = "kl_div";
  static final String POISSON_NLL = "poisson_nll_loss";
  static final String GAUSSIAN_NLL = "gaussian_nll_loss";
  static final String HINGE_EMBEDDING = "hinge_embedding_loss";
  static final String COSINE_EMBEDDING = "cosine_embedding_loss";
  static final String L1 = "l1_loss";
  static final String CTC = "ctc_loss";

  private static final String GRAD = " Gradients by autograd of loss.sum() with respect to every differentiated input.";

  private static final Map<String, String> PROVENANCE = Map.of(
      KL_DIV, "aten: torch.kl_div(input, target, reduction, log_target). Script, following F.kl_div: 'batchmean' is"
          + " aten's sum divided by input.size(0) when input.dim() != 0; 'mean' (which Python warns about) is aten's mean." + GRAD,
      POISSON_NLL, "aten: torch.poisson_nll_loss(input, target, log_input, full, eps, reduction), the call"
          + " F.poisson_nll_loss makes after checking the reduction string." + GRAD,
      GAUSSIAN_NLL, "Script only: F.gaussian_nll_loss is Python (torch/nn/functional.py): var shape checks"
          + " (unsqueeze when var.shape == input.shape[:-1]; allowed when only the last dim is 1), ValueError on a"
          + " negative var, var.clone().clamp_(min=eps) under no_grad (so autograd does not see the clamp),"
          + " 0.5 * (log(var) + (input - target)**2 / var), + 0.5 * log(2 pi) when full, then mean/sum/none. The"
          + " no_grad clamp is written as where(var < eps, (var - var.detach()) + eps, var): equal values, and the"
          + " gradient passes through unclamped, as in Python." + GRAD,
      HINGE_EMBEDDING, "aten: torch.hinge_embedding_loss(input, target, margin, reduction)." + GRAD,
      COSINE_EMBEDDING, "aten: torch.cosine_embedding_loss(input1, input2, target, margin, reduction)." + GRAD,
      L1, "aten: torch.l1_loss(input, target, reduction) on torch.broadcast_tensors(input, target), as F.l1_loss"
          + " does (it warns when the sizes differ)." + GRAD);

  private ExtraRecipes() {}

  static void register(TorchScripts.Registry r) {
    r.put(KL_DIV, TorchScripts.spec(TorchApis.KL_DIV_NAME, Set.of("reduction", "log_target"), List.of("input", "target"),
        Set.of(), List.of("input", "target")));
    r.put(POISSON_NLL, TorchScripts.spec(TorchApis.POISSON_NLL_LOSS_NAME, Set.of("log_input", "full", "eps", "reduction"),
        List.of("input", "target"), Set.of(), List.of("input", "target")));
    r.put(GAUSSIAN_NLL, TorchScripts.spec(TorchApis.GAUSSIAN_NLL_LOSS_NAME, Set.of("full", "eps", "reduction"),
        List.of("input", "target", "var"), Set.of(), List.of("input", "target", "var")));
    r.put(HINGE_EMBEDDING, TorchScripts.spec(TorchApis.HINGE_EMBEDDING_LOSS_NAME, Set.of("margin", "reduction"),
        List.of("input", "target"), Set.of(), List.of("input")));
    r.put(COSINE_EMBEDDING, TorchScripts.spec(TorchApis.COSINE_EMBEDDING_LOSS_NAME, Set.of("margin", "reduction"),
        List.of("input1", "input2", "target"), Set.of(), List.of("input1", "input2")));
    r.put(L1, TorchScripts.spec(TorchApis.L1_LOSS_NAME, Set.of("reduction"), List.of("input", "target"), Set.of(),
        List.of("input", "target")));
    CtcRecipe.register(r);
  }

  static boolean handles(String op) {
    return PROVENANCE.containsKey(op) || op.equals(CTC);
  }

  static String provenance(String op) {
    return op.equals(CTC) ? CtcRecipe.PROVENANCE : PROVENANCE.get(op);
  }

  /** The losses whose sums autograd differentiates: {@code loss}, and for ctc_loss a second one. */
  static List<String> objectives(String op) {
    return op.equals(CTC) ? CtcRecipe.OBJECTIVES : List.of("loss");
  }

  /** The script body computing {@code loss} for {@code c}. */
  static List<String> body(String op, Call c, List<String> tensors) throws UnsupportedCase, PythonLevelError {
    List<String> b = new ArrayList<>();
    switch (op) {
      case KL_DIV -> {
        String r = reduction(c, "mean", true);
        boolean logTarget = bool(c, "log_target", false);
        long e = r.equals("batchmean") ? 2 : enumOf(r);
        b.add("loss = torch.kl_div(x, target, " + e + ", log_target=" + py(logTarget) + ")");
        if (r.equals("batchmean")) {
          b.add("if x.dim() != 0:");
          b.add("  loss = loss / x.size(0)");
        }
      }
      case POISSON_NLL -> b.add("loss = torch.poisson_nll_loss(x, target, " + py(bool(c, "log_input", true)) + ", "
          + py(bool(c, "full", false)) + ", " + TorchScripts.floatLiteral(real(c, "eps", 1e-8)) + ", "
          + enumOf(reduction(c, "mean", false)) + ")");
      case GAUSSIAN_NLL -> {
        // F.gaussian_nll_loss checks var's size before the reduction string, and the string before
        // var's sign: a bad string raises in the script, after the size checks
        String r;
        String badReduction = null;
        try {
          r = reduction(c, "mean", false);
        } catch (PythonLevelError e) {
          r = null;
          badReduction = e.getMessage().substring("ValueError: ".length());
        }
        b.add("v = var");
        b.add("if v.size() != x.size():");
        b.add("  if x.size()[:-1] == v.size():");
        b.add("    v = torch.unsqueeze(v, -1)");
        b.add("  elif x.size()[:-1] == v.size()[:-1] and v.size(-1) == 1:");
        b.add("    pass");
        b.add("  else:");
        b.add("    ops.prim.RaiseException(\"var is of incorrect size\", \"builtins.ValueError\")");
        if (badReduction != null) {
          b.add("ops.prim.RaiseException(\"" + badReduction.replace("\\", "\\\\").replace("\"", "\\\"")
              + "\", \"builtins.ValueError\")");
          b.add("loss = x");
          break;
        }
        b.add("if bool(torch.any(v < 0)):");
        b.add("  ops.prim.RaiseException(\"var has negative entry/entries\", \"builtins.ValueError\")");
        // Python clamps a clone in place under torch.no_grad(), which the serialised TorchScript here
        // does not offer: (v - v.detach()) + eps is exactly eps in value with v's identity gradient,
        // the same forward values and the same autograd graph as the clone clamped outside autograd
        String eps = TorchScripts.floatLiteral(real(c, "eps", 1e-6));
        b.add("v = torch.where(v.detach() < " + eps + ", (v - v.detach()) + " + eps + ", v)");
        b.add("loss = 0.5 * (torch.log(v) + (x - target) ** 2 / v)");
        if (bool(c, "full", false)) {
          b.add("loss = loss + 0.5 * " + TorchScripts.floatLiteral(Math.log(2 * Math.PI)));
        }
        if (r.equals("mean")) {
          b.add("loss = loss.mean()");
        } else if (r.equals("sum")) {
          b.add("loss = loss.sum()");
        }
      }
      case HINGE_EMBEDDING -> b.add("loss = torch.hinge_embedding_loss(x, target, "
          + TorchScripts.floatLiteral(real(c, "margin", 1.0)) + ", " + enumOf(reduction(c, "mean", false)) + ")");
      case COSINE_EMBEDDING -> b.add("loss = torch.cosine_embedding_loss(input1, input2, target, "
          + TorchScripts.floatLiteral(real(c, "margin", 0.0)) + ", " + enumOf(reduction(c, "mean", false)) + ")");
      case L1 -> {
        b.add("expanded = torch.broadcast_tensors([x, target])");
        b.add("loss = torch.l1_loss(expanded[0], expanded[1], " + enumOf(reduction(c, "mean", false)) + ")");
      }
      case CTC -> b.addAll(CtcRecipe.body(c));
      default -> throw new UnsupportedCase("no recipe for " + op);
    }
    return b;
  }

  private static String reduction(Call c, String dflt, boolean batchmean) throws PythonLevelError {
    Object r = c.params().getOrDefault("reduction", dflt);
    String s = String.valueOf(r);
    if (s.equals("none") || s.equals("mean") || s.equals("sum") || (batchmean && s.equals("batchmean"))) {
      return s;
    }
    throw new PythonLevelError("ValueError: " + s + " is not a valid value for reduction");
  }

  private static long enumOf(String r) {
    return switch (r) {
      case "none" -> 0;
      case "mean" -> 1;
      default -> 2;
    };
  }

  private static boolean bool(Call c, String name, boolean dflt) throws UnsupportedCase {
    Object v = c.params().get(name);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw new UnsupportedCase(name + " " + v + " is not a boolean");
  }

  private static double real(Call c, String name, double dflt) throws UnsupportedCase {
    Object v = c.params().get(name);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new UnsupportedCase(name + " " + v + " is not a number");
  }

  private static String py(boolean b) {
    return b ? "True" : "False";
  }
}
