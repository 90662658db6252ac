package dev.lossconformance.check;

/** A case that cannot be run as written, such as one missing a required tensor input. */
public final class MalformedCaseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MalformedCaseException(String message) {
    super(message);
  }
}
