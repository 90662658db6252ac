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
 * @param probes for an open domain, the values worth trying (edges of the domain, and a few the
 *     framework rejects): what the differential sweep draws from; empty when none are declared
 */
public record Param(String name, Object defaultValue, List<Object> values, List<Object> probes) {

  public Param {
    Objects.requireNonNull(name, "name");
    values = List.copyOf(values);
    probes = List.copyOf(probes);
  }

  /** A param with a default and an open domain. */
  public static Param of(String name, Object defaultValue) {
    return new Param(name, defaultValue, List.of(), List.of());
  }

  /** A param with a default and a closed set of accepted values. */
  public static Param oneOf(String name, Object defaultValue, Object... values) {
    return new Param(name, defaultValue, List.of(values), List.of());
  }

  /** This param with the values the sweep tries ({@link #probes}). */
  public Param probing(Object... probeValues) {
    return new Param(name, defaultValue, values, List.of(probeValues));
  }

  /**
   * What the sweep draws from: the closed set, else the probes, else the default alone (a
   * {@code null} default, the framework's None, is a value too).
   */
  public List<Object> domain() {
    if (!values.isEmpty()) {
      return values;
    }
    if (!probes.isEmpty()) {
      return probes;
    }
    return java.util.Collections.singletonList(defaultValue);
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
