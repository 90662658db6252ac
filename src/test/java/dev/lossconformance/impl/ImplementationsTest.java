package dev.lossconformance.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ServiceLoader lookup behind check --impl and --list-impls. */
class ImplementationsTest {

  @Test
  void theTestClassPathHasJavaAndTheScaledOneSortedByName() throws Exception {
    List<String> names = Implementations.all(getClass().getClassLoader()).stream().map(LossImplementation::name)
        .toList();
    assertEquals(List.of("java", "test-crash", "test-hang", "test-oom", "test-scaled"), names);
  }

  @Test
  void anUnknownNameListsWhatWasFound() {
    Implementations.LookupException e = assertThrows(Implementations.LookupException.class,
        () -> Implementations.named("djl-0.36", getClass().getClassLoader()));
    assertEquals("no loss implementation named \"djl-0.36\" on the class path; found: java, test-crash, test-hang, test-oom, test-scaled"
        + " (check --list-impls lists them; add a jar with -cp)", e.getMessage());
  }

  /** A class loader whose only service file lists {@code lines}, in front of the test class path. */
  private static ClassLoader withServices(Path dir, String... lines) throws IOException {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(services.resolve(LossImplementation.class.getName()), String.join("\n", lines) + "\n");
    return new URLClassLoader(new URL[] {dir.toUri().toURL()}, ImplementationsTest.class.getClassLoader());
  }

  @Test
  void twoImplementationsOfOneNameAreRefused(@TempDir Path dir) throws Exception {
    // the test class path's own service file lists ScaledImplementation; listing it again gives two
    ClassLoader loader = withServices(dir, DuplicateOfScaled.class.getName());
    Implementations.LookupException e = assertThrows(Implementations.LookupException.class,
        () -> Implementations.all(loader));
    assertTrue(e.getMessage().startsWith("two implementations are named \"test-scaled\": "), e.getMessage());
  }

  @Test
  void aServiceEntryNamingAMissingClassIsRefusedWithTheName(@TempDir Path dir) throws Exception {
    ClassLoader loader = withServices(dir, "com.example.NoSuchLoss");
    Implementations.LookupException e = assertThrows(Implementations.LookupException.class,
        () -> Implementations.all(loader));
    assertTrue(e.getMessage().contains("com.example.NoSuchLoss"), e.getMessage());
  }

  @Test
  void aBlankNameIsRefused(@TempDir Path dir) throws Exception {
    ClassLoader loader = withServices(dir, Blank.class.getName());
    Implementations.LookupException e = assertThrows(Implementations.LookupException.class,
        () -> Implementations.all(loader));
    assertTrue(e.getMessage().contains("has no usable name: \" \""), e.getMessage());
  }

  /** Another implementation called test-scaled. */
  public static final class DuplicateOfScaled implements LossImplementation {
    @Override
    public String name() {
      return "test-scaled";
    }

    @Override
    public java.util.Map<String, dev.lossconformance.tensor.Tensor> run(LossCall call) {
      return java.util.Map.of();
    }
  }

  /** An implementation whose name is blank. */
  public static final class Blank implements LossImplementation {
    @Override
    public String name() {
      return " ";
    }

    @Override
    public java.util.Map<String, dev.lossconformance.tensor.Tensor> run(LossCall call) {
      return java.util.Map.of();
    }
  }
}
