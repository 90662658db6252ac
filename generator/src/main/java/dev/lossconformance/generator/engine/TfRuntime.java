package dev.lossconformance.generator.engine;

import ai.djl.engine.Engine;
import dev.lossconformance.generator.runtime.DjlEngines;

/**
 * How {@link TensorFlowBackend} loads TensorFlow, in the primary build: through DJL's TensorFlow engine
 * ({@link DjlEngines#tensorflow}). The version builds of {@code generator/drift} that run TF Java
 * releases without DJL replace this class with {@code generator/versions/tf-java/.../TfRuntime.java}.
 */
final class TfRuntime {
  private TfRuntime() {}

  /** Loads the TensorFlow natives and engine (once per JVM). */
  static void load() {
    DjlEngines.tensorflow();
  }

  /** The version of TF Java's API on the classpath. */
  static String tensorFlowJavaVersion() {
    return DjlEngines.tensorFlowJavaVersion();
  }

  /** How TF is reached, for the fixtures' source line: {@code via DJL 0.36.0}. */
  static String via() {
    return "via DJL " + Engine.getDjlVersion();
  }
}
