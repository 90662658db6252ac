package dev.lossconformance.generator.engine;

import java.util.regex.Pattern;
import org.tensorflow.exceptions.TFFailedPreconditionException;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.exceptions.TFPermissionDeniedException;
import org.tensorflow.exceptions.TFResourceExhaustedException;
import org.tensorflow.exceptions.TFUnauthenticatedException;
import org.tensorflow.exceptions.TFUnimplementedException;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * Turns a TensorFlow status raised through TF Java into {@code "<PythonExceptionType>: <message>"},
 * the way TF Python names the same status, e.g. {@code InvalidArgumentError: Received a label value
 * of 7 which is outside the valid range of [0, 5).}
 *
 * <p>The type comes from the status code (TF Java raises one exception class per code it knows;
 * the Python class is {@code tf.errors.<Code>Error}). The message is the status message's first
 * line without what depends on the graph or the process rather than on the inputs: the eager {@code
 * {{function_node ...}}} prefix, {@code {{node NAME}}} references, the eager {@code [Op:...] name:}
 * suffix, and the echo of every label value that sparse_xent_op.cc appends ({@code "  Label values:
 * 7 1 ..."}), which repeats the input.
 */
final class TfErrors {

  private static final Pattern FUNCTION_NODE = Pattern.compile("^\\{\\{function_node [^}]*\\}\\}\\s*");
  private static final Pattern NODE_REF = Pattern.compile("\\s*\\[*\\{\\{node [^}]*\\}\\}\\]*");
  private static final Pattern OP_SUFFIX = Pattern.compile("\\s*\\[Op:[^\\]]*\\].*$");
  private static final Pattern LABEL_VALUES = Pattern.compile("\\s+Label values:.*$");

  private TfErrors() {}

  /**
   * Whether {@code e} is a TensorFlow status raised by TF Java: a TensorFlowException, or one of
   * the two status classes that extend a JDK exception instead (invalid argument,
   * unimplemented).
   */
  static boolean isStatus(RuntimeException e) {
    return e instanceof TensorFlowException || e instanceof TFInvalidArgumentException
        || e instanceof TFUnimplementedException;
  }

  /** The normalised text of a status for which {@link #isStatus} holds. */
  static String normalise(RuntimeException e) {
    return pythonType(e) + ": " + message(e.getMessage());
  }

  /**
   * {@code tf.errors} class of the status. TF Java 1.0.0-rc.1 has classes for seven codes only and
   * raises a plain TensorFlowException for the others (unknown, internal, not found, ...), losing the
   * code; those are reported as {@code TensorFlowError}.
   */
  static String pythonType(RuntimeException e) {
    if (e instanceof TFInvalidArgumentException) {
      return "InvalidArgumentError";
    }
    if (e instanceof TFFailedPreconditionException) {
      return "FailedPreconditionError";
    }
    if (e instanceof TFOutOfRangeException) {
      return "OutOfRangeError";
    }
    if (e instanceof TFUnimplementedException) {
      return "UnimplementedError";
    }
    if (e instanceof TFResourceExhaustedException) {
      return "ResourceExhaustedError";
    }
    if (e instanceof TFPermissionDeniedException) {
      return "PermissionDeniedError";
    }
    if (e instanceof TFUnauthenticatedException) {
      return "UnauthenticatedError";
    }
    return "TensorFlowError";
  }

  static String message(String raw) {
    if (raw == null || raw.isBlank()) {
      return "(no message)";
    }
    String line = raw.strip().lines().findFirst().orElse("").strip();
    line = FUNCTION_NODE.matcher(line).replaceFirst("");
    line = OP_SUFFIX.matcher(line).replaceFirst("");
    line = LABEL_VALUES.matcher(line).replaceFirst("");
    line = NODE_REF.matcher(line).replaceAll("");
    return line.strip();
  }
}
