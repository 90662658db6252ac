package dev.lossconformance.check;

/** The Java side does not implement what a case asks for (an API, a parameter, an output). */
public final class UnsupportedCaseException extends dev.lossconformance.impl.UnsupportedCallException {
  private static final long serialVersionUID = 1L;

  public UnsupportedCaseException(String message) {
    super(message);
  }
}
