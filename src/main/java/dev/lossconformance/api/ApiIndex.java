package dev.lossconformance.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every {@link Api} descriptor by its name. */
public final class ApiIndex {
  private static final Map<String, Api> BY_NAME;

  static {
    Map<String, Api> m = new LinkedHashMap<>();
    List<Api> all = new ArrayList<>(TorchApis.ALL);
    all.addAll(KerasApis.ALL);
    all.addAll(TfNnApis.ALL);
    for (Api a : all) {
      if (m.put(a.name(), a) != null) {
        throw new ExceptionInInitializerError("two descriptors named " + a.name());
      }
    }
    BY_NAME = Collections.unmodifiableMap(m);
  }

  private ApiIndex() {}

  /** Every descriptor: torch.nn.functional, then keras.losses, then tf.nn. */
  public static List<Api> all() {
    return List.copyOf(BY_NAME.values());
  }

  /** The descriptor named {@code name}, if there is one. */
  public static Optional<Api> find(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** The descriptor named {@code name}; fails naming it when there is none. */
  public static Api of(String name) {
    return find(name).orElseThrow(() -> new IllegalArgumentException("no api descriptor named " + name));
  }
}
