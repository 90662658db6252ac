package dev.lossconformance.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every configuration benchmark's configurations, by id: PyTorch's ({@link TorchConfigurations}) and TensorFlow's ({@link TfConfigurations}). */
final class Configurations {
  private Configurations() {}

  private static final Map<String, Configuration> BY_ID = index();

  private static Map<String, Configuration> index() {
    Map<String, Configuration> m = new LinkedHashMap<>();
    List<Configuration> all = new ArrayList<>(TorchConfigurations.all());
    all.addAll(TfConfigurations.all());
    for (Configuration c : all) {
      if (m.put(c.id(), c) != null) {
        throw new IllegalStateException("configuration id " + c.id() + " is declared twice");
      }
    }
    return Collections.unmodifiableMap(m);
  }

  /** Every configuration, PyTorch's first, in declaration order. */
  static List<Configuration> all() {
    return List.copyOf(BY_ID.values());
  }

  /** The configuration {@code id}; an unknown id is an error naming the ids there are. */
  static Configuration byId(String id) {
    Configuration c = BY_ID.get(id);
    if (c == null) {
      throw new IllegalArgumentException("config " + id + ": expected one of " + BY_ID.keySet());
    }
    return c;
  }
}
