package dev.lossconformance.tck;

import dev.lossconformance.check.Deviations;
import dev.lossconformance.impl.AdapterConfig;
import dev.lossconformance.impl.Implementations;
import dev.lossconformance.impl.LossImplementation;
import java.nio.file.Path;

/**
 * The suite of an adapter folder ({@code implementations/<name>/}, README "Adding an implementation"),
 * configured by its {@code impl.properties} in the working directory, as {@code check} runs it through
 * {@code implementations/run}: the implementation named there (found with ServiceLoader), its known
 * deviations, and the derived mean cases when {@code derived-mean=true}. An adapter's test is then
 * {@code class MyLibraryConformanceTest extends AdapterSuite {}}.
 */
public abstract class AdapterSuite extends ConformanceSuite {
  private AdapterConfig config;

  /** The adapter folder's configuration (the working directory's {@code impl.properties}). */
  protected final synchronized AdapterConfig config() throws Exception {
    if (config == null) {
      config = AdapterConfig.read(Path.of("").toAbsolutePath());
    }
    return config;
  }

  @Override
  protected LossImplementation implementation() {
    try {
      return Implementations.named(config().name(), getClass().getClassLoader());
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  @Override
  protected Deviations deviations() throws Exception {
    return config().deviations() == null ? Deviations.none() : Deviations.read(config().deviations());
  }

  @Override
  protected boolean derivedMeanCases() {
    try {
      return config().derivedMean();
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
