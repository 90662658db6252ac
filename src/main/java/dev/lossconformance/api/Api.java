package dev.lossconformance.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One framework call, described once: its name, the engine that runs it, its non-tensor params with
 * the framework's defaults (and accepted values where they form a closed set), its tensor inputs and
 * the outputs a fixture stores for it. The constants are in {@link TorchApis}, {@link KerasApis} and
 * {@link TfNnApis}, the only place an api string or a param default is written; {@link ApiIndex}
 * finds one by name.
 *
 * @param name the api string of the fixtures ({@code torch.nn.functional.cross_entropy})
 * @param family the framework namespace
 * @param engine the id of the engine that runs it ({@code torch}, {@code tensorflow})
 * @param params by name, in the framework's argument order
 * @param inputs the tensor arguments, required ones first ({@code input}, {@code target}, then
 *     optional ones such as {@code weight})
 * @param outputs what a fixture stores: {@code loss} first, then the gradients
 */
public record Api(String name, Family family, String engine, Map<String, Param> params, List<String> inputs,
    List<String> outputs) {

  public Api {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(engine, "engine");
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /** The param {@code name}; fails naming the api when it has none of that name. */
  public Param param(String name) {
    Param p = params.get(name);
    if (p == null) {
      throw new IllegalArgumentException(this.name + " has no param \"" + name + "\"; it has " + params.keySet());
    }
    return p;
  }

  /** True when the api takes a param {@code name}. */
  public boolean hasParam(String name) {
    return params.containsKey(name);
  }

  /** The framework's default of param {@code name} (may be {@code null}: the framework's None). */
  public Object defaultOf(String name) {
    return param(name).defaultValue();
  }

  /** The default of an integer param. */
  public long longDefault(String name) {
    return ((Number) defaultOf(name)).longValue();
  }

  /** The default of a real param. */
  public double realDefault(String name) {
    return ((Number) defaultOf(name)).doubleValue();
  }

  /** The default of a string param. */
  public String stringDefault(String name) {
    return (String) defaultOf(name);
  }

  /** The default of a boolean param. */
  public boolean flagDefault(String name) {
    return (Boolean) defaultOf(name);
  }

  @Override
  public String toString() {
    return name;
  }

  /** Starts a descriptor; the family classes build their constants with it. */
  static Builder builder(String name, Family family, String engine) {
    return new Builder(name, family, engine);
  }

  /** Collects one descriptor. */
  static final class Builder {
    private final String name;
    private final Family family;
    private final String engine;
    private final Map<String, Param> params = new LinkedHashMap<>();
    private final List<String> inputs = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();

    private Builder(String name, Family family, String engine) {
      this.name = name;
      this.family = family;
      this.engine = engine;
    }

    Builder param(Param p) {
      params.put(p.name(), p);
      return this;
    }

    Builder param(String name, Object dflt) {
      return param(Param.of(name, dflt));
    }

    Builder inputs(String... names) {
      inputs.addAll(List.of(names));
      return this;
    }

    Builder outputs(String... names) {
      outputs.addAll(List.of(names));
      return this;
    }

    Api build() {
      return new Api(name, family, engine, params, inputs, outputs);
    }
  }
}
