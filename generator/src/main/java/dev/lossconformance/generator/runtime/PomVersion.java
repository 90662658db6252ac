package dev.lossconformance.generator.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of a jar on the classpath, from the Maven {@code pom.properties} it carries. Without DJL
 * or engine dependencies, so the version builds of {@code generator/drift} (which leave DJL out) use it
 * too.
 */
public final class PomVersion {
  private PomVersion() {}

  /**
   * {@code version} from {@code pomProperties} (a resource path such as
   * {@code META-INF/maven/org.tensorflow/tensorflow-core-api/pom.properties}), or {@code unknown} when
   * the resource is missing or unreadable.
   */
  public static String of(String pomProperties) {
    try (InputStream in = PomVersion.class.getClassLoader().getResourceAsStream(pomProperties)) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
