package dev.lossconformance.impl;

/**
 * Thrown by {@link LossImplementation#run} for a call that needs something the implementation does
 * not have (an api, a param value, an output): the case is counted as unsupported with this message
 * as its reason, as when {@link LossImplementation#unsupported} says so beforehand.
 */
public class UnsupportedCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnsupportedCallException(String reason) {
    super(reason);
  }
}
