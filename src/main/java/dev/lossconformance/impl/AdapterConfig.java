package dev.lossconformance.impl;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * An adapter folder under {@code implementations/}: its {@code impl.properties} and where its built
 * classes and dependencies are ({@code target/classes}, the class path listed in {@code
 * target/classpath.txt}).
 *
 * <pre>
 * name=djl-0.36                  # the implementation's name (check --impl)
 * description=DJL 0.36 losses on the PyTorch engine
 * derived-mean=true              # also run the derived mean cases (mean-only libraries)
 * deviations=known-deviations.txt  # relative to the folder; optional
 * timeout-seconds=600            # the whole run's time limit; past it the process is killed
 * max-heap=2g                    # optional -Xmx of the adapter's JVM
 * </pre>
 *
 * @param folder the adapter's folder
 * @param name the implementation name
 * @param description one line
 * @param derivedMean whether to add {@code --derived-mean}
 * @param deviations the known-deviations file, or {@code null}
 * @param timeoutSeconds the run's time limit
 * @param maxHeap the {@code -Xmx} value, or {@code null} for the JVM's default
 */
public record AdapterConfig(Path folder, String name, String description, boolean derivedMean, Path deviations,
    long timeoutSeconds, String maxHeap) {

  /** The file an adapter folder is recognised by. */
  public static final String FILE = "impl.properties";

  private static final Set<String> KEYS = Set.of("name", "description", "derived-mean", "deviations",
      "timeout-seconds", "max-heap");

  /** A folder's {@code impl.properties} that cannot be used, naming the file and the key. */
  public static final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
      super(message);
    }
  }

  /** Reads {@code folder/impl.properties}. */
  public static AdapterConfig read(Path folder) throws IOException, ConfigException {
    Path file = folder.resolve(FILE);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    for (String k : p.stringPropertyNames()) {
      if (!KEYS.contains(k)) {
        throw new ConfigException(file + ": unknown key \"" + k + "\" (known: " + String.join(", ",
            KEYS.stream().sorted().toList()) + ")");
      }
    }
    String name = p.getProperty("name", "").strip();
    if (name.isEmpty()) {
      throw new ConfigException(file + ": name is missing (the implementation's name, as check --impl takes it)");
    }
    String derived = p.getProperty("derived-mean", "false").strip();
    if (!derived.equals("true") && !derived.equals("false")) {
      throw new ConfigException(file + ": derived-mean must be true or false, not \"" + derived + "\"");
    }
    String timeout = p.getProperty("timeout-seconds", "600").strip();
    long seconds;
    try {
      seconds = Long.parseLong(timeout);
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (seconds <= 0) {
      throw new ConfigException(file + ": timeout-seconds must be a positive whole number of seconds, not \""
          + timeout + "\"");
    }
    String dev = p.getProperty("deviations", "").strip();
    Path deviations = dev.isEmpty() ? null : folder.resolve(dev);
    if (deviations != null && !Files.isRegularFile(deviations)) {
      throw new ConfigException(file + ": deviations names " + deviations + ", which is not a file");
    }
    String heap = p.getProperty("max-heap", "").strip();
    if (!heap.isEmpty() && !heap.matches("[0-9]+[kKmMgG]?")) {
      throw new ConfigException(file + ": max-heap must look like 512m or 2g, not \"" + heap + "\"");
    }
    return new AdapterConfig(folder, name, p.getProperty("description", "").strip(), derived.equals("true"),
        deviations, seconds, heap.isEmpty() ? null : heap);
  }

  /** The adapter folders directly below {@code root} (those holding {@code impl.properties}), sorted. */
  public static List<Path> folders(Path root) throws IOException {
    List<Path> out = new ArrayList<>();
    try (var s = Files.list(root)) {
      s.filter(d -> Files.isRegularFile(d.resolve(FILE))).sorted().forEach(out::add);
    }
    return out;
  }

  /**
   * The adapter's class path: {@code target/classes} and the entries of {@code target/classpath.txt}
   * (what {@code mvn package} of the folder writes).
   *
   * @throws ConfigException when the folder has not been built
   */
  public List<String> classPath() throws IOException, ConfigException {
    Path classes = folder.resolve("target/classes");
    Path listed = folder.resolve("target/classpath.txt");
    if (!Files.isDirectory(classes) || !Files.isRegularFile(listed)) {
      throw new ConfigException(folder + " is not built (no target/classes or target/classpath.txt): run mvn -B"
          + " package -f " + folder.resolve("pom.xml") + ", or implementations/run");
    }
    List<String> cp = new ArrayList<>();
    cp.add(classes.toString());
    for (String e : Files.readString(listed, StandardCharsets.UTF_8).strip().split(java.io.File.pathSeparator)) {
      if (!e.isBlank()) {
        cp.add(e.strip());
      }
    }
    return cp;
  }
}
