package dev.lossconformance.benchmarks;

import java.util.function.Function;

/**
 * One configuration of a loss a user runs (a row of the report's "Every configuration" tables): its
 * id (the value of a configuration benchmark's {@code config} parameter), its family (the report groups
 * by it), what is called on each engine, the reference engine its target is measured against, the bytes
 * of the outputs the Java call returns (the allocation target), and its workload per engine.
 *
 * <p>An id ends in its dtype, {@code .f32} or {@code .f64} ({@link #dtype}).
 *
 * @param id e.g. {@code cross_entropy.label_smoothing.f32}
 * @param family e.g. {@code cross_entropy}
 * @param description markdown: the Java call and the engine's call
 * @param reference {@link BenchmarkSettings#PYTORCH} or {@link BenchmarkSettings#TENSORFLOW}
 * @param outputBytes the bytes of the loss and gradient arrays the Java call returns: the loss and the
 *     gradients the engine's timed call computes (with respect to the prediction; for
 *     cosine_embedding_loss both inputs), which is what the Java call returns once it computes only
 *     the gradients asked for
 * @param workload the workload on an engine ({@code java} or the reference)
 */
record Configuration(String id, String family, String description, String reference, long outputBytes,
    Function<String, Workload> workload) {

  /** The family whose target is 1.5× rather than 2× (issue 14: CTC at least 1.5× faster than PyTorch). */
  static final String CTC_FAMILY = "ctc_loss";

  /** {@code float64} for an id ending in {@code .f64}, {@code float32} for one in {@code .f32}, else {@code ?}. */
  String dtype() {
    return id.endsWith(".f64") ? "float64" : id.endsWith(".f32") ? "float32" : "?";
  }

  /**
   * The least reference/Java ratio of medians issue 14 asks for: 1.5 for CTC against PyTorch, 2 for
   * every other configuration.
   */
  double speedTarget() {
    return family.equals(CTC_FAMILY) && reference.equals(BenchmarkSettings.PYTORCH) ? 1.5 : 2.0;
  }

  /**
   * How far (relative) the reference engine's loss may be from Java's before {@link EngineCheck}
   * fails: means of 4 M terms summed in different orders, 1e-4 in float32, 1e-9 in float64 (an id
   * that names no dtype gets float32's).
   */
  double lossTolerance() {
    // Keras 3.3.3 casts y_true and y_pred to float32 (Loss.__call__), so a Keras row of float64 inputs
    // computes in float32 on both engines
    return dtype().equals("float64") && !family.startsWith("keras.") ? 1e-9 : 1e-4;
  }
}
