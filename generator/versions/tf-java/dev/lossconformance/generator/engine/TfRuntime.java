package dev.lossconformance.generator.engine;

import dev.lossconformance.generator.runtime.PomVersion;
import java.nio.file.Path;
import org.tensorflow.TensorFlow;

/**
 * The version builds' replacement of {@code src/main/java/.../engine/TfRuntime.java} (generator/drift,
 * profile {@code drift-tf}): TensorFlow through a TF Java release alone, without DJL. TF Java loads its
 * own natives from the classpath through JavaCPP, which extracts them once into {@code
 * ~/.cache/loss-conformance/javacpp/} (unless {@code org.bytedeco.javacpp.cachedir} is set); nothing is
 * downloaded.
 */
final class TfRuntime {
  private static final String TF_JAVA_POM = "META-INF/maven/org.tensorflow/tensorflow-core-api/pom.properties";

  private TfRuntime() {}

  static synchronized void load() {
    if (System.getProperty("org.bytedeco.javacpp.cachedir") == null) {
      System.setProperty("org.bytedeco.javacpp.cachedir",
          Path.of(System.getProperty("user.home"), ".cache", "loss-conformance", "javacpp").toString());
    }
    TensorFlow.version(); // loads libtensorflow through JavaCPP
  }

  static String tensorFlowJavaVersion() {
    return PomVersion.of(TF_JAVA_POM);
  }

  static String via() {
    return "without DJL (TF Java's own natives)";
  }
}
