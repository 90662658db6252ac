package dev.lossconformance.catalog;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.tensorflow.TensorFlowCounterparts;

import static dev.lossconformance.catalog.Draw.simplex;
import static dev.lossconformance.catalog.Draw.uniform;
import static dev.lossconformance.catalog.Draw.values;
import static dev.lossconformance.tensor.DType.FLOAT32;
import static dev.lossconformance.tensor.DType.FLOAT64;

import java.util.List;
import java.util.stream.Stream;

/** {@code torch.nn.functional.kl_div}: input is log-probabilities; target probabilities or log-probabilities. */
public final class KlDivCases {
  public static final String OP = "kl_div";
  public static final Api API = TorchApis.KL_DIV;
  private static final double NEG_INF = Double.NEGATIVE_INFINITY;

  private KlDivCases() {}

  private static CaseBuilder kl(String variant, String reduction, boolean logTarget) {
    return new CaseBuilder(OP, API, variant + "_" + reduction)
        .param("reduction", reduction).param("log_target", logTarget)
        .tensorflow(TensorFlowCounterparts::klDiv);
  }

  public static List<Case> cases() {
    Stream<CaseBuilder> all = Stream.of(
        Stream.of("none", "mean", "sum", "batchmean").map(r -> kl("plain", r, false)
            .input("input", simplex(1, 4, 5).map(Math::log)).input("target", simplex(1, 4, 5))),
        Stream.of("none", "batchmean", "sum").map(r -> kl("log_target", r, true)
            .input("input", simplex(1, 3, 4).map(Math::log)).input("target", simplex(1, 3, 4).map(Math::log))),
        // SEMANTICS.md §2.5: p = [.25, .75], t = [.5, .5]: sum = batchmean = 0.1438410, mean = 0.0719205
        Stream.of("mean", "batchmean", "sum").map(r -> kl("worked_example", r, false)
            .input("input", values(new int[] {1, 2}, Math.log(0.25), Math.log(0.75))).input("target", values(new int[] {1, 2}, 0.5, 0.5))),
        // t = 0 contributes 0 (xlogy), unless the input is -inf: 0 * -inf = NaN
        Stream.of(kl("zero_target", "batchmean", false)
                .input("input", values(new int[] {1, 2}, Math.log(0.5), Math.log(0.5))).input("target", values(new int[] {1, 2}, 1, 0))
                .divergence("T-7: a zero target is exactly 0 in torch (xlogy), clipped to 1e-7 by Keras"),
            kl("zero_target_neg_inf_input", "none", false)
                .input("input", values(new int[] {2, 2}, NEG_INF, 0, Math.log(0.3), Math.log(0.7)))
                .input("target", values(new int[] {2, 2}, 0, 1, 0.4, 0.6))),
        Stream.of(kl("negative_target", "none", false)
            .input("input", values(new int[] {3}, -1, -2, -0.5)).input("target", values(new int[] {3}, 0.5, -0.1, 0.6))),
        Stream.of("none", "sum").map(r -> kl("rank3", r, false)
            .input("input", simplex(2, 2, 3, 4).map(Math::log)).input("target", uniform(0, 1, 2, 3, 4))),
        Stream.of(kl("unbatched", "batchmean", false)
            .input("input", simplex(0, 5).map(Math::log)).input("target", simplex(0, 5))),
        Stream.of(kl("scalar", "batchmean", false)
            .input("input", values(new int[0], -0.5)).input("target", values(new int[0], 0.3))),
        Stream.of(kl("bad_reduction", "avg", false)
            .input("input", simplex(1, 2, 3).map(Math::log)).input("target", simplex(1, 2, 3)).expectError("reduction")),
        // found by the differential sweep (TensorFlow)
        // an empty batch: Keras' sum over the empty last axis is 0, a 0-d loss
        Stream.of(kl("empty_1d", "mean", false).input("input", values(new int[] {0})).input("target", values(new int[] {0}))),
        // Keras' squeeze_or_expand_to_same_rank makes a [1] y_pred 0-d beside a 0-d y_true: no last axis, TF raises
        Stream.of(kl("scalar_target", "mean", false).input("input", values(new int[] {1}, -0.5)).input("target", values(new int[0], 0.3))
            .divergence("Keras squeezes the [1] y_pred to 0-d beside a 0-d y_true (squeeze_or_expand_to_same_rank); its last-axis sum raises, torch broadcasts")))
        .flatMap(s -> s);
    return all.flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream()).toList();
  }
}
