package dev.lossconformance.catalog.tensorflow;

import dev.lossconformance.catalog.Call;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;

/**
 * TensorFlow counterparts, job 3 of 4: the expected errors. The key phrase of the error TF raises on
 * a counterpart call's arguments, predicted from the arguments alone, or {@code null}.
 */
final class TfExpectedErrors {
  private TfExpectedErrors() {}

  /** The call must raise; any message (used where TF's text is not the point of the case). */
  static final String ANY_ERROR = "";

  /** What TF raises when a Keras loss reduces the last axis of a 0-d tensor. */
  static final String RANK0_ERROR = "Invalid reduction dimension";

  /** What TF raises for a class index outside [0, C) on CPU (T-16). */
  static final String LABEL_RANGE_ERROR = "outside the valid range";

  /** What TF's CTCLoss kernel raises for a label sequence longer than its input (T-17). */
  static final String CTC_TIME_ERROR = "Not enough time for target transition sequence";

  /** What TF's CTCLoss kernel raises for a batch item without labels. */
  static final String CTC_EMPTY_LABELS_ERROR = "Labels length is zero in batch";

  /** What TF raises when the blank-moving slices {@code logits[:, :, :b]} meet rank-2 logits. */
  static final String CTC_RANK_ERROR = "input has only 2 dims";

  /**
   * A Keras last-axis loss (KLDivergence, MeanAbsoluteError) on these shapes: {@link #RANK0_ERROR} when
   * {@code squeeze_or_expand_to_same_rank} (a [1] y_pred beside a 0-d y_true becomes 0-d) and the
   * broadcast leave no last axis, any error when they do not broadcast, else {@code null}.
   */
  static String lastAxisError(Tensor yTrue, Tensor yPred) {
    int[][] same = dev.lossconformance.loss.keras.KerasReduction.squeezeOrExpandToSameRank(yTrue.shape(), yPred.shape());
    try {
      return dev.lossconformance.loss.Shapes.broadcastShape(same[0], same[1]).length == 0 ? RANK0_ERROR : null;
    } catch (IllegalArgumentException e) {
      return ANY_ERROR;
    }
  }

  /**
   * Keras SparseCategoricalCrossentropy's shape checks, as it forms the shapes: squeeze_or_expand_to_same_rank;
   * with {@code ignore_class}, {@code y_pred * expand_dims(mask, -1)} broadcasts y_pred; nn.py squeezes a
   * trailing 1 of y_true of y_pred's rank and requires y_pred's shape without its last axis; the kernel
   * needs a class. Any error, or {@code null}.
   */
  static String sparseShapeError(Tensor yTrue, Tensor yPred, boolean ignoreClass) {
    int[][] same = dev.lossconformance.loss.keras.KerasReduction.squeezeOrExpandToSameRank(yTrue.shape(), yPred.shape());
    int[] t = same[0];
    int[] p = same[1];
    if (ignoreClass) {
      int[] mask = Arrays.copyOf(t, t.length + 1);
      mask[t.length] = 1;
      try {
        p = dev.lossconformance.loss.Shapes.broadcastShape(p, mask);
      } catch (IllegalArgumentException e) {
        return ANY_ERROR;
      }
    }
    if (t.length == p.length && t.length > 0 && t[t.length - 1] == 1) {
      t = Arrays.copyOf(t, t.length - 1);
    }
    if (p.length == 0 || !Arrays.equals(t, Arrays.copyOf(p, p.length - 1)) || p[p.length - 1] == 0) {
      return ANY_ERROR;
    }
    return null;
  }

  /** Keras BCE raises on a 0-d input (its last-axis mean has no axis) and on mismatched shapes. */
  static String bceError(Call t) {
    Tensor x = t.input("input");
    if (!Arrays.equals(x.shape(), t.input("target").shape())) {
      return ANY_ERROR;
    }
    return x.rank() == 0 ? RANK0_ERROR : null;
  }

  /**
   * The key phrase of the error TF raises on these arguments, in the order it checks them, or
   * {@code null}: the blank-moving slices need rank 3; CTCLoss then checks each batch item for an
   * empty label sequence and for more labels than frames (it counts labels, not the blanks that
   * repeated labels need).
   */
  static String ctcError(Tensor logits, Tensor labels, Tensor labelLength, Tensor logitLength, long blank) {
    if (logits.rank() != 3) {
      return CTC_RANK_ERROR;
    }
    // CTCLossOp's shape checks (ctc_loss_op.cc), before any label is read (found by the sweep)
    if (logits.size(0) == 0) {
      return "Max time or first dimension of input cannot be 0";
    }
    if (logits.size(1) == 0) {
      return "batch_size must not be 0";
    }
    for (int b = 0; b < logitLength.numel(); b++) {
      if (logitLength.getLong(b) > logits.size(0)) {
        return "sequence_length(" + b + ") <= " + logits.size(0);
      }
    }
    // ctc_loss_v3 moves a blank other than C - 1 last and maps labels >= blank to label - 1: a target
    // label equal to blank 0 becomes -1, which CTCLoss refuses
    if (blank == 0) {
      for (int b = 0; b < labelLength.numel() && labels.rank() == 2; b++) {
        for (long i = 0; i < labelLength.getLong(b) && i < labels.size(1); i++) {
          if (labels.getLong((int) (b * labels.size(1) + i)) == 0) {
            return "All labels must be nonnegative integers";
          }
        }
      }
    }
    for (int b = 0; b < labelLength.numel(); b++) {
      if (labelLength.getLong(b) == 0) {
        return CTC_EMPTY_LABELS_ERROR;
      }
      if (labelLength.getLong(b) > logitLength.getLong(b)) {
        return CTC_TIME_ERROR;
      }
    }
    return null;
  }

  /** True when some element of {@code t} other than {@code ignore} is outside [0, classes). */
  static boolean outOfRange(Tensor t, long ignore, int classes) {
    for (int i = 0; i < t.numel(); i++) {
      long v = t.getLong(i);
      if (v != ignore && (v < 0 || v >= classes)) {
        return true;
      }
    }
    return false;
  }
}
