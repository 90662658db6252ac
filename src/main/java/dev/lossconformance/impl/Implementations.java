package dev.lossconformance.impl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The {@link LossImplementation}s on the class path, found with {@link ServiceLoader}. */
public final class Implementations {
  private Implementations() {}

  /** Thrown when the class path has no implementation of a name, two of one name, or a broken one. */
  public static final class LookupException extends Exception {
    private static final long serialVersionUID = 1L;

    LookupException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Every implementation the class path provides, sorted by name; two with one name are refused. */
  public static List<LossImplementation> all(ClassLoader loader) throws LookupException {
    TreeMap<String, LossImplementation> byName = new TreeMap<>();
    try {
      for (LossImplementation impl : ServiceLoader.load(LossImplementation.class, loader)) {
        String name = impl.name();
        if (name == null || name.isBlank() || !name.strip().equals(name)) {
          throw new LookupException("implementation " + impl.getClass().getName() + " has no usable name: "
              + (name == null ? "null" : "\"" + name + "\""), null);
        }
        LossImplementation other = byName.putIfAbsent(name, impl);
        if (other != null) {
          throw new LookupException("two implementations are named \"" + name + "\": " + other.getClass().getName()
              + " and " + impl.getClass().getName() + " (remove one jar from the class path)", null);
        }
      }
    } catch (ServiceConfigurationError e) {
      // a META-INF/services entry naming a missing class, one without a public no-argument constructor, ...
      throw new LookupException("a loss implementation on the class path cannot be loaded: " + e.getMessage(), e);
    }
    List<LossImplementation> out = new ArrayList<>(byName.values());
    out.sort(Comparator.comparing(LossImplementation::name));
    return out;
  }

  /** The implementation called {@code name}; the message lists the names found when there is none. */
  public static LossImplementation named(String name, ClassLoader loader) throws LookupException {
    List<LossImplementation> all = all(loader);
    for (LossImplementation impl : all) {
      if (impl.name().equals(name)) {
        return impl;
      }
    }
    throw new LookupException("no loss implementation named \"" + name + "\" on the class path; found: "
        + (all.isEmpty() ? "none" : String.join(", ", all.stream().map(LossImplementation::name).toList()))
        + " (check --list-impls lists them; add a jar with -cp)", null);
  }
}
