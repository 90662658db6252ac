package dev.lossconformance.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version} of every command: {@code loss-conformance <version>}, the project version Maven
 * filters into {@code version.properties} at build time, else the jar manifest's
 * {@code Implementation-Version}, else {@code unknown}.
 */
final class Version implements IVersionProvider {
  private static final String RESOURCE = "version.properties";

  /** The project version this code was built as. */
  static String get() {
    try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version", "").strip();
        if (!v.isEmpty() && !v.contains("${")) {
          return v;
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // fall through to the manifest
    }
    String v = Version.class.getPackage().getImplementationVersion();
    return v == null || v.isBlank() ? "unknown" : v;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"loss-conformance " + get()};
  }
}
