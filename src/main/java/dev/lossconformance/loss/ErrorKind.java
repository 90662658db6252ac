package dev.lossconformance.loss;

/**
 * What kind of argument error a kernel raised, so that a conformance check can tell whether Java
 * refused a case for the same reason as the framework did: a PyTorch {@code IndexError: Target 7 is
 * out of bounds.} is matched only by {@link #INDEX_OUT_OF_RANGE}, not by a Java complaint about a
 * batch size. Every {@link LossArgumentException} carries one.
 */
public enum ErrorKind {
  /**
   * A class index or label outside {@code [0, C)}: a target, label or {@code y_true} entry that is
   * negative or not less than the number of classes (and is not ignore_index / ignore_class). PyTorch
   * {@code IndexError: Target 7 is out of bounds.}, TF {@code Received a label value of 7 which is
   * outside the valid range of [0, 5).}, TF CTC {@code All labels must be nonnegative integers}.
   */
  INDEX_OUT_OF_RANGE("an index-out-of-range error"),

  /**
   * A tensor shape the call refuses: sizes, ranks or batch sizes that do not match each other or the
   * API's layout, a weight or var of the wrong size, a tensor that does not broadcast, an axis out of
   * range for the tensor's rank (also a 0-d tensor where an axis is reduced), lengths vectors not of
   * batch size, targets holding fewer labels than the target lengths say. PyTorch {@code Expected
   * input batch_size (3) to match target batch_size (2).}, {@code The size of tensor a (3) must match
   * the size of tensor b (4) ...}, {@code Expected tensor to have size at least ... at dimension 1};
   * TF {@code Incompatible shapes}, {@code Index out of range using input dim 2; input has only 2
   * dims}, {@code Invalid reduction dimension (-1 for input with 0 dimension(s)}.
   */
  SHAPE_MISMATCH("a shape-mismatch error"),

  /**
   * A value outside its domain: probabilities not in {@code [0, 1]} (NaN included), a negative var,
   * {@code label_smoothing} above 1, a blank outside the class range, a length that is negative, zero
   * where TF needs labels, longer than the input or needing more frames than it has, an unknown
   * reduction name, a CTC label after TF's end-of-sequence label. PyTorch {@code all elements of input
   * should be between 0 and 1}, {@code blank must be in label range}, {@code Expected input_lengths to
   * have value at most 6 ...}; TF {@code Not enough time for target transition sequence}, {@code
   * Labels length is zero in batch 0}, {@code sequence_length(1) <= 6}.
   */
  INVALID_VALUE("an invalid-value error"),

  /**
   * Arguments that are valid one by one but that the framework refuses together, such as PyTorch's
   * {@code ignore_index is not supported for floating point target} (a non-negative ignore_index
   * with probability targets).
   */
  UNSUPPORTED_ARGUMENT("an unsupported-argument error"),

  /**
   * A tensor of a dtype the call refuses: an integer input where floating values are needed, floating
   * class indices or lengths. PyTorch {@code expected scalar type Long but found Float}, {@code
   * input_lengths must be integral}; TF {@code ... was expected to be a int64 tensor but is a float
   * tensor}.
   */
  DTYPE("a dtype error");

  private final String phrase;

  ErrorKind(String phrase) {
    this.phrase = phrase;
  }

  /** The kind as a noun phrase for messages: {@code "an index-out-of-range error"}. */
  public String phrase() {
    return phrase;
  }
}
