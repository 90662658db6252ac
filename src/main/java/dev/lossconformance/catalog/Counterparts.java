package dev.lossconformance.catalog;

import dev.lossconformance.catalog.tensorflow.TfDivergences;
import dev.lossconformance.engine.TensorFlowEngine;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Per counterpart engine, the catalog's prediction of why its call disagrees with the reference
 * call (the rules that make the calls are the engine's own, e.g.
 * {@link dev.lossconformance.catalog.tensorflow.TensorFlowCounterparts}, named by each case class).
 */
public final class Counterparts {
  private static final Map<String, BiFunction<Call, Call, String>> PREDICTED =
      Map.of(TensorFlowEngine.ID, TfDivergences::predicted);

  private Counterparts() {}

  /**
   * Why {@code engine}'s {@code counterpart} of the {@code reference} call is expected to disagree,
   * or {@code null} when they should agree (or the engine predicts nothing).
   */
  public static String predictedDivergence(String engine, Call reference, Call counterpart) {
    BiFunction<Call, Call, String> p = PREDICTED.get(engine);
    return p == null ? null : p.apply(reference, counterpart);
  }
}
