package dev.lossconformance.catalog;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.tensorflow.TensorFlowCounterparts;

import static dev.lossconformance.catalog.Draw.normal;
import static dev.lossconformance.catalog.Draw.values;
import static dev.lossconformance.tensor.DType.FLOAT32;
import static dev.lossconformance.tensor.DType.FLOAT64;

import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.List;
import java.util.stream.Stream;

/** {@code torch.nn.functional.hinge_embedding_loss}: y = 1 gives x, y = -1 gives max(0, margin - x), others both. */
public final class HingeEmbeddingLossCases {
  public static final String OP = "hinge_embedding_loss";
  public static final Api API = TorchApis.HINGE_EMBEDDING_LOSS;

  private HingeEmbeddingLossCases() {}

  private static CaseBuilder h(String variant, String reduction, double margin) {
    return new CaseBuilder(OP, API, variant + "_" + reduction)
        .param("margin", margin).param("reduction", reduction)
        .tensorflow(TensorFlowCounterparts::hinge);
  }

  /** Signs +-1, alternating by seed. */
  private static Draw pm1(int... shape) {
    return normal(1, shape).map(Math::signum);
  }

  public static List<Case> cases() {
    Stream<CaseBuilder> all = Stream.of(
        Stream.of("none", "mean", "sum").map(r -> h("plain", r, 1.0)
            .input("input", normal(1, 4, 3)).input("target", pm1(4, 3))),
        Stream.of(h("margin2", "mean", 2.0).input("input", normal(1, 4, 3)).input("target", pm1(4, 3))),
        // SEMANTICS.md T-10: x = 0.3: y = 1 gives 0.3, y = -1 gives 0.7 (Keras Hinge: 0.7 and 1.3)
        Stream.of(h("worked_example", "none", 1.0).input("input", values(new int[] {1, 2}, 0.3, 0.3))
            .input("target", values(new int[] {1, 2}, 1, -1))),
        // one column, so Keras' last-axis mean is the element itself: 0.3 and 0.7 against 0.7 and 1.3
        Stream.of(h("worked_example_column", "none", 1.0).input("input", values(new int[] {2, 1}, 0.3, 0.3))
            .input("target", values(new int[] {2, 1}, 1, -1))),
        // T-23: a batch of 0 and -1 is not converted by Keras (its 0s stay 0)
        Stream.of(h("labels_0_minus1", "none", 1.0).input("input", values(new int[] {2, 1}, 0.3, 0.3))
            .input("target", values(new int[] {2, 1}, 0, -1))),
        // a target of 0 takes both terms: x + max(0, margin - x)
        Stream.of(h("target_zero", "none", 1.0).input("input", values(new int[] {1, 4}, 0.3, -2, 1, 3))
            .input("target", values(new int[] {1, 4}, 0, 0, -1, 1))),
        // exactly at the margin: max(0, margin - x) has a kink at x = margin
        Stream.of(h("at_margin", "sum", 1.0).input("input", values(new int[] {1, 3}, 1, 1, 0.5))
            .input("target", values(new int[] {1, 3}, -1, 1, -1))),
        Stream.of(h("labels_01", "mean", 1.0).input("input", normal(1, 3, 2))
            .input("target", values(new int[] {3, 2}, 0, 1, 1, 0, 0, 1))),
        // found by the differential sweep: aten's cascade sum of huge losses of both signs reaches -inf in
        // float64 in its order (8-lane and 4-accumulator partial sums), where a sum from the left gives +inf
        Stream.of(h("sum_order_overflow", "mean", 1.0)
            .input("input", values(new int[] {3, 6}, 0, -1.7e308, -1.7e308, -1.7e308, -1.7e308, 0, 0, 0, 0, 0, 0, 0, 0,
                -1.7e308, 0, 0, 0, -1.7e308))
            .input("target", values(new int[] {3, 6}, -1, 1, -1, -1, -1, -1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, -1, 0))),
        // found by the differential sweep (TensorFlow)
        // Keras Hinge's gradient where the hinge is flat is TF's -0 * label: NaN for a NaN label, not 0
        Stream.of(h("nan_label", "mean", 1.0).input("input", values(new int[] {1, 2}, 0, 0.5))
            .input("target", values(new int[] {1, 2}, Double.NaN, 1))),
        // TF flushes the subnormal label 1.4e-45 to 0, so Keras sees binary labels {0, 1} and converts them
        Stream.of(h("subnormal_label", "mean", 1.0).input("input", values(new int[] {1, 2}, 1, 0.5))
            .input("target", values(new int[] {1, 2}, 1.4e-45, 1))
            .divergence("TF's CPU kernels flush subnormals (FTZ/DAZ, common_runtime/executor.cc); torch computes them; Keras sees the labels {0, 1} and converts them to {-1, 1}")),
        // an empty batch: Keras' mean over the empty last axis is 0/0 = NaN, a 0-d loss
        Stream.of(h("empty_1d", "mean", 1.0).input("input", values(new int[] {0})).input("target", values(new int[] {0}))))
        .flatMap(s -> s);
    List<Case> out = new java.util.ArrayList<>(all.flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream()).toList());
    out.addAll(sweepFound());
    return out;
  }

  // found by the differential sweep (issue 13): aten's float32 intermediates and sums; no
  // TensorFlow counterpart
  private static List<Case> sweepFound() {
    List<Case> out = new java.util.ArrayList<>(
        // (margin - x) is a tensor of the dtype before x is added: float32 (0.5 + 7.78) - 7.78 = 0.5000005
        new CaseBuilder(OP, API, "margin_minus_input_rounded").param("margin", 0.5).param("reduction", "mean")
            .input("input", values(new int[] {1, 1}, -7.78)).input("target", values(new int[] {1, 1}, 0))
            .inDtypes(FLOAT32, FLOAT64));
    // aten's sum is not compensated: 1e300 + 1 - 1e300 is 0 there (Java's 1/3 passes on the term allowance)
    out.addAll(new CaseBuilder(OP, API, "cancelling_huge_terms").param("margin", 1.0).param("reduction", "mean")
        .input("input", values(new int[] {3}, 1.0E300, 0, -1.0E300)).input("target", values(new int[] {3}, 0, 0, 1))
        .inDtypes(FLOAT64));
    return out;
  }
}
