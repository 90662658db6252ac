package dev.lossconformance.api;

import java.util.List;
import java.util.Objects;

/**
 * One non-tensor argument of a framework call.
 *
 * @param name the framework's name ({@code ignore_index})
 * @param defaultValue the framework's default ({@code Long}, {@code Double}, {@code String},
 *     {@code Boolean}) or {@code null} when the framework's default is {@code None}
 * @param values the values the framework accepts, when it is a closed set ({@code reduction}); empty
 *     when any value of the type is accepted
 */
public record Param(String name, Object defaultValue, List<Object> values) {

  public Param {
    Objects.requireNonNull(name, "name");
    values = List.copyOf(values);
  }

  /** A param with a default and an open domain. */
  public static Param of(String name, Object defaultValue) {
    return new Param(name, defaultValue, List.of());
  }

  /** A param with a default and a closed set of accepted values. */
  public static Param oneOf(String name, Object defaultValue, Object... values) {
    return new Param(name, defaultValue, List.of(values));
  }

  /** The default of an integer param. */
  public long longDefault() {
    return ((Number) defaultValue).longValue();
  }

  /** True when the framework accepts {@code value} (always, for an open domain). */
  public boolean accepts(Object value) {
    return values.isEmpty() || values.contains(value);
  }
}
