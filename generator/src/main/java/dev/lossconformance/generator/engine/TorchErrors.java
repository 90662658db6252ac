package dev.lossconformance.generator.engine;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns what DJL reports for a failed TorchScript call into {@code "<PythonExceptionType>: <first
 * line of the message>"}, the way the same call fails in Python, e.g. {@code IndexError: Target 7 is
 * out of bounds.}
 *
 * <p>DJL hands over only the text of the C++ exception. When an op fails inside the TorchScript
 * interpreter, that text is
 *
 * <pre>
 * The following operation failed in the TorchScript interpreter.
 * Traceback of TorchScript (most recent call last):
 *   File "code/__torch__.py", line 8, in forward
 *     ...
 * RuntimeError: Target 7 is out of bounds.
 * </pre>
 *
 * The interpreter (torch/csrc/jit/runtime/interpreter.cpp, {@code handleError}) names the class
 * only for exceptions the script raises itself ({@code builtins.ValueError}); every aten error is
 * labelled {@code RuntimeError}, so the typed c10 errors that Python would surface as {@code
 * IndexError}, {@code ValueError} or {@code NotImplementedError} lose their type on the way. {@link
 * #TYPED_ATEN_ERRORS} restores it for the messages of the kernels this generator calls, from the
 * macro that raises each one.
 */
final class TorchErrors {

  private static final String INTERPRETER_HEADER = "The following operation failed in the TorchScript interpreter.";

  /** {@code Class: message}, with an optional {@code builtins.} prefix on the class. */
  private static final Pattern TYPED_LINE =
      Pattern.compile("^(?:builtins\\.)?([A-Za-z_][A-Za-z0-9_]*(?:Error|Exception|Warning)): ?(.*)$");

  private record Typed(Pattern message, String pythonType) {}

  /**
   * aten messages raised by typed checks, which Python reports under their own type. Sources
   * (PyTorch 2.7): aten/src/ATen/native/LossNLL.cpp and LossNLL2d.cpp ({@code TORCH_CHECK_INDEX} on
   * the target, {@code TORCH_CHECK_VALUE} in {@code nll_loss_nd_symint}); the {@code AT_DISPATCH_*}
   * macros ({@code TORCH_CHECK_NOT_IMPLEMENTED}) for an unsupported dtype.
   */
  private static final List<Typed> TYPED_ATEN_ERRORS =
      List.of(
          new Typed(Pattern.compile("^Target -?\\d+ is out of bounds\\.$"), "IndexError"),
          new Typed(Pattern.compile("^Expected 1 or more dimensions \\(got -?\\d+\\)$"), "ValueError"),
          new Typed(
              Pattern.compile("^Expected input batch_size \\(\\d+\\) to match target batch_size \\(\\d+\\)\\.$"),
              "ValueError"),
          new Typed(Pattern.compile("^\"[A-Za-z0-9_]+\" not implemented for '[A-Za-z0-9_]+'$"), "NotImplementedError"));

  private TorchErrors() {}

  /** The normalised {@code "<Type>: <message>"} for the text of a DJL {@code EngineException}. */
  static String normalise(String raw) {
    if (raw == null || raw.isBlank()) {
      return "RuntimeError: (no message)";
    }
    String type = "RuntimeError";
    String message = null;
    List<String> lines = raw.lines().toList();
    if (lines.get(0).strip().equals(INTERPRETER_HEADER)) {
      // skip the header, "Traceback of TorchScript ...", and the indented frames; the first line
      // left is "Class: message"
      for (String line : lines.subList(1, lines.size())) {
        if (line.isBlank() || line.startsWith(" ") || line.startsWith("\t") || line.startsWith("Traceback of TorchScript")) {
          continue;
        }
        var m = TYPED_LINE.matcher(line.strip());
        if (m.matches()) {
          type = m.group(1);
          message = m.group(2);
        } else {
          message = line.strip();
        }
        break;
      }
    }
    if (message == null) {
      // not from the interpreter: c10's what_without_backtrace(), or DJL's own text
      message = lines.get(0).strip();
    }
    if (type.equals("RuntimeError")) {
      for (Typed t : TYPED_ATEN_ERRORS) {
        if (t.message().matcher(message).matches()) {
          type = t.pythonType();
          break;
        }
      }
    }
    return type + ": " + message;
  }
}
