package dev.lossconformance.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.loss.keras.CategoricalCrossentropy;
import dev.lossconformance.loss.keras.KerasReduction;
import dev.lossconformance.loss.keras.KerasRegression;
import dev.lossconformance.loss.keras.SparseCategoricalCrossentropy;
import dev.lossconformance.loss.tf.TfCtcLoss;
import dev.lossconformance.loss.tf.TfNn;
import dev.lossconformance.loss.torch.CrossEntropy;
import dev.lossconformance.loss.torch.CtcLoss;
import dev.lossconformance.loss.torch.NllLoss;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The int64 arguments the kernels read (CTC lengths, labels and blank, class indices, ignore_index,
 * ignore_class, axis) at values beyond the int range: each is either taken at its full int64 value
 * or refused with a kind, never wrapped modulo 2^32 (most values below wrap to a valid one: 2^32 to
 * 0, 2^32 + 1 to 1) and never an {@link ArithmeticException}.
 */
class Int64ArgumentsTest {
  private static final long TWO_32 = 1L << 32;
  private static final double LOG_FIFTH = Math.log(0.2);

  private static LossArgumentException raises(ErrorKind kind, Executable call) {
    LossArgumentException e = assertThrows(LossArgumentException.class, call);
    assertEquals(kind, e.kind(), e.getMessage());
    return e;
  }

  private static Tensor lengths(long... v) {
    return Tensor.ofLongs(v, v.length);
  }

  /** Uniform log-probabilities {@code (T, N, 5)}. */
  private static Tensor logProbs(int t, int n) {
    double[] v = new double[t * n * 5];
    java.util.Arrays.fill(v, LOG_FIFTH);
    return Tensor.ofDoubles(v, t, n, 5);
  }

  private static final CtcLoss CTC = CtcLoss.options().build();

  // ---------------------------------------------------------------- torch ctc_loss

  @Test
  void ctcTargetLengthOf2Pow32IsRefusedAsTheTargetsSizeNotAnArithmeticException() {
    // the catalog case ctc_loss/target_length_2pow32_mean: PyTorch's checkSize of the targets
    Tensor targets = Tensor.ofLongs(new long[] {1, 3, 2, 4}, 1, 4);
    LossArgumentException e = raises(ErrorKind.SHAPE_MISMATCH,
        () -> CTC.apply(logProbs(3, 1), targets, lengths(3), lengths(TWO_32)));
    assertTrue(e.getMessage().contains("expected at least 4294967296 columns"), e.getMessage());
  }

  @Test
  void ctcConcatenatedLengthsBeyondTheIntRangeAreRefusedAsTheTargetsSize() {
    Tensor targets = Tensor.ofLongs(new long[] {1, 2, 3, 4}, 4);
    // 2^31 + 2^31 = 2^32: an int sum would be 0
    LossArgumentException e = raises(ErrorKind.SHAPE_MISMATCH,
        () -> CTC.apply(logProbs(4, 2), targets, lengths(4, 4), lengths(1L << 31, 1L << 31)));
    assertTrue(e.getMessage().contains("hold 4 labels but target_lengths sum to 4294967296"), e.getMessage());
    // a sum beyond int64 saturates instead of wrapping to a negative or small one
    e = raises(ErrorKind.SHAPE_MISMATCH,
        () -> CTC.apply(logProbs(4, 2), targets, lengths(4, 4), lengths(Long.MAX_VALUE, 5)));
    assertTrue(e.getMessage().contains("sum to at least 9223372036854775807"), e.getMessage());
    // unbatched: a 0-d target length
    Tensor lp = Tensor.ofDoubles(new double[] {LOG_FIFTH, LOG_FIFTH, LOG_FIFTH, LOG_FIFTH, LOG_FIFTH}, 1, 5);
    raises(ErrorKind.SHAPE_MISMATCH, () -> CTC.apply(lp, Tensor.ofLongs(new long[] {1}, 1),
        Tensor.ofLongs(new long[] {1}), Tensor.ofLongs(new long[] {TWO_32 + 1})));
  }

  @Test
  void ctcNegativeLengthsBeyondTheIntRangeAreInvalidValues() {
    Tensor targets = Tensor.ofLongs(new long[] {1, 2}, 1, 2);
    // -2^32 would wrap to the valid length 0
    raises(ErrorKind.INVALID_VALUE, () -> CTC.apply(logProbs(3, 1), targets, lengths(3), lengths(-TWO_32)));
    raises(ErrorKind.INVALID_VALUE, () -> CTC.apply(logProbs(3, 1), targets, lengths(-TWO_32), lengths(2)));
  }

  @Test
  void ctcInputLengthOf2Pow32IsAnInvalidValue() {
    Tensor targets = Tensor.ofLongs(new long[] {1, 2}, 1, 2);
    LossArgumentException e = raises(ErrorKind.INVALID_VALUE,
        () -> CTC.apply(logProbs(3, 1), targets, lengths(TWO_32 + 3), lengths(2)));
    assertTrue(e.getMessage().contains("element [0] = 4294967299; expected input_lengths to have value at most 3"),
        e.getMessage());
  }

  @Test
  void ctcBlankOf2Pow32IsAnInvalidValue() {
    Tensor targets = Tensor.ofLongs(new long[] {1, 2}, 1, 2);
    raises(ErrorKind.INVALID_VALUE,
        () -> CtcLoss.options().blank(TWO_32).build().apply(logProbs(3, 1), targets, lengths(3), lengths(2)));
    raises(ErrorKind.INVALID_VALUE,
        () -> CtcLoss.options().blank(-TWO_32).build().apply(logProbs(3, 1), targets, lengths(3), lengths(2)));
  }

  @Test
  void ctcLabelOf2Pow32Plus1IsOutOfRange() {
    Tensor targets = Tensor.ofLongs(new long[] {TWO_32 + 1, 2}, 1, 2);
    LossArgumentException e = raises(ErrorKind.INDEX_OUT_OF_RANGE,
        () -> CTC.apply(logProbs(3, 1), targets, lengths(3), lengths(2)));
    assertTrue(e.getMessage().contains("label 4294967297 of sample 0 is outside [0, 5)"), e.getMessage());
  }

  // ---------------------------------------------------------------- class indices, ignore_index

  @Test
  void aClassIndexOf2Pow32Plus1IsOutOfRangeOnEveryPath() {
    long[] y = {0, TWO_32 + 1};
    for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Tensor x = Tensor.ofFloating(dt, new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, 2, 3);
      Tensor target = Tensor.ofLongs(y, 2);
      raises(ErrorKind.INDEX_OUT_OF_RANGE, () -> CrossEntropy.options().build().apply(x, target));
      raises(ErrorKind.INDEX_OUT_OF_RANGE, () -> CrossEntropy.options().labelSmoothing(0.1).build().apply(x, target));
      raises(ErrorKind.INDEX_OUT_OF_RANGE, () -> NllLoss.options().build().apply(x, target));
    }
  }

  @Test
  void anIgnoreIndexBeyondTheIntRangeIsComparedAtItsFullValue() {
    Tensor target = Tensor.ofLongs(new long[] {1, 0}, 2);
    for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Tensor x = Tensor.ofFloating(dt, new double[] {0.1, 0.7, 0.3, 0.9, 0.5, 0.6}, 2, 3);
      // 2^32 + 1 is no class, so nothing is ignored: the loss of the default ignore_index
      double plain = CrossEntropy.options().build().loss(x, target).getDouble(0);
      double big = CrossEntropy.options().ignoreIndex(TWO_32 + 1).build().loss(x, target).getDouble(0);
      assertEquals(plain, big, 0);
      // and ignoring class 1 (what a wrap to int would do) gives another loss
      assertNotEquals(plain, CrossEntropy.options().ignoreIndex(1).build().loss(x, target).getDouble(0));
      assertEquals(NllLoss.options().build().loss(x, target).getDouble(0),
          NllLoss.options().ignoreIndex(TWO_32 + 1).build().loss(x, target).getDouble(0), 0);
    }
  }

  @Test
  void aKerasIgnoreClassBeyondTheIntRangeIgnoresNothing() {
    Tensor yPred = Tensor.ofFloats(new float[] {0.2f, 0.5f, 0.3f, 0.6f, 0.1f, 0.3f}, 2, 3);
    Tensor yTrue = Tensor.ofLongs(new long[] {0, 1}, 2);
    KerasReduction.Mode mode = KerasReduction.Mode.SUM_OVER_BATCH_SIZE;
    double plain = new SparseCategoricalCrossentropy(false, null, mode).apply(yTrue, yPred, null).loss().getDouble(0);
    assertEquals(plain, new SparseCategoricalCrossentropy(false, TWO_32, mode).apply(yTrue, yPred, null)
        .loss().getDouble(0), 0);
    assertNotEquals(plain, new SparseCategoricalCrossentropy(false, 0L, mode).apply(yTrue, yPred, null)
        .loss().getDouble(0));
  }

  @Test
  void aTfSparseLabelOf2Pow32IsOutOfRange() {
    Tensor logits = Tensor.ofDoubles(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, 2, 3);
    raises(ErrorKind.INDEX_OUT_OF_RANGE,
        () -> TfNn.sparseSoftmaxCrossEntropyWithLogits(Tensor.ofLongs(new long[] {0, TWO_32}, 2), logits));
  }

  // ---------------------------------------------------------------- axis

  @Test
  void anAxisBeyondTheIntRangeIsAShapeMismatch() {
    int[] shape = {2, 3};
    // 2^32 would wrap to axis 0, -2^32 - 1 to axis -1
    for (long axis : new long[] {TWO_32, -TWO_32 - 1, Long.MIN_VALUE, Long.MAX_VALUE}) {
      LossArgumentException e = raises(ErrorKind.SHAPE_MISMATCH, () -> Fibers.of(shape, axis, "api"));
      assertEquals("api: axis: " + axis + " is out of range for a tensor of rank 2", e.getMessage());
    }
    assertEquals(Fibers.of(shape, 1, "api"), Fibers.of(shape, -1L, "api"));

    Tensor y = Tensor.ofDoubles(new double[] {0, 1, 0, 1, 0, 0}, 2, 3);
    Tensor p = Tensor.ofDoubles(new double[] {0.2, 0.5, 0.3, 0.6, 0.1, 0.3}, 2, 3);
    KerasReduction.Mode mode = KerasReduction.Mode.SUM;
    raises(ErrorKind.SHAPE_MISMATCH, () -> TfNn.softmaxCrossEntropyWithLogits(y, p, TWO_32));
    raises(ErrorKind.SHAPE_MISMATCH, () -> new CategoricalCrossentropy(false, 0, TWO_32, mode).apply(y, p, null));
    raises(ErrorKind.SHAPE_MISMATCH, () -> KerasRegression.cosineSimilarity(y, p, null, -TWO_32 - 1, mode));
    // in range, a long axis is the int one
    assertArrayEquals(TfNn.softmaxCrossEntropyWithLogits(y, p, 0).loss().toDoubleArray(),
        TfNn.softmaxCrossEntropyWithLogits(y, p, -2L).loss().toDoubleArray(), 0);
  }

  // ---------------------------------------------------------------- tf.nn.ctc_loss

  @Test
  void tfCtcNegativeLabelsBeyondTheIntRangeAreOutOfRange() {
    // -2^32 + 1 has the low 32 bits of 1: an int cast would make it a valid label
    Tensor labels = Tensor.ofLongs(new long[] {-TWO_32 + 1, 2}, 1, 2);
    LossArgumentException e = raises(ErrorKind.INDEX_OUT_OF_RANGE,
        () -> TfCtcLoss.ctcLoss(labels, logProbs(3, 1), lengths(2), lengths(3), 0, true));
    assertTrue(e.getMessage().contains("All labels must be nonnegative integers, batch: 0"), e.getMessage());
  }

  @Test
  void tfCtcLogitLengthsBeyondTheIntRangeAreInvalidValues() {
    Tensor labels = Tensor.ofLongs(new long[] {1, 2}, 1, 2);
    LossArgumentException e = raises(ErrorKind.INVALID_VALUE,
        () -> TfCtcLoss.ctcLoss(labels, logProbs(3, 1), lengths(2), lengths(TWO_32), 0, true));
    assertTrue(e.getMessage().endsWith("sequence_length(0) <= 3"), e.getMessage());
    raises(ErrorKind.INVALID_VALUE, () -> TfCtcLoss.ctcLoss(labels, logProbs(3, 1), lengths(2), lengths(-TWO_32), 0, true));
  }

  @Test
  void tfCtcLabelLengthBeyondTheLabelsIsTheLabelsWidth() {
    // the goldens' dense-to-sparse (generator TfCtc) takes min(label_length, S) labels of a row, as
    // the catalog case ctc_loss/target_length_2pow32_mean shows: 2^32 is the row's S = 2 labels
    Tensor labels = Tensor.ofLongs(new long[] {1, 2}, 1, 2);
    LossAndGrad full = TfCtcLoss.ctcLoss(labels, logProbs(3, 1), lengths(2), lengths(3), 0, true);
    LossAndGrad big = TfCtcLoss.ctcLoss(labels, logProbs(3, 1), lengths(TWO_32), lengths(3), 0, true);
    assertArrayEquals(full.loss().toDoubleArray(), big.loss().toDoubleArray(), 0);
    assertArrayEquals(full.gradInput().toDoubleArray(), big.gradInput().toDoubleArray(), 0);
  }
}
