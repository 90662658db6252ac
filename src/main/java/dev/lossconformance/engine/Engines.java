package dev.lossconformance.engine;

import java.util.List;
import java.util.Optional;

/**
 * The registry of engines, in the order the fixtures, the divergence map and the report list them:
 * the reference engine first (the catalog declares each case as its call), then its counterparts.
 * A new engine is one {@link Engine} implementation and its line here.
 */
public final class Engines {
  private static final List<Engine> ALL = List.of(new TorchEngine(), new TensorFlowEngine());

  /** The id of a fixture file that is in no engine folder and whose source names none. */
  public static final String EXTERNAL = "external";

  private Engines() {}

  /** Every engine, the reference first. */
  public static List<Engine> all() {
    return ALL;
  }

  /** Every engine's id, the reference first. */
  public static List<String> ids() {
    return ALL.stream().map(Engine::id).toList();
  }

  /** The engine the catalog declares its cases for (PyTorch). */
  public static Engine reference() {
    return ALL.get(0);
  }

  /** The engines the catalog translates the reference call into, each paired with the reference. */
  public static List<Engine> counterparts() {
    return ALL.subList(1, ALL.size());
  }

  /** The engine of {@code id}, if registered. */
  public static Optional<Engine> byId(String id) {
    return ALL.stream().filter(e -> e.id().equals(id)).findFirst();
  }

  /** The engine of {@code id}; fails naming the registered ids. */
  public static Engine require(String id) {
    return byId(id).orElseThrow(() -> new IllegalArgumentException("no engine \"" + id + "\"; the engines are " + ids()));
  }

  /** The engine whose fixture folder is named {@code folder}, if any. */
  public static Optional<Engine> byFolder(String folder) {
    return ALL.stream().filter(e -> e.folder().equals(folder)).findFirst();
  }

  /**
   * The engine id of a fixture file: from its folder's name, else from its {@code source} line, else
   * {@value #EXTERNAL}.
   */
  public static String idOf(String folder, String source) {
    return byFolder(folder).or(() -> ALL.stream().filter(e -> e.namedBy(source)).findFirst())
        .map(Engine::id).orElse(EXTERNAL);
  }
}
