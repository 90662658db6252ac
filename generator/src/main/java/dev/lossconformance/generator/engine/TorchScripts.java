package dev.lossconformance.generator.engine;

import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.generator.runtime.TorchScriptModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a catalog case into the TorchScript module that runs it: which tensors the module's {@code
 * forward} takes, in which order, and its source (the body here, the template in {@link
 * TorchScriptModule}). Non-tensor params become literals in the source,
 * so cases that differ only in their tensors share one script (and one loaded module).
 *
 * <p>Every script computes {@code loss} from {@code x = input.detach().requires_grad_()} and returns
 * {@code (loss.detach(), autograd.grad([loss.sum()], [x])[0])}: the forward value and the gradient
 * of the summed loss with respect to {@code input}, exactly what {@code loss.sum().backward()} leaves
 * in {@code input.grad} in Python.
 *
 * <p>Python-level argument handling of {@code torch.nn.functional} (reading the reduction string,
 * the size checks and the weight broadcast of the BCE functions) is reproduced here and in the
 * scripts, following torch/nn/functional.py of PyTorch 2.7; {@link #provenance(String)} says per op
 * which part is aten and which is script.
 */
final class TorchScripts {

  /** The module a case runs, and the case's tensors it takes, in {@code forward}'s order. */
  record Script(List<String> tensorNames, List<String> gradNames, String source) {}

  /** The case cannot be expressed by this backend (unknown op, param or input). */
  static final class UnsupportedCase extends Exception {
    private static final long serialVersionUID = 1L;

    UnsupportedCase(String reason) {
      super(reason);
    }
  }

  /** torch.nn.functional itself raises before reaching aten, e.g. on an unknown reduction. */
  static final class PythonLevelError extends Exception {
    private static final long serialVersionUID = 1L;

    PythonLevelError(String typeAndMessage) {
      super(typeAndMessage);
    }
  }

  static final String CROSS_ENTROPY = "cross_entropy";
  static final String NLL_LOSS = "nll_loss";
  static final String BCE = "binary_cross_entropy";
  static final String BCE_WITH_LOGITS = "binary_cross_entropy_with_logits";

  // torch.nn.functional's defaults
  private static final String DEFAULT_REDUCTION = "mean";
  private static final long DEFAULT_IGNORE_INDEX = -100;
  private static final double DEFAULT_LABEL_SMOOTHING = 0.0;

  private static final String REDUCTION_NOTE =
      " The reduction string is mapped to aten's enum (none 0, mean 1, sum 2) by the generator, as"
          + " torch.nn._reduction.get_enum does.";

  private static final Map<String, String> PROVENANCE =
      Map.of(
          CROSS_ENTROPY,
          "aten: torch.cross_entropy_loss(input, target, weight, reduction, ignore_index,"
              + " label_smoothing), the call F.cross_entropy makes; gradient by autograd of"
              + " loss.sum(). Script: none beyond the call."
              + REDUCTION_NOTE,
          NLL_LOSS,
          "aten: torch.nll_loss_nd(input, target, weight, reduction, ignore_index), the call"
              + " F.nll_loss makes; gradient by autograd of loss.sum(). Script: none beyond the call."
              + REDUCTION_NOTE,
          BCE,
          "aten: torch.binary_cross_entropy(input, target, weight, reduction); gradient by autograd"
              + " of loss.sum(). Script, following F.binary_cross_entropy in"
              + " torch/nn/functional.py: the ValueError when target.size() != input.size(), and"
              + " weight.expand(_infer_size(target.size(), weight.size())) (aten::_infer_size)."
              + REDUCTION_NOTE,
          BCE_WITH_LOGITS,
          "aten: torch.binary_cross_entropy_with_logits(input, target, weight, pos_weight,"
              + " reduction); gradient by autograd of loss.sum(). Script, following"
              + " F.binary_cross_entropy_with_logits in torch/nn/functional.py: the ValueError when"
              + " target.size() != input.size()."
              + REDUCTION_NOTE);

  /**
   * What a recipe takes: its params, required and optional tensor inputs (forward's order), and the
   * inputs it differentiates (each gives an output {@code grad_<name>}).
   */
  private record OpSpec(String api, Set<String> params, List<String> required, Set<String> optionalInputs,
      List<String> grads) {
    OpSpec(String api, Set<String> params, Set<String> optionalInputs) {
      this(api, params, List.of("input", "target"), optionalInputs, List.of("input"));
    }
  }

  private static final Map<String, OpSpec> OPS = new java.util.HashMap<>(
      Map.of(
          CROSS_ENTROPY,
          new OpSpec(
              TorchApis.CROSS_ENTROPY_NAME,
              Set.of("reduction", "ignore_index", "label_smoothing"),
              Set.of("weight")),
          NLL_LOSS,
          new OpSpec(
              TorchApis.NLL_LOSS_NAME, Set.of("reduction", "ignore_index"), Set.of("weight")),
          BCE,
          new OpSpec(TorchApis.BINARY_CROSS_ENTROPY_NAME, Set.of("reduction"), Set.of("weight")),
          BCE_WITH_LOGITS,
          new OpSpec(
              TorchApis.BINARY_CROSS_ENTROPY_WITH_LOGITS_NAME,
              Set.of("reduction"),
              Set.of("weight", "pos_weight"))));

  static {
    ExtraRecipes.register(OPS::put);
  }

  /** Registers a recipe: see {@link ExtraRecipes}. */
  interface Registry {
    void put(String op, OpSpec spec);
  }

  static OpSpec spec(String api, Set<String> params, List<String> required, Set<String> optional, List<String> grads) {
    return new OpSpec(api, params, required, optional, grads);
  }

  private TorchScripts() {}

  /** What is aten and what is script for {@code op}; {@code null} for an op this backend lacks. */
  static String provenance(String op) {
    return PROVENANCE.containsKey(op) ? PROVENANCE.get(op) : ExtraRecipes.provenance(op);
  }

  /** The module and tensor order that run {@code c}. */
  static Script build(Call c) throws UnsupportedCase, PythonLevelError {
    String op = c.api().substring(c.api().lastIndexOf('.') + 1);
    OpSpec spec = OPS.get(op);
    if (spec == null || !spec.api().equals(c.api())) {
      throw new UnsupportedCase("api " + c.api() + " has no TorchScript recipe in TorchBackend");
    }
    for (String p : c.params().keySet()) {
      if (!spec.params().contains(p)) {
        throw new UnsupportedCase("param " + p + " of " + c.api() + " is not passed by TorchBackend");
      }
    }
    List<String> tensors = new ArrayList<>(spec.required());
    for (String name : c.inputs().keySet()) {
      if (spec.optionalInputs().contains(name)) {
        tensors.add(name);
      }
    }
    for (String name : c.inputs().keySet()) {
      if (!tensors.contains(name)) {
        throw new UnsupportedCase("input " + name + " of " + c.api() + " is not passed by TorchBackend");
      }
    }
    for (String name : spec.required()) {
      c.input(name);
    }
    if (ExtraRecipes.handles(op)) {
      return new Script(List.copyOf(tensors), spec.grads(),
          module(tensors, spec.grads(), ExtraRecipes.body(op, c, tensors), ExtraRecipes.objectives(op)));
    }

    long reduction = reductionEnum(c);
    String weight = tensors.contains("weight") ? "weight" : "None";
    List<String> body = new ArrayList<>();
    switch (op) {
      case CROSS_ENTROPY -> body.add(
          "loss = torch.cross_entropy_loss(x, target, "
              + weight
              + ", "
              + reduction
              + ", "
              + ignoreIndex(c)
              + ", "
              + floatLiteral(labelSmoothing(c))
              + ")");
      case NLL_LOSS -> body.add(
          "loss = torch.nll_loss_nd(x, target, " + weight + ", " + reduction + ", " + ignoreIndex(c) + ")");
      case BCE -> {
        // torch/nn/functional.py, binary_cross_entropy: the size check, then the weight broadcast
        body.add("if target.size() != x.size():");
        body.add(
            "  ops.prim.RaiseException(\"Using a target size (torch.Size({})) that is different to the"
                + " input size (torch.Size({})) is deprecated. Please ensure they have the same size.\""
                + ".format(target.size(), x.size()), \"builtins.ValueError\")");
        String w = "None";
        if (tensors.contains("weight")) {
          // aten::_infer_size(a, b) pops b before a and calls at::infer_size(b, a) (see
          // register_prim_ops.cpp), so the arguments go in swapped to get Python's
          // torch._C._infer_size(target.size(), weight.size()) and its error message.
          body.add("new_size = torch._infer_size(weight.size(), target.size())");
          body.add("weight_expanded = weight.expand(new_size)");
          w = "weight_expanded";
        }
        body.add("loss = torch.binary_cross_entropy(x, target, " + w + ", " + reduction + ")");
      }
      case BCE_WITH_LOGITS -> {
        // torch/nn/functional.py, binary_cross_entropy_with_logits: the size check
        body.add("if target.size() != x.size():");
        body.add(
            "  ops.prim.RaiseException(\"Target size (torch.Size({})) must be the same as input size"
                + " (torch.Size({}))\".format(target.size(), x.size()),"
                + " \"builtins.ValueError\")");
        String pw = tensors.contains("pos_weight") ? "pos_weight" : "None";
        body.add(
            "loss = torch.binary_cross_entropy_with_logits(x, target, "
                + weight
                + ", "
                + pw
                + ", "
                + reduction
                + ")");
      }
      default -> throw new AssertionError(op);
    }
    return new Script(List.copyOf(tensors), spec.grads(), module(tensors, spec.grads(), body, List.of("loss")));
  }

  /**
   * The module source around {@code body}: the runtime's template ({@link
   * TorchScriptModule#withGradients}), differentiating the sum of each objective.
   */
  private static String module(List<String> tensors, List<String> grads, List<String> body, List<String> objectives) {
    return TorchScriptModule.withGradients(tensors, grads, body, objectives.stream().map(o -> o + ".sum()").toList());
  }

  /** torch.nn._reduction.get_enum. */
  static long reductionEnum(Call c) throws UnsupportedCase, PythonLevelError {
    Object r = c.params().get("reduction");
    if (r == null) {
      r = DEFAULT_REDUCTION;
    }
    if (!(r instanceof String s)) {
      throw new UnsupportedCase("reduction " + r + " is not a string");
    }
    return switch (s) {
      case "none" -> 0;
      case "mean", "elementwise_mean" -> 1; // elementwise_mean: deprecated alias, Python warns
      case "sum" -> 2;
      default -> throw new PythonLevelError("ValueError: " + s + " is not a valid value for reduction");
    };
  }

  private static long ignoreIndex(Call c) throws UnsupportedCase {
    Object v = c.params().get("ignore_index");
    if (v == null) {
      return DEFAULT_IGNORE_INDEX;
    }
    if (v instanceof Long || v instanceof Integer) {
      return ((Number) v).longValue();
    }
    throw new UnsupportedCase("ignore_index " + v + " is not an integer");
  }

  private static double labelSmoothing(Call c) throws UnsupportedCase {
    Object v = c.params().get("label_smoothing");
    if (v == null) {
      return DEFAULT_LABEL_SMOOTHING;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new UnsupportedCase("label_smoothing " + v + " is not a number");
  }

  /**
   * A TorchScript literal that reads back as exactly {@code v}: Java's {@code Double.toString}
   * round-trips and its {@code 1.0E-5} form is valid Python.
   */
  static String floatLiteral(double v) {
    if (Double.isNaN(v)) {
      return "float(\"nan\")";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "float(\"inf\")" : "float(\"-inf\")";
    }
    return Double.toString(v);
  }
}
