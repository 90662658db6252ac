package dev.lossconformance.catalog;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.tensorflow.TensorFlowCounterparts;

import static dev.lossconformance.catalog.Draw.normal;
import static dev.lossconformance.catalog.Draw.uniform;
import static dev.lossconformance.catalog.Draw.longs;
import static dev.lossconformance.catalog.Draw.values;
import static dev.lossconformance.tensor.DType.FLOAT32;
import static dev.lossconformance.tensor.DType.FLOAT64;

import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.List;
import java.util.stream.Stream;

/** {@code torch.nn.functional.poisson_nll_loss}: log-rate input by default, Stirling term with {@code full}. */
public final class PoissonNllLossCases {
  public static final String OP = "poisson_nll_loss";
  public static final Api API = TorchApis.POISSON_NLL_LOSS;

  private PoissonNllLossCases() {}

  private static CaseBuilder p(String variant, String reduction, boolean logInput, boolean full) {
    return new CaseBuilder(OP, API, variant + "_" + reduction)
        .param("log_input", logInput).param("full", full).param("eps", 1e-8).param("reduction", reduction)
        .tensorflow(TensorFlowCounterparts::poissonNll);
  }

  /** Counts: integers 0..6 drawn uniformly, rounded down. */
  private static Draw counts(int... shape) {
    return uniform(0, 7, shape).map(Math::floor);
  }

  public static List<Case> cases() {
    int[] six = {6};
    Stream<CaseBuilder> all = Stream.of(
        Stream.of("none", "mean", "sum").map(r -> p("log_input", r, true, false)
            .input("input", normal(1, 4, 3)).input("target", counts(4, 3))),
        Stream.of("none", "mean", "sum").map(r -> p("rate_input", r, false, false)
            .input("input", uniform(0.05, 5, 4, 3)).input("target", counts(4, 3))),
        // the Stirling term is masked where target <= 1 (torch) / 0 <= target <= 1 (TF)
        Stream.of("none", "mean").map(r -> p("log_input_full", r, true, true)
            .input("input", normal(1, 2, 4)).input("target", counts(2, 4).with(0, 0).with(1, 1).with(1.5, 2))),
        Stream.of(p("rate_input_full", "sum", false, true)
            .input("input", uniform(0.05, 5, 2, 4)).input("target", counts(2, 4))),
        // SEMANTICS.md §2.6: x = 0, y = 1: log_input 1.0; rate input -log(1e-8) = 18.420681
        Stream.of(p("worked_example_log_input", "none", true, false)
                .input("input", values(new int[] {1, 1}, 0)).input("target", values(new int[] {1, 1}, 1)),
            p("worked_example_rate_input", "none", false, false)
                .input("input", values(new int[] {1, 1}, 0)).input("target", values(new int[] {1, 1}, 1))
                .divergence("T-8: a zero rate: torch adds eps 1e-8 (18.420681), Keras 1e-7 (16.118095)")),
        Stream.of(p("negative_target_full", "none", true, true)
            .input("input", values(six, 0.5, -0.5, 1, 0, 2, -1)).input("target", values(six, -1, -2.5, 0.5, 3, 1, 2))),
        // found by the differential sweep (tf.nn): log_poisson_loss op by op in the dtype (exp(c) - z cancels in
        // the gradient), and a subnormal target read as zero by TF's kernels, so its Stirling term is masked
        Stream.of(p("full_rounding_in_dtype", "none", true, true)
                .input("input", values(new int[] {3}, 0.7304691, 1.5281411838930434, 1.8510663809278538))
                .input("target", values(new int[] {3}, 2, 3, 6)),
            p("full_subnormal_negative_target", "none", true, true)
                .input("input", values(new int[] {2}, 0.5, -1)).input("target", values(new int[] {2}, -1e-310, -1e-310))),
        Stream.of(p("eps_large", "mean", false, false).param("eps", 0.5)
            .input("input", values(six, 0, 0.1, 1, 2, 0.01, 3)).input("target", values(six, 1, 2, 0, 3, 1, 0))),
        Stream.of(p("overflow_log_input", "none", true, false)
            .input("input", values(new int[] {3}, 90, 700, -100)).input("target", values(new int[] {3}, 1, 2, 3))),
        // found by the differential sweep (TensorFlow)
        // an empty batch: Keras' mean over the empty last axis is 0/0 = NaN, a 0-d loss
        Stream.of(p("empty_1d", "mean", true, false).input("input", values(new int[] {0})).input("target", values(new int[] {0}))),
        // a rate of 3e38: TF's 1/(p + 1e-7) is subnormal and flushed, so Keras' gradient is 1/n, not (1 - y/p)/n
        Stream.of(p("huge_rate", "mean", false, false).input("input", values(new int[] {2, 2}, 0, 3.0E38, 0, 0))
            .input("target", values(new int[] {2, 2}, 0, 1.7E38, 0, 0))))
        .flatMap(s -> s);
    List<Case> out = new java.util.ArrayList<>(all.flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream()).toList());
    out.addAll(sweepFound());
    return out;
  }

  // found by the differential sweep (issue 13): PyTorch's type promotion, aten's float32
  // intermediates, autograd's Stirling gradient; no TensorFlow counterpart (aten's own composite)
  private static List<Case> sweepFound() {
    Stream<CaseBuilder> both = Stream.of(
        // the Stirling term's gradient (m t) / t is inf / inf = NaN at an infinite target
        sweep("full_inf_target_grad_nan", true, true, "mean")
            .input("input", values(new int[] {1}, 0)).input("target", values(new int[] {1}, Double.POSITIVE_INFINITY)),
        // float32 exp(1e20) - 1e30 * 1e20: inf - inf = NaN (float64: inf - 1e50 = inf)
        sweep("log_input_product_overflows", true, false, "mean")
            .input("input", values(new int[] {}, 1.0E20)).input("target", values(new int[] {}, 1.0E30)),
        // float32: g + (-g y) / (x + eps) of denormals, each rounded, is not 1 - y/x = 0
        sweep("rate_denormal_input", false, false, "mean").param("eps", 0.0)
            .input("input", values(new int[] {3}, 0, 0, 1.0E-40)).input("target", values(new int[] {3}, 0, 0, 1.0E-40)),
        // F.poisson_nll_loss checks the reduction string before aten sees the int64 target
        sweep("bad_reduction_int64_target", true, false, "avg")
            .input("input", values(new int[] {2}, 0, 0)).input("target", longs(new int[] {2}, 0, 1)).expectError("reduction"));
    Stream<CaseBuilder> f32Input = Stream.of(
        // a float32 input with a float64 target: float64, exp(x) a float32 tensor
        sweep("target_f64_promotes", true, false, "mean")
            .input("input", values(new int[] {2}, 0.5, -1)).input("target", (rng, dt) -> Tensor.ofFloating(DType.FLOAT64, new double[] {1, 3}, new int[] {2})));
    List<Case> out = new java.util.ArrayList<>(both.flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream()).toList());
    out.addAll(f32Input.flatMap(b -> b.inDtypes(FLOAT32).stream()).toList());
    return out;
  }

  private static CaseBuilder sweep(String variant, boolean logInput, boolean full, String reduction) {
    return new CaseBuilder(OP, API, variant).param("log_input", logInput).param("full", full)
        .param("reduction", reduction);
  }
}
