package dev.lossconformance.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.provider.ArgumentsSource;

/**
 * Supplies every case of one fixture file, {@code <fixtures>/<engine>/<op>.json}, as a
 * {@link dev.lossconformance.fixture.FixtureCase} named {@code engine | case id}. The fixtures folder
 * is the system property {@code conformance.fixtures} (Maven sets it to {@code fixtures/}). A missing
 * or empty file fails the test instead of running nothing.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ArgumentsSource(FixtureArgumentsProvider.class)
public @interface FixtureSource {
  /** The op, which names the file: {@code cross_entropy}. */
  String op();

  /** The engine folder: {@code torch} or {@code tensorflow}. */
  String engine() default "torch";
}
