package dev.lossconformance.generator.runtime;

import dev.lossconformance.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Makes TensorFlow's native libraries loadable by DJL without any download: the three shared
 * objects inside TF Java's {@code org.tensorflow:tensorflow-core-native:<version>:linux-x86_64} jar
 * (TensorFlow 2.16.1 for 1.0.0-rc.1) are copied once into a cache folder outside the repository,
 * {@code ${user.home}/.cache/loss-conformance/tensorflow-core-native-<version>-linux-x86_64/}, and
 * DJL is pointed at it through {@code TENSORFLOW_LIBRARY_PATH} (DJL 0.36 reads the environment
 * variable or the system property). DJL's own {@code ai.djl.tensorflow:tensorflow-native-cpu} is not
 * used: its newest release is TensorFlow 2.10.1 built for CUDA, which DJL rejects and then tries to
 * download.
 *
 * <p>A file in the cache is reused when its size equals the jar entry's; otherwise it is copied to a
 * temporary name in the same folder and renamed into place, so a run killed half-way leaves no
 * half-written library under the real name.
 */
final class TensorFlowNatives {

  /** Where the natives jar keeps the libraries. */
  private static final String RESOURCE_DIR = "org/tensorflow/internal/c_api/linux-x86_64/";

  /** DJL loads the JNI library by name; the other two are its dependencies, found next to it. */
  private static final List<String> LIBRARIES =
      List.of("libjnitensorflow.so", "libtensorflow_framework.so.2", "libtensorflow_cc.so.2");

  private static final String NATIVES_POM =
      "META-INF/maven/org.tensorflow/tensorflow-core-native/pom.properties";

  static final String LIBRARY_PATH_PROPERTY = "TENSORFLOW_LIBRARY_PATH";

  private TensorFlowNatives() {}

  /**
   * Sets {@code TENSORFLOW_LIBRARY_PATH} to the cache folder, extracting what is missing; an
   * explicit setting (environment variable or system property) is left alone.
   *
   * @return the folder DJL will load from
   */
  static Path install() {
    String preset = System.getProperty(LIBRARY_PATH_PROPERTY, System.getenv(LIBRARY_PATH_PROPERTY));
    if (preset != null && !preset.isBlank()) {
      return Path.of(preset);
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new IllegalStateException("the TensorFlow natives on the classpath are for linux-x86_64; this is "
          + os + "/" + arch + "; set " + LIBRARY_PATH_PROPERTY + " to a folder holding libjnitensorflow.so");
    }
    Path dir = Path.of(System.getProperty("user.home"), ".cache", "loss-conformance",
        "tensorflow-core-native-" + nativesVersion() + "-linux-x86_64");
    try {
      Files.createDirectories(dir);
      for (String lib : LIBRARIES) {
        extract(RESOURCE_DIR + lib, dir.resolve(lib));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract the TensorFlow natives into " + dir, e);
    }
    System.setProperty(LIBRARY_PATH_PROPERTY, dir.toString());
    return dir;
  }

  /** The version of the natives jar on the classpath, e.g. {@code 1.0.0-rc.1}. */
  static String nativesVersion() {
    return PomVersion.of(NATIVES_POM);
  }

  private static void extract(String resource, Path target) throws IOException {
    URL url = TensorFlowNatives.class.getClassLoader().getResource(resource);
    if (url == null) {
      throw new IllegalStateException(resource + " is not on the classpath: add"
          + " org.tensorflow:tensorflow-core-native (classifier linux-x86_64) to the generator's dependencies");
    }
    URLConnection connection = url.openConnection();
    connection.setUseCaches(false); // do not keep the 148 MB jar open through the JVM's jar cache
    long size = connection.getContentLengthLong(); // the jar entry's uncompressed size
    if (size >= 0 && Files.isRegularFile(target) && Files.size(target) == size) {
      connection.getInputStream().close();
      return;
    }
    // atomically (AtomicFiles: temporary file, fsync, rename): a run killed mid-extraction leaves no
    // truncated library that the size check above could take for complete
    AtomicFiles.write(target, out -> {
      try (InputStream in = connection.getInputStream()) {
        long n = in.transferTo(out);
        if (size >= 0 && n != size) {
          throw new IOException("extracted " + n + " bytes of " + resource + ", expected " + size);
        }
      }
    });
  }
}
