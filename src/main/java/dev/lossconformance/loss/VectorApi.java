package dev.lossconformance.loss;

import java.lang.reflect.Constructor;
import java.util.function.Supplier;

/**
 * Which implementation of a kernel's loops runs: its Vector API class when the {@code jdk.incubator.vector}
 * module is in the boot layer (the JVM started with {@code --add-modules jdk.incubator.vector}) and the
 * system property {@code lossconformance.scalar} is not set, else its scalar class. The Vector API class is
 * loaded by name, so that without the module no class that uses it is ever loaded.
 */
public final class VectorApi {
  private static final boolean PRESENT = !Boolean.getBoolean("lossconformance.scalar")
      && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  private VectorApi() {}

  /** Whether the Vector API implementations run. */
  public static boolean present() {
    return PRESENT;
  }

  /**
   * A new instance of {@code vectorClass} (a subclass of {@code type} with a no-argument constructor)
   * when the Vector API is {@link #present}, else (or when it cannot be loaded) {@code scalar}'s.
   * {@code VectorApiTest} checks, in the Vector API test run, that every kernel loads its vector class.
   */
  public static <T> T best(Class<T> type, String vectorClass, Supplier<T> scalar) {
    if (!PRESENT) {
      return scalar.get();
    }
    try {
      // the Vector API classes are package-private in their kernels' packages: this loader is in another
      Constructor<?> make = Class.forName(vectorClass).getDeclaredConstructor();
      make.setAccessible(true);
      return type.cast(make.newInstance());
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return scalar.get();
    }
  }
}
