package dev.lossconformance.junit;

import dev.lossconformance.fixture.FixtureFile;
import dev.lossconformance.fixture.FixtureFormatException;
import dev.lossconformance.fixture.FixtureReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.provider.AnnotationBasedArgumentsProvider;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.support.ParameterDeclarations;

/** Reads the file a {@link FixtureSource} names and turns each case into a named argument set. */
final class FixtureArgumentsProvider extends AnnotationBasedArgumentsProvider<FixtureSource> {

  /** The fixtures folder: {@code -Dconformance.fixtures}, else {@code fixtures} under the working directory. */
  static Path fixturesRoot() {
    return Path.of(System.getProperty("conformance.fixtures", "fixtures"));
  }

  @Override
  protected Stream<? extends Arguments> provideArguments(
      ParameterDeclarations parameters, ExtensionContext context, FixtureSource source) {
    return arguments(fixturesRoot(), source.engine(), source.op());
  }

  /** The named argument sets of {@code root/engine/op.json}; a missing, unreadable or empty file throws. */
  static Stream<Arguments> arguments(Path root, String engine, String op) {
    Path folder = root.resolve(engine);
    Path file = folder.resolve(op + ".json");
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("no fixture [" + op + "] in [" + folder + "]: " + file
          + " does not exist; regenerate with generator/regenerate");
    }
    FixtureFile fixture;
    try {
      fixture = FixtureReader.read(file);
    } catch (FixtureFormatException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    if (fixture.cases().isEmpty()) {
      throw new IllegalStateException("fixture " + file + " holds no case; an empty fixture set never passes");
    }
    return fixture.cases().stream().map(c -> Arguments.argumentSet(c.displayName(), c));
  }
}
