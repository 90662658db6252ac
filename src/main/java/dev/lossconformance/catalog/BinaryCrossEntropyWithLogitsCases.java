package dev.lossconformance.catalog;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.tensorflow.TensorFlowCounterparts;

import static dev.lossconformance.catalog.Draw.bits;
import static dev.lossconformance.catalog.Draw.normal;
import static dev.lossconformance.catalog.Draw.signs;
import static dev.lossconformance.catalog.Draw.uniform;
import static dev.lossconformance.catalog.Draw.values;
import static dev.lossconformance.tensor.DType.FLOAT32;
import static dev.lossconformance.tensor.DType.FLOAT64;

import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** {@code torch.nn.functional.binary_cross_entropy_with_logits}, with {@code weight} and {@code pos_weight}. */
public final class BinaryCrossEntropyWithLogitsCases {
  public static final String OP = "binary_cross_entropy_with_logits";
  public static final Api API = TorchApis.BINARY_CROSS_ENTROPY_WITH_LOGITS;
  private static final double INF = Double.POSITIVE_INFINITY;

  private BinaryCrossEntropyWithLogitsCases() {}

  private static CaseBuilder bcel(String variant, String reduction) {
    return new CaseBuilder(OP, API, variant + "_" + reduction).param("reduction", reduction)
        .tensorflow(TensorFlowCounterparts::binaryCrossEntropyWithLogits);
  }

  /** The element-wise loss paired with tf.nn.sigmoid_cross_entropy_with_logits. */
  private static CaseBuilder tfnn(String variant) {
    return bcel("tfnn/" + variant, "none").tensorflow(TensorFlowCounterparts::tfnnSigmoid);
  }

  private static Stream<CaseBuilder> reductions(String variant, UnaryOperator<CaseBuilder> f) {
    return CaseBuilder.reductions(BinaryCrossEntropyWithLogitsCases::bcel, variant, f);
  }

  public static List<Case> cases() {
    int[] six = {6};
    Stream<Stream<CaseBuilder>> all = Stream.of(
        reductions("plain", b -> b.input("input", normal(2, 4, 3)).input("target", bits(4, 3))),
        reductions("soft_target", b -> b.input("input", normal(2, 4, 3)).input("target", uniform(0, 1, 4, 3))),
        reductions("weight", b -> b.input("input", normal(2, 4, 3)).input("target", bits(4, 3))
            .input("weight", uniform(0.2, 2, 4, 3))),
        Stream.of(bcel("weight_row", "mean").input("input", normal(2, 4, 3)).input("target", bits(4, 3))
            .input("weight", uniform(0.2, 2, 3))),
        // pos_weight of shape (C,) broadcasts along the last dim
        reductions("pos_weight", b -> b.input("input", normal(2, 4, 3)).input("target", uniform(0, 1, 4, 3))
            .input("pos_weight", uniform(0.5, 4, 3))),
        reductions("weight_pos_weight", b -> b.input("input", normal(2, 4, 3)).input("target", bits(4, 3))
            .input("weight", uniform(0.2, 2, 4, 1)).input("pos_weight", uniform(0.5, 4, 3))),
        Stream.of(bcel("pos_weight_full", "sum").input("input", normal(2, 4, 3)).input("target", bits(4, 3))
            .input("pos_weight", uniform(0.5, 4, 4, 3))),
        Stream.of(bcel("pos_weight_rank3", "mean").input("input", normal(2, 2, 3, 4)).input("target", bits(2, 3, 4))
            .input("pos_weight", uniform(0.5, 4, 4))),
        // SEMANTICS.md §2.4: x=0.5, y=1, pos_weight=3 gives 1.4222310
        Stream.of(bcel("pos_weight_worked_example", "mean").input("input", values(new int[] {1}, 0.5))
            .input("target", values(new int[] {1}, 1)).input("pos_weight", values(new int[] {1}, 3))),
        reductions("logits_100", b -> b.input("input", signs(100, 4, 3)).input("target", uniform(0, 1, 4, 3).with(0, 0).with(1, 1))),
        reductions("logits_1e4", b -> b.input("input", signs(1e4, 4, 3)).input("target", uniform(0, 1, 4, 3).with(0, 0).with(1, 1))),
        Stream.of(bcel("logits_1e4_pos_weight", "none").input("input", signs(1e4, 2, 3)).input("target", bits(2, 3))
            .input("pos_weight", uniform(0.5, 4, 3))),
        // +inf with y=1 and -inf with y=0 are 0*inf = NaN; the other two pairings are 0 and +inf
        Stream.of(bcel("infinite_logits", "none").input("input", values(six, INF, INF, -INF, -INF, INF, 0))
            .input("target", values(six, 1, 0, 1, 0, 0.5, 1))),
        Stream.of(bcel("nan_logit", "mean").input("input", values(new int[] {3}, 0.5, Double.NaN, -1))
            .input("target", values(new int[] {3}, 1, 0, 1))),
        // targets are not range-checked here, unlike binary_cross_entropy
        Stream.of(bcel("target_outside_unit", "none").input("input", normal(2, 4)).input("target", values(new int[] {4}, -0.5, 1.5, 2, -1))),
        Stream.of(bcel("scalar", "mean").input("input", values(new int[0], -0.7)).input("target", values(new int[0], 1))),
        Stream.of(bcel("empty", "mean").input("input", normal(1, 0, 3)).input("target", uniform(0, 1, 0, 3))),
        Stream.of(tfnn("plain").input("input", normal(2, 4, 3)).input("target", uniform(0, 1, 4, 3)),
            tfnn("logits_1e4").input("input", signs(1e4, 4, 3)).input("target", uniform(0, 1, 4, 3).with(0, 0).with(1, 1)),
            tfnn("infinite_logits").input("input", values(six, INF, INF, -INF, -INF, INF, 0))
                .input("target", values(six, 1, 0, 1, 0, 0.5, 1))
                .divergence("torch computes (1-y)x - logsigmoid(x): 0 * -inf = NaN at x = -inf, y = 1; TF's max(x,0) - xz + log1p(e^-|x|) gives +inf")),
        // found by the differential sweep (tf.nn): TF rounds each op of nn_impl.py's composition and of its
        // registered gradients in the dtype ((1 - z) - sigmoid(-|x|) cancels), and its CPU kernels read
        // subnormals as zero (DAZ: -1.4e-45 >= 0 holds, so the x >= 0 branch is taken)
        Stream.of(tfnn("grad_rounding_in_dtype").input("input", values(new int[] {4}, 1.265996, 1.0522752, 0, -0.4074801))
                .input("target", values(new int[] {4}, 0.8884753, 0.7, 0.5043491, 0.43)),
            tfnn("subnormal_logits_read_as_zero").input("input", values(new int[] {4}, 1.4e-45, -1.4e-45, 1e-310, -1e-310))
                .input("target", values(new int[] {4}, 0.5043491, 0.5043491, 0.25, 0.25))),
        Stream.of(bcel("size_mismatch", "mean").input("input", normal(1, 2, 3))
            .input("target", uniform(0, 1, 2, 1)).expectError("size")),
        // found by the differential sweep: the unweighted float32 path's sigmoid is aten's 1 / (1 + exp(-x)),
        // 0 at x = -100 where exp(100) overflows (the gradient is -y, not 3.7e-44 - y)
        Stream.of(bcel("sigmoid_underflow_unweighted", "none").input("input", values(new int[] {2}, -100, 0))
            .input("target", values(new int[] {2}, 2e-38, 0))),
        // exp(-88.8) is subnormal in float32 and aten's vectorised exp is a subnormal ulp off there; weight 2
        // and pos_weight 3 make that 6 subnormals at a loss of 1.6e-38 (the gate's subnormal floor)
        Stream.of(bcel("subnormal_intermediate_weighted", "none").input("input", values(new int[] {2, 2}, 0, 0, 88.8, 0))
            .input("target", values(new int[] {2, 2}, 0, 0, 1, 0)).input("weight", values(new int[] {2}, 2, 0))
            .input("pos_weight", values(new int[] {2}, 3, 0))));
    List<Case> out = new java.util.ArrayList<>(all.flatMap(s -> s).flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream()).toList());
    out.addAll(sweepFound());
    return out;
  }

  // found by the differential sweep (issue 13): aten's steps rounded in their dtypes; no TensorFlow
  // counterpart (these probe aten's own composite and its backward)
  private static List<Case> sweepFound() {
    List<Case> out = new java.util.ArrayList<>(Stream.of(
        // float32 t = pos_weight * y = inf: (t + 1 - y) sigmoid(x) - t = inf - inf = NaN
        sweep("pos_weight_target_product_overflows", "mean")
            .input("input", values(new int[] {1, 1}, 0)).input("target", values(new int[] {1, 1}, 1.7E38))
            .input("weight", values(new int[] {1, 1}, 1)).input("pos_weight", values(new int[] {1}, 1.0E20)),
        // float32 log_sigmoid(x) * log_weight = -inf before (1 - y) x is subtracted: inf
        sweep("weighted_log_sigmoid_overflows", "mean")
            .input("input", values(new int[] {1, 1}, -3.0E38)).input("target", values(new int[] {1, 1}, 0.0983782))
            .input("pos_weight", values(new int[] {1}, 2.5)),
        // aten's sigmoid 1 / (1 + exp(90)) is 0 in float32 (exp overflows), so the gradient is -0.0
        sweep("sigmoid_underflows_weighted", "mean")
            .input("input", values(new int[] {1}, -90)).input("target", values(new int[] {1}, 0))
            .input("weight", values(new int[] {1}, -700)))
        .flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream()).toList());
    // pos_weight - 1 is a float32 tensor for a float32 pos_weight: -0.6 rounded there, then float64
    out.addAll(sweep("pos_weight_f32_minus_one_in_float32", "mean")
        .input("input", values(new int[] {1}, 0)).input("target", values(new int[] {1}, 1))
        .input("pos_weight", (rng, dt) -> Tensor.ofFloating(DType.FLOAT32, new double[] {0.4}, new int[] {1})).inDtypes(FLOAT64));
    return out;
  }

  private static CaseBuilder sweep(String variant, String reduction) {
    return new CaseBuilder(OP, API, variant).param("reduction", reduction);
  }
}
