package dev.lossconformance.catalog;

import dev.lossconformance.api.Api;
import dev.lossconformance.api.TorchApis;
import dev.lossconformance.catalog.tensorflow.TensorFlowCounterparts;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;

import static dev.lossconformance.catalog.Draw.longs;
import static dev.lossconformance.catalog.Draw.normal;
import static dev.lossconformance.catalog.Draw.values;
import static dev.lossconformance.tensor.DType.FLOAT32;
import static dev.lossconformance.tensor.DType.FLOAT64;

import java.util.List;
import java.util.stream.Stream;

/** {@code torch.nn.functional.cosine_embedding_loss}: y = 1 gives 1 - cos, y = -1 gives max(0, cos - margin). */
public final class CosineEmbeddingLossCases {
  public static final String OP = "cosine_embedding_loss";
  public static final Api API = TorchApis.COSINE_EMBEDDING_LOSS;

  private CosineEmbeddingLossCases() {}

  private static CaseBuilder c(String variant, String reduction, double margin) {
    return new CaseBuilder(OP, API, variant + "_" + reduction)
        .param("margin", margin).param("reduction", reduction)
        .tensorflow(TensorFlowCounterparts::cosine);
  }

  public static List<Case> cases() {
    Stream<CaseBuilder> all = Stream.of(
        Stream.of("none", "mean", "sum").map(r -> c("mixed_targets", r, 0.0)
            .input("input1", normal(1, 4, 5)).input("input2", normal(1, 4, 5))
            .input("target", longs(new int[] {4}, 1, -1, 1, -1))),
        Stream.of("none", "mean").map(r -> c("positive_targets", r, 0.0)
            .input("input1", normal(1, 3, 4)).input("input2", normal(1, 3, 4)).input("target", longs(new int[] {3}, 1, 1, 1))),
        Stream.of(c("margin05", "mean", 0.5).input("input1", normal(1, 4, 5)).input("input2", normal(1, 4, 5))
            .input("target", longs(new int[] {4}, -1, -1, -1, 1))),
        // SEMANTICS.md T-9: a = [1, 0], b = [1, 1], y = 1: 1 - cos = 0.2928932 (Keras CosineSimilarity: -0.7071068)
        Stream.of(c("worked_example", "none", 0.0).input("input1", values(new int[] {1, 2}, 1, 0))
            .input("input2", values(new int[] {1, 2}, 1, 1)).input("target", longs(new int[] {1}, 1))),
        // near-zero and zero vectors: the 1e-12 added to each squared norm keeps cos finite
        Stream.of(c("near_zero_vectors", "none", 0.0)
            .input("input1", values(new int[] {3, 2}, 0, 0, 1e-7, 0, 1e-20, 1e-20))
            .input("input2", values(new int[] {3, 2}, 1, 1, 1e-7, 1e-7, 1, 0)).input("target", longs(new int[] {3}, 1, -1, 1))),
        // any target other than +-1 contributes 0
        Stream.of(c("other_target", "none", 0.0).input("input1", normal(1, 2, 3)).input("input2", normal(1, 2, 3))
            .input("target", longs(new int[] {2}, 0, 2))),
        Stream.of(c("unbatched", "none", 0.0).input("input1", normal(1, 4)).input("input2", normal(1, 4))
            .input("target", longs(new int[0], -1))),
        // issue 13's sweep classes, each shrunk to its smallest case. aten materialises every op in its
        // dtype: in float32 |a|^2 + 1e-12f rounds to |a|^2, so equal vectors give 1 - cos = 0 (float64: 1e-12)
        Stream.of(c("equal_vectors", "mean", 0.0).input("input1", values(new int[] {1, 1}, -1))
            .input("input2", values(new int[] {1, 1}, -1)).input("target", longs(new int[] {1}, 1))),
        // float32 sum(a*a) overflows to inf: cos = -inf/inf is NaN, and so the y = -1 loss
        Stream.of(c("norm_overflow_nan", "mean", 0.0).input("input1", values(new int[] {1, 1}, -1.7e38))
            .input("input2", values(new int[] {1, 1}, 1e20)).input("target", longs(new int[] {1}, -1))),
        // a target of 0 contributes 0, but autograd's 0 * inf (mul's grad_m1 = grad * |b|^2) makes grad_input1 NaN
        Stream.of(c("norm_overflow_zero_target", "mean", 0.0).input("input1", values(new int[] {1, 1}, 0))
            .input("input2", values(new int[] {1, 1}, 3e38)).input("target", longs(new int[] {1}, 0))),
        // input2 of the other float dtype: the loss has the promoted dtype float64, |input2|^2 stays in input2's
        Stream.of(c("mixed_dtypes", "mean", 0.0).input("input1", values(new int[] {1, 2}, 1, 0.5))
            .input("input2", (rng, dt) -> Tensor.ofFloating(dt == FLOAT32 ? FLOAT64 : FLOAT32,
                new double[] {1, -0.17355269}, new int[] {1, 2}))
            .input("target", longs(new int[] {1}, 1))),
        // int32 targets compare as the int64 ones do
        Stream.of(c("int32_target", "none", 0.0).input("input1", values(new int[] {2, 2}, 1, -3, 0.5, 2))
            .input("input2", values(new int[] {2, 2}, 0, -1, 0.5, 2))
            .input("target", (rng, dt) -> Tensor.ofLongs(DType.INT32, new long[] {1, -1}, new int[] {2}))),
        // 19 elements: aten's cascade_sum adds 8 float32 (4 float64) lanes and the tail in its own order
        Stream.of(c("long_rows", "none", 0.0).input("input1", normal(1, 2, 19)).input("input2", normal(1, 2, 19))
            .input("target", longs(new int[] {2}, 1, -1))),
        // cascade_sum's order, visible in float32: losses 2 (x8) and 2^24 - 1 (cos 1 minus margin -16777214):
        // the tail (2^24 - 1) first, + 2 ties to 2^24, so 2^24 + 14; adding in row order gives 2^24 + 16
        Stream.of(c("sum_order_tie", "sum", -16777214.0)
            .input("input1", values(new int[] {9, 1}, 1, 1, 1, 1, 1, 1, 1, 1, 1))
            .input("input2", values(new int[] {9, 1}, -1, -1, -1, -1, -1, -1, -1, -1, 1))
            .input("target", longs(new int[] {9}, 1, 1, 1, 1, 1, 1, 1, 1, -1))),
        // 35 elements and targets 1, so Keras CosineSimilarity runs too: Eigen's 4 packet accumulators and tail
        Stream.of(c("long_rows_positive", "none", 0.0).input("input1", normal(1, 2, 35)).input("input2", normal(1, 2, 35))
            .input("target", longs(new int[] {2}, 1, 1))),
        // input2's float32 square overflows: PyTorch's cos is -1e30/inf = -0 (loss 1), Keras normalises it to -0
        Stream.of(c("huge_entries", "mean", 0.0).input("input1", values(new int[] {1, 1}, 1))
            .input("input2", values(new int[] {1, 1}, -1e30)).input("target", longs(new int[] {1}, 1))),
        // subnormal entries: PyTorch keeps them (cos = -1e-34), TF flushes them to zero (T-9 aside)
        Stream.of(c("subnormal_entries", "none", 0.0).input("input1", values(new int[] {2, 2}, -1e-40, 0, 1.4e-45, 0))
            .input("input2", values(new int[] {2, 2}, 1, 0.5, 0, 0)).input("target", longs(new int[] {2}, 1, 1))),
        Stream.of(c("target_2d", "mean", 0.0).input("input1", normal(1, 2, 3)).input("input2", normal(1, 2, 3))
            .input("target", longs(new int[] {2, 1}, 1, -1)).expectError("target")))
        .flatMap(s -> s);
    return all.flatMap(b -> b.inDtypes(FLOAT32, FLOAT64).stream()).toList();
  }
}
