package dev.lossconformance.loss;

import java.util.Locale;

/** How per-element losses become the returned value, as PyTorch names it. */
public enum Reduction {
  /** Per-element losses, unreduced. */
  NONE,
  /** Their mean; what "mean" divides by is each loss's own rule (see the kernel's Javadoc). */
  MEAN,
  /** Their sum. */
  SUM;

  /**
   * {@code "none"}, {@code "mean"} or {@code "sum"}; anything else, {@code null} (PyTorch's {@code
   * None}) included, is refused as {@link ErrorKind#INVALID_VALUE}, naming the value.
   */
  public static Reduction fromTorchName(String name) {
    if (name != null) {
      switch (name) {
        case "none":
          return NONE;
        case "mean":
          return MEAN;
        case "sum":
          return SUM;
        default:
          break;
      }
    }
    throw new LossArgumentException(ErrorKind.INVALID_VALUE,
        "reduction: \"" + name + "\" is not a valid value; expected \"none\", \"mean\" or \"sum\"");
  }

  public String torchName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
