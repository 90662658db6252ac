package dev.lossconformance.catalog;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.KerasApis;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.tensorflow.TensorFlowCounterparts;

import static dev.lossconformance.catalog.Draw.normal;
import static dev.lossconformance.catalog.Draw.uniform;
import static dev.lossconformance.catalog.Draw.values;
import static dev.lossconformance.tensor.DType.FLOAT32;
import static dev.lossconformance.tensor.DType.FLOAT64;

import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code torch.nn.functional.gaussian_nll_loss}, a Python-level function: var of the input's shape,
 * of {@code input.shape[:-1]} (unsqueezed) or with last dim 1; var clamped at eps outside autograd.
 */
public final class GaussianNllLossCases {
  public static final String OP = "gaussian_nll_loss";
  public static final Api API = TorchApis.GAUSSIAN_NLL_LOSS;

  private GaussianNllLossCases() {}

  private static CaseBuilder g(String variant, String reduction, boolean full) {
    return new CaseBuilder(OP, API, variant + "_" + reduction)
        .param("full", full).param("eps", API.defaultOf("eps")).param("reduction", reduction)
        .tensorflow(t -> TensorFlowCounterparts.none(t, KerasApis.GAUSSIAN_NLL_NAME,
            "TensorFlow and Keras have no Gaussian negative log-likelihood loss"));
  }

  public static List<Case> cases() {
    Stream<CaseBuilder> all = Stream.of(
        Stream.of("none", "mean", "sum").map(r -> g("same_shape", r, false)
            .input("input", normal(1, 4, 3)).input("target", normal(1, 4, 3)).input("var", uniform(0.1, 2, 4, 3))),
        Stream.of(g("same_shape_full", "mean", true)
            .input("input", normal(1, 4, 3)).input("target", normal(1, 4, 3)).input("var", uniform(0.1, 2, 4, 3))),
        Stream.of("none", "mean").map(r -> g("var_one_dim_short", r, false)
            .input("input", normal(1, 4, 3)).input("target", normal(1, 4, 3)).input("var", uniform(0.1, 2, 4))),
        Stream.of(g("var_last_dim_1", "sum", false)
            .input("input", normal(1, 2, 3, 4)).input("target", normal(1, 2, 3, 4)).input("var", uniform(0.1, 2, 2, 3, 1))),
        // var below eps is clamped for the value, but the gradient ignores the clamp (SEMANTICS.md §2.7)
        Stream.of(g("var_clamped", "none", false)
            .input("input", values(new int[] {4}, 1, 0.5, -1, 2)).input("target", values(new int[] {4}, 0, 0.5, 0, 1))
            .input("var", values(new int[] {4}, 0, 1e-9, 1e-7, 0.5))),
        Stream.of(g("var_negative", "mean", false)
            .input("input", normal(1, 2, 3)).input("target", normal(1, 2, 3)).input("var", values(new int[] {2, 3}, 1, 0.5, -0.1, 1, 1, 1))
            .expectError("negative")),
        Stream.of(g("var_wrong_size", "mean", false)
            .input("input", normal(1, 2, 3)).input("target", normal(1, 2, 3)).input("var", uniform(0.1, 1, 3, 2))
            .expectError("incorrect size")))
        .flatMap(s -> s);
    List<Case> out = new java.util.ArrayList<>(all.flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream()).toList());
    out.addAll(sweepFound());
    return out;
  }

  // found by the differential sweep (issue 13): PyTorch's type promotion, the order of
  // F.gaussian_nll_loss's checks, autograd's float32 products; no TensorFlow counterpart
  private static List<Case> sweepFound() {
    Stream<CaseBuilder> both = Stream.of(
        // pow's backward multiplies by 2 d: float32 2 * -3e38 = -inf
        sweep("huge_input_grad_overflows", "mean")
            .input("input", values(new int[] {1}, -3.0E38)).input("target", values(new int[] {1}, 0))
            .input("var", values(new int[] {1}, 1)),
        // (x - y)^2 is a float32 tensor: 1e40 = inf before the division by var = 1e20
        sweep("squared_difference_overflows", "mean")
            .input("input", values(new int[] {}, -1.0E20)).input("target", values(new int[] {}, 0))
            .input("var", values(new int[] {}, 1.0E20)),
        // log(v)'s gradient is the summed (empty) gradient over v: 0 / NaN = NaN
        sweep("nan_scalar_var_empty_input", "mean")
            .input("input", values(new int[] {0})).input("target", values(new int[] {0}))
            .input("var", values(new int[] {}, Double.NaN)),
        // var's size is checked before the reduction string
        sweep("bad_reduction_wrong_var_size", "avg")
            .input("input", values(new int[] {1, 1}, 0)).input("target", values(new int[] {1, 1}, 0))
            .input("var", values(new int[] {2, 3}, 1, 1, 1, 1, 1, 1)).expectError("incorrect size"));
    Stream<CaseBuilder> f32Input = Stream.of(
        sweep("target_f64_promotes", "mean")
            .input("input", values(new int[] {2}, 0.5, -1)).input("target", (rng, dt) -> Tensor.ofFloating(DType.FLOAT64, new double[] {1, 0.5}, new int[] {2}))
            .input("var", values(new int[] {2}, 0.5, 2)));
    Stream<CaseBuilder> f64Input = Stream.of(
        // div's backward for the denominator is -h ((d^2 / v) / v): 1e-320 / 1e-300 / 1e-300 is finite
        // where 1e-320 / (1e-300)^2 overflows
        sweep("tiny_var_grad_divides_twice", "mean").param("eps", 0.0)
            .input("input", values(new int[] {1}, 1.0E-160)).input("target", values(new int[] {1}, 0))
            .input("var", values(new int[] {1}, 1.0E-300)));
    List<Case> out = new java.util.ArrayList<>(both.flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream()).toList());
    out.addAll(f32Input.flatMap(b -> b.inDtypes(FLOAT32).stream()).toList());
    out.addAll(f64Input.flatMap(b -> b.inDtypes(FLOAT64).stream()).toList());
    return out;
  }

  private static CaseBuilder sweep(String variant, String reduction) {
    return new CaseBuilder(OP, API, variant).param("full", false).param("eps", 1.0E-6).param("reduction", reduction);
  }
}
