package dev.lossconformance.generator.engine;

import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.generator.engine.TorchScripts.PythonLevelError;
import dev.lossconformance.generator.engine.TorchScripts.UnsupportedCase;
import java.util.List;
import java.util.Set;

/**
 * The TorchScript recipe of {@code torch.nn.functional.ctc_loss}, registered by {@link ExtraRecipes}.
 *
 * <p>Two gradients come out: {@code grad_log_probs}, what PyTorch's CTC backward returns for
 * {@code log_probs} ({@code softmax - occupancy}, SEMANTICS.md T-18, not the derivative with respect
 * to {@code log_probs}), and {@code grad_logits}, the gradient of
 * {@code ctc_loss(log_softmax(z))} at {@code z = log_probs}: a second leaf {@code logits} with the
 * same values, bound in the body, whose loss {@code loss_logits} is a second objective of the one
 * {@code autograd.grad} call. The two graphs share no leaf, so each gradient comes from its own loss
 * alone.
 */
final class CtcRecipe {
  static final String OP = "ctc_loss";
  static final String API = TorchApis.CTC_LOSS_NAME;

  /** What autograd differentiates, in output order: {@code grad_log_probs}, {@code grad_logits}. */
  static final List<String> GRADS = List.of("log_probs", "logits");

  /** The losses whose sums autograd differentiates: {@code loss} and the log_softmax path's. */
  static final List<String> OBJECTIVES = List.of("loss", "loss_logits");

  static final String PROVENANCE = "aten: torch.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,"
      + " reduction, zero_infinity), the Tensor-lengths overload (aten::ctc_loss.Tensor), the call F.ctc_loss makes"
      + " (torch/nn/functional.py of PyTorch 2.7 does nothing else but map the reduction string: none 0, mean 1,"
      + " sum 2, as torch.nn._reduction.get_enum does). grad_log_probs: autograd of loss.sum() with respect to"
      + " log_probs, i.e. what the CPU kernel's backward returns, exp(log_probs) - occupancy (pytorch issue #52241;"
      + " SEMANTICS.md T-18), not the derivative with respect to log_probs. grad_logits: a second leaf z holding"
      + " log_probs' values; loss_logits = torch.ctc_loss(torch.log_softmax(z, -1), ...same arguments) and"
      + " autograd of loss_logits.sum() with respect to z, the gradient with respect to the logits feeding"
      + " log_softmax. Both gradients come from one torch.autograd.grad([loss.sum(), loss_logits.sum()],"
      + " [log_probs, z]) call; the two graphs share no leaf. The returned loss is the first call's.";

  private CtcRecipe() {}

  static void register(TorchScripts.Registry r) {
    r.put(OP, TorchScripts.spec(API, Set.of("blank", "reduction", "zero_infinity"),
        List.of("log_probs", "targets", "input_lengths", "target_lengths"), Set.of(), GRADS));
  }

  /** The script body: binds {@code logits}, computes {@code loss} and {@code loss_logits}. */
  static List<String> body(Call c) throws UnsupportedCase, PythonLevelError {
    String args = "targets, input_lengths, target_lengths, " + blank(c) + ", " + reduction(c) + ", "
        + (zeroInfinity(c) ? "True" : "False");
    return List.of(
        "logits = log_probs.detach().requires_grad_(log_probs.is_floating_point())",
        "loss = torch.ctc_loss(log_probs, " + args + ")",
        "loss_logits = torch.ctc_loss(torch.log_softmax(logits, -1), " + args + ")");
  }

  private static long blank(Call c) throws UnsupportedCase {
    Object v = c.params().getOrDefault("blank", 0L);
    if (v instanceof Long l) {
      return l;
    }
    throw new UnsupportedCase("blank " + v + " is not an integer");
  }

  /** torch.nn._reduction.get_enum. */
  private static long reduction(Call c) throws PythonLevelError {
    String s = String.valueOf(c.params().getOrDefault("reduction", "mean"));
    return switch (s) {
      case "none" -> 0;
      case "mean" -> 1;
      case "sum" -> 2;
      default -> throw new PythonLevelError("ValueError: " + s + " is not a valid value for reduction");
    };
  }

  private static boolean zeroInfinity(Call c) throws UnsupportedCase {
    Object v = c.params().getOrDefault("zero_infinity", false);
    if (v instanceof Boolean b) {
      return b;
    }
    throw new UnsupportedCase("zero_infinity " + v + " is not a boolean");
  }
}
