package dev.lossconformance.loss;

import java.util.Objects;

/**
 * What every kernel in {@code dev.lossconformance.loss} throws where the framework it follows raises
 * on its arguments: an {@link IllegalArgumentException} with a {@link #kind() kind} and a message
 * that names the API, the argument, the position and the value ({@code
 * torch.nn.functional.cross_entropy: target: element [1] = 7 is out of bounds for 3 classes [0, 3)
 * ...}). A conformance check compares the kind with the kind of the engine's error.
 *
 * <p>The error contract of the package's public API, in one place:
 *
 * <ul>
 *   <li>An argument the framework would refuse: {@code LossArgumentException} with its kind. No other
 *       {@code IllegalArgumentException} leaves a kernel, and no {@code ArithmeticException}: int64
 *       values (class indices, ignore_index, CTC lengths and labels, blank, axis) are compared as
 *       {@code long}s, and a value that does not fit where it must is refused with a kind.
 *   <li>A {@code null} where an object is required, at any public constructor or method of {@code
 *       loss.torch}, {@code loss.keras} and {@code loss.tf}: {@link NullPointerException} whose
 *       message names the Java parameter, {@code "torch.nn.functional.ctc_loss: logProbs must not be
 *       null"} (see {@link Shapes#nonNull(String, String, Object)}), thrown before anything is
 *       computed. A null argument is a programming error, never an engine's argument error, so it is
 *       not an {@code IllegalArgumentException} and a conformance check reports it as a crash. Where
 *       {@code null} means "none" it is documented at the parameter: the {@code weight(...)} and
 *       {@code posWeight(...)} options of the PyTorch builders, Keras' {@code sampleWeight} and
 *       {@code ignoreClass}, {@code KerasReduction.reduce}'s {@code valid} and {@code sampleWeight};
 *       and the two parsers of a framework's reduction string take it as the framework's {@code None}:
 *       {@link Reduction#fromTorchName} refuses it as {@link ErrorKind#INVALID_VALUE} (PyTorch raises
 *       for {@code reduction=None}), {@code KerasReduction.Mode.of} returns {@code NONE} (Keras' no
 *       reduction). The result records ({@code LossAndGrad}, {@code CtcLoss.Result}, ...) are plain
 *       carriers, and the helpers of this package ({@code Shapes}, {@code Fibers}, {@code
 *       Elementwise}, {@code Precision}) expect checked arguments.
 * </ul>
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
