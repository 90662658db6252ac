package dev.lossconformance.check;

import dev.lossconformance.loss.ErrorKind;
import dev.lossconformance.loss.LossArgumentException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Whether Java refused an error case for the same reason as the engine: the engine's error text
 * (a fixture case's {@code error}, e.g. {@code "IndexError: Target 7 is out of bounds."}) is
 * classified into an {@link ErrorKind}, and Java's {@link LossArgumentException} carries one.
 *
 * <p>{@link #kindOf(String)} knows the messages of the committed fixtures and further PyTorch 2.7 and
 * TensorFlow 2.16 / Keras 3.3.3 argument errors of the same families (see {@link #RULES}). A message
 * it does not know has no kind ({@code null}): then any Java kind is accepted, and {@link
 * #accepted} says that the kind was not checked. A Java exception that carries no kind (an {@code
 * IllegalArgumentException} that is not a {@code LossArgumentException}) never answers an engine
 * error, known or not: every Java throw site has a kind, so a kind-less one is a bug.
 *
 * <p>For {@code Checker}, where Java raised an {@code IllegalArgumentException} on a case whose
 * engine raised:
 *
 * <pre>{@code
 * String why = EngineErrors.mismatch(c.error(), e);
 * if (why != null) -> FAILED, header(c) + ": " + why
 * else             -> PASSED, EngineErrors.accepted(c.error(), e)
 * }</pre>
 */
public final class EngineErrors {
  private EngineErrors() {}

  /** One known engine message family: a pattern found anywhere in the error text, and its kind. */
  record Rule(ErrorKind kind, Pattern pattern) {
    static Rule of(ErrorKind kind, String regex) {
      return new Rule(kind, Pattern.compile(regex));
    }
  }

  /**
   * The engine messages by kind; a message matches by {@link java.util.regex.Matcher#find()}, the
   * first matching rule gives its kind. The committed fixtures' messages each match rules of one kind
   * only ({@code EngineErrorsTest}). Sources: PyTorch's aten (LossNLL.cpp, Loss.cpp, LossCTC.cpp,
   * TensorUtils.cpp's checkSize, WrapDimUtils.h), torch/nn/functional.py and _reduction.py; TF's
   * xent_op.cc, sparse_xent_op.cc, ctc_loss_op.cc, ctc_loss_calculator.h, shape inference and
   * strided slice; Keras 3.3.3's losses and backend/tensorflow/nn.py.
   */
  static final List<Rule> RULES = List.of(
      // a class index / label outside [0, C)
      Rule.of(ErrorKind.INDEX_OUT_OF_RANGE, "Target -?\\d+ is out of bounds"),
      Rule.of(ErrorKind.INDEX_OUT_OF_RANGE, "Received a label value of -?\\d+ which is outside the valid range"),
      Rule.of(ErrorKind.INDEX_OUT_OF_RANGE, "All labels must be nonnegative integers"),
      Rule.of(ErrorKind.INDEX_OUT_OF_RANGE, "No label may be greater than num_classes"),
      Rule.of(ErrorKind.INDEX_OUT_OF_RANGE, "index -?\\d+ is out of bounds for dimension \\d+ with size \\d+"),
      Rule.of(ErrorKind.INDEX_OUT_OF_RANGE, "t >= 0 && t < n_classes"),

      // shapes, ranks, sizes, axes
      Rule.of(ErrorKind.SHAPE_MISMATCH, "Expected input batch_size \\(\\d+\\) to match target batch_size"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "The size of tensor a \\(\\d+\\) must match the size of tensor b"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "Index out of range using input dim -?\\d+; input has only \\d+ dims"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "Invalid reduction dimension"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "Incompatible shapes"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "must have the same shape"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "that is different to the input size"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "Target size \\(.*\\) must be the same as input size"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "0D or 1D target tensor expected"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "weight tensor should be defined either for all \\d+ classes or no classes"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "var is of incorrect size"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "Expected tensor to have size"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "Dimension out of range \\(expected to be in range of"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "must be of size batch_size"),
      // ctc_loss with T = 0: its log_alpha.narrow(1, 0, 1) (found by the differential sweep)
      Rule.of(ErrorKind.SHAPE_MISMATCH, "start \\(\\d+\\) \\+ length \\(\\d+\\) exceeds dimension size \\(\\d+\\)"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "only batches of spatial targets supported"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "Expected \\d+ or more dimensions"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "logits and labels must be broadcastable"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "logits and labels must have the same first dimension"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "Rank mismatch: Rank of labels"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "Logits cannot be scalars"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "Shape must be rank"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "Dimensions must be equal"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "is not a 3-Tensor"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "len\\(sequence_length\\) != batch_size"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "batch_size must not be 0"),
      Rule.of(ErrorKind.SHAPE_MISMATCH, "Max time or first dimension of input cannot be 0"),
      // TF's sparse_xent_op.cc on logits of shape [N, 0] (cross_entropy/index/empty_no_classes)
      Rule.of(ErrorKind.SHAPE_MISMATCH, "Must have at least one class"),

      // a value outside its domain
      Rule.of(ErrorKind.INVALID_VALUE, "all elements of (input|target) should be between 0 and 1"),
      Rule.of(ErrorKind.INVALID_VALUE, "label_smoothing must be between 0\\.0 and 1\\.0"),
      Rule.of(ErrorKind.INVALID_VALUE, "blank must be in label range"),
      Rule.of(ErrorKind.INVALID_VALUE, "Expected (input|target)_lengths to have value at (most|least)"),
      Rule.of(ErrorKind.INVALID_VALUE, "var has negative entry"),
      Rule.of(ErrorKind.INVALID_VALUE, "is not a valid value for reduction"),
      Rule.of(ErrorKind.INVALID_VALUE, "Invalid value for argument `reduction`"),
      Rule.of(ErrorKind.INVALID_VALUE, "Labels length is zero in batch"),
      Rule.of(ErrorKind.INVALID_VALUE, "Not enough time for target transition sequence"),
      Rule.of(ErrorKind.INVALID_VALUE, "sequence_length\\(\\d+\\) <= \\d+"),
      Rule.of(ErrorKind.INVALID_VALUE, "seq_len\\(\\d+\\) < 0"),
      Rule.of(ErrorKind.INVALID_VALUE, "Saw a non-null label \\(index >= num_classes - 1\\) following a null label"),

      // arguments refused together
      Rule.of(ErrorKind.UNSUPPORTED_ARGUMENT, "ignore_index is not supported for floating point target"),

      // dtypes
      Rule.of(ErrorKind.DTYPE, "expected scalar type \\w+ but found \\w+"),
      Rule.of(ErrorKind.DTYPE, "Expected object of scalar type"),
      Rule.of(ErrorKind.DTYPE, "gather\\(\\): Expected dtype int64 for index"),
      Rule.of(ErrorKind.DTYPE, "Found dtype \\w+ but expected \\w+"),
      Rule.of(ErrorKind.DTYPE, "Expected floating point type for target with class probabilities"),
      Rule.of(ErrorKind.DTYPE, "(input|target)_lengths must be integral"),
      Rule.of(ErrorKind.DTYPE, "not implemented for '\\w+'"),
      Rule.of(ErrorKind.DTYPE, "was expected to be a \\w+ tensor but is a \\w+ tensor"),
      Rule.of(ErrorKind.DTYPE, "is not in the list of allowed values"));

  /**
   * The kind of an engine's error text, or {@code null} when no rule knows it (any Java kind is then
   * accepted). {@code null} text has no kind either.
   */
  public static ErrorKind kindOf(String engineError) {
    if (engineError == null) {
      return null;
    }
    for (Rule r : RULES) {
      if (r.pattern.matcher(engineError).find()) {
        return r.kind;
      }
    }
    return null;
  }

  /** The kind a Java exception carries: a {@link LossArgumentException}'s, else {@code null}. */
  public static ErrorKind javaKind(Throwable javaError) {
    return javaError instanceof LossArgumentException e ? e.kind() : null;
  }

  /**
   * Why Java's exception does not answer the engine's error, in one line, or {@code null} when it
   * does: the kinds are equal, or the engine's message has no known kind and Java's exception has one.
   * A Java exception without a kind is always a mismatch.
   *
   * <p>{@code "the engine raised an index-out-of-range error (IndexError: Target 7 is out of bounds.)
   * but java raised a shape-mismatch error: torch.nn.functional.cross_entropy: target: expected input
   * batch_size (3) to match target batch_size (2)"}
   *
   * @param engineError the fixture case's {@code error} text
   * @param javaError what Java threw on the case
   */
  public static String mismatch(String engineError, RuntimeException javaError) {
    ErrorKind engine = kindOf(engineError);
    ErrorKind java = javaKind(javaError);
    if (java == null) {
      return "the engine raised " + (engine == null ? "an error" : engine.phrase()) + " (" + engineError
          + ") but java raised " + javaError.getClass().getName() + " without an error kind (every java error"
          + " should be a LossArgumentException): " + javaError.getMessage();
    }
    if (engine == null || engine == java) {
      return null;
    }
    return "the engine raised " + engine.phrase() + " (" + engineError + ") but java raised " + java.phrase()
        + ": " + javaError.getMessage();
  }

  /**
   * The one-line verdict for an error case that {@link #mismatch} accepted, starting {@code "raised as
   * the engine did: "} (which the report strips) followed by Java's message and the kind: {@code
   * "raised as the engine did: <java message> (an index-out-of-range error, as the engine's)"}, or,
   * when the engine's message has no known kind, {@code "raised as the engine did: <java message> (a
   * shape-mismatch error; not checked: the engine's error has no known kind)"}.
   */
  public static String accepted(String engineError, RuntimeException javaError) {
    ErrorKind engine = kindOf(engineError);
    ErrorKind java = javaKind(javaError);
    String kind = java == null ? "no error kind" : java.phrase();
    return "raised as the engine did: " + javaError.getMessage() + " (" + kind
        + (engine == null ? "; not checked: the engine's error has no known kind)" : ", as the engine's)");
  }
}
