package dev.lossconformance.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lossconformance.loss.keras.BinaryCrossentropy;
import dev.lossconformance.loss.keras.KerasReduction.Mode;
import dev.lossconformance.loss.keras.SparseCategoricalCrossentropy;
import dev.lossconformance.loss.tf.TfNn;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Keras / tf.nn closed forms derived by hand, each with its derivation. */
class KerasHandDerivedTest {

  @Test
  void bceClipsProbabilitiesInsteadOfClampingLogs() {
    // p = 0, y = 1: -log(float32(1e-7)) = -log(1.00000001e-7) = 16.1180956 (torch: 100); gradient 0
    // because clip_by_value passes no gradient below its minimum
    Tensor p = Tensor.ofFloats(new float[] {0}, 1, 1);
    Tensor y = Tensor.ofFloats(new float[] {1}, 1, 1);
    LossAndGrad r = new BinaryCrossentropy(false, 0, Mode.SUM_OVER_BATCH_SIZE).apply(y, p, null);
    assertEquals((float) -Math.log(1e-7f), (float) r.loss().getDouble(0));
    assertEquals(0.0, r.gradInput().getDouble(0));
  }

  @Test
  void bceOnRank1InputsIsTheMeanWhateverTheReduction() {
    // y = [1, 0], p = [0.9, 0.2]: per element -log 0.9 = 0.1053605, -log 0.8 = 0.2231436; the last-axis
    // mean 0.1642520 is a scalar, returned as it is by "sum" (torch's sum would be 0.3285041)
    Tensor p = Tensor.ofFloats(new float[] {0.9f, 0.2f}, 2);
    Tensor y = Tensor.ofFloats(new float[] {1, 0}, 2);
    double expected = (-Math.log(0.9f) - Math.log1p(-0.2f)) / 2;
    Tensor loss = new BinaryCrossentropy(false, 0, Mode.SUM).apply(y, p, null).loss();
    assertEquals(0, loss.rank());
    assertEquals((float) expected, (float) loss.getDouble(0), Math.ulp((float) expected));
  }

  @Test
  void scceRenormalisesProbabilitiesAndComputesInFloat32() {
    // p = [0.2, 0.2, 0.2], y = 0: log-softmax of log p gives log(1/3), so the loss is log 3 = 1.0986123
    // (torch's nll_loss(log p) gives -log 0.2 = 1.6094379); float64 input still yields float32
    Tensor p = Tensor.ofDoubles(new double[] {0.2, 0.2, 0.2}, 1, 3);
    Tensor y = Tensor.ofLongs(new long[] {0}, 1);
    Tensor loss = new SparseCategoricalCrossentropy(false, null, Mode.SUM_OVER_BATCH_SIZE).apply(y, p, null).loss();
    assertEquals(DType.FLOAT32, loss.dtype());
    assertEquals((float) Math.log(3), (float) loss.getDouble(0), Math.ulp((float) Math.log(3)));
  }

  @Test
  void scceAllIgnoredIsZeroNotNan() {
    // mask weights total/(valid + 1e-7) = 2/1e-7 on no valid entry: every weighted loss is 0, 0/2 = 0
    Tensor x = Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor y = Tensor.ofLongs(new long[] {-100, -100}, 2);
    LossAndGrad r = new SparseCategoricalCrossentropy(true, -100L, Mode.SUM_OVER_BATCH_SIZE).apply(y, x, null);
    assertEquals(0.0, r.loss().getDouble(0));
    assertArrayEquals(new double[6], r.gradInput().toDoubleArray());
  }

  @Test
  void denseSoftmaxOpTurnsMinusInfinityMaskingIntoNan() {
    // labels [0, 1], logits [-inf, 0]: 0 * (log s - (-inf - 0)) = 0 * inf = NaN; the sparse op gives 0
    Tensor logits = Tensor.ofFloats(new float[] {Float.NEGATIVE_INFINITY, 0}, 1, 2);
    LossAndGrad dense = TfNn.softmaxCrossEntropyWithLogits(Tensor.ofFloats(new float[] {0, 1}, 1, 2), logits, -1);
    LossAndGrad sparse = TfNn.sparseSoftmaxCrossEntropyWithLogits(Tensor.ofLongs(new long[] {1}, 1), logits);
    assertEquals(Double.NaN, dense.loss().getDouble(0));
    assertEquals(0.0, sparse.loss().getDouble(0));
  }
}
