package dev.lossconformance.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossconformance.loss.keras.BinaryCrossentropy;
import dev.lossconformance.loss.keras.CategoricalCrossentropy;
import dev.lossconformance.loss.keras.KerasReduction;
import dev.lossconformance.loss.keras.SparseCategoricalCrossentropy;
import dev.lossconformance.loss.tf.TfCtcLoss;
import dev.lossconformance.loss.tf.TfNn;
import dev.lossconformance.loss.torch.BinaryCrossEntropy;
import dev.lossconformance.loss.torch.CosineEmbeddingLoss;
import dev.lossconformance.loss.torch.CrossEntropy;
import dev.lossconformance.loss.torch.CtcLoss;
import dev.lossconformance.loss.torch.OtherLosses;
import dev.lossconformance.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The kind of the throw sites that no committed fixture reaches (those that one does are checked
 * against the engine's error by {@code EngineErrorsTest}), each as {@link ErrorKind} defines it.
 */
class ArgumentErrorKindsTest {

  private static LossArgumentException raises(ErrorKind kind, String fragment, Executable call) {
    LossArgumentException e = assertThrows(LossArgumentException.class, call);
    assertEquals(kind, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "\"" + e.getMessage() + "\" does not contain \"" + fragment + "\"");
    return e;
  }

  private static Tensor d(double[] v, int... shape) {
    return Tensor.ofDoubles(v, shape);
  }

  private static Tensor l(long[] v, int... shape) {
    return Tensor.ofLongs(v, shape);
  }

  private static final Tensor X23 = d(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, 2, 3);

  @Test
  void dtypes() {
    raises(ErrorKind.DTYPE, "input: expected a float32 or float64 tensor, got int64",
        () -> BinaryCrossEntropy.options().build().apply(l(new long[] {0, 1}, 2), d(new double[] {0, 1}, 2)));
    raises(ErrorKind.DTYPE, "target: expected an integer tensor of class indices, got float64",
        () -> CrossEntropy.options().build().apply(X23, d(new double[] {0, 1}, 2)));
    raises(ErrorKind.DTYPE, "so it holds class probabilities, which must be float32 or float64, got int64",
        () -> CrossEntropy.options().build().apply(X23, l(new long[6], 2, 3)));
    raises(ErrorKind.DTYPE, "gradInto: a float[] gradient needs a float32 input",
        () -> CrossEntropy.options().build().apply(X23, l(new long[] {0, 1}, 2), new float[6]));
    Tensor lp = d(new double[] {-1, -1}, 1, 1, 2);
    raises(ErrorKind.DTYPE, "input_lengths must be integral, got float64",
        () -> CtcLoss.options().build().apply(lp, l(new long[] {1}, 1, 1), d(new double[] {1}, 1), l(new long[] {1}, 1)));
  }

  @Test
  void torchShapes() {
    raises(ErrorKind.SHAPE_MISMATCH, "got a 0-d tensor",
        () -> CrossEntropy.options().build().apply(Tensor.scalar(dev.lossconformance.tensor.DType.FLOAT64, 1),
            l(new long[] {0}, 1)));
    raises(ErrorKind.SHAPE_MISMATCH, "gradInto: expected length 6",
        () -> CrossEntropy.options().build().apply(Tensor.ofFloats(new float[6], 2, 3), l(new long[] {0, 1}, 2),
            new float[5]));
    raises(ErrorKind.SHAPE_MISMATCH, "target: expected shape [2, 1] for input shape [2, 3, 1], got [2, 2]",
        () -> CrossEntropy.options().build().apply(d(new double[6], 2, 3, 1), l(new long[4], 2, 2)));
    raises(ErrorKind.SHAPE_MISMATCH, "weight: shape [2] does not broadcast to the input's shape [2, 3]",
        () -> BinaryCrossEntropy.options().weight(d(new double[] {1, 1}, 2)).build().apply(X23, X23));
    raises(ErrorKind.SHAPE_MISMATCH, "a 1D target expects 2D inputs of one shape",
        () -> CosineEmbeddingLoss.apply(X23, d(new double[3], 3), d(new double[] {1, 1}, 2), 0, "mean"));
    raises(ErrorKind.SHAPE_MISMATCH, "target: 3 targets for 2 pairs",
        () -> CosineEmbeddingLoss.apply(X23, X23, d(new double[] {1, 1, 1}, 3), 0, "mean"));
    LossArgumentException e = raises(ErrorKind.SHAPE_MISMATCH, "torch.nn.functional.l1_loss: target: the size of a",
        () -> OtherLosses.l1(X23, d(new double[4], 4), "mean"));
    assertTrue(e.getCause() instanceof LossArgumentException, "the broadcast failure is the cause");
  }

  @Test
  void torchCtcShapes() {
    Tensor lp = d(new double[] {-1, -1, -1, -1}, 2, 1, 2);
    Tensor one = l(new long[] {1}, 1);
    CtcLoss ctc = CtcLoss.options().build();
    raises(ErrorKind.SHAPE_MISMATCH, "log_probs: expected a (T, N, C) or (T, C) tensor, got shape [2]",
        () -> ctc.apply(d(new double[] {-1, -1}, 2), l(new long[] {1}, 1, 1), one, one));
    // T = 0: aten checks the lengths first (an input length of 1 is above T), then its narrow of the
    // first frame fails (PyTorch 2.7.1: "start (0) + length (1) exceeds dimension size (0)")
    Tensor zero = l(new long[] {0}, 1);
    raises(ErrorKind.INVALID_VALUE, "expected input_lengths to have value at most 0",
        () -> ctc.apply(d(new double[0], 0, 1, 2), l(new long[] {1}, 1, 1), one, one));
    raises(ErrorKind.SHAPE_MISMATCH, "log_probs has T = 0 frames",
        () -> ctc.apply(d(new double[0], 0, 1, 2), l(new long[] {1}, 1, 1), zero, zero));
    raises(ErrorKind.SHAPE_MISMATCH, "targets: expected a 1-D (concatenated) or 2-D (N, S) tensor",
        () -> ctc.apply(lp, l(new long[] {1}, 1, 1, 1), one, one));
    raises(ErrorKind.SHAPE_MISMATCH, "input_lengths must be of size batch_size (1), got 2 values",
        () -> ctc.apply(lp, l(new long[] {1}, 1, 1), l(new long[] {1, 1}, 2), one));
    raises(ErrorKind.SHAPE_MISMATCH, "target_lengths must be of size batch_size (1), got 2 values",
        () -> ctc.apply(lp, l(new long[] {1}, 1, 1), one, l(new long[] {1, 1}, 2)));
    raises(ErrorKind.SHAPE_MISMATCH, "targets: expected 1 rows (batch_size), got 2",
        () -> ctc.apply(lp, l(new long[] {1, 1}, 2, 1), one, one));
  }

  @Test
  void tfCtc() {
    Tensor logits = d(new double[] {0, 0, 0, 0, 0, 0}, 2, 1, 3);
    Tensor one = l(new long[] {1}, 1);
    raises(ErrorKind.SHAPE_MISMATCH, "labels: expected [1, S] dense labels with a [1] label_length",
        () -> TfCtcLoss.ctcLoss(l(new long[] {1}, 1), logits, one, one, 0, true));
    raises(ErrorKind.SHAPE_MISMATCH, "batch_size must not be 0",
        () -> TfCtcLoss.ctcLoss(l(new long[0], 0, 1), d(new double[0], 2, 0, 3), l(new long[0], 0), l(new long[0], 0),
            0, true));
    raises(ErrorKind.SHAPE_MISMATCH, "len(sequence_length) != batch_size",
        () -> TfCtcLoss.ctcLoss(l(new long[] {1}, 1, 1), logits, one, l(new long[] {1, 1}, 2), 0, true));
    raises(ErrorKind.INVALID_VALUE, "seq_len(0) < 0",
        () -> TfCtcLoss.ctcLoss(l(new long[] {1}, 1, 1), logits, one, l(new long[] {-1}, 1), 0, true));
    // blank 0: labels shift down by one, so label 3 (= C) becomes TF's blank C-1, the end of the
    // sequence, and label 1 after it raises
    raises(ErrorKind.INVALID_VALUE, "Saw a non-null label (index >= num_classes - 1) following a null label",
        () -> TfCtcLoss.ctcLoss(l(new long[] {3, 1}, 1, 2), logits, l(new long[] {2}, 1), l(new long[] {2}, 1), 0,
            true));
  }

  @Test
  void kerasAndTfNn() {
    KerasReduction.Mode mode = KerasReduction.Mode.SUM;
    Tensor scalar = Tensor.scalar(dev.lossconformance.tensor.DType.FLOAT32, 0.5);
    raises(ErrorKind.INVALID_VALUE, "reduction: \"avg\" is not a valid value", () -> KerasReduction.Mode.of("avg"));
    raises(ErrorKind.SHAPE_MISMATCH, "y_pred: expected classes on the last axis, got a 0-d tensor",
        () -> new SparseCategoricalCrossentropy(false, null, mode).apply(scalar, scalar, null));
    raises(ErrorKind.SHAPE_MISMATCH, "y_pred: expected at least 1 dimension, got a 0-d tensor",
        () -> new CategoricalCrossentropy(false, 0, -1, mode).apply(scalar, scalar, null));
    raises(ErrorKind.SHAPE_MISMATCH, "y_true: shape [2] must equal the shape of y_pred, [2, 3]",
        () -> new BinaryCrossentropy(false, 0, mode).apply(d(new double[2], 2), X23, null));
    raises(ErrorKind.SHAPE_MISMATCH, "sample_weight: shape [3] does not broadcast",
        () -> new BinaryCrossentropy(false, 0, mode).apply(X23, X23, d(new double[3], 3)));
    raises(ErrorKind.SHAPE_MISMATCH, "logits: a 0-d tensor has no class axis",
        () -> TfNn.sparseSoftmaxCrossEntropyWithLogits(l(new long[] {0}), scalar));
    raises(ErrorKind.SHAPE_MISMATCH, "labels: shape [3] must be the logits' shape without the last axis, [2]",
        () -> TfNn.sparseSoftmaxCrossEntropyWithLogits(l(new long[3], 3), X23));
  }

  @Test
  void reductionNamesAreInvalidValues() {
    raises(ErrorKind.INVALID_VALUE, "reduction: \"avg\"", () -> Reduction.fromTorchName("avg"));
    raises(ErrorKind.INVALID_VALUE, "reduction: \"null\" is not a valid value", () -> Reduction.fromTorchName(null));
    raises(ErrorKind.INVALID_VALUE, "reduction: \"avg\"", () -> OtherLosses.klDiv(X23, X23, "avg", false));
  }
}
