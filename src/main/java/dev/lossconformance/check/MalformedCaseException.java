package dev.lossconformance.check;

/**
 * A case that cannot be run as written: a required tensor input missing, a param of the wrong JSON
 * type. The fixture file is malformed, so {@code check} exits 2 and names file, case and JSON path.
 */
public final class MalformedCaseException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String where;

  /**
   * @param where the JSON path inside the case object, e.g. {@code params.ignore_index} or
   *     {@code inputs.target}
   * @param message what is wrong
   */
  public MalformedCaseException(String where, String message) {
    super(message);
    this.where = where;
  }

  /** The JSON path inside the case object ({@code params.ignore_index}). */
  public String where() {
    return where;
  }
}
