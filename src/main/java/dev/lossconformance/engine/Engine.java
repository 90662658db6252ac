package dev.lossconformance.engine;

import java.util.List;
import java.util.Locale;

/**
 * A framework that makes goldens: its id (the {@code engine} of a fixture case and of a check
 * result), the names people know it by, the folder its fixture files live in and the words a
 * fixture file's {@code source} line starts with. Every engine is registered in {@link Engines};
 * adding one is one new implementation plus its recipes (catalog counterpart rules, generator
 * backend).
 */
public interface Engine {
  /** The id, e.g. {@code torch}: what {@code FixtureCase.engine()} and {@code CaseResult.engine()} hold. */
  String id();

  /** The name for people, e.g. {@code PyTorch}. */
  String displayName();

  /** A short label for narrow columns, e.g. {@code TF}. */
  String shortName();

  /** The folder under {@code fixtures/} holding its goldens; the id unless an engine says otherwise. */
  default String folder() {
    return id();
  }

  /**
   * Lower-case prefixes of a fixture file's {@code source} line that name this engine, for files
   * outside an engine folder (a file exported from Python: {@code "PyTorch 2.7.1 ..."}).
   */
  List<String> sourcePrefixes();

  /** True when {@code source} (a fixture file's {@code source} line) starts with one of {@link #sourcePrefixes}. */
  default boolean namedBy(String source) {
    String s = source.toLowerCase(Locale.ROOT);
    return sourcePrefixes().stream().anyMatch(s::startsWith);
  }
}
