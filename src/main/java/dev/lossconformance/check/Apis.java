package dev.lossconformance.check;

import dev.lossconformance.loss.LossAndGrad;
import dev.lossconformance.loss.torch.BinaryCrossEntropy;
import dev.lossconformance.loss.torch.BinaryCrossEntropyWithLogits;
import dev.lossconformance.loss.torch.CrossEntropy;
import dev.lossconformance.loss.torch.NllLoss;
import dev.lossconformance.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The framework APIs the Java side implements, by their {@code api} string: each turns a case's
 * params and inputs into the outputs a fixture stores ({@code loss}, {@code grad_input}).
 */
public final class Apis {
  private static final Map<String, Function<Params, Map<String, Tensor>>> APIS = new LinkedHashMap<>();

  static {
    APIS.put(CrossEntropy.API, p -> outputs(CrossEntropy.options()
        .weight(p.optionalTensor("weight"))
        .ignoreIndex(p.integer("ignore_index", -100))
        .labelSmoothing(p.real("label_smoothing", 0.0))
        .reduction(p.torchReduction()), p, b -> b.build().apply(p.tensor("input"), p.tensor("target"))));
    APIS.put(NllLoss.API, p -> outputs(NllLoss.options()
        .weight(p.optionalTensor("weight"))
        .ignoreIndex(p.integer("ignore_index", -100))
        .reduction(p.torchReduction()), p, b -> b.build().apply(p.tensor("input"), p.tensor("target"))));
    APIS.put(BinaryCrossEntropy.API, p -> outputs(BinaryCrossEntropy.options()
        .weight(p.optionalTensor("weight"))
        .reduction(p.torchReduction()), p, b -> b.build().apply(p.tensor("input"), p.tensor("target"))));
    APIS.put(BinaryCrossEntropyWithLogits.API, p -> outputs(BinaryCrossEntropyWithLogits.options()
        .weight(p.optionalTensor("weight"))
        .posWeight(p.optionalTensor("pos_weight"))
        .reduction(p.torchReduction()), p, b -> b.build().apply(p.tensor("input"), p.tensor("target"))));
  }

  private Apis() {}

  /** The api strings implemented, sorted. */
  public static Set<String> supported() {
    return new TreeSet<>(APIS.keySet());
  }

  public static boolean supports(String api) {
    return APIS.containsKey(api);
  }

  /**
   * Runs {@code api} on the params and inputs.
   *
   * @throws UnsupportedCaseException when the api or one of the params is not implemented
   * @throws IllegalArgumentException where the framework raises
   */
  public static Map<String, Tensor> evaluate(String api, Map<String, Object> params, Map<String, Tensor> inputs) {
    Function<Params, Map<String, Tensor>> f = APIS.get(api);
    if (f == null) {
      throw new UnsupportedCaseException("api " + api + " is not implemented in Java");
    }
    return f.apply(new Params(api, params, inputs));
  }

  /** Reads every param (through {@code builder}), refuses unread ones, then runs. */
  private static <B> Map<String, Tensor> outputs(B builder, Params p, Function<B, LossAndGrad> run) {
    p.requireAllRead();
    LossAndGrad r = run.apply(builder);
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("loss", r.loss());
    out.put("grad_input", r.gradInput());
    return out;
  }
}
