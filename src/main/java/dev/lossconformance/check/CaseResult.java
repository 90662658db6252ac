package dev.lossconformance.check;

/**
 * The verdict on one fixture case.
 *
 * <p>Java in the comments below stands for the implementation under test.
 *
 * @param engine engine the golden came from
 * @param id case id
 * @param api the framework call
 * @param status the verdict
 * @param maxUlp largest ulp distance over all compared elements ({@code Long.MAX_VALUE} for a NaN or
 *     infinity mismatch; 0 when nothing numeric was compared)
 * @param maxAbsErr largest absolute difference over compared finite elements
 * @param diffs per-output distances (empty when nothing numeric was compared)
 * @param message the failure text, the unsupported reason, or for an error case the Java exception's
 *     message; {@code null} for a plain pass
 */
public record CaseResult(String engine, String id, String api, Status status, long maxUlp, double maxAbsErr,
    String message, java.util.List<OutputDiff> diffs) {

  /**
   * How far one output is from its golden.
   *
   * @param output output name
   * @param dtype its dtype
   * @param maxUlp largest ulp distance
   * @param maxAbs largest finite absolute difference
   * @param scaledBeyondUlps over the elements beyond the ulp allowance, the largest absolute error in
   *     ulps of the tensor's largest magnitude (0 when none is beyond)
   */
  public record OutputDiff(String output, dev.lossconformance.tensor.DType dtype, long maxUlp, double maxAbs,
      double scaledBeyondUlps) {}

  /** This verdict with another status and message (the deviation of a failure). */
  public CaseResult with(Status newStatus, String newMessage) {
    return new CaseResult(engine, id, api, newStatus, maxUlp, maxAbsErr, newMessage, diffs);
  }

  /** What happened to a case. */
  public enum Status {
    /** Java matched the golden (or raised where the engine raised). */
    PASSED,
    /** Java differs beyond tolerance, or raised where the engine did not, or the reverse. */
    FAILED,
    /**
     * The implementation fails the case, and a known-deviations file lists it with a reason
     * ({@link Deviations}): reported with the reason, not counted as a failure.
     */
    DEVIATION,
    /** Java does not implement the api, a parameter or an output the case needs. */
    UNSUPPORTED,
    /** The engine itself cannot express the case; the fixture says why. */
    SKIPPED,
    /**
     * The case cannot be run as written (a required input is missing, a param has the wrong JSON
     * type): a malformed fixture. The message starts with the JSON path inside the case object
     * ({@code params.ignore_index: ...}).
     */
    ERROR;

    public String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
