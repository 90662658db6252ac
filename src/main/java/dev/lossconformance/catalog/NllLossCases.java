package dev.lossconformance.catalog;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.tensorflow.TensorFlowCounterparts;

import static dev.lossconformance.catalog.Draw.classes;
import static dev.lossconformance.catalog.Draw.longs;
import static dev.lossconformance.catalog.Draw.normal;
import static dev.lossconformance.catalog.Draw.uniform;
import static dev.lossconformance.catalog.Draw.values;
import static dev.lossconformance.tensor.DType.FLOAT32;
import static dev.lossconformance.tensor.DType.FLOAT64;

import dev.lossconformance.tensor.DType;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** {@code torch.nn.functional.nll_loss}: the input is used as log-probabilities as given. */
public final class NllLossCases {
  public static final String OP = "nll_loss";
  /** PyTorch's default ignore_index, the target value of the ignored rows below. */
  static final long IGNORED = TorchApis.IGNORE_INDEX.longDefault();

  public static final Api API = TorchApis.NLL_LOSS;

  private NllLossCases() {}

  private static CaseBuilder nll(String variant, String reduction) {
    return new CaseBuilder(OP, API, variant + "_" + reduction)
        .param("reduction", reduction)
        .param("ignore_index", IGNORED)
        .tensorflow(TensorFlowCounterparts::nllLoss);
  }

  private static Stream<CaseBuilder> reductions(String variant, UnaryOperator<CaseBuilder> f) {
    return CaseBuilder.reductions(NllLossCases::nll, variant, f);
  }

  public static List<Case> cases() {
    Stream<Stream<CaseBuilder>> all = Stream.of(
        reductions("plain", b -> b.input("input", uniform(-5, 0, 4, 5)).input("target", classes(5, 4))),
        reductions("weight", b -> b.input("input", uniform(-5, 0, 4, 5)).input("target", classes(5, 4))
            .input("weight", uniform(0.2, 2, 5))),
        reductions("ignore", b -> b.param("ignore_index", 2L).input("input", uniform(-5, 0, 5, 4))
            .input("target", longs(new int[] {5}, 2, 0, 2, 3, 1))),
        reductions("weight_ignore", b -> b.input("input", uniform(-5, 0, 5, 4))
            .input("target", longs(new int[] {5}, IGNORED, 0, 2, IGNORED, 1)).input("weight", uniform(0.2, 2, 4))),
        reductions("all_ignored", b -> b.input("input", uniform(-5, 0, 2, 3))
            .input("target", longs(new int[] {2}, IGNORED, IGNORED))),
        reductions("unbatched", b -> b.input("input", uniform(-5, 0, 6)).input("target", longs(new int[0], 4))),
        Stream.of(nll("unbatched_weight", "mean").input("input", uniform(-5, 0, 6)).input("target", longs(new int[0], 4))
            .input("weight", uniform(0.2, 2, 6))),
        // 3-D input goes through nll_loss2d as (N, C, 1, -1)
        reductions("kdim1", b -> b.input("input", uniform(-5, 0, 2, 4, 3)).input("target", classes(4, 2, 3))),
        reductions("kdim2", b -> b.input("input", uniform(-5, 0, 2, 3, 2, 4)).input("target", classes(3, 2, 2, 4))),
        Stream.of(nll("kdim3", "mean").input("input", uniform(-5, 0, 2, 3, 2, 2, 2)).input("target", classes(3, 2, 2, 2, 2))),
        Stream.of(nll("kdim3", "none").input("input", uniform(-5, 0, 2, 3, 2, 2, 2)).input("target", classes(3, 2, 2, 2, 2))),
        reductions("kdim2_weight_ignore", b -> b.param("ignore_index", 0L)
            .input("input", uniform(-5, 0, 2, 3, 2, 4)).input("target", classes(3, 2, 2, 4)).input("weight", uniform(0.2, 2, 3))),
        Stream.of(nll("kdim2_all_ignored", "mean").param("ignore_index", 1L)
            .input("input", uniform(-5, 0, 1, 2, 2, 2)).input("target", longs(new int[] {1, 2, 2}, 1, 1, 1, 1))),
        // nll_loss does not ask for log-probabilities: positive and large inputs are taken as they are
        Stream.of(nll("arbitrary_input", "mean").input("input", normal(50, 4, 5)).input("target", classes(5, 4))),
        Stream.of(nll("neg_inf_input", "none").input("input", uniform(-5, 0, 3, 4).with(Double.NEGATIVE_INFINITY, 1, 6))
            .input("target", longs(new int[] {3}, 1, 0, 3))),
        Stream.of(nll("nan_input", "sum").input("input", uniform(-5, 0, 3, 4).with(Double.NaN, 5))
            .input("target", longs(new int[] {3}, 0, 1, 2))),
        Stream.of(nll("classes1000", "mean").input("input", uniform(-9, 0, 3, 1000)).input("target", classes(1000, 3))),
        Stream.of(nll("empty_batch", "mean").input("input", uniform(-5, 0, 0, 3)).input("target", classes(3, 0))),
        Stream.of(nll("empty_batch", "sum").input("input", uniform(-5, 0, 0, 3)).input("target", classes(3, 0))),
        Stream.of(nll("target_out_of_range", "mean").input("input", uniform(-5, 0, 3, 4))
            .input("target", longs(new int[] {3}, 0, 4, 1)).expectError("out of bounds")),
        Stream.of(nll("kdim2_target_out_of_range", "mean").input("input", uniform(-5, 0, 1, 3, 2, 2))
            .input("target", longs(new int[] {1, 2, 2}, 0, 1, 3, 2)).expectError("out of bounds")),
        Stream.of(nll("batch_mismatch", "mean").input("input", uniform(-5, 0, 3, 4))
            .input("target", classes(4, 2)).expectError("batch_size")),
        // found by the differential sweep: PyTorch's 1-D/2-D nll_loss takes uint8 class indices too, its
        // K-dim kernel (nll_loss2d) int64 only
        Stream.of(nll("target_uint8", "mean").input("input", uniform(-5, 0, 3, 4))
            .input("target", (rng, dt) -> dev.lossconformance.tensor.Tensor.ofLongs(dev.lossconformance.tensor.DType.UINT8,
                new long[] {0, 3, 1}, 3))),
        Stream.of(nll("kdim2_target_uint8", "mean").input("input", uniform(-5, 0, 1, 3, 2, 2))
            .input("target", (rng, dt) -> dev.lossconformance.tensor.Tensor.ofLongs(dev.lossconformance.tensor.DType.UINT8,
                new long[] {0, 1, 2, 1}, 1, 2, 2))
            .expectError("expected scalar type Long")),
        // found by the differential sweep: aten reads the weight as the input's scalar type, before any
        // target (so before the range check); the reduced sums are float32 cascades, and the backward
        // takes -(1 / total_weight) in the input's dtype (a denormal total weight: -inf in float32)
        Stream.of(nll("weight_other_float_dtype", "mean").input("input", uniform(-5, 0, 3, 4))
            .input("target", classes(4, 3)).input("weight", (rng, dt) -> uniform(0.2, 2, 4).draw(rng, otherFloat(dt)))
            .expectError("expected scalar type")),
        Stream.of(nll("weight_int64", "sum").input("input", uniform(-5, 0, 3, 4))
            .input("target", classes(4, 3)).input("weight", longs(new int[] {4}, 1, 2, 1, 1))
            .expectError("expected scalar type")),
        Stream.of(nll("weight_dtype_before_target_range", "mean").input("input", uniform(-5, 0, 2, 3))
            .input("target", longs(new int[] {2}, 0, 7)).input("weight", longs(new int[] {3}, 1, 1, 1))
            .expectError("expected scalar type")),
        Stream.of(nll("denormal_total_weight", "mean").input("input", values(new int[] {1, 2}, -0.5, -1.5))
            .input("target", longs(new int[] {1}, 1)).input("weight", values(new int[] {2}, 1, 1e-40))),
        Stream.of(nll("float32_sum_overflow", "sum").input("input", values(new int[] {2, 2}, -3e38, -1, -2, -3e38))
            .input("target", longs(new int[] {2}, 0, 1))),
        // found by the differential sweep (TensorFlow)
        // K-dim [N, C, 1] with a [N, 1] target: Keras' squeeze_or_expand_to_same_rank squeezes y_pred to [N, C]
        Stream.of(nll("kdim1_single_position", "mean").input("input", uniform(-5, 0, 2, 2, 1))
            .input("target", longs(new int[] {2, 1}, 1, 0))));
    return all.flatMap(s -> s).flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream()).toList();
  }

  /** The other floating dtype: float64 for a float32 case, float32 for a float64 one. */
  static DType otherFloat(DType dt) {
    return dt == FLOAT32 ? FLOAT64 : FLOAT32;
  }
}
