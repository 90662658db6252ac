package dev.lossconformance.catalog;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.tensorflow.TensorFlowCounterparts;

import static dev.lossconformance.catalog.Draw.normal;
import static dev.lossconformance.catalog.Draw.longs;
import static dev.lossconformance.catalog.Draw.values;
import static dev.lossconformance.tensor.DType.FLOAT32;
import static dev.lossconformance.tensor.DType.FLOAT64;

import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.List;
import java.util.stream.Stream;

/** {@code torch.nn.functional.l1_loss}: |x - y| over the broadcast shape. */
public final class L1LossCases {
  public static final String OP = "l1_loss";
  public static final Api API = TorchApis.L1_LOSS;

  private L1LossCases() {}

  private static CaseBuilder l1(String variant, String reduction) {
    return new CaseBuilder(OP, API, variant + "_" + reduction).param("reduction", reduction)
        .tensorflow(TensorFlowCounterparts::l1);
  }

  public static List<Case> cases() {
    Stream<CaseBuilder> all = Stream.of(
        Stream.of("none", "mean", "sum").map(r -> l1("plain", r).input("input", normal(1, 4, 3)).input("target", normal(1, 4, 3))),
        Stream.of("none", "mean", "sum").map(r -> l1("rank1", r).input("input", normal(1, 5)).input("target", normal(1, 5))),
        // sizes differ: torch warns and broadcasts; the gradient of the smaller side sums over the broadcast
        Stream.of("mean", "sum").map(r -> l1("broadcast_target", r).input("input", normal(1, 4, 3)).input("target", normal(1, 3))),
        Stream.of(l1("broadcast_both", "none").input("input", normal(1, 4, 1)).input("target", normal(1, 1, 3))),
        // |x - y| has a kink at equality: its gradient there is sign(0) = 0
        Stream.of(l1("ties", "sum").input("input", values(new int[] {4}, 1, 2, -0.5, 0)).input("target", values(new int[] {4}, 1, 2.5, -0.5, 0))),
        Stream.of(l1("rank3", "mean").input("input", normal(1, 2, 3, 4)).input("target", normal(1, 2, 3, 4))),
        Stream.of(l1("inf_nan", "none").input("input", values(new int[] {4}, Double.POSITIVE_INFINITY, Double.NaN, 1, Double.NEGATIVE_INFINITY))
            .input("target", values(new int[] {4}, 1, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY))),
        Stream.of(l1("not_broadcastable", "mean").input("input", normal(1, 2, 3)).input("target", normal(1, 4))
            .expectError("size")),
        // found by the differential sweep (TensorFlow)
        // TF flushes the subnormal target: |0 - (-1.4e-45)| is 0 and Keras' gradient -sign(0) = -0, torch's sign = 1
        Stream.of(l1("subnormal_difference", "mean").input("input", values(new int[] {1, 2}, 0, 1))
            .input("target", values(new int[] {1, 2}, -1.4e-45, 0.5))
            .divergence("TF's CPU kernels flush subnormals (FTZ/DAZ, common_runtime/executor.cc); torch computes them: Keras' |y_true - y_pred| is 0 there and its gradient -0, torch's sign(1.4e-45) = 1")),
        // an empty batch: Keras' mean over the empty last axis is 0/0 = NaN, a 0-d loss
        Stream.of(l1("empty_1d", "mean").input("input", values(new int[] {0})).input("target", values(new int[] {0}))),
        // Keras' squeeze_or_expand_to_same_rank makes a [1] y_pred 0-d beside a 0-d y_true: no last axis, TF raises
        Stream.of(l1("scalar_target", "mean").input("input", values(new int[] {1}, 0.5)).input("target", values(new int[0], 0))
            .divergence("Keras squeezes the [1] y_pred to 0-d beside a 0-d y_true (squeeze_or_expand_to_same_rank); its last-axis mean raises, torch broadcasts")))
        .flatMap(s -> s);
    List<Case> out = new java.util.ArrayList<>(all.flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream()).toList());
    out.addAll(sweepFound());
    return out;
  }

  // found by the differential sweep (issue 13): PyTorch's type promotion and the order of
  // F.l1_loss's checks; no TensorFlow counterpart
  private static List<Case> sweepFound() {
    List<Case> out = new java.util.ArrayList<>(Stream.of(
        // the reduction string is checked before aten sees the int64 target
        sweep("bad_reduction_int64_target", "avg")
            .input("input", values(new int[] {2}, 0, 0)).input("target", longs(new int[] {2}, 0, 1)).expectError("reduction"))
        .flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream()).toList());
    // F.l1_loss broadcasts first, so even a 0-dim float64 target promotes a float32 input
    out.addAll(sweep("scalar_target_f64_promotes_after_broadcast", "mean")
        .input("input", values(new int[] {2}, 0.1, -1)).input("target", (rng, dt) -> Tensor.ofFloating(DType.FLOAT64, new double[] {0.3}, new int[] {})).inDtypes(FLOAT32));
    // a float32 input with a float64 target computes and returns float64
    out.addAll(sweep("target_f64_promotes", "mean")
        .input("input", values(new int[] {2}, 0.1, -1)).input("target", (rng, dt) -> Tensor.ofFloating(DType.FLOAT64, new double[] {0.3, 2}, new int[] {2})).inDtypes(FLOAT32));
    return out;
  }

  private static CaseBuilder sweep(String variant, String reduction) {
    return new CaseBuilder(OP, API, variant).param("reduction", reduction);
  }
}
