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
    // zeros of either sign: TF's xent gradient there is 0 * (softmax - onehot), -0 where that is negative
    assertArrayEquals(new double[6], r.gradInput().toDoubleArray(), 0.0);
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

  @Test
  void scceSumsExpsInFloat32AsTheKernelDoes() {
    // p = [1 - 1e-7, 1e-7 x 4], y = 0 (the sweep's nll_loss/8515 row): z = log p in float32 is
    // [-1.1920929e-7, -16.118095 x 4]; shifted by the max, exp gives [1, 1.0000001e-7 x 4]. Summed left to
    // right in float32 each 1e-7 adds one ulp of 1 (2^-23 = 1.1920929e-7 > 1e-7 > 2^-24), so s = 1 + 4 * 2^-23
    // and the loss log(s) - 0 = 4 * 2^-23 = 4.7683716e-7 (rounded log: 4.7683704E-7, TF's value); a
    // double sum 1 + 4e-7 rounds to 1 + 3 * 2^-23 (3.576278E-7, what Java gave before)
    float e = 1e-7f;
    Tensor p = Tensor.ofFloats(new float[] {1 - e, e, e, e, e}, 1, 5);
    Tensor y = Tensor.ofLongs(new long[] {0}, 1);
    Tensor loss = new SparseCategoricalCrossentropy(false, null, Mode.NONE).apply(y, p, null).loss();
    assertEquals((float) Math.log(1 + 4 * Math.ulp(1f)), (float) loss.getDouble(0));
  }

  @Test
  void scceIgnoredRowOfInfiniteLogitsHasNanGradient() {
    // ignore_class 1, y = 1 (0-d), logits [inf, 18.9] (the sweep's cross_entropy/5546): Keras multiplies the
    // logits by the mask 0 (inf * 0 = NaN), the row's loss is forced to 0 but TF's xent gradient is
    // 0 * (softmax - onehot) = 0 * NaN = NaN, and Mul's gradient NaN * 0 stays NaN
    Tensor x = Tensor.ofFloats(new float[] {Float.POSITIVE_INFINITY, 18.89155f}, 2);
    Tensor y = Tensor.ofLongs(new long[] {1});
    LossAndGrad r = new SparseCategoricalCrossentropy(true, 1L, Mode.SUM_OVER_BATCH_SIZE).apply(y, x, null);
    assertEquals(0.0, r.loss().getDouble(0));
    assertArrayEquals(new double[] {Double.NaN, Double.NaN}, r.gradInput().toDoubleArray());
  }

  @Test
  void scceIgnoreClassBroadcastIsRefusedAsKerasDoes() {
    // y_true [4] is expanded to [4, 1] beside [4, 1] logits (squeeze_or_expand_to_same_rank); the mask
    // [4, 1, 1] times the logits broadcasts them to [4, 4, 1], and nn.py refuses target (4, 1) against
    // output (4, 4, 1): a shape error, not the label range error of -2
    Tensor x = Tensor.ofFloats(new float[] {1, 2, 3, 4}, 4, 1);
    Tensor y = Tensor.ofLongs(new long[] {-2, 0, 0, -100}, 4);
    LossArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(LossArgumentException.class,
        () -> new SparseCategoricalCrossentropy(true, -100L, Mode.SUM_OVER_BATCH_SIZE).apply(y, x, null));
    assertEquals(ErrorKind.SHAPE_MISMATCH, e.kind());
  }

  @Test
  void scceSqueezesATrailingOneOfYPredFirst() {
    // y_true [2, 1] beside y_pred [2, 2, 1]: LossFunctionWrapper.call's squeeze_or_expand_to_same_rank
    // squeezes y_pred to [2, 2], nn.py then squeezes y_true to [2]: two rows of two logits, loss shape [2].
    // Row [0, 0] with label 1: log 2; row [1, 0] with label 0: log(1 + e^-1) = 0.31326169
    Tensor x = Tensor.ofFloats(new float[] {0, 0, 1, 0}, 2, 2, 1);
    Tensor y = Tensor.ofLongs(new long[] {1, 0}, 2, 1);
    Tensor loss = new SparseCategoricalCrossentropy(true, null, Mode.NONE).apply(y, x, null).loss();
    assertArrayEquals(new int[] {2}, loss.shape());
    assertEquals((float) Math.log(2), (float) loss.getDouble(0), Math.ulp((float) Math.log(2)));
    assertEquals((float) Math.log1p(Math.exp(-1)), (float) loss.getDouble(1), 2 * Math.ulp(0.3132617f));
  }
}
