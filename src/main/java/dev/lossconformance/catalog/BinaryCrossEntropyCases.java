package dev.lossconformance.catalog;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.tensorflow.TensorFlowCounterparts;

import static dev.lossconformance.catalog.Draw.bits;
import static dev.lossconformance.catalog.Draw.uniform;
import static dev.lossconformance.catalog.Draw.values;
import static dev.lossconformance.tensor.DType.FLOAT32;
import static dev.lossconformance.tensor.DType.FLOAT64;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** {@code torch.nn.functional.binary_cross_entropy}: probabilities in, each log clamped at -100. */
public final class BinaryCrossEntropyCases {
  public static final String OP = "binary_cross_entropy";
  public static final Api API = TorchApis.BINARY_CROSS_ENTROPY;

  private BinaryCrossEntropyCases() {}

  private static CaseBuilder bce(String variant, String reduction) {
    return new CaseBuilder(OP, API, variant + "_" + reduction).param("reduction", reduction)
        .tensorflow(TensorFlowCounterparts::binaryCrossEntropy);
  }

  /** A Keras BinaryCrossentropy case with no PyTorch counterpart. */
  private static CaseBuilder kerasOnly(String variant, String reduction, double smoothing, boolean sampleWeight) {
    return bce("keras/" + variant, reduction)
        .torchUnsupported(sampleWeight ? "PyTorch binary_cross_entropy has no per-sample weight after a last-axis mean"
            : "PyTorch binary_cross_entropy has no label smoothing")
        .tensorflow(t -> {
          Call k = TensorFlowCounterparts.binaryCrossEntropy(t);
          java.util.Map<String, Object> p = new java.util.LinkedHashMap<>(k.params());
          p.put("label_smoothing", smoothing);
          java.util.Map<String, dev.lossconformance.tensor.Tensor> in = new java.util.LinkedHashMap<>(k.inputs());
          if (sampleWeight) {
            in.put("sample_weight", t.input("sample_weight"));
          }
          return TensorFlowCounterparts.keras(k.api(), p, in);
        });
  }

  private static Stream<CaseBuilder> reductions(String variant, UnaryOperator<CaseBuilder> f) {
    return CaseBuilder.reductions(BinaryCrossEntropyCases::bce, variant, f);
  }

  public static List<Case> cases() {
    int[] six = {6};
    Stream<Stream<CaseBuilder>> all = Stream.of(
        reductions("plain", b -> b.input("input", uniform(0.01, 0.99, 4, 3)).input("target", bits(4, 3))),
        reductions("soft_target", b -> b.input("input", uniform(0.01, 0.99, 4, 3)).input("target", uniform(0, 1, 4, 3))),
        reductions("weight", b -> b.input("input", uniform(0.01, 0.99, 4, 3)).input("target", bits(4, 3))
            .input("weight", uniform(0.2, 2, 4, 3))),
        // weight broadcasts to the target's shape (F.binary_cross_entropy expands it)
        reductions("weight_row", b -> b.input("input", uniform(0.01, 0.99, 4, 3)).input("target", bits(4, 3))
            .input("weight", uniform(0.2, 2, 3))),
        Stream.of(bce("weight_column", "mean").input("input", uniform(0.01, 0.99, 4, 3)).input("target", bits(4, 3))
            .input("weight", uniform(0.2, 2, 4, 1))),
        Stream.of(bce("weight_scalar", "sum").input("input", uniform(0.01, 0.99, 4, 3)).input("target", bits(4, 3))
            .input("weight", uniform(0.2, 2))),
        // p in {0, 1} against y in {0, 1}: logs clamp at -100, gradients at 1/1e-12
        reductions("saturated", b -> b.input("input", values(six, 0, 0, 1, 1, 0, 1))
            .input("target", values(six, 1, 0, 0, 1, 0.5, 0.5))
            .divergence("T-1/T-2: torch clamps each log at -100 (loss 100, gradient -1e12); Keras clips p to [1e-7, 1-1e-7] (16.118095, gradient 0)")),
        // one probability per row, so Keras' last-axis mean is the element itself: T-1 and T-2 in isolation
        Stream.of("mean", "sum").map(r -> bce("saturated_column", r)
            .input("input", values(new int[] {2, 1}, 0, 1)).input("target", values(new int[] {2, 1}, 1, 0))
            .divergence("T-1/T-2: p = 0, y = 1 and p = 1, y = 0: torch 100 each with gradient -/+1e12, Keras 16.118095 and 15.942385 with gradient 0")),
        Stream.of(bce("tiny_p", "none").input("input", values(six, 1e-43, 1e-38, 1e-20, 1e-8, 1e-45, 1e-300))
            .input("target", values(six, 1, 1, 1, 0, 0.5, 1))
            .why("subnormal and tiny probabilities: log is above -100 for some, clamped for others")),
        Stream.of(bce("near_one_p", "none").input("input", values(six, 0.9999999, 0.99999994, 1 - 1e-12, 0.999, 1 - 1e-16, 0.5))
            .input("target", values(six, 0, 0, 0, 1, 0, 0.5))),
        reductions("rank3", b -> b.input("input", uniform(0.01, 0.99, 2, 3, 4)).input("target", uniform(0, 1, 2, 3, 4))),
        Stream.of(bce("scalar", "mean").input("input", values(new int[0], 0.3)).input("target", values(new int[0], 1))),
        Stream.of(bce("empty", "mean").input("input", uniform(0, 1, 0, 3)).input("target", uniform(0, 1, 0, 3))),
        Stream.of(bce("empty", "sum").input("input", uniform(0, 1, 0, 3)).input("target", uniform(0, 1, 0, 3))),
        Stream.of(bce("input_above_one", "mean").divergence("torch checks 0 <= p, y <= 1 and raises; Keras clips p and takes y as given").input("input", values(new int[] {3}, 0.5, 1.5, 0.2))
            .input("target", values(new int[] {3}, 1, 0, 1)).expectError("between 0 and 1")),
        Stream.of(bce("input_negative", "mean").divergence("torch checks 0 <= p, y <= 1 and raises; Keras clips p and takes y as given").input("input", values(new int[] {3}, 0.5, -0.1, 0.2))
            .input("target", values(new int[] {3}, 1, 0, 1)).expectError("between 0 and 1")),
        Stream.of(bce("input_nan", "mean").divergence("torch checks 0 <= p, y <= 1 and raises; Keras clips p and takes y as given").input("input", values(new int[] {3}, 0.5, Double.NaN, 0.2))
            .input("target", values(new int[] {3}, 1, 0, 1)).expectError("between 0 and 1")),
        Stream.of(bce("target_above_one", "mean").divergence("torch checks 0 <= p, y <= 1 and raises; Keras clips p and takes y as given").input("input", values(new int[] {3}, 0.5, 0.4, 0.2))
            .input("target", values(new int[] {3}, 1, 1.5, 1)).expectError("between 0 and 1")),
        // T-13: Keras reduces the last axis first, so 1-D inputs become a scalar that "sum" returns as the mean
        reductions("rank1", b -> b.input("input", values(new int[] {2}, 0.9, 0.2)).input("target", values(new int[] {2}, 1, 0))
            .divergence("T-13/T-14: Keras averages the last axis first; torch reduces every element")),
        Stream.of(kerasOnly("label_smoothing01", "sum_over_batch_size", 0.1, false)
                .input("input", uniform(0.01, 0.99, 4, 3)).input("target", bits(4, 3)),
            kerasOnly("label_smoothing05_saturated", "none", 0.5, false)
                .input("input", values(new int[] {2, 3}, 0, 1, 0.5, 1e-8, 1 - 1e-8, 0.3)).input("target", bits(2, 3)),
            kerasOnly("sample_weight", "sum_over_batch_size", 0.0, true)
                .input("input", uniform(0.01, 0.99, 4, 3)).input("target", bits(4, 3)).input("sample_weight", uniform(0, 2, 4))),
        Stream.of(bce("size_mismatch", "mean").input("input", uniform(0.1, 0.9, 2, 3))
            .input("target", uniform(0, 1, 3, 2)).expectError("size")),
        // found by the differential sweep (TensorFlow)
        // an empty batch: Keras' mean over the empty last axis is 0/0 = NaN, a 0-d loss
        Stream.of(bce("empty_1d", "mean").input("input", values(new int[] {0})).input("target", values(new int[] {0}))),
        // a label of 3e38 (outside [0, 1]): Keras' float32 target * log(output) is -inf, so its loss is inf
        // (torch refuses the label)
        Stream.of(bce("huge_label_float32_product", "mean").divergence("torch checks 0 <= y <= 1 and raises; Keras"
                + " takes y as given (its float32 y log p of 3e38 is -inf: loss inf)")
            .input("input", values(new int[] {1}, 0.31)).input("target", values(new int[] {1}, 3e38))
            .expectError("between 0 and 1")));
    List<Case> out = new java.util.ArrayList<>(all.flatMap(s -> s).flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream()).toList());
    out.addAll(sweepFound());
    return out;
  }

  // found by the differential sweep (issue 13); no TensorFlow counterpart (aten's own backward)
  private static List<Case> sweepFound() {
    // the backward multiplies (x - y) / ((1 - x) x) by the weight before dividing by numel: float32
    // 3.33 * 1.7e38 = inf, where the mean's 1/8 first would have stayed finite
    return new CaseBuilder(OP, API, "huge_weight_grad_overflows_before_mean").param("reduction", "mean")
        .input("input", values(new int[] {2, 2, 2}, 0, 0, 0, 0, 0, 0, 0, 0.7))
        .input("target", values(new int[] {2, 2, 2}, 0, 0, 0, 0, 0, 0, 0, 0))
        .input("weight", values(new int[] {2}, 0, 1.7E38)).inDtypes(FLOAT32, FLOAT64);
  }
}
