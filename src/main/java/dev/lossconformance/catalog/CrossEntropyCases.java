package dev.lossconformance.catalog;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.TfNnApis;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.tensorflow.TensorFlowCounterparts;
import dev.lossconformance.catalog.tensorflow.TfInputs;

import static dev.lossconformance.catalog.Draw.classes;
import static dev.lossconformance.catalog.Draw.longs;
import static dev.lossconformance.catalog.Draw.normal;
import static dev.lossconformance.catalog.Draw.signs;
import static dev.lossconformance.catalog.Draw.simplex;
import static dev.lossconformance.catalog.Draw.uniform;
import static dev.lossconformance.catalog.Draw.values;
import static dev.lossconformance.tensor.DType.FLOAT32;
import static dev.lossconformance.tensor.DType.FLOAT64;

import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** {@code torch.nn.functional.cross_entropy}: class-index and probability targets. */
public final class CrossEntropyCases {
  public static final String OP = "cross_entropy";
  private static final long IGNORED = NllLossCases.IGNORED;

  public static final Api API = TorchApis.CROSS_ENTROPY;
  private static final double INF = Double.POSITIVE_INFINITY;

  private CrossEntropyCases() {}

  private static CaseBuilder ce(String variant, String reduction) {
    return new CaseBuilder(OP, API, variant + "_" + reduction)
        .param("reduction", reduction)
        .param("ignore_index", IGNORED)
        .param("label_smoothing", 0.0)
        .tensorflow(TensorFlowCounterparts::crossEntropy);
  }

  /** The case paired with the tf.nn raw-op wrapper instead of Keras. */
  private static CaseBuilder tfnn(String variant) {
    return ce("tfnn/" + variant, "none").tensorflow(TensorFlowCounterparts::tfnnSoftmax);
  }

  /** torch on log-probabilities ({@code nll_loss}, or {@code cross_entropy} with soft targets) vs Keras on p (T-11). */
  private static CaseBuilder probsInput(String variant, String reduction, boolean softTargets) {
    CaseBuilder b = softTargets
        ? ce("probs_input/" + variant, reduction)
        : new CaseBuilder(OP, NllLossCases.API, "probs_input/" + variant + "_" + reduction)
            .param("reduction", reduction).param("ignore_index", IGNORED);
    return b.tensorflow(TensorFlowCounterparts::kerasOnProbabilities);
  }

  private static final int[] TWO_BY_THREE = {2, 3};

  /**
   * The Keras form nearest to torch's class weights: the same call without {@code weight}, and
   * {@code sample_weight = weight[target]} per sample (T-3, T-21).
   */
  private static Call classWeightsAsSampleWeights(Call t) {
    Tensor y = t.input("target");
    Tensor w = t.input("weight");
    double[] perSample = new double[y.numel()];
    for (int i = 0; i < perSample.length; i++) {
      perSample[i] = w.getDouble((int) y.getLong(i));
    }
    Call unweighted = new Call(t.api(), t.params(), orderedInputs("input", t.input("input"), "target", y), null, null);
    return TensorFlowCounterparts.withSampleWeight(TensorFlowCounterparts.crossEntropy(unweighted),
        Tensor.ofFloating(t.input("input").dtype(), perSample, y.shape()));
  }

  /** Two named tensors in this order (fixture key order must not depend on hashing). */
  private static Map<String, Tensor> orderedInputs(String a, Tensor ta, String b, Tensor tb) {
    Map<String, Tensor> m = new java.util.LinkedHashMap<>();
    m.put(a, ta);
    m.put(b, tb);
    return m;
  }

  private static Stream<CaseBuilder> reductions(String variant, UnaryOperator<CaseBuilder> f) {
    return CaseBuilder.reductions(CrossEntropyCases::ce, variant, f);
  }

  public static List<Case> cases() {
    Stream<Stream<CaseBuilder>> index = Stream.of(
        reductions("index/plain", b -> b.input("input", normal(2, 4, 5)).input("target", classes(5, 4))),
        reductions("index/weight", b -> b.input("input", normal(2, 4, 5)).input("target", classes(5, 4))
            .input("weight", uniform(0.2, 2, 5))),
        // IGNORED (-100) is torch's default ignore_index: rows 1 and 3 drop out of loss and denominator
        reductions("index/ignore_default", b -> b.input("input", normal(2, 4, 5))
            .input("target", classes(5, 4).with(IGNORED, 1, 3))),
        reductions("index/ignore_in_range", b -> b.param("ignore_index", 1L)
            .input("input", normal(2, 6, 5)).input("target", longs(new int[] {6}, 1, 0, 4, 1, 2, 3))),
        Stream.of(ce("index/ignore_negative", "mean").param("ignore_index", -1L)
            .input("input", normal(2, 4, 5)).input("target", longs(new int[] {4}, -1, 2, 0, -1))),
        // an ignore_index >= C is legal and matches targets equal to it, which are otherwise out of range
        Stream.of(ce("index/ignore_ge_classes", "mean").param("ignore_index", 5L)
            .input("input", normal(2, 4, 5)).input("target", longs(new int[] {4}, 5, 2, 0, 4))),
        reductions("index/weight_ignore", b -> b.param("ignore_index", 2L)
            .input("input", normal(2, 6, 4)).input("target", longs(new int[] {6}, 2, 0, 3, 2, 1, 3))
            .input("weight", uniform(0.2, 2, 4))),
        reductions("index/all_ignored", b -> b.input("input", normal(2, 3, 4))
            .input("target", longs(new int[] {3}, IGNORED, IGNORED, IGNORED))
            .why("every target ignored: mean is 0/0")),
        Stream.of(ce("index/weight_all_ignored", "mean").param("ignore_index", 1L)
            .input("input", normal(2, 2, 3)).input("target", longs(new int[] {2}, 1, 1))
            .input("weight", uniform(0.5, 2, 3))),
        reductions("index/smoothing01", b -> b.param("label_smoothing", 0.1)
            .input("input", normal(2, 4, 5)).input("target", classes(5, 4))),
        reductions("index/smoothing05", b -> b.param("label_smoothing", 0.5)
            .input("input", normal(2, 4, 5)).input("target", classes(5, 4))),
        Stream.of(ce("index/smoothing1", "mean").param("label_smoothing", 1.0)
            .input("input", normal(2, 4, 5)).input("target", classes(5, 4))),
        reductions("index/weight_smoothing01", b -> b.param("label_smoothing", 0.1)
            .input("input", normal(2, 4, 5)).input("target", classes(5, 4)).input("weight", uniform(0.2, 2, 5))),
        // SEMANTICS.md §2.1 worked example: 0.9*1.0742726 + (0.1/3)*3.0869492 = 1.0697437
        Stream.of(ce("index/weight_smoothing01_worked_example", "mean").param("label_smoothing", 0.1)
            .input("input", values(new int[] {2, 3}, 1, 2, 3, 1, 2, 3))
            .input("target", longs(new int[] {2}, 2, 0)).input("weight", values(new int[] {3}, 1, 1, 2))),
        reductions("index/ignore_smoothing01", b -> b.param("label_smoothing", 0.1)
            .input("input", normal(2, 5, 4)).input("target", classes(4, 5).with(IGNORED, 0, 3))),
        reductions("index/weight_ignore_smoothing01", b -> b.param("label_smoothing", 0.1).param("ignore_index", 0L)
            .input("input", normal(2, 6, 4)).input("target", longs(new int[] {6}, 0, 1, 2, 3, 0, 2))
            .input("weight", uniform(0.2, 2, 4))),
        reductions("index/weight_ignore_smoothing05", b -> b.param("label_smoothing", 0.5).param("ignore_index", 3L)
            .input("input", normal(2, 6, 4)).input("target", longs(new int[] {6}, 3, 1, 2, 3, 0, 2))
            .input("weight", uniform(0.2, 2, 4))),
        Stream.of(ce("index/all_ignored_smoothing01", "mean").param("label_smoothing", 0.1)
            .input("input", normal(2, 2, 3)).input("target", longs(new int[] {2}, IGNORED, IGNORED))),
        Stream.of(ce("index/smoothing_negative", "mean").param("label_smoothing", -0.1)
            .input("input", normal(2, 4, 5)).input("target", classes(5, 4))
            .why("a negative label_smoothing: does the engine refuse it or treat it as 0?")),
        Stream.of(ce("index/smoothing_above_one", "mean").param("label_smoothing", 1.5)
            .input("input", normal(2, 4, 5)).input("target", classes(5, 4)).expectError("label_smoothing")),
        reductions("index/unbatched", b -> b.input("input", normal(2, 5)).input("target", longs(new int[0], 3))),
        Stream.of(ce("index/unbatched_weight_smoothing01", "mean").param("label_smoothing", 0.1)
            .input("input", normal(2, 5)).input("target", longs(new int[0], 1)).input("weight", uniform(0.2, 2, 5))),
        reductions("index/kdim1", b -> b.input("input", normal(2, 2, 4, 3)).input("target", classes(4, 2, 3))),
        reductions("index/kdim2", b -> b.input("input", normal(2, 2, 3, 3, 4)).input("target", classes(3, 2, 3, 4))),
        Stream.of(ce("index/kdim3", "mean").input("input", normal(2, 2, 3, 2, 2, 2)).input("target", classes(3, 2, 2, 2, 2))),
        reductions("index/kdim2_weight_ignore", b -> b.param("ignore_index", 1L)
            .input("input", normal(2, 2, 3, 3, 4)).input("target", classes(3, 2, 3, 4))
            .input("weight", uniform(0.2, 2, 3))),
        reductions("index/kdim2_weight_ignore_smoothing01", b -> b.param("ignore_index", 1L).param("label_smoothing", 0.1)
            .input("input", normal(2, 2, 3, 3, 4)).input("target", classes(3, 2, 3, 4))
            .input("weight", uniform(0.2, 2, 3))),
        // one class: log_softmax is 0 everywhere, so the loss and its gradient are exactly 0
        reductions("index/one_class", b -> b.input("input", normal(2, 4, 1)).input("target", longs(new int[] {4}, 0, 0, 0, 0))),
        Stream.of(ce("index/one_class_smoothing01", "mean").param("label_smoothing", 0.1)
            .input("input", normal(2, 3, 1)).input("target", longs(new int[] {3}, 0, 0, 0))),
        Stream.of(ce("index/classes1000", "mean").input("input", normal(3, 4, 1000)).input("target", classes(1000, 4))),
        Stream.of(ce("index/classes1000", "none").input("input", normal(3, 4, 1000)).input("target", classes(1000, 4))),
        Stream.of(ce("index/classes1000_weight_smoothing01", "mean").param("label_smoothing", 0.1)
            .input("input", normal(3, 2, 1000)).input("target", classes(1000, 2)).input("weight", uniform(0.2, 2, 1000))),
        // confident rows: the loss log(1 + 4 e^-20) = 8.2e-9 of the first row is below float32's
        // resolution of the sum 1 + 4 e^-20, and the gradient's target entry p - 1 cancels
        Stream.of(ce("index/confident_rows", "none")
            .input("input", values(new int[] {3, 5}, 20, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 30))
            .input("target", longs(new int[] {3}, 0, 1, 4))
            .why("per-row losses of 8.2e-9, 2.5e-5 and 3.7e-13 next to each other: each judged on its own terms")
            .divergence("T-19: Keras computes in float32, where 1 + 4 e^-20 rounds to 1: the 8.2e-9 and 3.7e-13"
                + " row losses of float64 torch are 0")),
        Stream.of(ce("index/batch1", "mean").input("input", normal(2, 1, 7)).input("target", classes(7, 1))),
        reductions("index/empty_batch", b -> b.input("input", normal(1, 0, 4)).input("target", classes(4, 0))),
        reductions("index/logits_1e4", b -> b.input("input", signs(1e4, 4, 5).with(3e3, 2, 9))
            .input("target", classes(5, 4))),
        // exp(88.7) is within a hair of float32 overflow: a max-shifted log-sum-exp must not notice
        Stream.of(ce("index/logits_88_7", "none").input("input", signs(88.7, 4, 5)).input("target", classes(5, 4))),
        Stream.of(ce("index/logits_3e38", "none").input("input", signs(3e38, 4, 5)).input("target", classes(5, 4))
            .why("x - max(x) overflows float32 to -inf for the -3e38 entries")
            .divergence("T-19: a loss of 6e38 is finite in float64 torch, +inf in Keras, which computes in float32")),
        Stream.of(ce("index/logits_3e38", "mean").input("input", signs(3e38, 4, 5)).input("target", classes(5, 4))
            .divergence("T-19: a loss of 6e38 is finite in float64 torch, +inf in Keras, which computes in float32")),
        reductions("index/neg_inf_non_target", b -> b.input("input", normal(2, 3, 4).with(-INF, 1, 6, 11))
            .input("target", longs(new int[] {3}, 0, 1, 2))
            .why("masking with -inf outside the target stays finite")),
        Stream.of(ce("index/neg_inf_target", "none").input("input", normal(2, 3, 4).with(-INF, 1))
            .input("target", longs(new int[] {3}, 1, 3, 0))),
        Stream.of(ce("index/pos_inf", "none").input("input", normal(2, 3, 4).with(INF, 5))
            .input("target", longs(new int[] {3}, 0, 1, 2))),
        Stream.of(ce("index/nan", "none").input("input", normal(2, 3, 4).with(Double.NaN, 9))
            .input("target", longs(new int[] {3}, 0, 1, 2))),
        Stream.of(ce("index/nan", "mean").input("input", normal(2, 3, 4).with(Double.NaN, 9))
            .input("target", longs(new int[] {3}, 0, 1, 2))),
        Stream.of(ce("index/target_out_of_range", "mean").input("input", normal(2, 3, 5))
            .input("target", longs(new int[] {3}, 0, 7, 1)).expectError("out of bounds")),
        Stream.of(ce("index/target_negative", "mean").input("input", normal(2, 3, 5))
            .input("target", longs(new int[] {3}, 0, -1, 1)).expectError("out of bounds")),
        Stream.of(ce("index/target_out_of_range_smoothing01", "mean").param("label_smoothing", 0.1)
            .input("input", normal(2, 3, 5)).input("target", longs(new int[] {3}, 0, 5, 1)).expectError("out of bounds")),
        Stream.of(ce("index/weight_wrong_size", "mean").input("input", normal(2, 3, 5))
            .input("target", classes(5, 3)).input("weight", uniform(0.5, 1, 4)).expectError("weight")),
        Stream.of(ce("index/batch_mismatch", "mean").input("input", normal(2, 4, 5))
            .input("target", classes(5, 3)).expectError("batch_size")),
        // found by the differential sweep: PyTorch takes int64 class indices only; Keras casts its labels
        Stream.of(ce("index/target_int32", "mean").input("input", normal(2, 3, 4))
            .input("target", (rng, dt) -> Tensor.ofLongs(DType.INT32, new long[] {0, 3, 1}, 3))
            .expectError("expected scalar type Long")
            .divergence("PyTorch's nll_loss takes int64 (Long) class indices only; Keras' sparse cross-entropy casts"
                + " int32 labels and computes")),
        // found by the differential sweep: label_smoothing's range is checked first on this path; the
        // weight must have the input's dtype (checked before the targets); with smoothing, a weight and
        // mean a uint8 target is refused by gather (unless every target is ignored); log_softmax's
        // backward is NaN on a row whose logp is NaN even where the row is ignored (or its smoothing
        // gradient is 0 * inf), and works on the logp and exp materialised in the dtype
        Stream.of(ce("index/smoothing_range_first", "mean").param("label_smoothing", 1.5)
            .input("input", normal(2, 3, 4)).input("target", longs(new int[] {3}, 0, 9, 1)).expectError("label_smoothing")),
        Stream.of(ce("index/weight_other_float_dtype", "mean").input("input", normal(2, 3, 4))
            .input("target", classes(4, 3)).input("weight", (rng, dt) -> uniform(0.2, 2, 4).draw(rng, NllLossCases.otherFloat(dt)))
            .expectError("expected scalar type")),
        Stream.of(ce("index/weight_int64_before_target_range", "mean").input("input", normal(2, 2, 3))
            .input("target", longs(new int[] {2}, 0, 5)).input("weight", longs(new int[] {3}, 1, 1, 1))
            .expectError("expected scalar type")),
        Stream.of(ce("index/smoothing_weight_uint8_target", "mean").param("label_smoothing", 0.1)
            .input("input", normal(2, 3, 4)).input("target", (rng, dt) -> Tensor.ofLongs(DType.UINT8, new long[] {0, 3, 1}, 3))
            .input("weight", uniform(0.5, 1.5, 4)).expectError("gather")),
        Stream.of(ce("index/smoothing_weight_uint8_target_all_ignored", "mean").param("label_smoothing", 0.1)
            .param("ignore_index", 1L).input("input", normal(2, 2, 3))
            .input("target", (rng, dt) -> Tensor.ofLongs(DType.UINT8, new long[] {1, 1}, 2)).input("weight", uniform(0.5, 1.5, 3))),
        Stream.of(ce("index/nan_logit_ignored_row", "mean").input("input", normal(2, 2, 3).with(Double.NaN, 1))
            .input("target", longs(new int[] {2}, IGNORED, 2))),
        Stream.of(ce("index/inf_logit_ignored_row_smoothing", "sum").param("label_smoothing", 0.2)
            .input("input", normal(2, 2, 3).with(INF, 4)).input("target", longs(new int[] {2}, 0, IGNORED))),
        Stream.of(ce("index/kdim_inf_logit_ignored_position", "mean").param("ignore_index", 1L)
            .input("input", values(new int[] {1, 2, 2, 2}, 0, INF, 0, 0, 0, 0, 0, 0))
            .input("target", longs(new int[] {1, 2, 2}, 0, 1, 0, 0))),
        Stream.of(ce("index/smoothing_inf_weight_ignored_row", "mean").param("label_smoothing", 0.1)
            .param("ignore_index", 0L).input("input", values(new int[] {2, 2}, 0.5, -1, 1, 2))
            .input("target", longs(new int[] {2}, 0, 1)).input("weight", values(new int[] {2}, INF, 1))),
        Stream.of(ce("index/smoothing_underflowing_softmax_inf_weight", "mean").param("label_smoothing", 1.0)
            .input("input", values(new int[] {1, 2}, 0, 700)).input("target", longs(new int[] {1}, 0))
            .input("weight", values(new int[] {2}, 1, INF))));

    Stream<Stream<CaseBuilder>> prob = Stream.of(
        reductions("prob/plain", b -> b.input("input", normal(2, 4, 5)).input("target", simplex(1, 4, 5))),
        reductions("prob/weight", b -> b.input("input", normal(2, 4, 5)).input("target", simplex(1, 4, 5))
            .input("weight", uniform(0.2, 2, 5))),
        Stream.of(ce("prob/smoothing01", "mean").param("label_smoothing", 0.1)
            .input("input", normal(2, 4, 5)).input("target", simplex(1, 4, 5))),
        Stream.of(ce("prob/smoothing05", "mean").param("label_smoothing", 0.5)
            .input("input", normal(2, 4, 5)).input("target", simplex(1, 4, 5))),
        reductions("prob/weight_smoothing01", b -> b.param("label_smoothing", 0.1)
            .input("input", normal(2, 4, 5)).input("target", simplex(1, 4, 5)).input("weight", uniform(0.2, 2, 5))),
        Stream.of(ce("prob/soft_labels", "mean").input("input", normal(2, 3, 3))
            .input("target", values(new int[] {3, 3}, 0.9, 0.09, 0.01, 0.01, 0.9, 0.09, 0.09, 0.01, 0.9))),
        Stream.of(ce("prob/onehot", "mean").input("input", normal(2, 3, 4))
            .input("target", values(new int[] {3, 4}, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1))),
        // torch does not validate probability targets: rows need not sum to 1, entries may be negative
        reductions("prob/unnormalized", b -> b.input("input", normal(2, 4, 5)).input("target", uniform(-0.2, 1.5, 4, 5))),
        Stream.of(ce("prob/kdim1", "none").input("input", normal(2, 2, 4, 3)).input("target", simplex(1, 2, 4, 3))),
        reductions("prob/kdim2", b -> b.input("input", normal(2, 2, 3, 2, 4)).input("target", simplex(1, 2, 3, 2, 4))),
        Stream.of(ce("prob/kdim2_weight_smoothing01", "mean").param("label_smoothing", 0.1)
            .input("input", normal(2, 2, 3, 2, 4)).input("target", simplex(1, 2, 3, 2, 4)).input("weight", uniform(0.2, 2, 3))),
        Stream.of(ce("prob/kdim2_smoothing01", "mean").param("label_smoothing", 0.1)
            .input("input", normal(2, 2, 3, 2, 4)).input("target", simplex(1, 2, 3, 2, 4))
            .divergence("Keras 3.3.3 smooths with C = shape[-1] (4 here), not the class axis' 3")),
        reductions("prob/unbatched", b -> b.input("input", normal(2, 5)).input("target", simplex(0, 5))),
        Stream.of(ce("prob/classes1000", "mean").input("input", normal(3, 3, 1000)).input("target", simplex(1, 3, 1000))),
        Stream.of(ce("prob/empty_batch", "mean").input("input", normal(1, 0, 4)).input("target", simplex(1, 0, 4))),
        Stream.of(ce("prob/empty_batch", "sum").input("input", normal(1, 0, 4)).input("target", simplex(1, 0, 4))),
        Stream.of(ce("prob/logits_1e4", "mean").input("input", signs(1e4, 3, 4)).input("target", simplex(1, 3, 4))),
        // 0 * log_softmax(-inf) = 0 * -inf = NaN on the probability path
        Stream.of(ce("prob/neg_inf_zero_target", "none").input("input", normal(2, 2, 3).with(-INF, 0))
            .input("target", values(new int[] {2, 3}, 0, 1, 0, 0.5, 0.5, 0))),
        Stream.of(ce("prob/ignore_index_negative", "mean").param("ignore_index", -1L)
            .input("input", normal(2, 3, 4)).input("target", simplex(1, 3, 4))),
        Stream.of(ce("prob/ignore_index_non_negative", "mean").param("ignore_index", 1L)
            .input("input", normal(2, 3, 4)).input("target", simplex(1, 3, 4)).expectError("ignore_index")),
        Stream.of(ce("prob/smoothing_above_one", "mean").param("label_smoothing", 1.5)
            .input("input", normal(2, 3, 4)).input("target", simplex(1, 3, 4)).expectError("label_smoothing")),
        // found by the differential sweep: on the probability path aten checks ignore_index and the
        // weight's size before label_smoothing's range; -(log_softmax(x) * target * weight) follows type
        // promotion (a float64 target or weight makes a float32 input's loss float64, an int64 weight is
        // taken), its gradient overflows in float32 where a weight is huge
        Stream.of(ce("prob/ignore_index_before_smoothing_range", "mean").param("ignore_index", 1L)
            .param("label_smoothing", 1.5).input("input", normal(2, 3, 4)).input("target", simplex(1, 3, 4))
            .expectError("ignore_index")),
        Stream.of(ce("prob/weight_size_before_smoothing_range", "mean").param("label_smoothing", 1.5)
            .input("input", normal(2, 3, 4)).input("target", simplex(1, 3, 4)).input("weight", uniform(0.5, 1, 3))
            .expectError("weight")),
        Stream.of(ce("prob/target_other_float_dtype", "mean").param("label_smoothing", 0.1)
            .input("input", normal(2, 3, 4)).input("target", (rng, dt) -> simplex(1, 3, 4).draw(rng, NllLossCases.otherFloat(dt)))),
        Stream.of(ce("prob/weight_other_float_dtype", "none").input("input", normal(2, 3, 4))
            .input("target", simplex(1, 3, 4)).input("weight", (rng, dt) -> uniform(0.2, 2, 4).draw(rng, NllLossCases.otherFloat(dt)))),
        Stream.of(ce("prob/weight_int64", "sum").input("input", normal(2, 3, 4))
            .input("target", simplex(1, 3, 4)).input("weight", longs(new int[] {4}, 1, 2, 0, 3))),
        Stream.of(ce("prob/huge_weight_overflows_float32", "sum").input("input", values(new int[] {1, 2}, 0, 0))
            .input("target", values(new int[] {1, 2}, 2, 0)).input("weight", values(new int[] {2}, 3e38, 1))));

    Stream<Stream<CaseBuilder>> tensorflow = Stream.of(
        // found by the differential sweep (tf.nn): SoftmaxCrossEntropyWithLogits computes exp(d) / s - y in the
        // dtype, so 1/(1 + e^-10) - 1 keeps only the bits of a float32 near 1 (-4.541874e-05, not -4.5397868e-05)
        Stream.of(tfnn("prob_backprop_in_dtype").input("input", values(new int[] {2, 2}, 0, 0, 10, 0))
            .input("target", values(new int[] {2, 2}, 0, 0, 1, 1))),
        Stream.of(tfnn("index_plain").input("input", normal(2, 4, 5)).input("target", classes(5, 4)),
            tfnn("prob_plain").input("input", normal(2, 4, 5)).input("target", simplex(1, 4, 5)),
            tfnn("prob_kdim1").input("input", normal(2, 2, 4, 3)).input("target", simplex(1, 2, 4, 3)),
            tfnn("index_neg_inf_non_target").input("input", normal(2, 3, 4).with(-INF, 1, 6, 11))
                .input("target", longs(new int[] {3}, 0, 1, 2)),
            // the masking trap: torch's class-index path stays finite, the dense op computes 0 * -inf = NaN
            tfnn("neg_inf_masking_dense").input("input", values(TWO_BY_THREE, -INF, 0, 1, 2, -INF, 0.5))
                .input("target", longs(new int[] {2}, 1, 2))
                .tensorflow(t -> new Call(TfNnApis.SOFTMAX_CROSS_ENTROPY_WITH_LOGITS_NAME, TensorFlowCounterparts.paramsOf("axis", -1L),
                    orderedInputs("labels", TfInputs.oneHot(t.input("target"), 3, t.input("input").dtype()),
                        "logits", t.input("input")), null, null))
                .divergence("T-15: a -inf logit with label 0 is 0 * inf = NaN in SoftmaxCrossEntropyWithLogits; torch's class-index path is finite"),
            tfnn("index_target_out_of_range").input("input", normal(2, 3, 5))
                .input("target", longs(new int[] {3}, 0, 7, 1)).expectError("out of bounds")),
        // T-3: torch class weights divide the mean by sum w[y]; Keras sample_weight w[y] divides by N
        Stream.of(ce("keras/class_weight_vs_sample_weight", "mean")
            .input("input", values(TWO_BY_THREE, 1, 2, 3, 1, 2, 3)).input("target", longs(new int[] {2}, 2, 0))
            .input("weight", values(new int[] {3}, 1, 1, 2))
            .tensorflow(CrossEntropyCases::classWeightsAsSampleWeights)
            .divergence("T-3: the weighted mean divides by sum of w[y] = 3 in torch, by N = 2 in Keras"),
            // T-21: torch smoothing weighs every class by its own weight, normalised by the targets' weights
            ce("keras/weight_smoothing01_vs_sample_weight", "mean").param("label_smoothing", 0.1)
                .input("input", values(TWO_BY_THREE, 1, 2, 3, 1, 2, 3)).input("target", longs(new int[] {2}, 2, 0))
                .input("weight", values(new int[] {3}, 1, 1, 2))
                .tensorflow(CrossEntropyCases::classWeightsAsSampleWeights)
                .divergence("T-21: Keras has no class weights; the nearest Keras form (sample_weight w[y]) differs"),
            // T-5: one valid entry; Keras <= 3.12 divides by n_valid + 1e-7
            ce("index/ignore_one_valid", "mean").input("input", normal(2, 3, 4))
                .input("target", longs(new int[] {3}, IGNORED, 2, IGNORED))
                .divergence("T-5: Keras re-weights the mask by total / (valid + 1e-7), a last-ulp difference"),
            ce("index/all_ignored_keras", "mean").input("input", normal(2, 3, 4))
                .input("target", longs(new int[] {3}, IGNORED, IGNORED, IGNORED))
                .divergence("T-4: every target ignored: torch's mean is 0/0 = NaN, Keras' masked mean is 0")),
        // T-11: probabilities taken at face value by torch (nll_loss of log p), renormalised by Keras
        Stream.of(probsInput("normalized", "mean", false).input("input", simplex(1, 4, 5).map(Math::log))
                .input("target", classes(5, 4)),
            probsInput("uniform_unnormalized", "none", false)
                .input("input", values(new int[] {1, 3}, Math.log(0.2), Math.log(0.2), Math.log(0.2)))
                .input("target", longs(new int[] {1}, 0))
                .divergence("T-11: torch takes p at face value (-log 0.2), Keras renormalises (log 3)"),
            probsInput("unnormalized", "mean", false).input("input", uniform(0.05, 0.6, 4, 5).map(Math::log))
                .input("target", classes(5, 4))
                .divergence("T-11: rows of p not summing to 1 are renormalised by Keras only"),
            probsInput("zero_probability", "none", false)
                .input("input", values(TWO_BY_THREE, Math.log(0), Math.log(0.5), Math.log(0.5), Math.log(0.2), Math.log(0.3), Math.log(0.5)))
                .input("target", longs(new int[] {2}, 0, 2))
                .divergence("T-11/T-1: p_y = 0 is log 0 = -inf for torch (loss +inf), clipped to 1e-7 by Keras (16.118095)"),
            probsInput("soft_target", "mean", true).input("input", simplex(1, 3, 4).map(Math::log))
                .input("target", simplex(1, 3, 4))));

    // found by the differential sweep (TensorFlow)
    Stream<Stream<CaseBuilder>> sweptTensorflow = Stream.of(
        // Keras' ignore_class multiplies y_pred by expand_dims(mask, -1): the [4] target becomes [4, 1], so
        // [4, 1] logits broadcast to [4, 4, 1], which its backend then refuses (shapes up to the last axis)
        Stream.of(ce("index/ignore_index_one_class", "mean").input("input", normal(1, 4, 1))
            .input("target", longs(new int[] {4}, 0, 0, 0, IGNORED))
            .divergence("Keras' ignore_class mask broadcasts [4, 1] logits to [4, 4, 1] and its backend raises; torch computes (C = 1)")),
        // no classes: TF's kernel raises "Must have at least one class" even for an empty batch
        Stream.of(ce("index/empty_no_classes", "mean").input("input", values(new int[] {0, 0}))
            .input("target", longs(new int[] {0}))));
    return Stream.concat(Stream.concat(Stream.concat(index, prob), tensorflow), sweptTensorflow).flatMap(s -> s)
        .flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream())
        .toList();
  }
}
