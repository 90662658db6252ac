package dev.lossconformance.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Every path argument and option value. An empty value (an unset variable in {@code check "$DIR"}) or
 * one of only spaces is refused, not read as {@code Path.of("")}, the working directory, where
 * {@code check ""} would check whatever lies there and {@code --report ""} would write into it.
 */
final class PathConverter implements ITypeConverter<Path> {
  @Override
  public Path convert(String value) {
    if (value.isBlank()) {
      throw new TypeConversionException(quote(value) + " is " + (value.isEmpty() ? "empty" : "blank")
          + "; expected a file or folder path");
    }
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new TypeConversionException(quote(value) + " is not a valid path: " + e.getReason());
    }
  }

  /** {@code 'value'} with control characters (a NUL, a newline) shown as escapes. */
  static String quote(String value) {
    StringBuilder b = new StringBuilder("'");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('\'').toString();
  }
}
