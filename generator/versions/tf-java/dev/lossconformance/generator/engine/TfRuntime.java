package dev.lossconformance.generator.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Properties;
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
    try (InputStream in = TfRuntime.class.getClassLoader().getResourceAsStream(TF_JAVA_POM)) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String via() {
    return "without DJL (TF Java's own natives)";
  }
}
