package dev.lossconformance.loss.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lossconformance.loss.LossAndGrads;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The float32 reduction of {@link CosineEmbeddingLoss} adds in aten's {@code cascade_sum} order
 * (SumKernel.cpp, AVX2 lanes), which a fixture within 4 ulps cannot pin: the values here are derived by
 * hand, and any other order rounds differently.
 */
class CosineEmbeddingLossOrderTest {

  @Test
  void floatSumAddsTheTailBeforeTheLanes() {
    // 9 rows of D = 1. Rows 0-7: a = 1, b = -1, y = 1: cos = -1 exactly (|a|^2 + 1e-12f rounds to 1),
    // loss 1 - cos = 2. Row 8: a = b = 1, y = -1, margin -16777214: cos = 1, loss cos - margin =
    // 16777215 = 2^24 - 1, exact. cascade_sum of 9 >= 8 float32 values: vectorized_inner_sum puts
    // rows 0-7 in the 8 lanes and row 8 in the scalar tail; the tail goes first, 0 + (2^24 - 1), then
    // the lanes in order: (2^24 - 1) + 2 = 2^24 + 1, a tie, rounds to even 2^24; each further + 2 is
    // exact, so the sum is 2^24 + 14 = 16777230. Adding the rows in order instead gives 16 + (2^24 - 1)
    // = 2^24 + 15, a tie rounding to 2^24 + 16 (as does the exact sum). PyTorch 2.7.1 agrees: the golden
    // of the catalog case cosine_embedding_loss/sum_order_tie_sum/f32 is 16777230.
    float[] a = new float[9];
    float[] b = new float[9];
    long[] y = new long[9];
    for (int i = 0; i < 8; i++) {
      a[i] = 1;
      b[i] = -1;
      y[i] = 1;
    }
    a[8] = 1;
    b[8] = 1;
    y[8] = -1;
    LossAndGrads r = CosineEmbeddingLoss.apply(Tensor.ofFloats(a, 9, 1), Tensor.ofFloats(b, 9, 1),
        Tensor.ofLongs(y, 9), -16777214, "sum");
    assertEquals(DType.FLOAT32, r.loss().dtype());
    assertEquals(16777230.0, r.loss().getDouble(0));
  }

  @Test
  void mixedDtypesPromoteTheLossAndKeepEachGradientsDtype() {
    // input1 float32 [1], input2 float64 [2], y = 1: cos = 2 / sqrt((1 + 1e-12f)(4 + 1e-12f)) in float64,
    // where |input1|^2 + 1e-12f is a float32 sum (exactly 1) and |input2|^2 + 1e-12f a float64 one
    double eps = 1e-12f;
    double cos = 2 / Math.sqrt(1 * (4 + eps));
    LossAndGrads r = CosineEmbeddingLoss.apply(Tensor.ofFloats(new float[] {1}, 1, 1),
        Tensor.ofFloating(DType.FLOAT64, new double[] {2}, 1, 1), Tensor.ofLongs(new long[] {1}, 1), 0, "mean");
    assertEquals(DType.FLOAT64, r.loss().dtype());
    assertEquals(1 - cos, r.loss().getDouble(0));
    assertEquals(DType.FLOAT32, r.grads().get("grad_input1").dtype());
    assertEquals(DType.FLOAT64, r.grads().get("grad_input2").dtype());
  }
}
