package dev.lossconformance.generator.runtime;

import ai.djl.engine.Engine;
import java.util.Objects;

/**
 * Loads DJL's PyTorch and TensorFlow engines offline, from the natives on the classpath (see
 * /work/shared/ENGINES.md): the one place that sets DJL's system properties.
 *
 * <p>DJL reads its settings once, when an engine first loads, and keeps the engine for the JVM's
 * lifetime. So the first {@link #pytorch} call of a JVM fixes PyTorch's threads and graph optimizer;
 * a later call asking for other settings fails instead of silently running with the first ones.
 */
public final class DjlEngines {

  /**
   * PyTorch's settings: intra-op threads ({@code ai.djl.pytorch.num_threads}), one inter-op thread,
   * and whether TorchScript's graph executor optimizes (profiling runs, specialisation, fusion;
   * {@code ai.djl.pytorch.graph_optimizer}, on by default in DJL).
   */
  public record TorchSettings(int intraOpThreads, boolean graphOptimizer) {
    /**
     * One thread and no graph optimizer: every module runs as written, so the first run of a cached
     * module computes what later ones do. What the goldens are made with.
     */
    public static final TorchSettings DETERMINISTIC = new TorchSettings(1, false);

    public TorchSettings {
      if (intraOpThreads < 1) {
        throw new IllegalArgumentException("intraOpThreads " + intraOpThreads + " < 1");
      }
    }
  }

  private static final String TF_JAVA_POM = "META-INF/maven/org.tensorflow/tensorflow-core-api/pom.properties";

  private static TorchSettings torchLoadedWith;

  private DjlEngines() {}

  /**
   * The PyTorch engine (2.7.1 here), loaded with {@code settings} on the first call; later calls
   * must ask for the same settings.
   *
   * @throws IllegalStateException when the engine was already loaded with other settings
   */
  public static synchronized Engine pytorch(TorchSettings settings) {
    Objects.requireNonNull(settings, "settings");
    if (torchLoadedWith != null) {
      if (!torchLoadedWith.equals(settings)) {
        throw new IllegalStateException("PyTorch is already loaded with " + torchLoadedWith
            + " in this JVM; DJL reads its settings once, so " + settings + " cannot apply");
      }
      return Engine.getEngine("PyTorch");
    }
    // read by DJL when the engine loads, so they must be set before Engine.getEngine
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(settings.intraOpThreads()));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    System.setProperty("ai.djl.pytorch.graph_optimizer", String.valueOf(settings.graphOptimizer()));
    Engine engine = Engine.getEngine("PyTorch");
    torchLoadedWith = settings;
    return engine;
  }

  /**
   * The TensorFlow engine (2.16.1 here): TF Java's natives extracted from the classpath once into
   * {@code ~/.cache/loss-conformance/} ({@code TENSORFLOW_LIBRARY_PATH}, unless already set), then
   * DJL's engine loaded, which loads them. Threads are per session: see {@link TfGraph}.
   */
  public static synchronized Engine tensorflow() {
    System.setProperty("ai.djl.offline", "true");
    TensorFlowNatives.install(); // sets TENSORFLOW_LIBRARY_PATH, which DJL reads when the engine loads
    return Engine.getEngine("TensorFlow"); // loads libjnitensorflow and the TensorFlow libraries next to it
  }

  /** The version of TF Java's API on the classpath (e.g. {@code 1.0.0-rc.1}), or {@code unknown}. */
  public static String tensorFlowJavaVersion() {
    return PomVersion.of(TF_JAVA_POM);
  }
}
