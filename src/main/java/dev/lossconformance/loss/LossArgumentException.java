package dev.lossconformance.loss;

import java.util.Objects;

/**
 * What every kernel in {@code dev.lossconformance.loss} throws where the framework it follows raises
 * on its arguments: an {@link IllegalArgumentException} with a {@link #kind() kind} and a message
 * that names the API, the argument, the position and the value ({@code
 * torch.nn.functional.cross_entropy: target: element [1] = 7 is out of bounds for 3 classes [0, 3)
 * ...}). A conformance check compares the kind with the kind of the engine's error.
 *
 * <p>No other {@code IllegalArgumentException} leaves a kernel of this package, and no {@code
 * ArithmeticException}: int64 values (class indices, ignore_index, CTC lengths and labels, blank,
 * axis) are compared as {@code long}s, and a value that does not fit where it must is refused with a
 * kind.
 */
public class LossArgumentException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;

  public LossArgumentException(ErrorKind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind must not be null");
  }

  public LossArgumentException(ErrorKind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind must not be null");
  }

  /** Why the arguments were refused. */
  public ErrorKind kind() {
    return kind;
  }
}
